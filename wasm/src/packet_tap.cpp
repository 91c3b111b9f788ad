#include "packet_tap.hpp"

#include "js_object.hpp"
#include "js_output.hpp"

namespace mqttws::wasm {

using emscripten::val;

void packet_tap::reset(protocol_version version) {
  version_ = version;
  decoder_.reset();
  decoder_.set_protocol_version(version);
  failed_ = false;
}

void packet_tap::feed(const std::uint8_t* data, std::size_t size) {
  if (!failed_) decoder_.feed(data, size);
}

bool packet_tap::next(val& out) {
  if (failed_) return false;
  packet p;
  std::error_code ec;
  if (!decoder_.next(p, ec)) {
    if (ec) failed_ = true;  // the session sees the same bytes and closes the connection
    return false;
  }
  js_object o;
  o.set("type", "packet");
  o.set("sent", sent_);
  set_packet(o, p, version_);
  out = o.value();
  return true;
}

}  // namespace mqttws::wasm
