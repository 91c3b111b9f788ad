// A loopback WebSocket server (Boost.Beast) that records the upgrade request of the first
// client, accepts it with the "mqtt" subprotocol, answers the client's first message (its
// CONNECT) with the bytes the test scripts, then reads until the client closes. For tests of
// what the client puts in the upgrade request, which a broker accepts whatever it is.
// Header-only so that it adds no Beast translation unit; it runs on its own thread.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace mqttws::test {

class ws_recording_server {
 public:
  /// What the client sent in its upgrade request.
  struct upgrade_request {
    std::string target;  ///< The request target: path and query.
    std::string host;
    std::string subprotocol;  ///< Sec-WebSocket-Protocol as offered.
    std::vector<std::pair<std::string, std::string>> headers;  ///< Every field, in order.
  };

  /// Listens on 127.0.0.1 on a free port; `reply` goes out after the first client message.
  explicit ws_recording_server(std::string reply)
      : acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}), reply_(std::move(reply)) {
    thread_ = std::thread([this] { serve(); });
  }
  ~ws_recording_server() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    if (thread_.joinable()) thread_.join();
  }
  ws_recording_server(const ws_recording_server&) = delete;
  ws_recording_server& operator=(const ws_recording_server&) = delete;

  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  bool recorded() const { return recorded_.load(); }
  /// Valid once recorded() holds.
  upgrade_request request() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return request_;
  }

 private:
  void serve() {
    namespace beast = boost::beast;
    namespace websocket = beast::websocket;
    boost::system::error_code ec;
    boost::asio::ip::tcp::socket socket(io_);
    acceptor_.accept(socket, ec);
    if (ec) return;
    beast::flat_buffer buffer;
    beast::http::request<beast::http::string_body> req;
    beast::http::read(socket, buffer, req, ec);
    if (ec) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      request_.target = std::string(req.target());
      request_.host = std::string(req[beast::http::field::host]);
      request_.subprotocol = std::string(req[beast::http::field::sec_websocket_protocol]);
      for (const auto& f : req) {
        request_.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
      }
    }
    recorded_ = true;
    websocket::stream<boost::asio::ip::tcp::socket> ws(std::move(socket));
    ws.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(beast::http::field::sec_websocket_protocol, "mqtt");
    }));
    ws.accept(req, ec);
    if (ec) return;
    ws.binary(true);
    beast::flat_buffer message;
    ws.read(message, ec);
    if (ec) return;
    ws.write(boost::asio::buffer(reply_), ec);
    while (!ec) {
      message.clear();
      ws.read(message, ec);
    }
  }

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::string reply_;
  std::thread thread_;
  mutable std::mutex mutex_;
  upgrade_request request_;
  std::atomic<bool> recorded_{false};
};

}  // namespace mqttws::test
