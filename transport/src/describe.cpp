// One-line descriptions of errors for logs and command-line tools.
#include <cstdio>

#include "mqttws/client.hpp"
#include "mqttws/error.hpp"

namespace mqttws {

std::string describe(std::error_code ec, std::optional<reason_code> reason,
                     std::string_view reason_string) {
  std::string out;
  if (ec == errc::connection_refused) {
    out = "connection refused";
  } else if (ec) {
    out = ec.message();
  } else {
    out = "success";
  }
  if (reason) {
    char code[8];
    std::snprintf(code, sizeof code, "0x%02X", static_cast<unsigned>(*reason));
    out += ": ";
    out += to_string(*reason, packet_type::connack);
    out += " (";
    out += code;
    out += ")";
  }
  if (!reason_string.empty()) {
    out += " - ";
    out += reason_string;
  }
  return out;
}

}  // namespace mqttws
