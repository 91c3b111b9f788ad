// mqttws — the byte records that cross the C ABI (abi.cpp) between the wasm module and the npm
// package. npm/src/raw.ts is the other half: it writes what record_reader reads and reads what
// record_writer writes. All numbers are little-endian float64 (exact up to 2^53: enough for
// operation ids and counters), strings and byte strings are a u32 length and the bytes, and
// MQTT 5 properties are one such byte string holding their wire form (Property Length and
// the properties), so both sides reuse the MQTT encoding instead of inventing one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <system_error>
#include <vector>

#include "mqttws/properties.hpp"

namespace mqttws::wasm {

/// The browser socket's errors, reported as their POSIX names. Its own category rather than
/// std::generic_category(), whose message() links snprintf into the module.
enum class socket_errc { connection_refused = 1, connection_reset, invalid_argument };
std::error_code make_error_code(socket_errc e);

class record_writer {
 public:
  void u8(unsigned v) { bytes_.push_back(static_cast<std::uint8_t>(v)); }
  void num(double v);
  void str(std::string_view s);
  /// `p` in wire form (a Property Length of 0 when empty).
  void props(const properties& p, property_context ctx);
  /// An error: 0, or 1 and its code name ("connection_refused", "ECONNREFUSED") and message.
  void error(std::error_code ec);

  const std::uint8_t* data() const { return bytes_.data(); }
  std::size_t size() const { return bytes_.size(); }
  void clear() { bytes_.clear(); }

 private:
  std::vector<std::uint8_t> bytes_;
};

/// Reads a record written by raw.ts. Views point into the record. Reading past its end
/// yields zeros and empty strings (raw.ts never does).
class record_reader {
 public:
  record_reader(const std::uint8_t* data, std::size_t size) : p_(data), end_(data + size) {}
  unsigned u8();
  double num();
  std::string_view str();
  /// Properties for `ctx`: none for an empty byte string. Errors: those of decoding them.
  std::error_code props(property_context ctx, properties& out);

 private:
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

}  // namespace mqttws::wasm
