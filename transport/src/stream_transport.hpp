// Internal: the one transport implementation, over the four stream stacks
//   mqtt://   tcp_stream
//   mqtts://  ssl_stream<tcp_stream>
//   ws://     websocket::stream<tcp_stream>
//   wss://    websocket::stream<ssl_stream<tcp_stream>>
// Each stack is instantiated in its own translation unit (*_transport.cpp), so the heavy
// templates compile in parallel and once.
//
// Lowest is the byte layer at the bottom of each stack: beast::tcp_stream in the library. A test
// may put a stream of its own there (tests/support/failing_stream.hpp) that behaves as a
// tcp_stream towards this class: socket(), async_connect(results, handler), expires_never(),
// and the Asio stream concepts for the layers above it.
#pragma once

#include <array>
#include <deque>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "mqttws/protocol.hpp"
#include "mqttws/transport.hpp"
#include "mqttws/transport_error.hpp"
#include "stream_transports.hpp"

namespace mqttws::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;

template <bool Tls, bool Ws, class Lowest = beast::tcp_stream>
class stream_transport final
    : public transport,
      public std::enable_shared_from_this<stream_transport<Tls, Ws, Lowest>> {
  using tls_layer = beast::ssl_stream<Lowest>;
  using byte_layer = std::conditional_t<Tls, tls_layer, Lowest>;
  using stream_type = std::conditional_t<Ws, websocket::stream<byte_layer>, byte_layer>;

 public:
  stream_transport(const asio::any_io_executor& ex, endpoint_url url, transport_config config,
                   std::shared_ptr<asio::ssl::context> tls)
      : url_(std::move(url)),
        config_(std::move(config)),
        tls_(std::move(tls)),
        resolver_(ex),
        close_timer_(ex),
        stream_(make_stream(ex, tls_.get())) {}

  void open(transport_handlers handlers) override {
    handlers_ = std::move(handlers);
    resolver_.async_resolve(
        url_.host, std::to_string(url_.port), asio::ip::tcp::resolver::numeric_service,
        [self = this->shared_from_this()](boost::system::error_code ec,
                                          asio::ip::tcp::resolver::results_type results) {
          self->on_resolved(ec, results);
        });
  }

  void write(const std::uint8_t* data, std::size_t size) override {
    if (closing_ || done_ || size == 0) return;
    if (!writing_ && open_) {
      current_.assign(data, data + size);
      start_write();
    } else {
      queue(data, size);
    }
  }

  void close(duration timeout) override {
    if (closing_ || done_) return;
    closing_ = true;
    if (!open_) {
      // Still opening: nothing to say goodbye to. The pending step fails and reports.
      cancel_all();
      return;
    }
    close_timer_.expires_after(timeout);
    close_timer_.async_wait([self = this->shared_from_this()](boost::system::error_code ec) {
      if (!ec && !self->done_) self->finish({});  // the peer took too long: just close
    });
    if (!writing_) {
      if (!pending_.empty()) {
        next_write();
      } else {
        start_shutdown();
      }
    }
  }

  void abort() override {
    if (done_) return;
    done_ = true;
    handlers_ = {};
    cancel_all();
  }

  transport_stats stats() const override { return stats_; }

  /// The bottom of the stack (for tests that put a stream of their own there).
  Lowest& lowest_layer() noexcept { return lowest(); }

 private:
  static stream_type make_stream(const asio::any_io_executor& ex, asio::ssl::context* tls) {
    if constexpr (Tls) {
      return stream_type(ex, *tls);
    } else {
      (void)tls;
      return stream_type(ex);
    }
  }

  static std::error_code aborted() { return std::make_error_code(std::errc::operation_canceled); }

  Lowest& lowest() noexcept { return beast::get_lowest_layer(stream_); }

  tls_layer& tls_stream() {
    if constexpr (Ws) {
      return stream_.next_layer();
    } else {
      return stream_;
    }
  }

  void cancel_all() {
    resolver_.cancel();
    close_timer_.cancel();
    boost::system::error_code ignored;
    lowest().socket().close(ignored);
  }

  // Ends the transport and tells the driver, once.
  void finish(std::error_code ec) {
    if (done_) return;
    done_ = true;
    cancel_all();
    transport_handlers h = std::move(handlers_);
    handlers_ = {};
    if (h.on_closed) h.on_closed(ec);
  }

  void fail(std::error_code ec) {
    if (closing_) {
      // Errors while closing are the close itself (the peer went first, or we cancelled).
      finish(open_ ? std::error_code() : aborted());
    } else {
      finish(ec);
    }
  }

  void on_resolved(boost::system::error_code ec,
                   const asio::ip::tcp::resolver::results_type& results) {
    if (done_) return;
    if (ec) return fail(ec);
    if (closing_) return fail(aborted());
    lowest().async_connect(
        results, [self = this->shared_from_this()](boost::system::error_code e,
                                                   const asio::ip::tcp::endpoint&) {
          self->on_connected(e);
        });
  }

  void on_connected(boost::system::error_code ec) {
    if (done_) return;
    if (ec) return fail(ec);
    boost::system::error_code ignored;
    // MQTT packets are small and latency matters: no Nagle delay. Coalescing is done above.
    lowest().socket().set_option(asio::ip::tcp::no_delay(true), ignored);
    if constexpr (Tls) {
      start_tls();
    } else {
      after_tls();
    }
  }

  void start_tls() {
    tls_layer& s = tls_stream();
    boost::system::error_code ec;
    asio::ip::make_address(url_.host, ec);
    const bool host_is_ip = !ec;
    // SNI carries names only (RFC 6066 3).
    if (!host_is_ip && SSL_set_tlsext_host_name(s.native_handle(), url_.host.c_str()) != 1) {
      return fail(boost::system::error_code(static_cast<int>(::ERR_get_error()),
                                            asio::error::get_ssl_category()));
    }
    if (config_.tls.insecure) {
      s.set_verify_mode(asio::ssl::verify_none);
    } else {
      s.set_verify_mode(asio::ssl::verify_peer);
      s.set_verify_callback(asio::ssl::host_name_verification(url_.host));
    }
    s.async_handshake(asio::ssl::stream_base::client,
                      [self = this->shared_from_this()](boost::system::error_code e) {
                        self->on_tls_handshake(e);
                      });
  }

  void on_tls_handshake(boost::system::error_code ec) {
    if (done_) return;
    if (ec) {
      if (ec.category() == asio::error::get_ssl_category() &&
          ERR_GET_REASON(static_cast<unsigned long>(ec.value())) ==
              SSL_R_CERTIFICATE_VERIFY_FAILED) {
        return fail(transport_errc::tls_certificate_rejected);
      }
      return fail(ec);
    }
    after_tls();
  }

  void after_tls() {
    if (closing_) return fail(aborted());
    if constexpr (Ws) {
      start_websocket();
    } else {
      opened();
    }
  }

  void start_websocket() {
    // The session bounds the opening handshake (connect timeout) and the connection
    // (keepalive); close() bounds the closing one. No timeouts of Beast's own.
    beast::get_lowest_layer(stream_).expires_never();
    stream_.set_option(websocket::stream_base::timeout{
        websocket::stream_base::none(), websocket::stream_base::none(), false});
    stream_.set_option(websocket::stream_base::decorator(
        [headers = config_.headers](websocket::request_type& req) {
          req.set(beast::http::field::sec_websocket_protocol, "mqtt");
          req.set(beast::http::field::user_agent, "mqttws");
          for (const string_pair& h : headers) req.insert(h.first, h.second);
        }));
    stream_.read_message_max(std::size_t{max_packet_size} + 16);
    stream_.auto_fragment(false);
    stream_.binary(true);
    std::string host = url_.host.find(':') != std::string::npos ? "[" + url_.host + "]"
                                                                 : url_.host;
    host += ":" + std::to_string(url_.port);
    stream_.async_handshake(response_, host, url_.path,
                            [self = this->shared_from_this()](boost::system::error_code e) {
                              self->on_websocket_handshake(e);
                            });
  }

  void on_websocket_handshake(boost::system::error_code ec) {
    if (done_) return;
    if (ec) return fail(ec);
    if constexpr (Ws) {
      if (response_[beast::http::field::sec_websocket_protocol] != "mqtt") {
        return fail(transport_errc::websocket_subprotocol_rejected);
      }
    }
    if (closing_) return fail(aborted());
    opened();
  }

  void opened() {
    open_ = true;
    start_read();
    if (!pending_.empty() && !writing_) next_write();
    if (handlers_.on_open) handlers_.on_open();
  }

  void start_read() {
    if (!read_buffer_) read_buffer_.reset(new std::uint8_t[read_buffer_size_]);
    stream_.async_read_some(
        asio::buffer(read_buffer_.get(), read_buffer_size_),
        [self = this->shared_from_this()](boost::system::error_code ec, std::size_t n) {
          self->on_read(ec, n);
        });
  }

  void on_read(boost::system::error_code ec, std::size_t n) {
    if (done_) return;
    if (n > 0 && !closing_) {
      stats_.bytes_read += n;
      if (handlers_.on_data) handlers_.on_data(read_buffer_.get(), n);
      if (done_) return;  // the driver aborted us from inside the callback
      // A read that filled the buffer says more was waiting: read more at a time from now on.
      if (n == read_buffer_size_ && read_buffer_size_ < max_read_buffer_size) {
        read_buffer_size_ *= 2;
        read_buffer_.reset();
      }
    }
    if (ec) {
      if (closing_) {
        // TCP/TLS: the peer closed after our half-close. WebSocket: the close handshake's
        // own completion reports.
        if constexpr (!Ws) finish({});
        return;
      }
      return fail(ec);
    }
    start_read();
  }

  // Write coalescing: what is queued during a write goes out together in the next one — up
  // to config_.max_message_bytes per WebSocket message (a TCP stream has no messages to
  // bound: coalesced whole). A single larger write is sent alone.
  void queue(const std::uint8_t* data, std::size_t size) {
    const std::size_t limit = Ws ? config_.max_message_bytes : 0;
    if (pending_.empty() || (limit != 0 && pending_.back().size() + size > limit)) {
      pending_.emplace_back();
    }
    pending_.back().insert(pending_.back().end(), data, data + size);
  }
  void next_write() {
    current_ = std::move(pending_.front());
    pending_.pop_front();
    start_write();
  }

  void start_write() {
    writing_ = true;
    stats_.writes++;
    stats_.bytes_written += current_.size();
    auto done = [self = this->shared_from_this()](boost::system::error_code ec, std::size_t) {
      self->on_write(ec);
    };
    if constexpr (Ws) {
      stream_.async_write(asio::buffer(current_), std::move(done));
    } else {
      asio::async_write(stream_, asio::buffer(current_), std::move(done));
    }
  }

  void on_write(boost::system::error_code ec) {
    writing_ = false;
    if (done_) return;
    if (ec) return fail(ec);
    if (!pending_.empty()) {
      next_write();
    } else if (closing_) {
      start_shutdown();
    }
  }

  void start_shutdown() {
    if constexpr (Ws) {
      stream_.async_close(websocket::close_code::normal,
                          [self = this->shared_from_this()](boost::system::error_code) {
                            self->finish({});
                          });
    } else {
      // Half-close, then wait for the peer's end of stream (on_read), bounded by the timer.
      boost::system::error_code ignored;
      lowest().socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    }
  }

  endpoint_url url_;
  transport_config config_;
  std::shared_ptr<asio::ssl::context> tls_;
  asio::ip::tcp::resolver resolver_;
  asio::steady_timer close_timer_;
  stream_type stream_;
  transport_handlers handlers_;
  beast::websocket::response_type response_;
  // Adaptive: a connection starts reading 2 KiB at a time and doubles the buffer whenever a
  // read fills it, up to 64 KiB — an idle connection holds 2 KiB, a busy one reads in large
  // chunks (one system call per 64 KiB). Not value-initialised: nothing reads it before a
  // read has written it.
  static constexpr std::size_t max_read_buffer_size = 65536;
  std::size_t read_buffer_size_ = 2048;
  std::unique_ptr<std::uint8_t[]> read_buffer_;
  std::vector<std::uint8_t> current_;  // being written
  std::deque<std::vector<std::uint8_t>> pending_;  // queued meanwhile, one entry per write
  bool open_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool done_ = false;
  transport_stats stats_;
};

template <bool Tls, bool Ws>
std::shared_ptr<transport> make_stream_transport(const asio::any_io_executor& ex,
                                                 const endpoint_url& url,
                                                 const transport_config& config,
                                                 tls_context_ptr tls) {
  return std::make_shared<stream_transport<Tls, Ws>>(ex, url, config, std::move(tls));
}

}  // namespace mqttws::detail
