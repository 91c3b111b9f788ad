// mqttws — conversions between core values and JavaScript values, in MQTT.js's shapes.
//
// Bytes cross as Uint8Array: into wasm memory with one TypedArray.set(), out of it as a copy
// made by the Uint8Array constructor from a typed_memory_view. No per-byte JavaScript arrays.
#pragma once

#include <emscripten/val.h>

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "mqttws/properties.hpp"
#include "mqttws/reason_code.hpp"

namespace mqttws::wasm {

using emscripten::val;

/// A new Uint8Array holding a copy of `bytes`.
val to_uint8array(std::string_view bytes);
/// The bytes of a Uint8Array.
std::string bytes_of(const val& uint8array);

/// MQTT 5 properties as MQTT.js names them (`userProperties` as {name: value | value[]},
/// `correlationData` as Uint8Array, `subscriptionIdentifier` as number or number[], ...).
val to_js(const properties& p);

/// MQTT.js-style properties made from a JavaScript object. Owns the strings its view points
/// into: keep it alive while `view()` is used.
class js_properties {
 public:
  /// Reads every property `object` names (undefined or null: none).
  explicit js_properties(const val& object);
  js_properties(const js_properties&) = delete;
  js_properties& operator=(const js_properties&) = delete;
  const properties& view() const { return props_; }

 private:
  std::string_view keep(std::string s);
  properties props_;
  std::deque<std::string> strings_;
  std::vector<user_property> user_properties_;
  std::vector<std::uint32_t> subscription_ids_;
};

/// {code, message} for an error: code is the errc name ("connection_refused") for mqttws
/// errors, the POSIX name ("ECONNREFUSED") for transport errors.
val to_js(std::error_code ec);

}  // namespace mqttws::wasm
