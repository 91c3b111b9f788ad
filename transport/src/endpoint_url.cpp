// Broker URL parsing.
#include "mqttws/endpoint_url.hpp"

#include <cctype>

#include "mqttws/transport_error.hpp"

namespace mqttws {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

bool scheme_of(std::string_view s, url_scheme& out) {
  struct entry {
    std::string_view name;
    url_scheme scheme;
  };
  static constexpr entry table[] = {
      {"ws", url_scheme::ws},       {"wss", url_scheme::wss},   {"mqtt", url_scheme::mqtt},
      {"tcp", url_scheme::mqtt},    {"mqtts", url_scheme::mqtts}, {"ssl", url_scheme::mqtts},
      {"tls", url_scheme::mqtts},
  };
  for (const entry& e : table) {
    if (iequals(s, e.name)) {
      out = e.scheme;
      return true;
    }
  }
  return false;
}

std::uint16_t default_port(url_scheme s) {
  switch (s) {
    case url_scheme::ws: return 80;
    case url_scheme::wss: return 443;
    case url_scheme::mqtt: return 1883;
    case url_scheme::mqtts: return 8883;
  }
  return 0;
}

}  // namespace

std::string_view to_string(url_scheme s) noexcept {
  switch (s) {
    case url_scheme::ws: return "ws";
    case url_scheme::wss: return "wss";
    case url_scheme::mqtt: return "mqtt";
    case url_scheme::mqtts: return "mqtts";
  }
  return "unknown";
}

std::error_code parse_url(std::string_view url, endpoint_url& out) {
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return transport_errc::url_malformed;
  }
  const std::size_t sep = url.find("://");
  if (sep == std::string_view::npos) return transport_errc::url_malformed;
  endpoint_url r;
  if (!scheme_of(url.substr(0, sep), r.scheme)) return transport_errc::url_unknown_scheme;

  std::string_view rest = url.substr(sep + 3);
  const std::size_t path_at = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_at);
  if (path_at != std::string_view::npos) {
    std::string_view path = rest.substr(path_at);
    r.path = path.front() == '?' ? "/" + std::string(path) : std::string(path);
  }
  if (authority.find('@') != std::string_view::npos) return transport_errc::url_malformed;

  std::string_view port;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return transport_errc::url_malformed;
    r.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return transport_errc::url_malformed;
      port = after.substr(1);
      has_port = true;
    }
    if (r.host.empty()) return transport_errc::url_missing_host;
  } else {
    const std::size_t colon = authority.find(':');
    if (colon != std::string_view::npos) {
      if (authority.find(':', colon + 1) != std::string_view::npos) {
        return transport_errc::url_malformed;  // an IPv6 address needs brackets
      }
      port = authority.substr(colon + 1);
      has_port = true;
    }
    r.host = std::string(authority.substr(0, colon));
    if (r.host.find_first_of("[]") != std::string::npos) return transport_errc::url_malformed;
    if (r.host.empty()) return transport_errc::url_missing_host;
  }

  if (has_port) {
    if (port.empty() || port.size() > 5) return transport_errc::url_invalid_port;
    std::uint32_t value = 0;
    for (char c : port) {
      if (c < '0' || c > '9') return transport_errc::url_invalid_port;
      value = value * 10 + static_cast<std::uint32_t>(c - '0');
    }
    if (value == 0 || value > 65535) return transport_errc::url_invalid_port;
    r.port = static_cast<std::uint16_t>(value);
  } else {
    r.port = default_port(r.scheme);
  }
  out = std::move(r);
  return {};
}

}  // namespace mqttws
