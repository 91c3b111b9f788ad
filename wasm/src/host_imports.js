// mqttws — declares the module's host imports (host.hpp) to the Emscripten linker, which
// otherwise rejects them as undefined symbols. Only the .wasm is used: npm/src/raw.ts
// implements these imports; the bodies here are never run.
mergeInto(LibraryManager.library, {
  mqttws_now: function() {},
  mqttws_timer: function() {},
  mqttws_open: function() {},
  mqttws_send: function() {},
  mqttws_close: function() {},
  mqttws_event: function() {},
});
