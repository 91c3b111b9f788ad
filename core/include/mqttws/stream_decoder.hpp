// mqttws — turns a byte stream, cut anywhere, into whole packets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <system_error>
#include <vector>

#include "mqttws/codec.hpp"

namespace mqttws {

/// Buffers bytes as they arrive (in any fragmentation: one byte at a time or many packets in
/// one read) and decodes whole packets from them.
///
/// Not thread-safe; one per connection. Memory: one buffer that grows to the largest packet
/// seen plus what arrived with it, and is reused; decoding a packet does not allocate.
class stream_decoder {
 public:
  explicit stream_decoder(protocol_version v = protocol_version::v5,
                          std::uint32_t maximum_packet_size = mqttws::max_packet_size);

  /// Version used for every packet but CONNECT. Decoding a CONNECT switches the decoder to the
  /// version that CONNECT names (what a broker-side reader needs).
  void set_protocol_version(protocol_version v) { version_ = v; }
  protocol_version version() const { return version_; }

  /// Packets larger than this (whole packet, fixed header included) are rejected with
  /// errc::packet_too_large as soon as their fixed header is read.
  void set_maximum_packet_size(std::uint32_t n) { max_size_ = n; }
  std::uint32_t maximum_packet_size() const { return max_size_; }

  /// Copies `n` bytes into the buffer. Invalidates the views of packets returned so far.
  void feed(const void* data, std::size_t n);

  /// Decodes the next whole packet.
  /// - returns true: `out` holds the packet; its views stay valid until feed() or reset().
  /// - returns false and `ec` is clear: more bytes are needed.
  /// - returns false and `ec` is set: the stream is malformed. The decoder stays failed and
  ///   returns the same error until reset(); the connection must be closed.
  bool next(packet& out, std::error_code& ec);

  /// The whole encoding (fixed header included) of the packet next() returned last, valid as
  /// its views are: until feed() or reset(). Empty before the first packet and after reset().
  std::string_view last_packet() const {
    return {reinterpret_cast<const char*>(buffer_.data()) + consumed_ - last_size_, last_size_};
  }
  /// Bytes received but not yet returned as packets.
  std::size_t buffered() const { return buffer_.size() - consumed_; }

  /// Drops all buffered bytes and any failure, e.g. for a new connection.
  void reset();

 private:
  std::vector<std::uint8_t> buffer_;
  std::size_t consumed_ = 0;
  std::size_t last_size_ = 0;  // last_packet()'s: the bytes before consumed_
  protocol_version version_;
  std::uint32_t max_size_;
  std::error_code failure_;
};

}  // namespace mqttws
