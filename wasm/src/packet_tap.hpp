// mqttws — reports each control packet crossing the WebSocket, for the npm package's
// packetsend/packetreceive events. Off unless a listener asks for it: it decodes every byte
// a second time.
#pragma once

#include <emscripten/val.h>

#include <cstddef>
#include <cstdint>

#include "mqttws/stream_decoder.hpp"

namespace mqttws::wasm {

class packet_tap {
 public:
  explicit packet_tap(bool sent) : sent_(sent) {}

  /// Bytes sent or received, in any fragmentation.
  void feed(const std::uint8_t* data, std::size_t size);
  /// The next whole packet fed, as { type: 'packet', sent } and the packet in MQTT.js's
  /// shape (packet_to_js()).
  /// False when there is none. A stream it cannot decode is left alone until reset().
  bool next(emscripten::val& out);
  /// A new connection speaking `version`: drops partial bytes.
  void reset(protocol_version version);

 private:
  stream_decoder decoder_;
  bool sent_;
  protocol_version version_ = protocol_version::v311;
  bool failed_ = false;
};

}  // namespace mqttws::wasm
