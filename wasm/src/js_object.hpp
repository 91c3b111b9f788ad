// mqttws — builds a plain JavaScript object field by field. One out-of-line function per
// value type, rather than val::set<Key, Value>, which Embind instantiates for every key
// length and value type at every call site (several KB of wasm for the event objects).
#pragma once

#include <emscripten/val.h>

namespace mqttws::wasm {

class js_object {
 public:
  js_object();
  js_object& set(const char* key, const emscripten::val& v);
  js_object& set(const char* key, double v);
  js_object& set(const char* key, int v);
  js_object& set(const char* key, bool v);
  /// A string from a NUL-terminated UTF-8 literal (a name: 'connect', 'publish', ...).
  js_object& set(const char* key, const char* text);
  const emscripten::val& value() const { return o_; }

 private:
  emscripten::val o_;
};

}  // namespace mqttws::wasm
