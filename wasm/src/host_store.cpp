#include "host_store.hpp"

#include <string>

namespace mqttws::wasm {

using emscripten::typed_memory_view;
using emscripten::val;

std::error_code host_store::save(const stored_publish& m) {
  // Numbers as doubles throughout: each distinct argument list is code of its own (Embind
  // instantiates a caller per signature), and the download pays for every one.
  host_.call<void>("save", static_cast<double>(m.sequence), static_cast<double>(m.packet_id),
                   static_cast<double>(m.state), static_cast<double>(m.version),
                   val(typed_memory_view(m.packet.size(), m.packet.data())));
  return {};
}

std::error_code host_store::remove(std::uint64_t sequence) {
  host_.call<void>("remove", static_cast<double>(sequence));
  return {};
}

std::error_code host_store::save_incoming(std::uint16_t packet_id) {
  host_.call<void>("saveIncoming", static_cast<double>(packet_id));
  return {};
}

std::error_code host_store::remove_incoming(std::uint16_t packet_id) {
  host_.call<void>("removeIncoming", static_cast<double>(packet_id));
  return {};
}

std::error_code host_store::load(std::vector<stored_publish>& messages,
                                 std::vector<std::uint16_t>& incoming) {
  messages.clear();
  incoming.clear();
  const val all = host_.call<val>("load");
  const val m = all["m"];
  const auto n = m["length"].as<unsigned>();
  for (unsigned i = 0; i + 4 < n; i += 5) {
    stored_publish p;
    p.sequence = static_cast<std::uint64_t>(m[i].as<double>());
    p.packet_id = static_cast<std::uint16_t>(m[i + 1].as<double>());
    const double stage = m[i + 2].as<double>();
    // An unknown stage is resent as a new message rather than trusted (session.cpp).
    p.state = stage == 1   ? stored_publish::stage::awaiting_ack
              : stage == 2 ? stored_publish::stage::awaiting_pubcomp
                           : stored_publish::stage::queued;
    p.version = static_cast<std::uint8_t>(m[i + 3].as<double>());
    // std::string's binding copies a Uint8Array's bytes.
    const std::string bytes = m[i + 4].as<std::string>();
    p.packet.assign(bytes.begin(), bytes.end());
    messages.push_back(std::move(p));
  }
  const val in = all["i"];
  const auto k = in["length"].as<unsigned>();
  for (unsigned i = 0; i < k; ++i) {
    incoming.push_back(static_cast<std::uint16_t>(in[i].as<double>()));
  }
  return {};
}

std::error_code host_store::clear() {
  host_.call<void>("clear");
  return {};
}

}  // namespace mqttws::wasm
