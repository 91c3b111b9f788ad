// stream_transport's error paths, on each of its four stacks (mqtt, mqtts, ws, wss), against a
// real mosquitto on loopback: the stack's lowest layer is a failing_stream
// (tests/support/failing_stream.hpp) whose Nth read or write fails.
//
// What every test holds the transport to (transport.hpp): on_closed comes exactly once, with
// the error that ended the connection (clear for the end of a close() of ours, whatever failed
// in it); no callback comes after it; nothing hangs (each session is bounded); and once closed
// and released, the transport leaves no operation pending and nothing alive.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/error.hpp>

#include "failing_stream.hpp"
#include "mosquitto_suite.hpp"
#include "mqttws/codec.hpp"
#include "mqttws/endpoint_url.hpp"
#include "mqttws/stream_decoder.hpp"
#include "mqttws/transport.hpp"
#include "mqttws/transport_error.hpp"
#include "stream_transport.hpp"
#include "tls_context.hpp"

namespace mqttws::test {
namespace {

namespace asio = boost::asio;
namespace websocket = boost::beast::websocket;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

/// Where a session was when the injected failure came.
enum class phase { opening, open, closing, closed, aborted };

const char* to_string(phase p) {
  switch (p) {
    case phase::opening: return "opening";
    case phase::open: return "open";
    case phase::closing: return "closing";
    case phase::closed: return "closed";
    case phase::aborted: return "aborted";
  }
  return "?";
}

std::error_code code(boost::system::error_code e) { return e; }

/// The injected error: what a peer resetting the connection gives.
const std::error_code injected = code(asio::error::connection_reset);

/// A transport over the stack of `l`, with a failing_stream at the bottom.
struct failing_transport {
  std::shared_ptr<transport> t;
  failing_stream* lowest = nullptr;
};

template <bool Tls, bool Ws>
failing_transport make_on(const asio::any_io_executor& ex, const endpoint_url& url,
                          const transport_config& config) {
  std::shared_ptr<asio::ssl::context> tls;
  if constexpr (Tls) {
    std::error_code ec;
    tls = detail::make_tls_context(config.tls, ec);
    EXPECT_FALSE(ec) << ec.message();
  }
  auto t = std::make_shared<detail::stream_transport<Tls, Ws, failing_stream>>(ex, url, config,
                                                                                tls);
  failing_stream* lowest = &t->lowest_layer();
  return {std::move(t), lowest};
}

failing_transport make_failing(const asio::any_io_executor& ex, listener l,
                               const endpoint_url& url, const transport_config& config) {
  switch (l) {
    case listener::mqtt: return make_on<false, false>(ex, url, config);
    case listener::mqtts: return make_on<true, false>(ex, url, config);
    case listener::ws: return make_on<false, true>(ex, url, config);
    case listener::wss: return make_on<true, true>(ex, url, config);
    default: break;
  }
  ADD_FAILURE() << "no stack for " << to_string(l);
  return {};
}

/// What one session saw.
struct session_result {
  int opens = 0;
  int closes = 0;
  /// Callbacks after on_closed or abort(), or an on_open after close(): must stay 0.
  int after_close = 0;
  std::error_code ec;   ///< on_closed's.
  bool acknowledged = false;  ///< The PUBACK came: the session got through its publish.
  bool injected = false;      ///< The Nth operation came (and failed).
  phase injected_in = phase::opening;  ///< When the failure came back.
  bool injected_read = false;  ///< The failed operation was a read (else a write).
  bool bounded = true;   ///< on_closed came within the session's bound.
  bool drained = false;  ///< Once closed and released, io_context ran out of work.
  bool released = false;  ///< ... and the transport was destroyed.
  bool acted = false;     ///< session_options::act came.
  int opens_when_acted = 0;
};

/// What the test itself does to the transport while an operation is under way.
enum class act { none, close, abort };

struct session_options {
  std::size_t fail_at = 0;  ///< The operation that fails (0: none).
  boost::system::error_code fail_with = asio::error::connection_reset;  ///< Its error.
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;   ///< 0: the broker's listener.
  std::string ca_file;      ///< "": the broker's CA.
  duration close_timeout = 2s;
  /// Called once the PUBACK came, before close(): e.g. to pause the broker.
  std::function<void()> before_close;
  /// While operation act_at is under way (just after it began): close(close_timeout) or
  /// abort(). act_at 0: just after open(), while the host is resolved.
  act what = act::none;
  std::size_t act_at = 0;
};

class stream_transport_fail : public mosquitto_suite,
                              public ::testing::WithParamInterface<listener> {
 protected:
  static constexpr auto session_bound = 10s;

  std::string url_of(const session_options& o) const {
    if (o.port == 0 && o.host == "127.0.0.1") return broker().url(GetParam());
    const std::uint16_t port = o.port != 0 ? o.port : broker().port(GetParam());
    std::string scheme = to_string(GetParam());
    std::string url = scheme + "://" + o.host + ":" + std::to_string(port);
    if (GetParam() == listener::ws || GetParam() == listener::wss) url += "/";
    return url;
  }

  /// Opens, sends CONNECT, waits for CONNACK, publishes at QoS 1, waits for PUBACK, sends
  /// DISCONNECT and closes — the whole session failing at operation o.fail_at, if it gets there.
  session_result run_session(const session_options& o) {
    session_result r;
    asio::io_context io;
    endpoint_url url;
    EXPECT_FALSE(parse_url(url_of(o), url)) << url_of(o);
    transport_config config;
    config.tls.ca_file = o.ca_file.empty() ? broker().ca_file() : o.ca_file;
    failing_transport made = make_failing(io.get_executor(), GetParam(), url, config);
    if (!made.t) return r;

    phase now = phase::opening;
    auto count = std::make_shared<fail_count>(o.fail_at, o.fail_with);
    failing_stream* lowest = made.lowest;
    count->on_fire = [&](operation op) {
      r.injected = true;
      r.injected_read = op == operation::read;
      // The phase the failure comes back in (the stream posts it next): a write begun just
      // before close(), such as DISCONNECT's, fails in the close.
      asio::post(io, [&] { r.injected_in = now; });
    };
    lowest->attach(count);
    std::weak_ptr<transport> target = made.t;
    auto do_act = [&, target] {
      std::shared_ptr<transport> tp = target.lock();
      if (!tp || now == phase::closed || now == phase::aborted) return;
      r.acted = true;
      r.opens_when_acted = r.opens;
      if (o.what == act::close) {
        now = phase::closing;
        tp->close(o.close_timeout);
      } else {
        now = phase::aborted;
        tp->abort();
      }
    };
    count->on_operation = [&](operation, std::size_t k) {
      // Not from inside the layer's call: once the operation is under way.
      if (o.what != act::none && k == o.act_at) asio::post(io, do_act);
    };

    transport* t = made.t.get();
    // The packets hold views: what they point to lives as long as the session.
    const std::string topic = "fail/" + std::string(to_string(GetParam()));
    const std::string client_id = "fail-" + std::string(to_string(GetParam()));
    stream_decoder decoder(protocol_version::v311);
    auto send = [&](const auto& p) {
      std::vector<std::uint8_t> bytes;
      ASSERT_FALSE(encode(p, protocol_version::v311, bytes));
      t->write(bytes.data(), bytes.size());
    };

    transport_handlers h;
    auto over = [&] { return now == phase::closed || now == phase::aborted; };
    h.on_open = [&] {
      if (over() || now == phase::closing) return void(++r.after_close);
      ++r.opens;
      now = phase::open;
      mqttws::connect c;
      c.version = protocol_version::v311;
      c.client_id = client_id;
      c.username = mosquitto_fixture::user;
      c.password = mosquitto_fixture::password;
      send(c);
    };
    h.on_data = [&](const std::uint8_t* d, std::size_t n) {
      if (over()) return void(++r.after_close);
      decoder.feed(d, n);
      packet p;
      std::error_code e;
      while (decoder.next(p, e)) {
        if (type_of(p) == packet_type::connack) {
          mqttws::publish pub;
          pub.topic = topic;
          pub.payload = "payload";
          pub.qos = qos::at_least_once;
          pub.packet_id = 1;
          send(pub);
        } else if (type_of(p) == packet_type::puback && now == phase::open) {
          r.acknowledged = true;
          if (o.before_close) o.before_close();
          send(mqttws::disconnect{});
          now = phase::closing;
          t->close(o.close_timeout);
        }
      }
    };
    h.on_closed = [&](std::error_code e) {
      if (over()) return void(++r.after_close);
      ++r.closes;
      r.ec = e;
      now = phase::closed;
    };
    made.t->open(std::move(h));
    if (o.what != act::none && o.act_at == 0) do_act();

    const auto deadline = clock_type::now() + session_bound;
    while (!over() && clock_type::now() < deadline) {
      io.run_one_until(deadline);
    }
    r.bounded = over();
    if (!r.bounded) made.t->abort();  // a hung session: end it to see what else is wrong

    // Released, a closed transport must leave nothing behind: no operation, no owner.
    std::weak_ptr<transport> alive = made.t;
    made.t.reset();
    io.restart();
    io.run_for(2s);
    r.drained = io.stopped();
    r.released = alive.expired();
    return r;
  }

  static void expect_clean_end(const session_result& r) {
    EXPECT_TRUE(r.bounded) << "on_closed did not come within " << session_bound.count() << " s";
    EXPECT_EQ(r.closes, 1);
    EXPECT_LE(r.opens, 1);
    EXPECT_EQ(r.after_close, 0) << "a callback came after on_closed (or on_open after close())";
    EXPECT_TRUE(r.drained) << "operations still pending after the transport closed";
    EXPECT_TRUE(r.released) << "the closed transport is still owned";
  }

  /// The operations of a session vary a little from one to the next (TLS 1.3 session tickets
  /// come in one read or in two): a session over before its kth operation is run again, a few
  /// times, before k is taken to be past the end. Each of those must have been a whole session.
  template <class Reached>
  session_result run_reaching(const session_options& o, Reached reached) {
    session_result r;
    for (int attempt = 0; attempt < 4; ++attempt) {
      r = run_session(o);
      if (reached(r)) break;
      expect_clean_end(r);
      EXPECT_TRUE(r.acknowledged);
      EXPECT_EQ(r.ec, std::error_code()) << r.ec.message();
    }
    return r;
  }

  /// Sweeps k = 1, 2, 3, ... over the operations of a whole session, doing `what` while the
  /// kth is under way; `check` judges each session. Returns how many sessions it ran.
  template <class Check>
  std::size_t sweep(act what, Check check) {
    constexpr std::size_t most = 200;
    std::size_t k = 1;
    for (; k <= most; ++k) {
      session_options o;
      o.what = what;
      o.act_at = k;
      o.close_timeout = 1s;
      SCOPED_TRACE("operation " + std::to_string(k));
      const session_result r = run_reaching(o, [](const session_result& s) { return s.acted; });
      if (!r.acted) break;  // the session is over before its kth operation
      check(r);
      if (::testing::Test::HasFailure()) break;
    }
    EXPECT_LE(k, most) << "the session never got through";
    return k;
  }
};

// ---- the failing stream itself ----------------------------------------------------------------

// Only the Nth operation fails, without I/O and not inside its initiating call; the others are
// the socket's own.
TEST(failing_stream, FailsItsNthOperationOnlyAndPassesTheOthersThrough) {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  asio::ip::tcp::socket peer(io);
  failing_stream s(io.get_executor());
  auto count = std::make_shared<fail_count>(2);
  std::vector<operation> fired;
  count->on_fire = [&](operation op) { fired.push_back(op); };
  s.attach(count);
  acceptor.async_accept(peer, [](boost::system::error_code) {});
  bool connected = false;
  const std::string port = std::to_string(acceptor.local_endpoint().port());
  s.async_connect(asio::ip::tcp::resolver(io).resolve("127.0.0.1", port),
                  [&](boost::system::error_code ec, const asio::ip::tcp::endpoint&) {
                    connected = !ec;
                  });
  io.run_for(2s);
  ASSERT_TRUE(connected);
  EXPECT_EQ(count->operations(), 0u);  // connecting is not counted

  std::vector<boost::system::error_code> results;
  std::array<char, 2> out{'o', 'k'};
  std::array<char, 8> in{};
  auto record = [&](boost::system::error_code ec, std::size_t) { results.push_back(ec); };
  s.async_write_some(asio::buffer(out), record);  // 1: written
  s.async_read_some(asio::buffer(in), record);    // 2: fails
  EXPECT_TRUE(results.empty());                    // ... not inside the call
  io.restart();
  io.run_for(200ms);
  s.async_read_some(asio::buffer(in), record);  // 3: reads what the peer sends
  asio::write(peer, asio::buffer("hi", 2));
  io.restart();
  io.run_for(2s);

  ASSERT_EQ(results.size(), 3u);
  EXPECT_FALSE(results[0]);
  EXPECT_EQ(results[1], asio::error::connection_reset);
  EXPECT_FALSE(results[2]);
  EXPECT_EQ(std::string(in.data(), 2), "hi");
  EXPECT_EQ(fired, std::vector<operation>{operation::read});
  std::array<char, 2> got{};
  asio::read(peer, asio::buffer(got));
  EXPECT_EQ(std::string(got.data(), 2), "ok");
  EXPECT_EQ(count->operations(), 3u);
}

// ---- the session itself -----------------------------------------------------------------------

TEST_P(stream_transport_fail, AWholeSessionOverTheFailingStreamEndsInAnOrderlyClose) {
  const session_result r = run_session({});
  expect_clean_end(r);
  EXPECT_FALSE(r.injected);
  EXPECT_EQ(r.opens, 1);
  EXPECT_TRUE(r.acknowledged);
  EXPECT_EQ(r.ec, std::error_code()) << r.ec.message();
}

// ---- every read and write failing, one after another ------------------------------------------

// For N = 1, 2, 3, ... until the session gets through without its Nth operation: the Nth read
// or write fails. Opening (TLS and WebSocket handshakes) or open, the transport reports that
// failure; closing, the failure is the close itself, which ends cleanly.
TEST_P(stream_transport_fail, EachFailedReadOrWriteIsReportedOnceWithItsError) {
  constexpr std::size_t most = 200;
  std::size_t n = 1;
  int opening = 0, open = 0, closing = 0, reads = 0, writes = 0;
  for (; n <= most; ++n) {
    session_options o;
    o.fail_at = n;
    SCOPED_TRACE("operation " + std::to_string(n));
    const session_result r = run_reaching(o, [](const session_result& s) { return s.injected; });
    if (!r.injected) break;  // the session is over before its nth operation
    SCOPED_TRACE(std::string(r.injected_read ? "a read" : "a write") + " failing while " +
                 to_string(r.injected_in));
    expect_clean_end(r);
    (r.injected_read ? reads : writes)++;
    if (r.injected_in == phase::closing) {
      // A close of ours: whatever fails in it, the close ends cleanly.
      ++closing;
      EXPECT_TRUE(r.acknowledged);
      EXPECT_EQ(r.ec, std::error_code()) << r.ec.message();
    } else {
      // Opening or open: the failure is what ended the connection.
      EXPECT_NE(r.injected_in, phase::closed) << "an operation after on_closed";
      (r.injected_in == phase::opening ? opening : open)++;
      EXPECT_EQ(r.opens, r.injected_in == phase::opening ? 0 : 1);
      EXPECT_EQ(r.ec, injected) << r.ec.message();
    }
    if (::testing::Test::HasFailure()) break;  // one broken N says enough
  }
  EXPECT_LE(n, most) << "the session never got through";
  // Every phase was failed in, by reads and by writes.
  const bool handshakes = GetParam() != listener::mqtt;
  if (handshakes) {
    EXPECT_GT(opening, 0);
  }
  EXPECT_GT(open, 0);
  EXPECT_GT(closing, 0);
  EXPECT_GT(reads, 0);
  EXPECT_GT(writes, 0);
  std::cout << "[          ] " << to_string(GetParam()) << ": " << (n - 1)
            << " operations failed in turn: " << opening << " opening, " << open << " open, "
            << closing << " closing (" << reads << " reads, " << writes << " writes)\n";
}

// A read ending the stream (the peer gone without a word: no TLS close_notify, no WebSocket
// close frame) is reported as such: end of file, or over TLS the stream truncated; in the
// WebSocket handshake, the HTTP response's end of stream.
TEST_P(stream_transport_fail, EachReadEndingTheStreamIsReportedAsThePeerGoing) {
  const bool tls = GetParam() == listener::mqtts || GetParam() == listener::wss;
  const std::error_code truncated = code(asio::ssl::error::stream_truncated);
  const std::error_code opening = tls ? truncated : code(boost::beast::http::error::end_of_stream);
  const std::error_code open = tls ? truncated : code(asio::error::eof);
  int reads = 0;
  std::size_t n = 1;
  for (; n <= 200; ++n) {
    session_options o;
    o.fail_at = n;
    o.fail_with = asio::error::eof;
    SCOPED_TRACE("operation " + std::to_string(n));
    const session_result r = run_reaching(o, [](const session_result& s) { return s.injected; });
    if (!r.injected) break;
    expect_clean_end(r);
    if (!r.injected_read) continue;  // a write does not end in end of file
    ++reads;
    SCOPED_TRACE(std::string("while ") + to_string(r.injected_in));
    switch (r.injected_in) {
      case phase::opening: EXPECT_EQ(r.ec, opening) << r.ec.message(); break;
      case phase::open: EXPECT_EQ(r.ec, open) << r.ec.message(); break;
      case phase::closing: EXPECT_EQ(r.ec, std::error_code()) << r.ec.message(); break;
      default: ADD_FAILURE() << to_string(r.injected_in); break;
    }
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_LE(n, 200u);
  EXPECT_GT(reads, 0);
}

// ---- close() and abort() at any point ---------------------------------------------------------

// close() while each read or write is under way: before on_open, the open ends with
// operation_canceled (and on_open never comes); after it, the close is an orderly one.
TEST_P(stream_transport_fail, ACloseAtAnyPointEndsOnceCanceledIfNotYetOpenElseCleanly) {
  int canceled = 0, clean = 0;
  sweep(act::close, [&](const session_result& r) {
    expect_clean_end(r);
    EXPECT_EQ(r.opens, r.opens_when_acted) << "on_open after close()";
    if (r.opens_when_acted == 0) {
      ++canceled;
      EXPECT_EQ(r.ec, std::make_error_code(std::errc::operation_canceled)) << r.ec.message();
    } else {
      ++clean;
      EXPECT_EQ(r.ec, std::error_code()) << r.ec.message();
    }
  });
  // mqtt:// has no handshake: its first operation is already the open connection's.
  if (GetParam() != listener::mqtt) {
    EXPECT_GT(canceled, 0);
  }
  EXPECT_GT(clean, 0);
}

// Before any read or write: right after open(), while the host is resolved.
TEST_P(stream_transport_fail, ACloseWhileResolvingEndsWithOperationCanceled) {
  session_options o;
  o.what = act::close;
  const session_result r = run_session(o);
  EXPECT_TRUE(r.acted);
  expect_clean_end(r);
  EXPECT_EQ(r.opens, 0);
  EXPECT_EQ(r.ec, std::make_error_code(std::errc::operation_canceled)) << r.ec.message();
}

// abort() while each read or write is under way: no callback at all afterwards, nothing left.
TEST_P(stream_transport_fail, AnAbortAtAnyPointStopsEveryCallbackAndLeavesNothing) {
  sweep(act::abort, [](const session_result& r) {
    EXPECT_TRUE(r.bounded);
    EXPECT_EQ(r.closes, 0);
    EXPECT_EQ(r.after_close, 0) << "a callback came after abort()";
    EXPECT_TRUE(r.drained) << "operations still pending after abort()";
    EXPECT_TRUE(r.released) << "the aborted transport is still owned";
  });
}

// ---- failures of the network, not injected ----------------------------------------------------

// A name the resolver refuses by itself — a label longer than 63 bytes (RFC 1035 2.3.4) — so
// that no query leaves the host.
TEST_P(stream_transport_fail, AnUnresolvableHostIsReportedAsHostNotFound) {
  session_options o;
  o.host = std::string(64, 'x') + ".invalid";
  o.port = 1883;
  const session_result r = run_session(o);
  expect_clean_end(r);
  EXPECT_EQ(r.opens, 0);
  EXPECT_EQ(r.ec, code(asio::error::host_not_found)) << r.ec.message();
}

TEST_P(stream_transport_fail, AClosedPortIsReportedAsConnectionRefused) {
  session_options o;
  o.port = free_loopback_port();
  const session_result r = run_session(o);
  expect_clean_end(r);
  EXPECT_EQ(r.opens, 0);
  EXPECT_EQ(r.ec, code(asio::error::connection_refused)) << r.ec.message();
}

// The broker stops answering once the publish is acknowledged: the close's wait for the peer
// is bounded by close()'s timeout, and ends cleanly.
TEST_P(stream_transport_fail, ACloseThePeerNeverAnswersEndsCleanlyAtItsTimeout) {
  session_options o;
  o.close_timeout = 300ms;
  clock_type::time_point closing{};
  o.before_close = [&] {
    broker().pause();
    closing = clock_type::now();
  };
  session_result r = run_session(o);
  const auto took = clock_type::now() - closing;
  broker().resume();
  expect_clean_end(r);
  EXPECT_TRUE(r.acknowledged);
  EXPECT_EQ(r.ec, std::error_code()) << r.ec.message();
  EXPECT_GE(took, 300ms);
}

INSTANTIATE_TEST_SUITE_P(all, stream_transport_fail,
                         ::testing::Values(listener::mqtt, listener::mqtts, listener::ws,
                                           listener::wss),
                         [](const auto& param_info) {
                           return std::string(to_string(param_info.param));
                         });

// A loopback server for what a broker does not do: it takes one connection (TLS first, if
// given a context), reads the WebSocket upgrade request, answers it as told, then reads until
// the client goes. It runs on a thread of its own.
class upgrade_server {
 public:
  enum class answer {
    without_subprotocol,  ///< 101 Switching Protocols with no Sec-WebSocket-Protocol.
    not_found,            ///< 404 Not Found: no upgrade.
  };

  upgrade_server(answer a, asio::ssl::context* tls)
      : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}), answer_(a), tls_(tls) {
    acceptor_.async_accept([this](boost::system::error_code ec, asio::ip::tcp::socket s) {
      if (!ec) serve(std::move(s));
    });
    thread_ = std::thread([this] { io_.run(); });
  }
  ~upgrade_server() {
    asio::post(io_, [this] {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
    });
    thread_.join();
  }
  upgrade_server(const upgrade_server&) = delete;
  upgrade_server& operator=(const upgrade_server&) = delete;

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  void serve(asio::ip::tcp::socket socket) {
    if (tls_ == nullptr) return answer_on(socket);
    asio::ssl::stream<asio::ip::tcp::socket> s(std::move(socket), *tls_);
    boost::system::error_code ec;
    s.handshake(asio::ssl::stream_base::server, ec);
    if (!ec) answer_on(s);
  }

