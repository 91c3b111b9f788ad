// Helpers shared by the core tests: hex byte vectors, encode/decode shortcuts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mqttws/codec.hpp"

namespace mqttws::test {

/// "10 0a 00" or "100a00" -> bytes. Spaces are ignored.
inline std::vector<std::uint8_t> hex(std::string_view s) {
  std::vector<std::uint8_t> out;
  int hi = -1;
  for (char c : s) {
    int v;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else continue;
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(hi * 16 + v));
      hi = -1;
    }
  }
  return out;
}

/// Bytes -> "100a00".
inline std::string to_hex(const std::vector<std::uint8_t>& b) {
  static const char digits[] = "0123456789abcdef";
  std::string s;
  for (std::uint8_t x : b) {
    s += digits[x >> 4];
    s += digits[x & 15];
  }
  return s;
}

inline std::string_view view(const std::vector<std::uint8_t>& b) {
  return as_chars(b.data(), b.size());
}

/// Encodes `p`; returns the bytes (empty on error, with `ec` set).
template <class P>
std::vector<std::uint8_t> encode_bytes(const P& p, protocol_version v, std::error_code& ec) {
  std::vector<std::uint8_t> out;
  ec = encode(p, v, out);
  return out;
}

}  // namespace mqttws::test
