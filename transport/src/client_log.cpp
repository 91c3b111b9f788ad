#include "client_log.hpp"

#include <cstdio>

#include "mqttws/client.hpp"
#include "mqttws/error.hpp"

namespace mqttws {
namespace {

std::string hex(reason_code c) {
  char out[8];
  std::snprintf(out, sizeof out, "0x%02X", static_cast<unsigned>(c));
  return out;
}

std::string ms(duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) +
         " ms";
}

}  // namespace

std::string_view to_string(log_level l) noexcept {
  switch (l) {
    case log_level::debug: return "debug";
    case log_level::info: return "info";
    case log_level::warning: return "warning";
    case log_level::error: return "error";
  }
  return "unknown";
}

std::string loggable_endpoint(std::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  const std::size_t scheme_end = url.find("://");
  const std::size_t host = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  const std::size_t authority_end = std::min(url.find('/', host), url.size());
  const std::size_t at = url.substr(0, authority_end).rfind('@');
  if (at == std::string_view::npos || at < host) return std::string(url);
  return std::string(url.substr(0, host)) + std::string(url.substr(at + 1));
}

void client_log::line(log_level level, const std::string& text) const {
  if (*handler_) (*handler_)(level, text);
}

void client_log::opening(std::string_view endpoint, std::uint32_t attempt) const {
  if (!*handler_) return;  // every function formats only when someone listens
  line(log_level::debug, "transport opening: " + loggable_endpoint(endpoint) + " (attempt " +
                             std::to_string(attempt) + ")");
}

void client_log::not_opened(std::string_view endpoint, std::error_code ec) const {
  if (!*handler_) return;
  line(log_level::warning,
       "transport not opened: " + loggable_endpoint(endpoint) + ": " + describe(ec));
}

void client_log::transport_open() const { line(log_level::debug, "transport open"); }

void client_log::transport_closed(std::error_code ec) const {
  if (!*handler_) return;
  line(log_level::info, ec ? "transport closed: " + describe(ec) : "transport closed: orderly");
}

void client_log::connect_sent(const session_config& c, std::string_view client_id) const {
  if (!*handler_) return;
  const char* version = c.version == protocol_version::v5     ? "5"
                        : c.version == protocol_version::v311 ? "3.1.1"
                                                              : "3.1";
  line(log_level::debug, "CONNECT sent: MQTT " + std::string(version) + ", client id \"" +
                             std::string(client_id) + "\", keep alive " +
                             std::to_string(c.keep_alive) + " s");
}

void client_log::connected(const connected_event& e) const {
  if (!*handler_) return;
  line(log_level::info, "CONNACK: " + std::string(to_string(reason_code::success)) + " (" +
                            hex(reason_code::success) + "), session present " +
                            (e.session_present ? "1" : "0") + ", keep alive " +
                            std::to_string(e.keep_alive) + " s");
}

void client_log::disconnected(const disconnected_event& e) const {
  if (!*handler_) return;
  if (e.ec == errc::connection_refused) {
    line(log_level::error, "CONNACK: " + describe(e.ec, e.reason, e.reason_string) +
                               (e.will_reconnect ? " (will reconnect)" : ""));
  } else if (!e.ec) {
    line(log_level::info, "disconnected");
  } else {
    line(e.will_reconnect ? log_level::info : log_level::warning,
         "connection lost: " + describe(e.ec, e.reason, e.reason_string) +
             (e.will_reconnect ? " (will reconnect)" : ""));
  }
}

void client_log::reconnecting(const reconnecting_event& e) const {
  if (!*handler_) return;
  line(log_level::info, "reconnect " + std::to_string(e.attempt) + " scheduled in " +
                            ms(e.delay) + ": " + loggable_endpoint(e.endpoint));
}

void client_log::disconnecting(reason_code code) const {
  if (!*handler_) return;
  line(log_level::info, "disconnecting: " + std::string(to_string(code, packet_type::disconnect)) +
                            " (" + hex(code) + ")");
}

void client_log::operation_failed(const operation_event& e) const {
  if (!*handler_) return;
  const std::string what =
      e.kind == operation_kind::subscribe ? "subscribe " : "unsubscribe ";
  const std::string op = what + std::to_string(e.id);
  if (e.ec) {
    line(log_level::warning, op + " failed: " + describe(e.ec));
    return;
  }
  for (std::size_t i = 0; i < e.codes.size(); ++i) {
    if (is_success(e.codes[i])) continue;
    const packet_type t =
        e.kind == operation_kind::subscribe ? packet_type::suback : packet_type::unsuback;
    line(log_level::warning, op + ": filter " + std::to_string(i) + " refused: " +
                                 std::string(to_string(e.codes[i], t)) + " (" +
                                 hex(e.codes[i]) + ")" +
                                 (e.reason_string.empty() ? "" : " - " + e.reason_string));
  }
}

void client_log::store_error(std::string_view call, std::error_code ec) const {
  if (!*handler_) return;
  line(log_level::error, "store " + std::string(call) + " failed: " + ec.message());
}

}  // namespace mqttws
