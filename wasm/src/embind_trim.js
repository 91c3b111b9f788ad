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
// - the debugging helpers count_emval_handles/get_first_emval on the module;
// - classes and methods: every binding is a free function, so one invoker shape does (no
//   `this`), written plainly: the arguments to wire types, the call, the destructors the
//   conversions left, the result. Each call has its own arrays, so a binding may be
//   re-entered from a host callback (Embind's shares them across calls);
// - named functions made at run time (Embind builds its error classes with createNamedFunction
//   and makeLegalFunctionName): BindingError and InternalError are plain Error subclasses;
// - type names fetched from the module for errors (___getTypeName): a binding that uses an
//   unregistered type is a build mistake, refused at its first call with the function's name
//   (BindingError "Cannot call connect due to unbound types"), and a value of an
//   unregistered type names the type by its id;
// - Latin-1 names: every name the module registers is ASCII, read as UTF-8 like its strings;
// - UTF-8 encoding in JavaScript: the engine's TextEncoder writes strings into the heap
//   (lone surrogates become U+FFFD, as the WHATWG encoding standard has it);
// - a converter per arithmetic type and size: bool, the integers and the floating-point types
//   (embind_types.cpp) are one registration, registerScalar, each reading its own size and
//   signedness and converting as Embind's own converters do;
// - typed-array views of every element type: the two the driver hands the host (Uint8Array,
//   Float64Array) are made directly, and any other is refused at start-up;
// - memory growth: Emscripten's policy (20 % over the current size, at most 96 MB over the
//   request, 2 GB at most) tried once, then the bare request, where Emscripten's tries
//   three overgrowths first.
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
    var utf8Encoder = new TextEncoder();
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
        // A UTF-16 code unit takes at most 3 bytes of UTF-8 (a surrogate pair 4 for 2).
        var length = text ? 3 * value.length : value.length;
        var ptr = _malloc(4 + length);
        if (text) length = utf8Encoder.encodeInto(value, HEAPU8.subarray(ptr + 4, ptr + 4 + length)).written;
        else HEAPU8.set(value, ptr + 4);
        HEAPU32[ptr >> 2] = length;
        if (destructors !== null) destructors.push(_free, ptr);
        return ptr;
      },
      'argPackAdvance': 8,
      'readValueFromPointer': simpleReadValueFromPointer,
      destructorFunction: function(ptr) { _free(ptr); },
    });
  },
  $craftInvokerFunction__deps: ['$runDestructors', '$throwBindingError'],
  $craftInvokerFunction: function(humanName, argTypes, classType, cppInvokerFunc, cppTargetFunc) {
    // argTypes: the result's type, `this`'s (null), the parameters' types.
    var result = argTypes[0];
    var params = argTypes.slice(2);
    var returns = result.name !== 'void';
    return function() {
      if (arguments.length !== params.length) {
        throwBindingError('function ' + humanName + ' called with ' + arguments.length +
                          ' arguments, expected ' + params.length + ' args!');
      }
      var destructors = [];
      var wired = [cppTargetFunc];
      for (var i = 0; i < params.length; ++i) {
        wired.push(params[i]['toWireType'](destructors, arguments[i]));
      }
      var rv = cppInvokerFunc.apply(null, wired);
      runDestructors(destructors);
      if (returns) return result['fromWireType'](rv);
    };
  },
  $extendError__deps: [],
  $extendError: function(baseErrorType, errorName) {
    return class extends baseErrorType {
      constructor(message) {
        super(message);
        this.name = errorName;
      }
    };
  },
  $throwUnboundTypeError__deps: ['$throwBindingError'],
  $throwUnboundTypeError: function(message) {
    throwBindingError(message);
  },
  $requireRegisteredType__deps: ['$registeredTypes', '$throwBindingError'],
  $requireRegisteredType: function(rawType, humanName) {
    var impl = registeredTypes[rawType];
    if (impl === undefined) throwBindingError(humanName + ' has unknown type ' + rawType);
    return impl;
  },
  $readLatin1String__deps: [],
  $readLatin1String: function(ptr) {
    return UTF8Decoder.decode(HEAPU8.subarray(ptr, HEAPU8.indexOf(0, ptr)));
  },
  $registerScalar__deps: ['$readLatin1String', '$registerType'],
  // kind: 0 a signed integer, 1 an unsigned one, 2 floating point.
  $registerScalar: function(rawType, name, size, kind, fromWireType, toWireType) {
    registerType(rawType, {
      name: readLatin1String(name),
      'fromWireType': fromWireType,
      'toWireType': toWireType,
      'argPackAdvance': 8,
      'readValueFromPointer': function(pointer) {
        return fromWireType(
          kind === 2 ? (size === 4 ? HEAPF32[pointer >> 2] : HEAPF64[pointer >> 3])
          : size === 1 ? (kind ? HEAPU8[pointer] : HEAP8[pointer])
          : size === 2 ? (kind ? HEAPU16[pointer >> 1] : HEAP16[pointer >> 1])
          : (kind ? HEAPU32[pointer >> 2] : HEAP32[pointer >> 2]));
      },
      destructorFunction: null,
    });
  },
  _embind_register_bool__deps: ['$registerScalar'],
  _embind_register_bool: function(rawType, name, size, trueValue, falseValue) {
    // Wire values are 0/1 integers or, as return values, sometimes booleans.
    registerScalar(rawType, name, size, 0, function(wt) { return !!wt; },
                   function(destructors, o) { return o ? trueValue : falseValue; });
  },
  _embind_register_integer__deps: ['$registerScalar'],
  _embind_register_integer: function(rawType, name, size, minRange) {
    // A wire value is 32 bits: an unsigned type's narrowed to its width, without a sign.
    var shift = 32 - 8 * size;
    var unsigned = minRange === 0;
    registerScalar(rawType, name, size, unsigned ? 1 : 0,
                   unsigned ? function(v) { return v << shift >>> shift; } : function(v) { return v; },
                   unsigned ? function(destructors, v) { return v >>> 0; }
                            : function(destructors, v) { return v; });
  },
  _embind_register_float__deps: ['$registerScalar'],
  _embind_register_float: function(rawType, name, size) {
    registerScalar(rawType, name, size, 2, function(v) { return v; },
                   function(destructors, v) { return v; });
  },
  emscripten_resize_heap__deps: ['$emscripten_realloc_buffer'],
  emscripten_resize_heap: function(requestedSize) {
    requestedSize >>>= 0;
    var max = 2147483648;
    if (requestedSize > max) return false;
    var grown = Math.max(requestedSize, Math.min(HEAPU8.length * 1.2, requestedSize + 100663296));
    return !!(emscripten_realloc_buffer(Math.min(max, grown)) ||
              emscripten_realloc_buffer(requestedSize));
  },
  // Typed-array views of the heap: the two element types embind_types.cpp registers.
  _embind_register_memory_view__deps: ['$readLatin1String', '$registerType', '$throwBindingError'],
  _embind_register_memory_view: function(rawType, dataTypeIndex, name) {
    var view = dataTypeIndex === 1 ? Uint8Array : dataTypeIndex === 7 ? Float64Array
      : throwBindingError('typed-array view ' + dataTypeIndex + ' is not registered (embind_types.cpp)');
    var decode = function(handle) {
      return new view(buffer, HEAPU32[(handle >> 2) + 1], HEAPU32[handle >> 2]);
    };
    registerType(rawType, {
      name: readLatin1String(name),
      'fromWireType': decode,
      'argPackAdvance': 8,
      'readValueFromPointer': decode,
    }, {ignoreDuplicateRegistrations: true});
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
