// mqttws — reading a command's JavaScript arguments into the core's types.
//
// The core's packet and option types hold views (std::string_view, wire_list): a js_input
// owns the bytes those views point to, for as long as one command runs (the session copies
// what it keeps). Properties are MQTT.js-shaped objects ({ messageExpiryInterval: 60,
// userProperties: { a: 'b' } }): the names and their value types are declared once, in
// js_properties.cpp, and nothing in TypeScript encodes them.
//
// Values of the wrong type give an error (never a JavaScript exception, which would unwind
// the C++ frames without running their destructors).
#pragma once

#include <emscripten/val.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "mqttws/properties.hpp"

namespace mqttws::wasm {

/// Why a command's arguments were refused: the error and, when it names one, what (a
/// property name, say) — shown after the error's message.
struct input_error {
  std::error_code ec;
  std::string what;
  explicit operator bool() const { return static_cast<bool>(ec); }
};

class js_input {
 public:
  /// A string (UTF-8 encoded) or bytes (Uint8Array): its bytes, kept. False for other types.
  bool bytes(const emscripten::val& v, std::string_view& out);
  /// A number (or a boolean: 0/1). False for other types.
  static bool number(const emscripten::val& v, double& out);

  /// Properties valid in `ctx` from an MQTT.js-shaped object (undefined/null: none).
  /// Errors: unknown_property, invalid_property_value (a value of the wrong type or out of
  /// range), and whatever the core's validation of `ctx` finds later.
  input_error properties(const emscripten::val& o, properties& out);

 private:
  std::string_view keep(std::string s);
  // The parts of properties(): false for a value of the wrong type or out of range.
  bool user_properties(const emscripten::val& v, user_property_list& out);
  bool subscription_ids(const emscripten::val& v, subscription_id_list& out);
  template <class F>
  bool scalar(const emscripten::val& v, F& field);

  std::vector<std::unique_ptr<std::string>> strings_;
  std::vector<std::unique_ptr<std::vector<user_property>>> users_;
  std::vector<std::unique_ptr<std::vector<std::uint32_t>>> ids_;
};

}  // namespace mqttws::wasm
