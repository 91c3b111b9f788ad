// mqttws — what the wasm module imports from its host (module "env"). npm/src/raw.ts
// implements them; `d` identifies the driver (its address).
#pragma once

#include <cstddef>
#include <cstdint>

#define MQTTWS_IMPORT(name) __attribute__((import_module("env"), import_name(#name))) name

extern "C" {
/// Monotonic milliseconds (performance.now()).
double MQTTWS_IMPORT(mqttws_now)();
/// One timer per driver: fire mqttws_on_timer(d) after `delay_ms` (re-arming replaces it).
void MQTTWS_IMPORT(mqttws_timer)(void* d, double delay_ms);
/// Opens the driver's WebSocket to the UTF-8 `url` (closing any previous one); 0 when the
/// WebSocket constructor refused the URL.
int MQTTWS_IMPORT(mqttws_open)(void* d, const char* url, std::size_t size);
/// Sends one binary message (dropped unless the socket is open).
void MQTTWS_IMPORT(mqttws_send)(void* d, const std::uint8_t* data, std::size_t size);
/// Closes (code 1000) without calling back.
void MQTTWS_IMPORT(mqttws_close)(void* d);
/// One event record (record.hpp, npm/src/raw.ts), valid only during the call.
void MQTTWS_IMPORT(mqttws_event)(void* d, const std::uint8_t* data, std::size_t size);
}
