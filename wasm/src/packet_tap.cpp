#include "packet_tap.hpp"

#include <type_traits>
#include <variant>

#include "events.hpp"
#include "host.hpp"
#include "record.hpp"

namespace mqttws::wasm {

void packet_tap::reset(protocol_version version) {
  decoder_.reset();
  decoder_.set_protocol_version(version);
  failed_ = false;
}

void packet_tap::feed(const std::uint8_t* data, std::size_t size, void* host_key) {
  if (failed_) return;
  decoder_.feed(data, size);
  packet p;
  std::error_code ec;
  record_writer w;
  while (decoder_.next(p, ec)) {
    w.clear();
    w.u8(static_cast<unsigned>(kind::packet));
    w.u8(sent_);
    w.u8(static_cast<unsigned>(type_of(p)));
    std::visit([&w](const auto& x) {
      using T = std::decay_t<decltype(x)>;
      if constexpr (std::is_same_v<T, publish>) {
        w.num(x.qos != qos::at_most_once ? x.packet_id : -1);
        w.u8(static_cast<unsigned>(x.qos));
        w.str(x.topic);
      } else if constexpr (!std::is_same_v<T, connect> && !std::is_same_v<T, connack> &&
                           !std::is_same_v<T, pingreq> && !std::is_same_v<T, pingresp> &&
                           !std::is_same_v<T, disconnect> && !std::is_same_v<T, auth>) {
        w.num(x.packet_id);
      } else {
        w.num(-1);
      }
    }, p);
    mqttws_event(host_key, w.data(), w.size());
  }
  if (ec) failed_ = true;  // the session sees the same bytes and closes the connection
}

}  // namespace mqttws::wasm
