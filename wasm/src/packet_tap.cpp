#include "packet_tap.hpp"

#include <type_traits>
#include <variant>

#include "js_object.hpp"
#include "js_output.hpp"

namespace mqttws::wasm {

using emscripten::val;

void packet_tap::reset(protocol_version version) {
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
  o.set("cmd", cmd_name(type_of(p)));
  std::visit([&o](const auto& x) {
    using T = std::decay_t<decltype(x)>;
    if constexpr (std::is_same_v<T, publish>) {
      if (x.qos != qos::at_most_once) o.set("messageId", x.packet_id);
      o.set("qos", static_cast<int>(x.qos));
      o.set("topic", string_to_js(x.topic));
    } else if constexpr (!std::is_same_v<T, connect> && !std::is_same_v<T, connack> &&
                         !std::is_same_v<T, pingreq> && !std::is_same_v<T, pingresp> &&
                         !std::is_same_v<T, disconnect> && !std::is_same_v<T, auth>) {
      o.set("messageId", x.packet_id);
    }
  }, p);
  out = o.value();
  return true;
}

}  // namespace mqttws::wasm
