// mqttws — a transport moves the bytes of one MQTT connection (WebSocket, TCP, over TLS or
// not). The client drives one at a time; it is public so it can be tested and reused.
//
// Threading: like the client, a transport is used from one executor and calls back on it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <system_error>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "mqttws/client_options.hpp"
#include "mqttws/endpoint_url.hpp"

namespace mqttws {

/// Callbacks of one transport. After close() they may still come (closed); after abort()
/// none does.
struct transport_handlers {
  /// Connected, TLS and WebSocket handshakes done: write() may be called.
  std::function<void()> on_open;
  /// Bytes received, in any fragmentation. Valid during the call only.
  std::function<void(const std::uint8_t* data, std::size_t size)> on_data;
  /// The transport ended, exactly once: `ec` says why (a failed resolve, connect, TLS or
  /// WebSocket handshake; the peer closing: asio::error::eof or websocket::error::closed — over
  /// TLS without a close_notify, asio::ssl::error::stream_truncated; a reset...). Clear only
  /// for the end of an orderly close() of ours.
  std::function<void(std::error_code ec)> on_closed;
};

/// Counters of one transport.
struct transport_stats {
  std::uint64_t writes = 0;         ///< Writes issued to the stream.
  std::uint64_t bytes_written = 0;
  std::uint64_t bytes_read = 0;
};

class transport {
 public:
  virtual ~transport() = default;

  /// Resolves, connects and performs the TLS and WebSocket handshakes; then on_open, or
  /// on_closed with the error. Call once.
  virtual void open(transport_handlers handlers) = 0;

  /// Queues `bytes` for sending. Write coalescing: while one write is in flight, what is
  /// queued meanwhile goes out together in the next write — for WebSocket up to
  /// transport_config::max_message_bytes per message. Ignored after close() or abort().
  virtual void write(const std::uint8_t* data, std::size_t size) = 0;

  /// Orderly close: what is queued is written first, then the connection is shut down (a
  /// WebSocket close handshake; a TCP/TLS half-close and wait for the peer to close), bounded
  /// by `timeout`; then on_closed with a clear error code (or, if open had not finished,
  /// std::errc::operation_canceled).
  virtual void close(duration timeout) = 0;

  /// Immediate close, nothing more written and no callback afterwards.
  virtual void abort() = 0;

  virtual transport_stats stats() const = 0;
};

/// What a transport needs beyond its URL.
struct transport_config {
  tls_options tls;
  std::vector<string_pair> headers;  ///< WebSocket handshake headers.
  /// WebSocket: the most bytes coalesced into one message (0: no bound). A cut connection
  /// loses whole messages, so this bounds what a cut costs. A larger write goes alone.
  std::size_t max_message_bytes = 0;
};

/// Makes the transport for `url` (by scheme). Errors (no transport returned): the TLS files
/// of `config.tls` cannot be loaded (transport_errc::tls_*_invalid).
std::shared_ptr<transport> make_transport(const boost::asio::any_io_executor& ex,
                                          const endpoint_url& url,
                                          const transport_config& config, std::error_code& ec);

}  // namespace mqttws
