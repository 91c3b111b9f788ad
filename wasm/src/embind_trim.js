// mqttws — Embind registers std::wstring, std::u16string and std::u32string at start-up
// whether or not a binding uses them; their JavaScript converters (UTF-16 and UTF-32 codecs)
// are ~3 KB of the download. The driver binds none of them, so their registration is a
// no-op here: a binding that used one would fail at start-up with Embind's "unbound type"
// error, not misbehave.
//
// It also gives Embind the assert() its class registration calls, which Emscripten's minimal
// runtime (-sMINIMAL_RUNTIME) does not define in release builds.
mergeInto(LibraryManager.library, {
  $assert: function(condition, text) {
    if (!condition) throw new Error('mqttws wasm core: assertion failed' + (text ? ': ' + text : ''));
  },
  _embind_register_std_wstring__deps: ['$assert'],
  _embind_register_std_wstring: function() {},
});
