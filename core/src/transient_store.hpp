// Internal: the store of a session given none — it keeps nothing.
#pragma once

#include <cstdint>
#include <system_error>
#include <vector>

#include "mqttws/session_store.hpp"

namespace mqttws {

/// What a session without a store of its caller's uses: every call succeeds and nothing is
/// kept. The session's own state (the outgoing flow, the incoming QoS 2 identifiers) is all
/// there is; a store only matters when something outlives the session object, and nothing
/// can reach a store the session owns. (A memory_store here had kept a second copy of every
/// QoS 1/2 packet in flight that nobody could read back.)
class transient_store final : public session_store {
 public:
  std::error_code save(const stored_publish&) override { return {}; }
  std::error_code remove(std::uint64_t) override { return {}; }
  std::error_code save_incoming(std::uint16_t) override { return {}; }
  std::error_code remove_incoming(std::uint16_t) override { return {}; }
  std::error_code load(std::vector<stored_publish>& messages,
                       std::vector<std::uint16_t>& incoming) override {
    messages.clear();
    incoming.clear();
    return {};
  }
  std::error_code clear() override { return {}; }
};

}  // namespace mqttws
