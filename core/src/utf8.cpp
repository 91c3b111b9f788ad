#include "utf8.hpp"

#include <cstdint>
#include <cstring>

#include "mqttws/error.hpp"

namespace mqttws::detail {

namespace {

constexpr std::uint64_t ones = 0x0101010101010101ull;
constexpr std::uint64_t highs = 0x8080808080808080ull;

// Non-zero when some byte of `w` is zero (exact for "is there one", the classic SWAR test).
constexpr std::uint64_t has_zero_byte(std::uint64_t w) { return (w - ones) & ~w & highs; }

// True when all eight bytes are ASCII other than NUL and, if asked, other than '+' and '#':
// the common case of topic names, which then costs one test per eight bytes.
bool plain_ascii(const std::uint8_t* p, bool check_wildcards) {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  if ((w & highs) || has_zero_byte(w)) return false;
  return !check_wildcards ||
         !(has_zero_byte(w ^ (ones * '+')) || has_zero_byte(w ^ (ones * '#')));
}

}  // namespace

std::error_code validate_utf8(std::string_view s, bool* wildcard) noexcept {
  const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
  const auto* end = p + s.size();
  if (wildcard) *wildcard = false;
  const bool check_wildcards = wildcard != nullptr;
  // Fast path for the common all-ASCII string: eight bytes per test, the last (partial) chunk
  // checked as the final eight bytes, overlapping bytes that already passed.
  if (s.size() >= 8) {
    while (end - p >= 8 && plain_ascii(p, check_wildcards)) p += 8;
    if (p == end || (end - p < 8 && plain_ascii(end - 8, check_wildcards))) return {};
  }
  while (p != end) {
    const std::uint8_t c = *p;
    if (c < 0x80) {
      if (c == 0) return errc::null_character;
      if (wildcard && (c == '+' || c == '#')) *wildcard = true;
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
