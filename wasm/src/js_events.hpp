// mqttws — session events as the plain JavaScript objects the npm wrapper consumes.
//
// Every object has `type`: "connect" | "disconnect" | "reconnect" | "message" | "operation" |
// "auth". Field names follow MQTT.js where it has one (see npm/src/raw.ts for the shapes).
#pragma once

#include <emscripten/val.h>

#include "mqttws/owned.hpp"
#include "mqttws/session_event.hpp"

namespace mqttws::wasm {

emscripten::val to_js(const session_event& e);
/// {topic, payload: Uint8Array, qos, retain, dup, messageId, properties?}.
emscripten::val to_js(const publish& p);

}  // namespace mqttws::wasm
