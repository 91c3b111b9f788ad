#include "packet_tap.hpp"

#include <cctype>
#include <string>
#include <type_traits>
#include <variant>

namespace mqttws::wasm {

using emscripten::val;

void packet_tap::reset(protocol_version version) {
  decoder_.reset();
  decoder_.set_protocol_version(version);
  failed_ = false;
}

void packet_tap::feed(const std::uint8_t* data, std::size_t size, const val& on_event) {
  if (failed_) return;
  decoder_.feed(data, size);
  packet p;
  std::error_code ec;
  while (decoder_.next(p, ec)) {
    val o = val::object();
    o.set("type", std::string("packet"));
    o.set("sent", sent_);
    std::string cmd(to_string(type_of(p)));
    for (char& c : cmd) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    o.set("cmd", cmd);
    std::visit([&o](const auto& x) {
      using T = std::decay_t<decltype(x)>;
      if constexpr (std::is_same_v<T, publish>) {
        o.set("topic", std::string(x.topic));
        o.set("qos", static_cast<int>(x.qos));
        if (x.qos != qos::at_most_once) o.set("messageId", static_cast<int>(x.packet_id));
      } else if constexpr (!std::is_same_v<T, connect> && !std::is_same_v<T, connack> &&
                           !std::is_same_v<T, pingreq> && !std::is_same_v<T, pingresp> &&
                           !std::is_same_v<T, disconnect> && !std::is_same_v<T, auth>) {
        o.set("messageId", static_cast<int>(x.packet_id));
      }
    }, p);
    on_event(o);
  }
  if (ec) failed_ = true;  // the session sees the same bytes and closes the connection
}

}  // namespace mqttws::wasm