  template <class Stream>
  void answer_on(Stream& s) {
    namespace http = boost::beast::http;
    boost::system::error_code ec;
    boost::beast::flat_buffer buffer;
    http::request<http::string_body> req;
    http::read(s, buffer, req, ec);
    if (ec) return;
    if (answer_ == answer::without_subprotocol) {
      websocket::stream<Stream&> ws(s);
      ws.accept(req, ec);
    } else {
      http::response<http::string_body> res(http::status::not_found, req.version());
      res.body() = "no WebSocket here";
      res.prepare_payload();
      http::write(s, res, ec);
    }
    char sink[256];
    while (!ec) s.read_some(asio::buffer(sink), ec);
  }

  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  answer answer_;
  asio::ssl::context* tls_;
  std::thread thread_;
};

// ---- handshakes that fail for real -------------------------------------------------------------

class stream_transport_tls_fail : public stream_transport_fail {};

TEST_P(stream_transport_tls_fail, AServerCertificateOfAnotherCaIsRejected) {
  session_options o;
  o.ca_file = broker().wrong_ca_file();
  const session_result r = run_session(o);
  expect_clean_end(r);
  EXPECT_EQ(r.opens, 0);
  EXPECT_EQ(r.ec, make_error_code(transport_errc::tls_certificate_rejected)) << r.ec.message();
}

INSTANTIATE_TEST_SUITE_P(tls, stream_transport_tls_fail,
                         ::testing::Values(listener::mqtts, listener::wss),
                         [](const auto& param_info) {
                           return std::string(to_string(param_info.param));
                         });

class stream_transport_ws_fail : public stream_transport_fail {
 protected:
  /// The server's TLS context for wss (the test PKI's certificate for 127.0.0.1), else null.
  asio::ssl::context* server_tls() {
    if (GetParam() != listener::wss) return nullptr;
    if (!tls_) {
      tls_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
      tls_->use_certificate_chain_file(pki().server_cert);
      tls_->use_private_key_file(pki().server_key, asio::ssl::context::pem);
    }
    return tls_.get();
  }

