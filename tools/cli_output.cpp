#include "cli_output.hpp"

#include <cstdio>
#include <ctime>

namespace mqttws::cli {
namespace {

void append_hex(std::string& out, std::string_view bytes, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += digits[b >> 4];
    out += digits[b & 0x0F];
  }
}

// ISO 8601 local time with offset, e.g. 2016-08-10T09:47:38+0100.
std::string iso_time(std::chrono::system_clock::time_point when) {
  const std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  char buf[64];
  const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &tm);
  return std::string(buf, n);
}

std::string unix_time(std::chrono::system_clock::time_point when) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(when.time_since_epoch());
  const long long total = static_cast<long long>(ns.count());
  char buf[48];
  std::snprintf(buf, sizeof buf, "%lld.%09lld", total / 1000000000LL, total % 1000000000LL);
  return buf;
}

std::string formatted(const publish& p, const std::string& f,
                      std::chrono::system_clock::time_point when) {
  std::string out;
  for (std::size_t i = 0; i < f.size(); ++i) {
    const char c = f[i];
    if ((c != '%' && c != '\\') || i + 1 == f.size()) {
      out += c;
      continue;
    }
    const char k = f[++i];
    if (c == '\\') {
      switch (k) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'e': out += '\x1b'; break;
        case '0': out += '\0'; break;
        case '\\': out += '\\'; break;
        default: out += c; out += k;
      }
      continue;
    }
    const properties& pr = p.props;
    switch (k) {
      case '%': out += '%'; break;
      case 't': out += p.topic; break;
      case 'p': out += p.payload; break;
      case 'x': append_hex(out, p.payload, false); break;
      case 'X': append_hex(out, p.payload, true); break;
      case 'q': out += std::to_string(static_cast<int>(p.qos)); break;
      case 'r': out += p.retain ? '1' : '0'; break;
      case 'l': out += std::to_string(p.payload.size()); break;
      case 'm': out += std::to_string(p.packet_id); break;
      case 'C': if (pr.content_type) out += *pr.content_type; break;
      case 'R': if (pr.response_topic) out += *pr.response_topic; break;
      case 'D': if (pr.correlation_data) append_hex(out, *pr.correlation_data, false); break;
      case 'E':
        if (pr.message_expiry_interval) out += std::to_string(*pr.message_expiry_interval);
        break;
      case 'F':
        if (pr.payload_format_indicator) out += std::to_string(*pr.payload_format_indicator);
        break;
      case 'P': {
        bool first = true;
        for (const user_property& u : pr.user_properties) {
          if (!first) out += ' ';
          first = false;
          out += u.name;
          out += ':';
          out += u.value;
        }
        break;
      }
      case 'I': out += iso_time(when); break;
      case 'U': out += unix_time(when); break;
      default: out += c; out += k;  // not ours: printed as written
    }
  }
  return out;
}

}  // namespace

std::string format_message(const publish& p, const print_options& o,
                           std::chrono::system_clock::time_point when) {
  std::string out;
  if (o.format) {
    out = formatted(p, *o.format, when);
  } else if (o.verbose) {
    if (p.payload.empty()) {
      // As mosquitto_sub: an empty message shows as "(null)", and not at all with -N.
      if (o.no_eol) return {};
      return std::string(p.topic) + " (null)\n";
    }
    out.append(p.topic).append(" ").append(p.payload);
  } else {
    out.assign(p.payload);
  }
  if (!o.no_eol) out += '\n';
  return out;
}

}  // namespace mqttws::cli
