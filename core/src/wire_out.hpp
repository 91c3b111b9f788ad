// Internal: what the session has encoded for the connection and the driver has not taken yet.
//
// Every outgoing control packet goes through here, once: so packet boundaries are known, and
// poll_transmit() hands out whole packets in bounded pieces — a connection cut in the middle
// of one write loses that write only, and a WebSocket message never carries a whole backlog.
// QoS 0 publishes complete when the bytes that carry them are taken, so the session marks
// them here too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <system_error>
#include <vector>

#include "mqttws/codec.hpp"
#include "mqttws/session_event.hpp"

namespace mqttws {

class wire_out {
 public:
  /// Encodes `p` behind what is queued; `size` gets its length. On error nothing is queued.
  template <class P>
  std::error_code put(const P& p, protocol_version v, std::size_t& size) {
    const std::size_t before = bytes_.size();
    if (std::error_code ec = encode(p, v, bytes_)) {
      bytes_.resize(before);
      return ec;
    }
    size = bytes_.size() - before;
    mark_packet_end();
    return {};
  }
  /// Queues one packet encoded elsewhere (a stored PUBLISH, a SUBSCRIBE).
  void put_encoded(const std::vector<std::uint8_t>& bytes);

  /// `op` completes once every byte queued so far has been taken (a QoS 0 publish).
  void complete_when_taken(operation_id op);

  /// Moves whole packets, oldest first, to the end of `out`: as many as fit in `limit`
  /// bytes, and always at least one (a larger packet goes alone); 0 means no limit.
  /// Operations whose bytes are now all taken are appended to `completed`. False when
  /// nothing is queued.
  bool take(std::vector<std::uint8_t>& out, std::size_t limit,
            std::vector<operation_id>& completed);

  /// Forgets everything queued (the connection it was for is gone); the operations that
  /// waited for it are appended to `orphaned`.
  void clear(std::vector<operation_id>& orphaned);

  bool empty() const { return packets_ == 0; }

 private:
  // The end of a queued packet (op 0), or an operation that completes once every byte up to
  // `at` is taken. In the order they were made, so positions never decrease.
  struct mark {
    std::uint64_t at;
    operation_id op;
  };
  void mark_packet_end() {
    marks_.push_back({base_ + bytes_.size(), 0});
    ++packets_;
  }
  void compact();

  // bytes_[head_..] and marks_[marks_head_..] are queued; positions in marks are absolute
  // (bytes ever queued), so taking from the front never rewrites them. One vector with a
  // head index (compacted like bytes_) rather than two deques: less code in the wasm.
  std::vector<std::uint8_t> bytes_;
  std::size_t head_ = 0;
  std::uint64_t base_ = 0;  // absolute position of bytes_[0]
  std::vector<mark> marks_;
  std::size_t marks_head_ = 0;
  std::size_t packets_ = 0;  // packet ends in marks_[marks_head_..]
};

}  // namespace mqttws
