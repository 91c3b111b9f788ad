// mqttws — the JavaScript surface of the wasm module, declared once, with Embind. The npm
// package (npm/src/core.ts) types it and is its only user; the MQTT.js-shaped API is built on
// it in TypeScript.
//
// Functions over driver handles (driver_slots.hpp) rather than an Embind class: Embind's
// class machinery (handles with reference counts, inheritance, smart pointers, finalizers) is
// 2.9 KB of the gzipped download, and the package needs none of it. A stale handle is
// refused: commands answer invalid_state, host inputs do nothing.
#include <emscripten/bind.h>
#include <emscripten/emmalloc.h>

#include <memory>
#include <string>

#include "driver_slots.hpp"
#include "js_output.hpp"
#include "mqttws/error.hpp"

namespace {

using emscripten::val;
using mqttws::wasm::driver;

mqttws::wasm::driver_slots& drivers() {
  static mqttws::wasm::driver_slots slots;
  return slots;
}

/// Bytes currently allocated on the wasm heap (the heap less its free blocks' payloads: what
/// mallinfo() calls uordblks, plus emmalloc's fixed sentinels): what the npm tests check returns
/// to its baseline after end(). Two walks of emmalloc's own: 166 bytes of wasm where mallinfo()
/// and its statistics, none of them read but this one, were 427.
double heap_in_use() {
  return static_cast<double>(emmalloc_dynamic_heap_size() - emmalloc_free_dynamic_memory());
}

double create_driver(val host) { return drivers().add(std::make_unique<driver>(std::move(host))); }
void destroy_driver(double h) { drivers().remove(h); }

/// A command's answer for a handle that names no driver.
[[gnu::noinline]] val no_driver() {
  return mqttws::wasm::error_to_js(make_error_code(mqttws::errc::invalid_state));
}

/// `command` on the driver named `h`, or invalid_state when there is none.
template <class F>
val command(double h, F&& command) {
  driver* d = drivers().find(h);
  return d ? command(*d) : no_driver();
}

/// `input` to the driver named `h`, if there is one.
template <class F>
void input(double h, F&& input) {
  if (driver* d = drivers().find(h)) input(*d);
}

}  // namespace

EMSCRIPTEN_BINDINGS(mqttws) {
  using mqttws::session_state;
  namespace em = emscripten;

  em::function("createDriver", &create_driver);
  em::function("destroyDriver", &destroy_driver);
  em::function("heapInUse", &heap_in_use);

  // Commands (driver.hpp).
  em::function("connect", +[](double h, const val& o) {
    return command(h, [&](driver& d) { return d.connect(o); });
  });
  em::function("publish", +[](double h, const std::string& topic, std::size_t size, int qos,
                              bool retain, const val& props) {
    return command(h, [&](driver& d) { return d.publish(topic, size, qos, retain, props); });
  });
  em::function("request", +[](double h, const std::string& topic, std::size_t size, int qos,
                              bool retain, const val& props, double timeout_ms) {
    return command(h, [&](driver& d) {
      return d.request(topic, size, qos, retain, props, timeout_ms);
    });
  });
  em::function("subscribe", +[](double h, const val& subscriptions, const val& props) {
    return command(h, [&](driver& d) { return d.subscribe(subscriptions, props); });
  });
  em::function("unsubscribe", +[](double h, const val& topics, const val& props) {
    return command(h, [&](driver& d) { return d.unsubscribe(topics, props); });
  });
  em::function("disconnect", +[](double h, int code, const val& props, double drain_ms) {
    return command(h, [&](driver& d) { return d.disconnect(code, props, drain_ms); });
  });
  em::function("authenticate", +[](double h, int code, const val& props) {
    return command(h, [&](driver& d) { return d.authenticate(code, props); });
  });

  em::function("reconnect", +[](double h) {
    return command(h, [](driver& d) { return d.reconnect(); });
  });
  em::function("ping", +[](double h) { return command(h, [](driver& d) { return d.ping(); }); });
  em::function("cancel", +[](double h, double id) {
    return command(h, [&](driver& d) { return d.cancel(id); });
  });
  em::function("setCredentials", +[](double h, const val& username, const val& password) {
    return command(h, [&](driver& d) { return d.set_credentials(username, password); });
  });

  // State.
  em::function("stage", +[](double h, std::size_t size) {
    return command(h, [&](driver& d) { return d.stage(size); });
  });
  em::function("stats", +[](double h) {
    return command(h, [](driver& d) { return d.stats(); });
  });
  // What the package needs of the session's state (an Embind enum for all seven would cost
  // 0.5 KB of download for this one question).
  em::function("closed", +[](double h) {
    driver* d = drivers().find(h);
    return !d || d->state() == session_state::closed;
  });
  em::function("clientId", +[](double h) {
    driver* d = drivers().find(h);
    return d ? d->client_id() : std::string();
  });
  em::function("setPacketTap", +[](double h, bool on) {
    input(h, [&](driver& d) { d.set_packet_tap(on); });
  });

  // Host inputs.
  em::function("socketOpen", +[](double h) { input(h, [](driver& d) { d.socket_open(); }); });
  em::function("socketData", +[](double h, std::size_t size) {
    input(h, [&](driver& d) { d.socket_data(size); });
  });
  em::function("socketClosed", +[](double h, bool was_open, int code) {
    input(h, [&](driver& d) { d.socket_closed(was_open, code); });
  });
  em::function("networkDown", +[](double h) { input(h, [](driver& d) { d.network_down(); }); });
  em::function("timer", +[](double h) { input(h, [](driver& d) { d.timer(); }); });
  em::function("flush", +[](double h) { input(h, [](driver& d) { d.flush(); }); });
}
