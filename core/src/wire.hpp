// Internal: reading and writing the MQTT data representations (section 1.5): bytes, two- and
// four-byte integers, Variable Byte Integers, UTF-8 strings and binary data.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <system_error>
#include <vector>

#include "mqttws/error.hpp"
#include "utf8.hpp"

// Returns from the enclosing function when `expr` yields an error.
#define MQTTWS_TRY(expr)                       \
  do {                                         \
    if (std::error_code ec_ = (expr)) return ec_; \
  } while (0)

namespace mqttws::detail {

inline constexpr std::uint32_t max_varint = 268'435'455;

/// Number of bytes a Variable Byte Integer takes (value must be <= max_varint).
constexpr std::size_t varint_size(std::uint32_t v) {
  return v < 128 ? 1 : v < 16'384 ? 2 : v < 2'097'152 ? 3 : 4;
}

/// Bounds-checked reader over the bytes of one packet. Every read either succeeds or returns
/// truncated_packet (or the validation error) without moving past the end.
class reader {
 public:
  reader(const char* p, const char* end) : p_(reinterpret_cast<const std::uint8_t*>(p)),
                                           end_(reinterpret_cast<const std::uint8_t*>(end)) {}
  explicit reader(std::string_view s) : reader(s.data(), s.data() + s.size()) {}

  std::size_t remaining() const { return static_cast<std::size_t>(end_ - p_); }
  bool empty() const { return p_ == end_; }
  const char* pos() const { return reinterpret_cast<const char*>(p_); }
  const char* end() const { return reinterpret_cast<const char*>(end_); }

  std::error_code u8(std::uint8_t& v) {
    if (p_ == end_) return errc::truncated_packet;
    v = *p_++;
    return {};
  }
  std::error_code u16(std::uint16_t& v) {
    if (remaining() < 2) return errc::truncated_packet;
    v = static_cast<std::uint16_t>((p_[0] << 8) | p_[1]);
    p_ += 2;
    return {};
  }
  std::error_code u32(std::uint32_t& v) {
    if (remaining() < 4) return errc::truncated_packet;
    v = (std::uint32_t{p_[0]} << 24) | (std::uint32_t{p_[1]} << 16) |
        (std::uint32_t{p_[2]} << 8) | std::uint32_t{p_[3]};
    p_ += 4;
    return {};
  }
  /// Variable Byte Integer: at most four bytes, minimally encoded (MQTT-1.5.5-1).
  std::error_code varint(std::uint32_t& v) {
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      if (p_ == end_) return errc::truncated_packet;
      const std::uint8_t b = *p_++;
      value |= std::uint32_t{b & 0x7Fu} << (7 * i);
      if ((b & 0x80) == 0) {
        if (i > 0 && b == 0) return errc::malformed_variable_byte_integer;
        v = value;
        return {};
      }
    }
    return errc::malformed_variable_byte_integer;
  }
  /// n raw bytes.
  std::error_code bytes(std::size_t n, std::string_view& v) {
    if (remaining() < n) return errc::truncated_packet;
    v = std::string_view(pos(), n);
    p_ += n;
    return {};
  }
  /// Two-byte length followed by that many bytes.
  std::error_code binary(std::string_view& v) {
    std::uint16_t n;
    MQTTWS_TRY(u16(n));
    return bytes(n, v);
  }
  /// Binary data that must be valid MQTT UTF-8.
  std::error_code utf8(std::string_view& v) {
    MQTTWS_TRY(binary(v));
    return validate_utf8(v);
  }
  /// The rest of the bytes.
  std::string_view rest() {
    std::string_view v(pos(), remaining());
    p_ = end_;
    return v;
  }

 private:
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

/// Writer that only counts: the first encoding pass uses it to size the packet.
class size_counter {
 public:
  static constexpr bool writes = false;
  void u8(std::uint8_t) { n_ += 1; }
  void u16(std::uint16_t) { n_ += 2; }
  void u32(std::uint32_t) { n_ += 4; }
  void varint(std::uint32_t v) { n_ += varint_size(v); }
  void bytes(std::string_view s) { n_ += s.size(); }
  void binary(std::string_view s) { n_ += 2 + s.size(); }
  void skip(std::size_t n) { n_ += n; }
  std::size_t size() const { return n_; }

 private:
  std::size_t n_ = 0;
};

/// Appends `n` bytes at `p` to `out`: one memcpy once there is room. The one way the core
/// appends bytes to a buffer: std::vector's insert over anything but same-type raw pointers
/// (its own iterators, string_view's chars) and its zero-filling resize() compile to byte-
/// at-a-time loops in the -Oz wasm build, which at 4000-byte payloads were a third of the npm
/// client's time.
inline void append(std::vector<std::uint8_t>& out, const void* p, std::size_t n) {
  const auto* b = static_cast<const std::uint8_t*>(p);
  // Room first: an insert that reallocates copies through a byte loop too (reserve() moves
  // the old bytes with memcpy); then the insert of raw pointers is a memcpy.
  if (out.capacity() - out.size() < n) out.reserve(std::max(out.size() + n, 2 * out.capacity()));
  out.insert(out.end(), b, b + n);
}
inline void append(std::vector<std::uint8_t>& out, std::string_view s) {
  append(out, s.data(), s.size());
}

/// memcpy, but short copies (topics, property strings) are done inline with fixed-size moves:
/// a libc call per field costs more than the copy itself.
inline void copy(std::uint8_t* dst, const char* src, std::size_t n) {
  if (n > 64) {
    std::memcpy(dst, src, n);
  } else if (n >= 8) {
    for (std::size_t i = 0; i + 8 <= n; i += 8) std::memcpy(dst + i, src + i, 8);
    std::memcpy(dst + n - 8, src + n - 8, 8);  // tail, overlapping what was copied
  } else {
    for (std::size_t i = 0; i < n; ++i) dst[i] = static_cast<std::uint8_t>(src[i]);
  }
}

/// Writer into memory already sized by a size_counter pass.
class byte_writer {
 public:
  static constexpr bool writes = true;
  explicit byte_writer(std::uint8_t* p) : p_(p) {}
  void u8(std::uint8_t v) { *p_++ = v; }
  void u16(std::uint16_t v) {
    p_[0] = static_cast<std::uint8_t>(v >> 8);
    p_[1] = static_cast<std::uint8_t>(v);
    p_ += 2;
  }
  void u32(std::uint32_t v) {
    p_[0] = static_cast<std::uint8_t>(v >> 24);
    p_[1] = static_cast<std::uint8_t>(v >> 16);
    p_[2] = static_cast<std::uint8_t>(v >> 8);
    p_[3] = static_cast<std::uint8_t>(v);
    p_ += 4;
  }
  void varint(std::uint32_t v) {
    do {
      std::uint8_t b = v & 0x7F;
      v >>= 7;
      if (v) b |= 0x80;
      *p_++ = b;
    } while (v);
  }
  void bytes(std::string_view s) {
    copy(p_, s.data(), s.size());
    p_ += s.size();
  }
  void binary(std::string_view s) {
    u16(static_cast<std::uint16_t>(s.size()));
    bytes(s);
  }
  std::uint8_t* pos() const { return p_; }

 private:
  std::uint8_t* p_;
};

/// Checks done before writing a two-byte-length field.
inline std::error_code check_binary(std::string_view s) {
  return s.size() > 0xFFFF ? std::error_code(errc::string_too_long) : std::error_code();
}
inline std::error_code check_utf8(std::string_view s) {
  MQTTWS_TRY(check_binary(s));
  return validate_utf8(s);
}

}  // namespace mqttws::detail
