// mqttws — the browser driver: one session, one WebSocket, one timer.
//
// After every input (a command, a socket event, the timer) it follows the driver rule: hand
// what poll_transmit() gives to the socket, act on poll_transport_action(), deliver what
// poll_event() gives to the host, and re-arm the one timer at next_timeout(). Time is the
// host's monotonic clock in ms (performance.now()), never the number of timer ticks, so a
// throttled background tab delays the timer but cannot corrupt keepalive or backoff math.
//
// The host (npm/src/raw.ts) owns the WebSocket and the timer; the driver reaches it through
// the imports declared in host.hpp, and the host reaches the driver through the C ABI in
// abi.cpp. Commands take a record (record.hpp) and return an operation id, or -1 after
// handing the host an error record. Events are handed to the host synchronously, so the host
// must not call back into the driver from them: the npm wrapper queues them.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "mqttws/session.hpp"
#include "packet_tap.hpp"
#include "record.hpp"

namespace mqttws::wasm {

class driver {
 public:
  driver() = default;
  ~driver();
  driver(const driver&) = delete;
  driver& operator=(const driver&) = delete;

  // Commands (record formats: npm/src/raw.ts). -1: refused (error record sent), else 0 or
  // the operation id.
  double connect(record_reader r);
  double publish(record_reader r, bool request);
  double subscribe(record_reader r);
  double unsubscribe(record_reader r);
  double disconnect(record_reader r, bool auth);

  /// Counters (session_stats) as doubles: state, inflightOutgoing, inflightIncoming, queued,
  /// lastPingRtt (-1: none), reconnectAttempts, connections, packetsSent, packetsReceived,
  /// bytesSent, bytesReceived, messagesSent, messagesReceived.
  const double* stats();
  /// session_state as a number (0 idle ... 6 closed); 0 before connect().
  int state() const;
  /// The client identifier in use: sent as an event record of type kind::client_id.
  void client_id();
  /// Reports every packet sent and received as packet records (packet_tap.hpp).
  void set_packet_tap(bool on);

  // Host inputs.
  void on_socket_open();
  void on_socket_data(const std::uint8_t* data, std::size_t size);
  /// The socket closed by itself: `was_open` false when it never opened; `code` the close
  /// code (1000 normal).
  void on_socket_closed(bool was_open, int code);
  void on_timer();

 private:
  /// The driver rule.
  void pump();
  void arm_timer();
  double op_result(const result<operation_id>& r);
  double fail(std::error_code ec);
  double done(std::error_code ec);
  void open_socket(std::string_view url, std::error_code& ec);
  void close_socket();

  std::optional<session> session_;
  record_writer out_;
  std::vector<std::uint8_t> tx_;
  std::optional<packet_tap> tap_sent_, tap_received_;
  protocol_version version_ = protocol_version::v311;
  double stats_[13] = {};
  time_point timer_at_{};
  bool timer_armed_ = false;
  bool socket_ = false;  // the host has a socket for us
  bool pumping_ = false;
};

/// Current time for the session: the host's clock in whole milliseconds.
time_point now();

}  // namespace mqttws::wasm
