#include "mqttws/session_store.hpp"

namespace mqttws {

// The memory store cannot fail: every call succeeds. Maps and sets keep the order load()
// promises without sorting.

std::error_code memory_store::save(const stored_publish& m) {
  messages_.insert_or_assign(m.sequence, m);
  return {};
}

std::error_code memory_store::remove(std::uint64_t sequence) {
  messages_.erase(sequence);
  return {};
}

std::error_code memory_store::save_incoming(std::uint16_t packet_id) {
  incoming_.insert(packet_id);
  return {};
}

std::error_code memory_store::remove_incoming(std::uint16_t packet_id) {
  incoming_.erase(packet_id);
  return {};
}

std::error_code memory_store::load(std::vector<stored_publish>& messages,
                                   std::vector<std::uint16_t>& incoming) {
  messages.clear();
  messages.reserve(messages_.size());
  for (const auto& entry : messages_) messages.push_back(entry.second);
  incoming.assign(incoming_.begin(), incoming_.end());
  return {};
}

std::error_code memory_store::clear() {
  messages_.clear();
  incoming_.clear();
  return {};
}

}  // namespace mqttws
