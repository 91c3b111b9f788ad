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
mergeInto(LibraryManager.library, {
  $emval_get_global: function() {
    return globalThis;
  },
  $assert: function(condition, text) {
    if (!condition) throw new Error('mqttws: ' + text);
  },
  _embind_register_std_wstring__deps: ['$assert'],
  _embind_register_std_wstring: function() {},
});
