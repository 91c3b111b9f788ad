// mqttws CLI — how `sub` prints a message (payload only, -v, -N, -F), as mosquitto_sub does.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "mqttws/packets.hpp"

namespace mqttws::cli {

struct print_options {
  bool verbose = false;                ///< -v: "topic payload" ("topic (null)" when empty)
  bool no_eol = false;                 ///< -N: no newline after each message
  std::optional<std::string> format;   ///< -F: overrides -v (see help_text(command::sub))
};

/// The bytes to write for message `p` received at `when`.
std::string format_message(const publish& p, const print_options& o,
                           std::chrono::system_clock::time_point when);

}  // namespace mqttws::cli
