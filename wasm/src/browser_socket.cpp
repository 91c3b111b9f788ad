#include "browser_socket.hpp"

#include <emscripten/emscripten.h>

extern "C" {
// socket_library.js
int mqttws_socket_open(emscripten::EM_VAL ctor, const char* url, void* self);
void mqttws_socket_send(int id, const std::uint8_t* data, std::size_t size);
void mqttws_socket_close(int id);

EMSCRIPTEN_KEEPALIVE void mqttws_socket_on_open(void* self) {
  static_cast<mqttws::wasm::browser_socket*>(self)->opened();
}
EMSCRIPTEN_KEEPALIVE void mqttws_socket_on_data(void* self, const std::uint8_t* data,
                                                std::size_t size) {
  static_cast<mqttws::wasm::browser_socket*>(self)->received(data, size);
}
EMSCRIPTEN_KEEPALIVE void mqttws_socket_on_close(void* self, int was_open, int code) {
  static_cast<mqttws::wasm::browser_socket*>(self)->closed(was_open != 0, code);
}
}

namespace mqttws::wasm {

browser_socket::browser_socket(emscripten::val websocket_ctor, socket_handler& handler)
    : ctor_(std::move(websocket_ctor)), handler_(handler) {}

browser_socket::~browser_socket() { close(); }

std::error_code browser_socket::open(const std::string& url) {
  close();
  id_ = mqttws_socket_open(ctor_.as_handle(), url.c_str(), this);
  if (id_ == 0) return std::make_error_code(std::errc::invalid_argument);
  return {};
}

void browser_socket::send(const std::uint8_t* data, std::size_t size) {
  if (id_ != 0) mqttws_socket_send(id_, data, size);
}

void browser_socket::close() {
  if (id_ == 0) return;
  mqttws_socket_close(id_);
  id_ = 0;
}

void browser_socket::closed(bool was_open, int code) {
  id_ = 0;
  std::error_code ec;
  if (!was_open) {
    ec = std::make_error_code(std::errc::connection_refused);
  } else if (code != 1000) {
    ec = std::make_error_code(std::errc::connection_reset);
  }
  handler_.on_socket_closed(ec);
}

}  // namespace mqttws::wasm
