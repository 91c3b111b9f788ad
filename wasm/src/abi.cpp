// mqttws — the C ABI the npm package calls (npm/src/raw.ts is the only caller). A driver is
// an opaque handle (its address); commands take a record (record.hpp) in wasm memory that the
// caller allocated with mqttws_alloc and frees afterwards. What the module imports is in
// host.hpp.
#include <emscripten/emscripten.h>

#include <malloc.h>

#include <cstdlib>

#include "driver.hpp"

using mqttws::wasm::driver;
using mqttws::wasm::record_reader;

extern "C" {

EMSCRIPTEN_KEEPALIVE void* mqttws_alloc(std::size_t size) { return std::malloc(size); }
EMSCRIPTEN_KEEPALIVE void mqttws_free(void* p) { std::free(p); }
/// Bytes currently allocated on the wasm heap: what the npm tests check returns to its
/// baseline after end().
EMSCRIPTEN_KEEPALIVE double mqttws_heap_in_use() {
  return static_cast<double>(mallinfo().uordblks);
}

EMSCRIPTEN_KEEPALIVE driver* mqttws_create() { return new driver(); }
EMSCRIPTEN_KEEPALIVE void mqttws_destroy(driver* d) { delete d; }

// Commands: -1 when refused (an error record was sent first), else 0 or an operation id.
EMSCRIPTEN_KEEPALIVE double mqttws_connect(driver* d, const std::uint8_t* p, std::size_t n) {
  return d->connect(record_reader(p, n));
}
EMSCRIPTEN_KEEPALIVE double mqttws_publish(driver* d, const std::uint8_t* p, std::size_t n,
                                           int request) {
  return d->publish(record_reader(p, n), request != 0);
}
EMSCRIPTEN_KEEPALIVE double mqttws_subscribe(driver* d, const std::uint8_t* p, std::size_t n) {
  return d->subscribe(record_reader(p, n));
}
EMSCRIPTEN_KEEPALIVE double mqttws_unsubscribe(driver* d, const std::uint8_t* p,
                                               std::size_t n) {
  return d->unsubscribe(record_reader(p, n));
}
EMSCRIPTEN_KEEPALIVE double mqttws_disconnect(driver* d, const std::uint8_t* p, std::size_t n,
                                              int auth) {
  return d->disconnect(record_reader(p, n), auth != 0);
}

EMSCRIPTEN_KEEPALIVE const double* mqttws_stats(driver* d) { return d->stats(); }
EMSCRIPTEN_KEEPALIVE int mqttws_state(driver* d) { return d->state(); }
EMSCRIPTEN_KEEPALIVE void mqttws_client_id(driver* d) { d->client_id(); }
EMSCRIPTEN_KEEPALIVE void mqttws_packet_tap(driver* d, int on) { d->set_packet_tap(on != 0); }

// Host inputs.
EMSCRIPTEN_KEEPALIVE void mqttws_on_open(driver* d) { d->on_socket_open(); }
EMSCRIPTEN_KEEPALIVE void mqttws_on_data(driver* d, const std::uint8_t* p, std::size_t n) {
  d->on_socket_data(p, n);
}
EMSCRIPTEN_KEEPALIVE void mqttws_on_close(driver* d, int was_open, int code) {
  d->on_socket_closed(was_open != 0, code);
}
EMSCRIPTEN_KEEPALIVE void mqttws_on_timer(driver* d) { d->on_timer(); }

}  // extern "C"
