// mqttws — the browser driver: one session, one WebSocket, one timer, bound to JavaScript
// with Embind (bindings.cpp declares the whole surface; npm/src/core.ts types it).
//
// After every input (a command, a socket event, the timer) it follows the driver rule: take
// what poll_transmit() gives, act on poll_transport_action(), deliver what poll_event()
// gives, and re-arm the one timer at next_timeout(). Time is the host's monotonic clock in ms
// (performance.now()), never the number of timer ticks, so a throttled background tab delays
// the timer but cannot corrupt keepalive or backoff math.
//
// The host is a JavaScript object owning the WebSocket and the timer (interface Host in
// npm/src/core.ts). The driver calls it synchronously:
//   open(url) -> boolean       open the WebSocket (closing any other); false: the URL was refused
//   send(bytes)                one binary message; `bytes` views wasm memory during the call only
//   close()                    close it (code 1000); it must not call back any more
//   timer(ms)                  call driver.timer() after `ms` (re-arming replaces; < 0 cancels)
//   schedule()                 call driver.flush() soon (a microtask), once per call
//   completed(ids, codes)      publishes completed without detail: their operation ids
//                              (Float64Array) and reason codes (Uint8Array), views as above
//   message(topic, payload, qos, retain, dup, messageId, properties, subscriptions)
//                              a message; payload and subscriptions (Float64Array) are views
//   event(e)                   any other event (connect, disconnect, reconnect, operation,
//                              auth, packet), as a plain object
// The host must not call into the driver from these: the npm wrapper queues what it is given.
//
// Fast paths: payloads and socket bytes are written by the host straight into a staging
// buffer (stage(), a typed_memory_view the host may keep: one copy, no call per message to
// get it); what the session transmits is coalesced
// into one WebSocket message per flush() — a whole burst of publish() calls or of
// acknowledgements is one send — and plain publish completions are handed over in one
// completed() call per flush. Order is kept: pending completions are delivered before any
// other event, bytes are sent before a close.
#pragma once

#include <emscripten/val.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "host_store.hpp"
#include "js_input.hpp"
#include "mqttws/session.hpp"
#include "packet_tap.hpp"

namespace mqttws::wasm {

class driver {
 public:
  explicit driver(emscripten::val host);
  ~driver();
  driver(const driver&) = delete;
  driver& operator=(const driver&) = delete;

  // ---- commands: each returns a number (the operation id; 0 for connect, disconnect and
  // authenticate) or, when refused, an error { code, message } and nothing happened. -------

  /// `options`: { protocolVersion: 3|4|5, clientId, clean, keepalive, username?, password?
  /// (Uint8Array), properties?, will?: { topic, payload, qos, retain, properties? },
  /// servers: string[], connectTimeout, reconnect, initialDelay, maxDelay, multiplier,
  /// jitter, seed, maxQueued, maxQueuedBytes, pingTimeout (0: half the keep alive),
  /// queueQoSZero, autoTopicAlias, reconnectAfterRefusal, store? } (times in ms). `store`: a
  /// host-kept session store (host_store.hpp), loaded now; without it none (the session's
  /// state lives as long as this driver). Errors: invalid_state (called twice), invalid_options and those of
  /// session::validate().
  emscripten::val connect(const emscripten::val& options);
  /// The payload is the first `size` staged bytes (stage()). Completes per
  /// session::publish(). Errors: invalid_options when `size` exceeds the staging buffer.
  emscripten::val publish(const std::string& topic, std::size_t size, int qos, bool retain,
                          const emscripten::val& properties);
  /// MQTT 5 request/response (session::request()); payload staged as for publish().
  emscripten::val request(const std::string& topic, std::size_t size, int qos, bool retain,
                          const emscripten::val& properties, double timeout_ms);
  /// `subscriptions`: [{ topic, qos, nl, rap, rh }].
  emscripten::val subscribe(const emscripten::val& subscriptions,
                            const emscripten::val& properties);
  /// `topics`: string[].
  emscripten::val unsubscribe(const emscripten::val& topics, const emscripten::val& properties);
  /// session::disconnect_after_drain() with `drain_ms` (milliseconds) as its timeout; a
  /// negative `drain_ms` (or NaN): session::disconnect(), no drain.
  emscripten::val disconnect(int code, const emscripten::val& properties, double drain_ms);
  /// Enhanced authentication: an AUTH packet (session::authenticate()).
  emscripten::val authenticate(int code, const emscripten::val& properties);
  /// Connects again at once, the backoff reset (session::reconnect()).
  emscripten::val reconnect();
  /// A PINGREQ now (session::ping()): a link that died unnoticed is found within the ping
  /// timeout.
  emscripten::val ping();
  /// Withdraws a queued publish, operation `id` (session::cancel()).
  emscripten::val cancel(double id);
  /// The user name and password (strings or Uint8Array; undefined: none) of the CONNECTs sent
  /// from now on (session::set_credentials()): a host refreshing a token sets them before it
  /// opens the socket it was asked for.
  emscripten::val set_credentials(const emscripten::val& username,
                                  const emscripten::val& password);

