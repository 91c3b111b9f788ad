// mqttws — how a native client (mqttws::client) connects and behaves.
//
// Unlike session_options (views), everything here is owned: build the options, hand them to
// the client, and let them go. The session part *is* a session_config (the base class, see
// session_config.hpp for its fields): the client hands it to its session as it is.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mqttws/backoff.hpp"
#include "mqttws/protocol.hpp"
#include "mqttws/session_clock.hpp"
#include "mqttws/session_config.hpp"
#include "mqttws/session_store.hpp"

namespace mqttws {

/// TLS for wss:// and mqtts:// endpoints. Default: the server certificate is verified against
/// the system trust store, and must be issued for the URL's host (DNS name or IP address);
/// the host name is sent as SNI (not for IP addresses, which RFC 6066 does not allow).
/// The lowest TLS version a connection accepts.
enum class tls_version : std::uint8_t { v1_2, v1_3 };

struct tls_options {
  std::string ca_file;    ///< PEM file of trusted CAs, used *instead of* the system store.
  /// Directory of trusted CA certificates in OpenSSL's hashed layout (`openssl rehash DIR`),
  /// used *instead of* the system store, like ca_file (both may be given: either trusts).
  std::string ca_path;
  std::string cert_file;  ///< PEM client certificate (chain) for mutual TLS.
  std::string key_file;   ///< PEM private key of cert_file (unencrypted).
  /// Skip certificate and host name verification. For tests and development only: it makes
  /// the connection open to interception.
  bool insecure = false;
  /// TLS 1.2 and later by default; v1_3 refuses servers that only speak 1.2.
  tls_version min_version = tls_version::v1_2;
};

/// What a (re)connection attempt will use. Given to client_options::before_connect, which may
/// change the credentials and headers (e.g. put a freshly refreshed token in); the changes are
/// kept and used by later attempts too.
struct connect_attempt {
  std::string endpoint;        ///< The URL about to be opened (changing it has no effect).
  std::uint32_t attempt = 0;   ///< 0 for the first connection, then counts reconnections.
  std::optional<std::string> username;
  std::optional<std::string> password;  ///< Binary.
  std::vector<string_pair> headers;     ///< Extra WebSocket handshake headers.
};

/// How much a line given to client_options::log matters.
enum class log_level : std::uint8_t {
  debug,    ///< Routine steps (a transport opening, CONNECT sent).
  info,     ///< The connection's lifecycle (connected, closed, reconnect scheduled).
  warning,  ///< Something failed that the client works around (a refused subscription).
  error,    ///< Something failed that needs attention (a store error, a refused CONNECT).
};

/// "debug", "info", "warning", "error".
std::string_view to_string(log_level l) noexcept;

/// The logging hook's type (client_options::log).
using log_handler = std::function<void(log_level, std::string_view)>;

/// client_options derives from session_config so that the session's fields (version,
/// endpoints, client_id, username, password, will, the CONNECT properties, timing, backoff,
/// queue, pacing, ...) are set on the options directly, by the names they always had, and the
/// client gives that part to its session in one piece. What follows is the client's own.
///
/// session_config notes that apply here: endpoints are URLs (endpoint_url.hpp): "wss://host/
/// mqtt", "ws://host:port/path", "mqtts://host", "mqtt://host:port"; connect_timeout covers
/// open, handshakes and CONNACK; backoff.seed unset (the default): a random seed per session,
/// so clients started together do not retry in step; max_transmit_bytes is also the most bytes
/// per write (per WebSocket message).
struct client_options : session_config {
  // ---- transport ---------------------------------------------------------------------------
  tls_options tls;
  /// Extra HTTP headers for the WebSocket handshake (e.g. {"Authorization", "Bearer ..."}).
  /// "Sec-WebSocket-Protocol: mqtt" is always sent.
  std::vector<string_pair> headers;
  /// How long an orderly close (after DISCONNECT) may take before the socket is just closed.
  duration close_timeout = std::chrono::seconds(5);

  /// Called before every connection attempt, the first included, on the client's executor.
  /// It may change the username, password and headers of this and later attempts. It must
  /// not block and must not call the client.
  std::function<void(connect_attempt&)> before_connect;

  /// Logging hook, empty (off) by default. The client calls it on its executor, inside the
  /// call or completion that caused the event, with one line per event of the connection's
  /// lifecycle: a transport opening (the endpoint without its query string), open, and closed
  /// (with the reason); CONNECT sent; the CONNACK (its reason code); a reconnection scheduled
  /// (with its delay); a disconnect; a subscription the broker refused; a store error. Lines
  /// never hold credentials (user name, password, authentication data, headers) or payloads.
  /// The line views a buffer valid during the call only. It must not block and must not call
  /// the client.
  log_handler log;

  /// Where in-flight QoS 1/2 state is kept (e.g. a file_store, to survive a restart). Not
  /// owned; must outlive the client. nullptr: memory owned by the client, which survives
  /// reconnects (and a reconnect after async_disconnect()) but not the client itself.
  session_store* store = nullptr;
};

}  // namespace mqttws
