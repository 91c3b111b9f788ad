#include "utf8.hpp"

#include <cstdint>

#include "mqttws/error.hpp"

namespace mqttws::detail {

std::error_code validate_utf8(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
  const auto* end = p + s.size();
  while (p != end) {
    const std::uint8_t c = *p;
    if (c < 0x80) {  // ASCII: the common case, one byte at a time is fast enough here
      if (c == 0) return errc::null_character;
      ++p;
      continue;
    }
    // Lead byte ranges and the allowed range of the second byte follow RFC 3629 section 4,
    // which excludes overlong encodings, UTF-16 surrogates and values above U+10FFFF.
    std::size_t len;
    std::uint8_t lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c == 0xE0) {
      len = 3, lo = 0xA0;
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
      len = 3;
    } else if (c == 0xED) {
      len = 3, hi = 0x9F;
    } else if (c == 0xF0) {
      len = 4, lo = 0x90;
    } else if (c >= 0xF1 && c <= 0xF3) {
      len = 4;
    } else if (c == 0xF4) {
      len = 4, hi = 0x8F;
    } else {
      return errc::invalid_utf8;
    }
    if (static_cast<std::size_t>(end - p) < len) return errc::invalid_utf8;
    if (p[1] < lo || p[1] > hi) return errc::invalid_utf8;
    for (std::size_t i = 2; i < len; ++i) {
      if ((p[i] & 0xC0) != 0x80) return errc::invalid_utf8;
    }
    p += len;
  }
  return {};
}

}  // namespace mqttws::detail
