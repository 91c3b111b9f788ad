// mqttws — broker URLs: which transport, which host, port and path.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

namespace mqttws {

enum class url_scheme : std::uint8_t {
  ws,     ///< MQTT over WebSocket over TCP       (default port 80)
  wss,    ///< MQTT over WebSocket over TLS       (default port 443)
  mqtt,   ///< MQTT over TCP; also "tcp://"       (default port 1883)
  mqtts,  ///< MQTT over TLS; also "ssl://", "tls://"  (default port 8883)
};

struct endpoint_url {
  url_scheme scheme = url_scheme::mqtt;
  std::string host;        ///< Without IPv6 brackets ("::1").
  std::uint16_t port = 0;  ///< The URL's port or the scheme's default.
  std::string path = "/";  ///< WebSocket request target (path and query); "/" when absent.

  bool is_websocket() const { return scheme == url_scheme::ws || scheme == url_scheme::wss; }
  bool is_tls() const { return scheme == url_scheme::wss || scheme == url_scheme::mqtts; }
};

/// Parses "scheme://host[:port][/path[?query]]". Hosts may be names, IPv4 addresses or
/// bracketed IPv6 addresses ("[::1]"). The scheme is case-insensitive.
/// Errors (transport_errc): url_unknown_scheme, url_missing_host, url_invalid_port,
/// url_malformed (no "://", user info "user@", unbalanced brackets, whitespace or control
/// characters). On error `out` is unchanged.
std::error_code parse_url(std::string_view url, endpoint_url& out);

/// "ws", "wss", "mqtt" or "mqtts".
std::string_view to_string(url_scheme s) noexcept;

}  // namespace mqttws
