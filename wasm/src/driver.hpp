// mqttws — the browser driver: one session, one WebSocket, one timer.
//
// After every input (a command, a socket event, the timer) it follows the driver rule: hand
// what poll_transmit() gives to the socket, act on poll_transport_action(), deliver what
// poll_event() gives to the JavaScript callback, and re-arm the one timer at next_timeout().
// Time is emscripten_get_now() (monotonic, in ms), never the number of timer ticks, so a
// throttled background tab delays the timer but cannot corrupt keepalive or backoff math.
//
// Embind exposes it as `Driver` (see bindings.cpp); commands return an operation id
// (number) or an error {code, message}. Events are handed to the callback synchronously, so
// the callback must not call back into the driver: the npm wrapper queues them.
#pragma once

#include <emscripten/val.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "browser_socket.hpp"
#include "packet_tap.hpp"
#include "mqttws/session.hpp"

namespace mqttws::wasm {

class driver final : private socket_handler {
 public:
  /// `websocket_ctor`: the WebSocket constructor to use; `on_event(object)`: receives every
  /// session event (see js_events.hpp).
  driver(emscripten::val websocket_ctor, emscripten::val on_event);
  ~driver();
  driver(const driver&) = delete;
  driver& operator=(const driver&) = delete;

  /// Validates `options` (see npm/src/raw.ts: RawOptions) and starts the session.
  /// null, or an error {code, message}.
  emscripten::val connect(const emscripten::val& options);
  emscripten::val publish(const std::string& topic, const emscripten::val& payload, int qos,
                          bool retain, const emscripten::val& props);
  /// `subs`: [{topic, qos, nl, rap, rh}].
  emscripten::val subscribe(const emscripten::val& subs, const emscripten::val& props);
  emscripten::val unsubscribe(const emscripten::val& topics, const emscripten::val& props);
  emscripten::val request(const std::string& topic, const emscripten::val& payload, int qos,
                          bool retain, const emscripten::val& props, double timeout_ms);
  emscripten::val disconnect(int reason_code, const emscripten::val& props);
  emscripten::val authenticate(int reason_code, const emscripten::val& props);

  /// {state, inflightOutgoing, inflightIncoming, queued, lastPingRtt?, reconnectAttempts,
  ///  connections, packetsSent, packetsReceived, bytesSent, bytesReceived, messagesSent,
  ///  messagesReceived}.
  emscripten::val stats() const;
  /// session_state as a number (0 idle ... 6 closed); 0 before connect().
  int state() const;
  std::string client_id() const;
  /// Reports every packet sent and received as {type: "packet", ...} events (packet_tap.hpp).
  void set_packet_tap(bool on);

 private:
  void on_socket_open() override;
  void on_socket_data(const std::uint8_t* data, std::size_t size) override;
  void on_socket_closed(std::error_code ec) override;
  static void on_timer(void* self);

  /// The driver rule.
  void pump();
  void arm_timer();
  emscripten::val op_result(const result<operation_id>& r);

  std::optional<session> session_;
  browser_socket socket_;
  emscripten::val on_event_;
  std::vector<std::uint8_t> tx_;
  std::optional<packet_tap> tap_sent_, tap_received_;
  protocol_version version_ = protocol_version::v311;
  long timer_ = 0;  // emscripten_set_timeout id, 0 when none
  time_point timer_at_{};
  bool pumping_ = false;
};

/// Current time for the session: emscripten_get_now() in whole milliseconds.
time_point now();

}  // namespace mqttws::wasm
