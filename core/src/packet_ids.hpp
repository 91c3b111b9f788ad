// Internal: the packet identifiers of one session (MQTT-2.2.1) — which are in use by an open
// exchange (an outgoing QoS 1/2 PUBLISH, a SUBSCRIBE or an UNSUBSCRIBE, all sharing one space)
// and which one to hand out next.
//
// Identifiers are handed out round robin over 1..65535, skipping those in use: an identifier is
// never reused while its exchange is open (MQTT-2.2.1-3), and the ones in use sit close
// together, which keeps packet_id_map small. Identifier 0 is never handed out nor held.
#pragma once

#include <cstdint>

#include "packet_id_map.hpp"

namespace mqttws {

class packet_ids {
 public:
  /// Takes the next free identifier into `id`; false (and `id` untouched) when all 65535 are
  /// in use.
  bool allocate(std::uint16_t& id) {
    for (std::uint32_t tries = 0; tries < 65535; ++tries) {
      const std::uint16_t candidate = next_;
      next_ = static_cast<std::uint16_t>(next_ == 65535 ? 1 : next_ + 1);
      if (claim(candidate)) {
        id = candidate;
        return true;
      }
    }
    return false;
  }

  /// Takes `id` itself (a stored exchange resumed under its identifier); false when it is 0 or
  /// already in use, and nothing changes then.
  bool claim(std::uint16_t id) {
    if (id == 0 || in_use_.get(id)) return false;
    in_use_.put(id, true);
    return true;
  }

  /// The exchange on `id` is over; 0 or an identifier not in use is ignored.
  void release(std::uint16_t id) noexcept {
    if (id != 0) in_use_.erase(id);
  }

  bool in_use(std::uint16_t id) const noexcept { return id != 0 && in_use_.get(id); }

 private:
  packet_id_map<bool> in_use_;
  std::uint16_t next_ = 1;
};

}  // namespace mqttws
