// mqttws — the browser transport: one WebSocket (subprotocol "mqtt", binary frames) made from
// a host WebSocket constructor. The JavaScript half is socket_library.js.
#pragma once

#include <emscripten/val.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <system_error>

namespace mqttws::wasm {

/// Receives what happens to the socket. Callbacks arrive from the JavaScript event loop,
/// never from inside an open/send/close call.
class socket_handler {
 public:
  virtual void on_socket_open() = 0;
  virtual void on_socket_data(const std::uint8_t* data, std::size_t size) = 0;
  /// The socket closed by itself (the peer, the network, or a failed open). `ec` is empty for
  /// a normal close (code 1000), connection_refused if it never opened, connection_reset
  /// otherwise.
  virtual void on_socket_closed(std::error_code ec) = 0;

 protected:
  ~socket_handler() = default;
};

class browser_socket {
 public:
  /// `websocket_ctor`: a WebSocket constructor (browser global, Node `ws`, ...).
  browser_socket(emscripten::val websocket_ctor, socket_handler& handler);
  ~browser_socket();
  browser_socket(const browser_socket&) = delete;
  browser_socket& operator=(const browser_socket&) = delete;

  /// Opens a WebSocket to `url`, closing any previous one. Errors: invalid_argument when the
  /// WebSocket constructor refused the URL (nothing is open then).
  std::error_code open(const std::string& url);
  /// Sends one binary message; dropped unless the socket is open.
  void send(const std::uint8_t* data, std::size_t size);
  /// Closes (code 1000) without calling the handler back.
  void close();
  bool is_open() const { return id_ != 0; }

  // Entry points for socket_library.js.
  void opened() { handler_.on_socket_open(); }
  void received(const std::uint8_t* data, std::size_t size) { handler_.on_socket_data(data, size); }
  void closed(bool was_open, int code);

 private:
  emscripten::val ctor_;
  socket_handler& handler_;
  int id_ = 0;  // the JavaScript socket, 0 when none
};

}  // namespace mqttws::wasm
