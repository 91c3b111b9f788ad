#include "js_object.hpp"

namespace mqttws::wasm {

using emscripten::val;

js_object::js_object() : o_(val::object()) {}

js_object& js_object::set(const char* key, const val& v) {
  o_.set(val(key), v);
  return *this;
}

js_object& js_object::set(const char* key, double v) { return set(key, val(v)); }
js_object& js_object::set(const char* key, int v) { return set(key, val(v)); }
js_object& js_object::set(const char* key, bool v) { return set(key, val(v)); }
js_object& js_object::set(const char* key, const char* text) {
  return set(key, val(text));
}

}  // namespace mqttws::wasm
