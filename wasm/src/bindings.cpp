// mqttws — the JavaScript surface of the wasm module, declared once, with Embind. The npm
// package (npm/src/core.ts) types it and is its only user; the MQTT.js-shaped API is built on
// it in TypeScript.
#include <emscripten/bind.h>

#include <malloc.h>

#include "driver.hpp"

namespace {

/// Bytes currently allocated on the wasm heap: what the npm tests check returns to its
/// baseline after end().
double heap_in_use() { return static_cast<double>(mallinfo().uordblks); }

}  // namespace

EMSCRIPTEN_BINDINGS(mqttws) {
  using mqttws::session_state;
  using mqttws::wasm::driver;
  namespace em = emscripten;

  em::enum_<session_state>("SessionState")
      .value("idle", session_state::idle)
      .value("connecting", session_state::connecting)
      .value("awaitingConnack", session_state::awaiting_connack)
      .value("connected", session_state::connected)
      .value("waitingToReconnect", session_state::waiting_to_reconnect)
      .value("disconnecting", session_state::disconnecting)
      .value("closed", session_state::closed);

  em::class_<driver>("Driver")
      .constructor<em::val>()
      .function("connect", &driver::connect)
      .function("publish", &driver::publish)
      .function("request", &driver::request)
      .function("subscribe", &driver::subscribe)
      .function("unsubscribe", &driver::unsubscribe)
      .function("disconnect", &driver::disconnect)
      .function("authenticate", &driver::authenticate)
      .function("stage", &driver::stage)
      .function("stats", &driver::stats)
      .function("state", &driver::state)
      .function("clientId", &driver::client_id)
      .function("setPacketTap", &driver::set_packet_tap)
      .function("socketOpen", &driver::socket_open)
      .function("socketData", &driver::socket_data)
      .function("socketClosed", &driver::socket_closed)
      .function("timer", &driver::timer)
      .function("flush", &driver::flush);

  em::function("heapInUse", &heap_in_use);
}
