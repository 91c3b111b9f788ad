// mqttws-house's command line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "room_device.hpp"

namespace mqttws::demo {

struct house_args {
  device_settings device;
  std::vector<std::string> rooms;
  std::optional<std::uint64_t> seed;  ///< Unset: a random house each run.
  bool help = false;
};

extern const char* const house_usage;

/// Parses argv (and the password from $MQTTWS_PASSWORD or --password-file). False, with
/// `error` saying what was wrong, on a bad command line.
bool parse_house_args(int argc, char** argv, house_args& out, std::string& error);

}  // namespace mqttws::demo
