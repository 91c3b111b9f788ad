// mqttws — reports each control packet crossing the WebSocket, for the npm package's
// packetsend/packetreceive events. Off unless a listener asks for it: it decodes every byte
// a second time.
#pragma once

#include <cstddef>
#include <cstdint>

#include "mqttws/stream_decoder.hpp"

namespace mqttws::wasm {

class packet_tap {
 public:
  explicit packet_tap(bool sent) : sent_(sent) {}

  /// Decodes `data` (any fragmentation) and hands the host one packet record per whole
  /// packet: kind::packet, sent, packet type, packet identifier (-1: none), qos, topic.
  /// A stream it cannot decode is left alone until reset().
  void feed(const std::uint8_t* data, std::size_t size, void* host_key);
  /// A new connection speaking `version`: drops partial bytes.
  void reset(protocol_version version);

 private:
  stream_decoder decoder_;
  bool sent_;
  bool failed_ = false;
};

}  // namespace mqttws::wasm
