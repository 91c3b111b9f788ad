#include "house_args.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string_view>

namespace mqttws::demo {

const char* const house_usage =
    "usage: mqttws-house [options]\n"
    "Simulates the rooms of a house, each an MQTT 5 client of its own (see demo-web/README.md).\n"
    "  --url URL              broker (default wss://127.0.0.1:9443/)\n"
    "  --cafile FILE          PEM CA the broker's certificate must chain to (wss://, mqtts://)\n"
    "  --username NAME        default: devices\n"
    "  --password-file FILE   password in FILE (default: $MQTTWS_PASSWORD)\n"
    "  --rooms A,B,...        default: living_room,kitchen,bedroom,bathroom,garage\n"
    "  --confirm-delay-ms N   how long a device takes to carry out a command (default 300)\n"
    "  --seed N               the same house every run\n"
    "  -v, --verbose          log every publish\n"
    "  --help\n";

namespace {

bool valid_room(std::string_view r) {
  if (r.empty()) return false;
  for (char c : r) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

bool parse_number(std::string_view s, std::uint64_t max, std::uint64_t& out) {
  if (s.empty() || s.size() > 19) return false;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v > max) return false;
  out = v;
  return true;
}

}  // namespace

bool parse_house_args(int argc, char** argv, house_args& out, std::string& error) {
  out = house_args{};
  out.device.url = "wss://127.0.0.1:9443/";
  out.device.username = "devices";
  std::string rooms = "living_room,kitchen,bedroom,bathroom,garage";
  std::string password_file;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto value = [&](std::string& v) {
      if (i + 1 >= argc) {
        error = "option " + std::string(a) + " needs a value";
        return false;
      }
      v = argv[++i];
      return true;
    };
    std::string v;
    if (a == "--help" || a == "-h") {
      out.help = true;
    } else if (a == "-v" || a == "--verbose") {
      out.device.verbose = true;
    } else if (a == "--url") {
      if (!value(out.device.url)) return false;
    } else if (a == "--cafile") {
      if (!value(out.device.tls.ca_file)) return false;
    } else if (a == "--username") {
      if (!value(out.device.username)) return false;
    } else if (a == "--password-file") {
      if (!value(password_file)) return false;
    } else if (a == "--rooms") {
      if (!value(rooms)) return false;
    } else if (a == "--confirm-delay-ms") {
      std::uint64_t ms = 0;
      if (!value(v)) return false;
      if (!parse_number(v, 60000, ms)) {
        error = "--confirm-delay-ms takes 0..60000, not '" + v + "'";
        return false;
      }
      out.device.confirm_delay = std::chrono::milliseconds(ms);
    } else if (a == "--seed") {
      std::uint64_t seed = 0;
      if (!value(v)) return false;
      if (!parse_number(v, UINT64_MAX, seed)) {
        error = "--seed takes a non-negative integer, not '" + v + "'";
        return false;
      }
      out.seed = seed;
    } else {
      error = "unknown option '" + std::string(a) + "'";
      return false;
    }
  }
  if (out.help) return true;

  std::stringstream list(rooms);
  for (std::string r; std::getline(list, r, ',');) {
    if (!valid_room(r)) {
      error = "room names are lower-case letters, digits and '_': '" + r + "'";
      return false;
    }
    out.rooms.push_back(r);
  }
  if (out.rooms.empty()) {
    error = "--rooms names no room";
    return false;
  }

  if (!password_file.empty()) {
    std::ifstream f(password_file);
    if (!f || !std::getline(f, out.device.password)) {
      error = "cannot read the password from '" + password_file + "'";
      return false;
    }
  } else if (const char* p = std::getenv("MQTTWS_PASSWORD")) {
    out.device.password = p;
  } else {
    error = "no password: set MQTTWS_PASSWORD or give --password-file";
    return false;
  }
  return true;
}

}  // namespace mqttws::demo