 private:
  std::unique_ptr<asio::ssl::context> tls_;
};

TEST_P(stream_transport_ws_fail, AnUpgradeAcceptedWithoutTheMqttSubprotocolIsRejected) {
  upgrade_server server(upgrade_server::answer::without_subprotocol, server_tls());
  session_options o;
  o.port = server.port();
  const session_result r = run_session(o);
  expect_clean_end(r);
  EXPECT_EQ(r.opens, 0);
  EXPECT_EQ(r.ec, make_error_code(transport_errc::websocket_subprotocol_rejected))
      << r.ec.message();
}

TEST_P(stream_transport_ws_fail, AnUpgradeAnsweredWithoutSwitchingProtocolsIsDeclined) {
  upgrade_server server(upgrade_server::answer::not_found, server_tls());
  session_options o;
  o.port = server.port();
  const session_result r = run_session(o);
  expect_clean_end(r);
  EXPECT_EQ(r.opens, 0);
  EXPECT_EQ(r.ec, code(websocket::error::upgrade_declined)) << r.ec.message();
}

INSTANTIATE_TEST_SUITE_P(ws, stream_transport_ws_fail,
                         ::testing::Values(listener::ws, listener::wss),
                         [](const auto& param_info) {
                           return std::string(to_string(param_info.param));
                         });

}  // namespace
}  // namespace mqttws::test
