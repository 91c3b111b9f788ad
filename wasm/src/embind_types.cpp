// mqttws — the types Embind knows at start-up, for size. Embind's own list (its bind.cpp, in
// libembind, which --bind links whole) registers every C++ arithmetic type, four string
// types and typed-array views of 17 element types, each with its name in the module's data,
// for bindings that might use them. The module links Embind's JavaScript without --bind
// (CMakeLists.txt), so this file takes bind.cpp's place with the types this module's bindings
// (bindings.cpp and the val calls of the driver) use.
//
// A binding that used a type missing here fails the moment it is called, with Embind's
// "unbound type" error (never silently): add the type here. Views are those the driver hands
// the host (Uint8Array, Float64Array); 64-bit integers were never bound (Embind without
// WASM_BIGINT cannot), nor wide strings.
#include <emscripten/bind.h>
#include <emscripten/wire.h>

#include <cstdint>
#include <limits>
#include <string>

namespace {

using namespace emscripten::internal;

template <class T>
void integer(const char* name) {
  _embind_register_integer(TypeID<T>::get(), name, sizeof(T), std::numeric_limits<T>::min(),
                           std::numeric_limits<T>::max());
}

}  // namespace

extern "C" {

// A constructor, run with the module's others in any order (Embind holds a binding back until
// the types it names are registered). Embind's glue never asks for a type's name
// (embind_trim.js reports an unbound type by its id), so bind.cpp's __getTypeName has no
// counterpart here.
__attribute__((constructor)) void __embind_register_native_and_builtin_types() {
  _embind_register_void(TypeID<void>::get(), "void");
  _embind_register_bool(TypeID<bool>::get(), "bool", sizeof(bool), true, false);
  integer<char>("char");
  integer<signed char>("signed char");
  integer<unsigned char>("unsigned char");
  integer<short>("short");
  integer<unsigned short>("unsigned short");
  integer<int>("int");
  integer<unsigned>("unsigned int");
  integer<long>("long");
  integer<unsigned long>("unsigned long");
  _embind_register_float(TypeID<float>::get(), "float", sizeof(float));
  _embind_register_float(TypeID<double>::get(), "double", sizeof(double));
  _embind_register_std_string(TypeID<std::string>::get(), "std::string");
  _embind_register_emval(TypeID<emscripten::val>::get(), "emscripten::val");
  // Indices of Embind's typed-array table: 1 Uint8Array, 7 Float64Array.
  _embind_register_memory_view(TypeID<emscripten::memory_view<std::uint8_t>>::get(), 1,
                               "emscripten::memory_view<uint8_t>");
  _embind_register_memory_view(TypeID<emscripten::memory_view<double>>::get(), 7,
                               "emscripten::memory_view<double>");
}

}  // extern "C"
