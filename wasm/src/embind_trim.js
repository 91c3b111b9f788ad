// mqttws — Embind registers std::wstring, std::u16string and std::u32string at start-up
// whether or not a binding uses them; their JavaScript converters (UTF-16 and UTF-32 codecs)
// are ~3 KB of the download. The driver binds none of them, so their registration is a
// no-op here: a binding that used one would fail at start-up with Embind's "unbound type"
// error, not misbehave.
//
// It also gives Embind the assert() its class registration calls, which Emscripten's minimal
// runtime (-sMINIMAL_RUNTIME) does not define in release builds.
//
// And val::global() finds the global object as globalThis, which every engine the package
// supports has, without Embind's fallbacks for engines that lack it.
//
// And, for what the bindings never do (0.7 KB of the gzipped download):
// - overloads: each function is bound once, under its own name (bindings.cpp). Binding a name
//   twice is still refused with Embind's BindingError;
// - functions with 64-bit integer arguments (signatures with 'j', called through dynCall
//   wrappers): none is bound; one would fail at start-up ("unknown function pointer");
// - std::string of 8-bit characters: the one std::string type registered is std::string
//   (embind_types.cpp), strings in UTF-8 as Embind's default, bytes (Uint8Array and its
//   kin, ArrayBuffer) as they are;
// - the debugging helpers count_emval_handles/get_first_emval on the module.
mergeInto(LibraryManager.library, {
  $exposePublicSymbol__deps: ['$throwBindingError'],
  $exposePublicSymbol: function(name, value) {
    if (Module.hasOwnProperty(name)) throwBindingError("Cannot register public name '" + name + "' twice");
    Module[name] = value;
  },
  $replacePublicSymbol__deps: [],
  $replacePublicSymbol: function(name, value) {
    Module[name] = value;
  },
  $embind__requireFunction__deps: ['$readLatin1String', '$throwBindingError'],
  $embind__requireFunction: function(signature, rawFunction) {
    var fp = readLatin1String(signature).includes('j') ? null : getWasmTableEntry(rawFunction);
    if (typeof fp != 'function') throwBindingError('unknown function pointer: ' + rawFunction);
    return fp;
  },
  _embind_register_std_string__deps: ['$readLatin1String', '$registerType',
    '$simpleReadValueFromPointer', '$throwBindingError'],
  _embind_register_std_string: function(rawType, name) {
    registerType(rawType, {
      name: readLatin1String(name),
      'fromWireType': function(value) {
        // Length-prefixed UTF-8 (NULs included: UTF8Decoder keeps them).
        var str = UTF8Decoder.decode(HEAPU8.subarray(value + 4, value + 4 + HEAPU32[value >> 2]));
        _free(value);
        return str;
      },
      // A string as UTF-8, or bytes as they are (the driver reads binary options so).
      'toWireType': function(destructors, value) {
        if (value instanceof ArrayBuffer) value = new Uint8Array(value);
        var text = typeof value == 'string';
        if (!text && !(value instanceof Uint8Array || value instanceof Uint8ClampedArray ||
                       value instanceof Int8Array)) {
          throwBindingError('Cannot pass non-string to std::string');
        }
        var length = text ? lengthBytesUTF8(value) : value.length;
        var ptr = _malloc(4 + length + 1);
        HEAPU32[ptr >> 2] = length;
        if (text) stringToUTF8(value, ptr + 4, length + 1);
        else HEAPU8.set(value, ptr + 4);
        if (destructors !== null) destructors.push(_free, ptr);
        return ptr;
      },
      'argPackAdvance': 8,
      'readValueFromPointer': simpleReadValueFromPointer,
      destructorFunction: function(ptr) { _free(ptr); },
    });
  },
  $init_emval__deps: [],
  $init_emval: function() {},
  $emval_get_global: function() {
    return globalThis;
  },
  $assert: function(condition, text) {
    if (!condition) throw new Error('mqttws: ' + text);
  },
  _embind_register_std_wstring__deps: ['$assert'],
  _embind_register_std_wstring: function() {},
});
