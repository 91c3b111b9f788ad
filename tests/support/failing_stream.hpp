// mqttws tests — a stream that fails on purpose: a beast::tcp_stream whose Nth read or write
// (async_read_some / async_write_some, counted together from 1) completes with a chosen error
// instead of doing I/O. Put at the bottom of a stack — ssl_stream<failing_stream>,
// websocket::stream<failing_stream>, websocket::stream<ssl_stream<failing_stream>> — it fails
// each layer above it where a real network would: in a TLS or WebSocket handshake, mid-stream,
// or in a close.
//
//   auto count = std::make_shared<fail_count>(3);        // the 3rd operation fails
//   stream.attach(count);                                 // (none attached: never fails)
//   ... run ...
//   count->fired();                                       // did it get that far?
//
// Like Beast's test::fail_count, but over a real socket: the operations before the Nth (and
// after it, if the layers above go on) are real reads and writes of a loopback connection.
// Connecting, resolving and the socket's own calls (shutdown, close) are not counted.
//
// Header-only, so that it adds no Beast translation unit to the support library.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/teardown.hpp>

namespace mqttws::test {

/// What a failing_stream counts.
enum class operation { read, write };

/// Counts operations; the Nth one fails with `error`. Shared by the test and the stream.
class fail_count {
 public:
  /// n = 0: no operation fails (only counted).
  explicit fail_count(std::size_t n,
                      boost::system::error_code error = boost::asio::error::connection_reset)
      : n_(n), error_(error) {}

  /// Counts one operation. True (and `ec` set) if it is the one that fails.
  bool fail(operation op, boost::system::error_code& ec) {
    ++count_;
    if (on_operation) on_operation(op, count_);
    if (count_ != n_) return false;
    fired_ = true;
    ec = error_;
    if (on_fire) on_fire(op);
    return true;
  }

  std::size_t operations() const noexcept { return count_; }  ///< Counted so far.
  bool fired() const noexcept { return fired_; }               ///< The Nth came.
  const boost::system::error_code& error() const noexcept { return error_; }

  /// Called when the Nth operation comes, before it completes (e.g. to note the phase).
  std::function<void(operation)> on_fire;
  /// Called for every operation as it begins, with its number (from 1); before on_fire.
  std::function<void(operation, std::size_t)> on_operation;

 private:
  std::size_t n_;
  boost::system::error_code error_;
  std::size_t count_ = 0;
  bool fired_ = false;
};

/// A beast::tcp_stream with a fail_count. It has no next_layer(): beast::get_lowest_layer of a
/// stack over it is this stream, which offers what callers use of a tcp_stream (socket(),
/// async_connect, expires_never).
class failing_stream {
 public:
  using executor_type = boost::beast::tcp_stream::executor_type;
  using socket_type = boost::beast::tcp_stream::socket_type;
  /// For asio::ssl::stream, which asks its next layer for the lowest one.
  using lowest_layer_type = socket_type;

  explicit failing_stream(const executor_type& ex) : inner_(ex) {}

  /// Starts counting this stream's operations with `count` (nullptr: never fail).
  void attach(std::shared_ptr<fail_count> count) { count_ = std::move(count); }

  executor_type get_executor() noexcept { return inner_.get_executor(); }
  socket_type& socket() noexcept { return inner_.socket(); }
  lowest_layer_type& lowest_layer() noexcept { return inner_.socket(); }
  const lowest_layer_type& lowest_layer() const noexcept { return inner_.socket(); }
  boost::beast::tcp_stream& tcp() noexcept { return inner_; }

  void expires_never() { inner_.expires_never(); }

  template <class EndpointSequence, class Handler>
  auto async_connect(const EndpointSequence& endpoints, Handler&& handler) {
    return inner_.async_connect(endpoints, std::forward<Handler>(handler));
  }

  template <class MutableBuffers, class Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    return boost::asio::async_initiate<Handler, void(boost::system::error_code, std::size_t)>(
        [this](auto h, const MutableBuffers& b) {
          boost::system::error_code ec;
          if (count_ && count_->fail(operation::read, ec)) return complete(std::move(h), ec);
          inner_.async_read_some(b, std::move(h));
        },
        handler, buffers);
  }

  template <class ConstBuffers, class Handler>
  auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    return boost::asio::async_initiate<Handler, void(boost::system::error_code, std::size_t)>(
        [this](auto h, const ConstBuffers& b) {
          boost::system::error_code ec;
          if (count_ && count_->fail(operation::write, ec)) return complete(std::move(h), ec);
          inner_.async_write_some(b, std::move(h));
        },
        handler, buffers);
  }

 private:
  // Completes the failed operation as an I/O object does: never inside the initiating call,
  // on the handler's own executor, with nothing transferred.
  template <class Handler>
  void complete(Handler h, boost::system::error_code ec) {
    boost::asio::post(inner_.get_executor(),
                      boost::beast::bind_front_handler(std::move(h), ec, std::size_t{0}));
  }

  boost::beast::tcp_stream inner_;
  std::shared_ptr<fail_count> count_;
};

// The customisation points a WebSocket stream over this one needs (found by ADL): closing the
// socket, and the TCP teardown after the closing handshake — that of the tcp_stream, uncounted.

inline void beast_close_socket(failing_stream& s) {
  boost::system::error_code ignored;
  s.socket().close(ignored);
}

inline void teardown(boost::beast::role_type role, failing_stream& s,
                     boost::system::error_code& ec) {
  using boost::beast::websocket::teardown;
  teardown(role, s.socket(), ec);
}

template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, failing_stream& s, TeardownHandler&& handler) {
  using boost::beast::websocket::async_teardown;
  async_teardown(role, s.socket(), std::forward<TeardownHandler>(handler));
}

}  // namespace mqttws::test