  /// The staging buffer, at least `size` bytes, for the host to fill with a payload (publish,
  /// request) or socket data before naming its length in that call: a Uint8Array view of the
  /// whole buffer. The buffer changes only in stage(), and in the call that used a buffer of
  /// over 64 KiB (it is freed then): a host may keep a view of up to 64 KiB and ask again
  /// only when it is too small — or empty, which is what a view becomes when wasm memory grows.
  emscripten::val stage(std::size_t size);

  /// The counters in the npm package's ClientStats names: { inflight, inflightIncoming,
  /// queued, queuedBytes, lastPingRtt?, reconnectAttempts, connections, packetsSent, packetsReceived,
  /// bytesSent, bytesReceived, messagesSent, messagesReceived } (all 0 before connect()); the
  /// one question the package asks of the state is closed() (bindings.cpp).
  emscripten::val stats() const;
  session_state state() const;
  /// The client identifier in use (the broker-assigned one once known).
  std::string client_id() const;
  /// Reports every packet sent and received as 'packet' events.
  void set_packet_tap(bool on);

  // ---- host inputs ----------------------------------------------------------------------------
  void socket_open();
  /// The first `size` staged bytes arrived on the socket.
  void socket_data(std::size_t size);
  /// The socket closed by itself: `was_open` false when it never opened; `code` the close
  /// code (1000 normal).
  void socket_closed(bool was_open, int code);
  /// The host's network went away (a browser's `offline` event): the socket is closed and
  /// the connection reported lost with ENETDOWN at once, without waiting for keep alive.
  void network_down();
  void timer();
  /// Sends what was coalesced and delivers pending completions (after schedule()).
  void flush();

 private:
  /// The driver rule.
  void pump();
  void arm_timer();
  void send_pending();
  void deliver_completions();
  void deliver(const session_event& e);
  void deliver(const emscripten::val& e);
  void schedule_flush();
  void drain_tap(packet_tap& tap);
  emscripten::val refused(std::error_code ec, std::string_view what = {});
  /// The PUBLISH of publish() and request(): `out` views `topic` and the staging buffer.
  input_error staged_publish(const std::string& topic, std::size_t size, int qos, bool retain,
                             const emscripten::val& properties, js_input& in,
                             mqttws::publish& out) const;
  emscripten::val op_result(const result<operation_id>& r);
  emscripten::val done(std::error_code ec);
  void open_socket(std::string_view url, std::error_code& ec);
  void close_socket();
  void release_stage();

  emscripten::val host_;
  std::optional<host_store> store_;  // before session_: it outlives the session using it
  std::optional<session> session_;
  std::optional<packet_tap> tap_sent_, tap_received_;
  protocol_version version_ = protocol_version::v311;

  std::unique_ptr<std::uint8_t[]> stage_;
  std::size_t stage_capacity_ = 0;

  std::vector<std::uint8_t> tx_;        // coalesced bytes for the open socket
  std::vector<double> done_ids_;        // pending completions ...
  std::vector<std::uint8_t> done_codes_;  // ... and their reason codes
  std::vector<double> subscriptions_;   // a message's subscription ids, for the host

  time_point timer_at_{};
  bool timer_armed_ = false;
  bool socket_ = false;  // the host has a socket for us
  bool flush_scheduled_ = false;
  bool pumping_ = false;
};

/// Current time for the session: the host's clock in whole milliseconds.
time_point now();

}  // namespace mqttws::wasm
