// mqttws — the raw JavaScript surface (Embind). Deliberately thin: the idiomatic API is the
// npm package (npm/src), which is the only user of these names (typed in npm/src/raw.ts).
#include <emscripten/bind.h>

#include <malloc.h>

#include "driver.hpp"

namespace {

/// Bytes currently allocated on the wasm heap: what the npm tests check returns to its
/// baseline after end().
double heap_in_use() { return static_cast<double>(mallinfo().uordblks); }

}  // namespace

EMSCRIPTEN_BINDINGS(mqttws) {
  using mqttws::wasm::driver;
  emscripten::class_<driver>("Driver")
      .constructor<emscripten::val, emscripten::val>()
      .function("connect", &driver::connect)
      .function("publish", &driver::publish)
      .function("subscribe", &driver::subscribe)
      .function("unsubscribe", &driver::unsubscribe)
      .function("request", &driver::request)
      .function("disconnect", &driver::disconnect)
      .function("authenticate", &driver::authenticate)
      .function("stats", &driver::stats)
      .function("state", &driver::state)
      .function("clientId", &driver::client_id)
      .function("setPacketTap", &driver::set_packet_tap);
  emscripten::function("heapInUse", &heap_in_use);
}
