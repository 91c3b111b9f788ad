// mqttws — a session store kept by the host (JavaScript): the browser's persistent store
// (npm/src/idb_store.ts, IndexedDB behind a memory mirror).
//
// The core's store is synchronous (session_store.hpp: every call completes before it
// returns) and IndexedDB is not. The host therefore keeps a memory mirror that every call
// updates synchronously — so nothing accepted is lost and load() answers from it — and
// queues the matching IndexedDB write. Durability before sending is the host's half of the
// contract: while writes are uncommitted it holds back the bytes the driver sends (in order)
// and releases them when the IndexedDB transaction holding those writes has completed
// (npm/src/core.ts). A packet therefore never leaves before the state it implies is durable,
// which is what file_store gives natively by fsync() before returning.
//
// The host object (interface StoreHost in npm/src/core.ts), called synchronously:
//   save(sequence, packetId, stage, version, packet)  packet: a view of wasm memory, valid
//                                                      during the call only
//   remove(sequence)
//   saveIncoming(packetId), removeIncoming(packetId)
//   clear()
//   load() -> { m: [sequence, packetId, stage, version, packet (Uint8Array), ...] (five
//             entries per message, in sequence order), i: [incoming ids, ascending] }
// None of them fails: a host whose IndexedDB fails goes on with its mirror and reports that
// itself (an `error` event), so the calls return no error.
#pragma once

#include <emscripten/val.h>

#include "mqttws/session_store.hpp"

namespace mqttws::wasm {

class host_store final : public session_store {
 public:
  explicit host_store(emscripten::val host) : host_(std::move(host)) {}

  std::error_code save(const stored_publish& m) override;
  std::error_code remove(std::uint64_t sequence) override;
  std::error_code save_incoming(std::uint16_t packet_id) override;
  std::error_code remove_incoming(std::uint16_t packet_id) override;
  std::error_code load(std::vector<stored_publish>& messages,
                       std::vector<std::uint16_t>& incoming) override;
  std::error_code clear() override;

 private:
  emscripten::val host_;
};

}  // namespace mqttws::wasm
