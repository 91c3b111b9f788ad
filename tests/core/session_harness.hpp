// The session test harness: a virtual clock and a scripted broker that drives one
// mqttws::session the way a real driver does, so whole protocol conversations (and hours of
// keepalive or backoff) run deterministically in microseconds — natively and under node.
//
// ------------------------------------------------------------------------------------------
// Quick tour
//
//   session_options o = test_options();          // one endpoint, jitter 0, "test-client"
//   scripted_broker b(o);                         // owns the session and a virtual clock
//   b.connect_ok();                               // connect() → open → CONNECT → CONNACK →
//                                                 // connected_event, all asserted
//   operation_id id = expect_id(b.publish("a/b", "hi", qos::at_least_once));
//   sent<publish> p = b.expect<publish>();        // the next packet the client sent
//   EXPECT_EQ(p->topic, "a/b");
//   b.send(puback{p->packet_id});                 // the broker answers (alias: reply())
//   auto done = b.next_event<operation_event>();  // the next event, type asserted
//   EXPECT_EQ(done.id, id);
//   b.no_more_packets();
//   b.no_more_events();
//
// Rules of the harness
// - Every input (a command, a packet from the broker, transport open/close, a timeout) is
//   followed by pump(): it drains poll_transmit(), cuts the bytes into whole packets (however
//   they were coalesced) and queues them decoded ("sent by the client"), records
//   poll_transport_action(), and queues poll_event(). Tests then assert on those queues, in
//   order. Bytes transmitted while no transport is open, or malformed, fail the test.
// - The clock only moves when the test says so: advance(d) honours every next_timeout() in
//   the interval in order, advance_to_next_timeout() jumps to the next one.
// - Commands are forwarded with the virtual clock's time: b.publish(...), b.subscribe(...),
//   ... Call b.session() directly only for what the harness does not wrap, then b.pump().
// - Packets the client sent are kept as owned copies (sent<P> / sent_packet): their views
//   stay valid as long as the object (or a copy) lives, whatever the harness does afterwards.
//   Keep it alive while you use views taken from it (e.g. a vector of subscriptions copied
//   out of a sent<subscribe> points into that packet's bytes).
// - Transport: an open action becomes a *pending open*. The test decides: b.open() accepts it
//   (on_transport_open), b.refuse(ec) fails it (on_transport_closed); connect_ok() does the
//   whole handshake, lose_connection() a drop with its two events. b.drop(ec) is the
//   connection dying under the session. When the session itself asks for a close, the harness
//   closes its side and — like a real driver, whose transport reports the close it was asked
//   for — reports it back with on_transport_closed({}) (set `report_requested_close = false`
//   to keep that report and send it yourself with b.drop()).
// - Failures inside helpers are reported at the caller's line (the helpers take a defaulted
//   `here` argument that captures it) and say what was expected and what came instead.
//   Helpers that return something return a default value after a failure, so a test goes on
//   and reports everything that is wrong; use ASSERT_FALSE(::testing::Test::HasFailure())
//   where continuing makes no sense.
// ------------------------------------------------------------------------------------------
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "codec_helpers.hpp"
#include "mqttws/codec.hpp"
#include "mqttws/error.hpp"
#include "mqttws/session.hpp"

namespace mqttws::test {

// ---- where a helper was called from ------------------------------------------------------

/// The caller's file and line, captured by a defaulted argument (`here loc = {}`), so a
/// failure inside a helper points at the test line that called it.
struct here {
  const char* file;
  int line;
  // NOLINTNEXTLINE: implicit, evaluated at the call site of the helper taking it.
  here(const char* f = __builtin_FILE(), int l = __builtin_LINE()) : file(f), line(l) {}
};

#define MQTTWS_HARNESS_FAIL(loc) ADD_FAILURE_AT((loc).file, (loc).line)

// ---- describing packets and events (for failure messages) --------------------------------

inline std::string describe_code(reason_code c, packet_type t) {
  std::ostringstream os;
  os << "0x" << std::hex << static_cast<int>(c) << std::dec << " " << to_string(c, t);
  return os.str();
}

inline std::string describe_ec(std::error_code ec) {
  return ec ? ec.message() : std::string("success");
}

/// One line naming a packet and its main fields, e.g. `PUBLISH{id=3 qos=1 dup=0 topic="a/b"}`.
inline std::string describe(const packet& pkt) {
  std::ostringstream os;
  os << to_string(type_of(pkt));
  std::visit(
      [&os](const auto& p) {
        using P = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<P, connect>) {
          os << "{client_id=\"" << p.client_id << "\" clean_start=" << p.clean_start
             << " keep_alive=" << p.keep_alive << " level=" << static_cast<int>(p.version)
             << (p.will ? " will" : "") << "}";
        } else if constexpr (std::is_same_v<P, connack>) {
          os << "{session_present=" << p.session_present
             << " code=" << describe_code(p.code, packet_type::connack) << "}";
        } else if constexpr (std::is_same_v<P, publish>) {
          os << "{id=" << p.packet_id << " qos=" << static_cast<int>(p.qos) << " dup=" << p.dup
             << " retain=" << p.retain << " topic=\"" << p.topic << "\"";
          if (p.props.topic_alias) os << " alias=" << *p.props.topic_alias;
          os << " payload=" << p.payload.size() << "B}";
        } else if constexpr (std::is_same_v<P, puback> || std::is_same_v<P, pubrec> ||
                             std::is_same_v<P, pubrel> || std::is_same_v<P, pubcomp>) {
          os << "{id=" << p.packet_id << " code=" << describe_code(p.code, P::type) << "}";
        } else if constexpr (std::is_same_v<P, subscribe>) {
          os << "{id=" << p.packet_id;
          for (const subscription& s : p.subscriptions) os << " \"" << s.filter << "\"";
          os << "}";
        } else if constexpr (std::is_same_v<P, unsubscribe>) {
          os << "{id=" << p.packet_id;
          for (std::string_view f : p.filters) os << " \"" << f << "\"";
          os << "}";
        } else if constexpr (std::is_same_v<P, suback> || std::is_same_v<P, unsuback>) {
          os << "{id=" << p.packet_id << " codes=" << p.codes.size() << "}";
        } else if constexpr (std::is_same_v<P, disconnect>) {
          os << "{code=" << describe_code(p.code, packet_type::disconnect) << "}";
        } else if constexpr (std::is_same_v<P, auth>) {
          os << "{code=" << describe_code(p.code, packet_type::auth) << "}";
        }
      },
      pkt);
  return os.str();
}

/// The name of an event type, e.g. "operation_event".
template <class E>
constexpr std::string_view event_name() {
  if constexpr (std::is_same_v<E, connected_event>) return "connected_event";
  else if constexpr (std::is_same_v<E, disconnected_event>) return "disconnected_event";
  else if constexpr (std::is_same_v<E, reconnecting_event>) return "reconnecting_event";
  else if constexpr (std::is_same_v<E, message_event>) return "message_event";
  else if constexpr (std::is_same_v<E, operation_event>) return "operation_event";
  else if constexpr (std::is_same_v<E, subscription_ended_event>) return "subscription_ended_event";
  else return "auth_event";
}

/// One line naming an event and its main fields.
inline std::string describe(const session_event& ev) {
  std::ostringstream os;
  std::visit(
      [&os](const auto& e) {
        using E = std::decay_t<decltype(e)>;
        os << event_name<E>();
        if constexpr (std::is_same_v<E, connected_event>) {
          os << "{session_present=" << e.session_present << " keep_alive=" << e.keep_alive
             << " assigned_client_id=\"" << e.assigned_client_id << "\"}";
        } else if constexpr (std::is_same_v<E, disconnected_event>) {
          os << "{ec=\"" << describe_ec(e.ec) << "\"";
          if (e.reason) os << " reason=" << describe_code(*e.reason, packet_type::disconnect);
          os << " will_reconnect=" << e.will_reconnect << "}";
        } else if constexpr (std::is_same_v<E, reconnecting_event>) {
          os << "{attempt=" << e.attempt << " delay=" << e.delay.count() << "ms endpoint=\""
             << e.endpoint << "\"}";
        } else if constexpr (std::is_same_v<E, message_event>) {
          os << "{topic=\"" << e.message.view().topic
             << "\" qos=" << static_cast<int>(e.message.view().qos)
             << " subscriptions=" << e.subscriptions.size() << "}";
        } else if constexpr (std::is_same_v<E, operation_event>) {
          os << "{id=" << e.id << " kind=" << static_cast<int>(e.kind) << " ec=\""
             << describe_ec(e.ec) << "\" codes=" << e.codes.size() << "}";
        } else if constexpr (std::is_same_v<E, subscription_ended_event>) {
          os << "{subscription=" << e.subscription << " filter=\"" << e.filter
             << "\" reason=" << static_cast<int>(e.reason) << " last=" << e.last << "}";
        } else {
          os << "{code=" << describe_code(e.code, packet_type::auth) << "}";
        }
      },
      ev);
  return os.str();
}

// ---- packets the client sent, owned ----------------------------------------------------------

/// A packet the client sent, decoded from the harness' own copy of its bytes. Cheap to copy
/// (copies share the immutable bytes); the views inside live as long as any copy does.
class sent_packet {
 public:
  sent_packet() = default;

  /// Decodes one whole packet from `bytes` (taken) for protocol `v`.
  static sent_packet decode_from(std::vector<std::uint8_t> bytes, protocol_version v) {
    sent_packet s;
    auto h = std::make_shared<holder>();
    h->bytes = std::move(bytes);
    h->ec = decode(view(h->bytes), v, h->pkt);
    s.h_ = std::move(h);
    return s;
  }

  bool empty() const { return !h_; }
  /// Decoding failed (the client sent a malformed packet).
  std::error_code error() const { return h_ ? h_->ec : std::error_code(); }
  const packet& get() const { return h_ ? h_->pkt : empty_packet(); }
  packet_type type() const { return type_of(get()); }
  const std::vector<std::uint8_t>& bytes() const {
    static const std::vector<std::uint8_t> none;
    return h_ ? h_->bytes : none;
  }
  template <class P>
  const P* get_if() const {
    return h_ ? std::get_if<P>(&h_->pkt) : nullptr;
  }
  std::string describe() const { return h_ ? test::describe(h_->pkt) : "(nothing)"; }

 private:
  struct holder {
    std::vector<std::uint8_t> bytes;
    packet pkt;
    std::error_code ec;
  };
  static const packet& empty_packet() {
    static const packet p;
    return p;
  }
  std::shared_ptr<const holder> h_;
};

/// A packet of type P the client sent (see sent_packet). `*s` and `s->field` read the packet;
/// after a failed expect<P>() it holds a default P and `bool(s)` is false.
template <class P>
class sent {
 public:
  sent() = default;
  explicit sent(sent_packet s) : s_(std::move(s)) {}

  explicit operator bool() const { return s_.template get_if<P>() != nullptr; }
  const P& operator*() const {
    static const P none{};
    const P* p = s_.template get_if<P>();
    return p ? *p : none;
  }
  const P* operator->() const { return &**this; }
  const std::vector<std::uint8_t>& bytes() const { return s_.bytes(); }
  const sent_packet& untyped() const { return s_; }

 private:
  sent_packet s_;
};

// ---- small helpers for tests --------------------------------------------------------------

/// Options for most tests: MQTT 5 (or `v`), client id "test-client", one endpoint
/// "ws://broker", reconnect backoff without jitter (delays are exactly initial_delay *
/// multiplier^n), everything else at its default.
inline session_options test_options(protocol_version v = protocol_version::v5) {
  session_options o;
  o.version = v;
  o.client_id = "test-client";
  o.endpoints = {"ws://broker"};
  o.backoff.jitter = 0;
  return o;
}

/// test_options() for a persistent session, whose reconnections resume it: MQTT 5 with Session
/// Expiry Interval 3600 (and Clean Start 1 on the first connection), or 3.1.1 with Clean
/// Session 0.
inline session_options persistent_test_options(protocol_version v = protocol_version::v5) {
  session_options o = test_options(v);
  if (v == protocol_version::v5) {
    o.clean_start = true;
    o.connect_properties.session_expiry_interval = 3600;
  } else {
    o.clean_start = false;
  }
  return o;
}

/// `o` without pacing (session_options::initial_send_window 0: the broker's whole Receive
/// Maximum at once), for tests about something else — packet identifiers, resend order —
/// that send more messages at a time than the pacing window lets out before acknowledgements.
/// Pacing itself is tested in session_pacing_test.cpp.
inline session_options unpaced(session_options o) {
  o.initial_send_window = 0;
  return o;
}

/// "MQTT 5" or "MQTT 3.1.1", for SCOPED_TRACE in tests that loop over versions.
inline const char* version_name(protocol_version v) {
  return v == protocol_version::v5 ? "MQTT 5" : v == protocol_version::v311 ? "MQTT 3.1.1"
                                                                           : "MQTT 3.1";
}

/// The value of a command's result, or a failure at the caller (returning 0).
inline operation_id expect_id(const result<operation_id>& r, here loc = {}) {
  if (!r) {
    MQTTWS_HARNESS_FAIL(loc) << "command failed: " << r.error().message();
    return 0;
  }
  return r.value();
}

/// The error of a command's result that must fail with `want`.
inline ::testing::AssertionResult fails_with(const result<operation_id>& r, errc want) {
  if (r) {
    return ::testing::AssertionFailure()
           << "succeeded (operation " << r.value() << "), want \""
           << make_error_code(want).message() << "\"";
  }
  return is_error(r.error(), want);
}

/// How a packet from the broker is handed to session::receive().
enum class chunking : std::uint8_t {
  whole,         ///< One receive() call with the whole packet.
  byte_by_byte,  ///< One receive() call per byte (fragmentation must not matter).
};

// ---- the scripted broker ---------------------------------------------------------------------

/// Drives one mqttws::session against a broker played by the test. See the top of the file.
class scripted_broker {
 public:
  /// Constructs the session from `options` (copied by the session) and `store` (nullptr: the
  /// session's own memory store). The clock starts at an arbitrary non-zero time.
  explicit scripted_broker(const session_options& options, session_store* store = nullptr,
                           time_point start = at_ms(1'000'000))
      : version_(options.version),
        session_(options, store),
        now_(start) {}

  scripted_broker(const scripted_broker&) = delete;
  scripted_broker& operator=(const scripted_broker&) = delete;

  // ---- knobs ------------------------------------------------------------------------------
  /// After a close action, report on_transport_closed({}) like a real driver would.
  bool report_requested_close = true;
  /// Answer every PINGREQ with PINGRESP at once and do not queue it (for long runs).
  bool answer_pings = false;

  // ---- access -----------------------------------------------------------------------------
  mqttws::session& session() { return session_; }
  const mqttws::session& session() const { return session_; }
  session_state state() const { return session_.state(); }
  session_stats stats() const { return session_.stats(); }
  protocol_version version() const { return version_; }

  // ---- the virtual clock ------------------------------------------------------------------
  time_point now() const { return now_; }
  /// Virtual time since `since` (e.g. a now() saved earlier): for readable assertions.
  duration elapsed(time_point since) const { return now_ - since; }

  /// Moves the clock forward by `d`. Every deadline of next_timeout() that falls within the
  /// interval is honoured in order: the clock stops there, handle_timeout() runs, outputs are
  /// pumped (so a deadline created by a timeout is honoured too if it falls in the interval).
  void advance(duration d, here loc = {}) {
    const time_point target = now_ + d;
    for (int steps = 0;; ++steps) {
      std::optional<time_point> t = session_.next_timeout();
      if (!t || *t > target) break;
      if (steps > max_timeout_steps) {
        MQTTWS_HARNESS_FAIL(loc) << "advance(): more than " << max_timeout_steps
                                 << " timeouts in the interval; next_timeout() stuck at "
                                 << t->time_since_epoch().count() << "ms";
        break;
      }
      now_ = std::max(now_, *t);
      session_.handle_timeout(now_);
      pump();
    }
    now_ = target;
  }

  /// Jumps to next_timeout() (if it is in the future) and calls handle_timeout(); false when
  /// there is no deadline.
  bool advance_to_next_timeout() {
    std::optional<time_point> t = session_.next_timeout();
    if (!t) return false;
    now_ = std::max(now_, *t);
    session_.handle_timeout(now_);
    pump();
    return true;
  }

  /// Runs timeouts until next_timeout() is empty (or fails after `max_steps`). Keepalive
  /// always has a deadline while connected: use advance() for connected sessions.
  void run_until_idle(int max_steps = 10'000, here loc = {}) {
    for (int i = 0; i < max_steps; ++i) {
      if (!advance_to_next_timeout()) return;
    }
    MQTTWS_HARNESS_FAIL(loc) << "run_until_idle(): still a deadline after " << max_steps
                             << " timeouts";
  }

  /// How long until next_timeout(), if there is one.
  std::optional<duration> time_to_next_timeout() const {
    std::optional<time_point> t = session_.next_timeout();
    if (!t) return std::nullopt;
    return *t - now_;
  }

  // ---- session commands (forwarded with now(), then pumped) --------------------------------
  std::error_code connect() {
    std::error_code ec = session_.connect(now_);
    pump();
    return ec;
  }
  result<operation_id> publish(const mqttws::publish& p) {
    result<operation_id> r = session_.publish(p, now_);
    pump();
    return r;
  }
  /// Publishes a message built from its parts (no properties).
  result<operation_id> publish(std::string_view topic, std::string_view payload,
                               qos q = qos::at_most_once, bool retain = false) {
    mqttws::publish p;
    p.topic = topic;
    p.payload = payload;
    p.qos = q;
    p.retain = retain;
    return publish(p);
  }
  result<operation_id> subscribe(const std::vector<subscription>& subs,
                                 const properties& props = {}) {
    result<operation_id> r = session_.subscribe(subscription_list(subs), props, now_);
    pump();
    return r;
  }
  /// Subscribes to one filter with maximum QoS `q`.
  result<operation_id> subscribe(std::string_view filter, qos q = qos::at_most_once) {
    const std::vector<subscription> subs = {{filter, subscribe_options{q}}};
    return subscribe(subs);
  }
  result<operation_id> unsubscribe(const std::vector<std::string_view>& filters,
                                   const properties& props = {}) {
    result<operation_id> r = session_.unsubscribe(topic_filter_list(filters), props, now_);
    pump();
    return r;
  }
  result<operation_id> request(const mqttws::publish& p, duration timeout) {
    result<operation_id> r = session_.request(p, timeout, now_);
    pump();
    return r;
  }
  std::error_code disconnect(reason_code code = reason_code::normal_disconnection,
                             const properties& props = {}) {
    std::error_code ec = session_.disconnect(now_, code, props);
    pump();
    return ec;
  }
  std::error_code authenticate(reason_code code, const properties& props) {
    std::error_code ec = session_.authenticate(code, props, now_);
    pump();
    return ec;
  }
  std::error_code reconnect() {
    std::error_code ec = session_.reconnect(now_);
    pump();
    return ec;
  }
  std::error_code ping() {
    std::error_code ec = session_.ping(now_);
    pump();
    return ec;
  }
  std::error_code cancel(operation_id id) {
    std::error_code ec = session_.cancel(id, now_);
    pump();
    return ec;
  }

  // ---- transport -----------------------------------------------------------------------------
  /// True while an open action waits for open()/refuse().
  bool open_pending() const { return pending_open_.has_value(); }
  bool transport_open() const { return open_; }
  /// The endpoint of the pending open, or empty.
  std::string pending_endpoint() const { return pending_open_.value_or(std::string()); }

  /// Accepts the pending open: on_transport_open(). Fails when none is pending.
  void open(here loc = {}) {
    if (!pending_open_) {
      MQTTWS_HARNESS_FAIL(loc) << "open(): the session asked for no transport (state "
                               << to_string(session_.state()) << ")";
      return;
    }
    pending_open_.reset();
    forget_open_action();
    open_ = true;
    raw_.clear();
    session_.on_transport_open(now_);
    pump();
  }

  /// Fails the pending open: on_transport_closed(ec).
  void refuse(std::error_code ec = std::make_error_code(std::errc::connection_refused),
              here loc = {}) {
    if (!pending_open_) {
      MQTTWS_HARNESS_FAIL(loc) << "refuse(): the session asked for no transport (state "
                               << to_string(session_.state()) << ")";
      return;
    }
    pending_open_.reset();
    forget_open_action();
    session_.on_transport_closed(ec, now_);
    pump();
  }

  /// The open connection dies: on_transport_closed(ec). Empty `ec`: an orderly close by the
  /// broker's side.
  void drop(std::error_code ec = std::make_error_code(std::errc::connection_reset),
            here loc = {}) {
    if (!open_ && !awaiting_close_report_) {
      MQTTWS_HARNESS_FAIL(loc) << "drop(): no transport is open";
    }
    open_ = false;
    awaiting_close_report_ = false;
    session_.on_transport_closed(ec, now_);
    pump();
  }

  /// The transport actions the session asked for and the test has not handled yet, oldest
  /// first: closes, and opens not yet taken by open()/refuse() (which remove the open they
  /// answer). Take them with next_action()/expect_close()/expect_open_action(), or
  /// clear_actions(). So after connect_ok() the log is empty, and a close shows up here.
  const std::deque<transport_action>& actions() const { return actions_; }
  /// Takes the oldest recorded action; fails if there is none.
  transport_action next_action(here loc = {}) {
    if (actions_.empty()) {
      MQTTWS_HARNESS_FAIL(loc) << "expected a transport action, the session asked for none";
      return {};
    }
    transport_action a = actions_.front();
    actions_.pop_front();
    return a;
  }
  /// Takes the oldest recorded action and checks it is a close.
  void expect_close(here loc = {}) {
    transport_action a = next_action(loc);
    if (a.what != transport_action::kind::close) {
      MQTTWS_HARNESS_FAIL(loc) << "expected a close action, got open \"" << a.endpoint << "\"";
    }
  }
  /// Takes the oldest recorded action, checks it is an open, returns its endpoint.
  std::string expect_open_action(here loc = {}) {
    transport_action a = next_action(loc);
    if (a.what != transport_action::kind::open) {
      MQTTWS_HARNESS_FAIL(loc) << "expected an open action, got close";
    }
    return a.endpoint;
  }
  void clear_actions() { actions_.clear(); }
  std::size_t opens_requested() const { return opens_; }
  std::size_t closes_requested() const { return closes_; }

  // ---- the broker sends -----------------------------------------------------------------------
  /// Encodes `p` for the session's protocol version and hands it to session::receive().
  template <class P>
  void send(const P& p, chunking how = chunking::whole, here loc = {}) {
    std::vector<std::uint8_t> bytes;
    std::error_code ec = encode(p, version_, bytes);
    if (ec) {
      MQTTWS_HARNESS_FAIL(loc) << "the test's " << describe(packet(p))
                               << " does not encode: " << ec.message();
      return;
    }
    send_bytes(bytes, how, loc);
  }
  /// The same as send(): reads better for answers.
  template <class P>
  void reply(const P& p, chunking how = chunking::whole, here loc = {}) {
    send(p, how, loc);
  }
  /// Raw bytes (e.g. a malformed packet) to session::receive().
  void send_bytes(const std::vector<std::uint8_t>& bytes, chunking how = chunking::whole,
                  here loc = {}) {
    if (!open_) {
      MQTTWS_HARNESS_FAIL(loc) << "the broker cannot send: no transport is open";
      return;
    }
    if (how == chunking::whole) {
      session_.receive(bytes.data(), bytes.size(), now_);
      pump();
    } else {
      for (std::uint8_t b : bytes) {
        if (!open_) break;  // the session closed the connection mid-packet
        session_.receive(&b, 1, now_);
        pump();
      }
    }
  }

  // Shortcuts for common answers.
  void connack(bool session_present = false, const properties& props = {},
               reason_code code = reason_code::success, here loc = {}) {
    mqttws::connack c;
    c.session_present = session_present;
    c.code = code;
    c.props = props;
    send(c, chunking::whole, loc);
  }
  void puback(std::uint16_t id, reason_code code = reason_code::success, here loc = {}) {
    send(mqttws::puback{id, code, {}}, chunking::whole, loc);
  }
  void pubrec(std::uint16_t id, reason_code code = reason_code::success, here loc = {}) {
    send(mqttws::pubrec{id, code, {}}, chunking::whole, loc);
  }
  void pubrel(std::uint16_t id, reason_code code = reason_code::success, here loc = {}) {
    send(mqttws::pubrel{id, code, {}}, chunking::whole, loc);
  }
  void pubcomp(std::uint16_t id, reason_code code = reason_code::success, here loc = {}) {
    send(mqttws::pubcomp{id, code, {}}, chunking::whole, loc);
  }
  void suback(std::uint16_t id, const std::vector<reason_code>& codes, here loc = {}) {
    mqttws::suback s;
    s.packet_id = id;
    s.codes = reason_code_list(codes);
    send(s, chunking::whole, loc);
  }
  /// On 3.1.1 pass no codes (the packet carries none).
  void unsuback(std::uint16_t id, const std::vector<reason_code>& codes = {}, here loc = {}) {
    mqttws::unsuback u;
    u.packet_id = id;
    u.codes = reason_code_list(codes);
    send(u, chunking::whole, loc);
  }
  /// A message from the broker to the client.
  void deliver(std::string_view topic, std::string_view payload, qos q = qos::at_most_once,
               std::uint16_t packet_id = 0, here loc = {}) {
    mqttws::publish p;
    p.topic = topic;
    p.payload = payload;
    p.qos = q;
    p.packet_id = packet_id;
    send(p, chunking::whole, loc);
  }

  // ---- what the client sent ---------------------------------------------------------------
  /// Takes the next packet the client sent, which must be a P.
  template <class P>
  sent<P> expect(here loc = {}) {
    const packet_type want = type_of(packet(P{}));
    if (sent_.empty()) {
      MQTTWS_HARNESS_FAIL(loc) << "expected the client to send " << to_string(want)
                               << ", it sent nothing (state " << to_string(session_.state())
                               << ")";
      return {};
    }
    sent_packet s = std::move(sent_.front());
    sent_.pop_front();
    if (!s.get_if<P>()) {
      MQTTWS_HARNESS_FAIL(loc) << "expected the client to send " << to_string(want)
                               << ", it sent " << s.describe() << remaining_packets();
      return {};
    }
    return sent<P>(std::move(s));
  }
  /// Takes the next packet the client sent, whatever it is (empty if none).
  sent_packet next_packet(here loc = {}) {
    if (sent_.empty()) {
      MQTTWS_HARNESS_FAIL(loc) << "expected the client to send a packet, it sent nothing";
      return {};
    }
    sent_packet s = std::move(sent_.front());
    sent_.pop_front();
    return s;
  }
  /// Takes every packet the client sent so far.
  std::vector<sent_packet> take_packets() {
    std::vector<sent_packet> out(sent_.begin(), sent_.end());
    sent_.clear();
    return out;
  }
  /// Takes every packet of type P the client sent so far, leaving the others queued.
  template <class P>
  std::vector<sent<P>> take_all() {
    std::vector<sent<P>> out;
    std::deque<sent_packet> rest;
    for (sent_packet& s : sent_) {
      if (s.get_if<P>()) out.emplace_back(std::move(s));
      else rest.push_back(std::move(s));
    }
    sent_ = std::move(rest);
    return out;
  }
  std::size_t packets_pending() const { return sent_.size(); }
  /// Fails (listing them) if the client sent packets the test has not taken.
  void no_more_packets(here loc = {}) {
    if (!sent_.empty()) {
      MQTTWS_HARNESS_FAIL(loc) << "the client sent " << sent_.size()
                               << " more packet(s):" << remaining_packets();
      sent_.clear();
    }
  }
  void clear_packets() { sent_.clear(); }

  // ---- events --------------------------------------------------------------------------------
  /// Takes the next event, which must be an E.
  template <class E>
  E next_event(here loc = {}) {
    if (events_.empty()) {
      MQTTWS_HARNESS_FAIL(loc) << "expected a " << event_name<E>()
                               << ", the session reported nothing (state "
                               << to_string(session_.state()) << ")";
      return E{};
    }
    session_event ev = std::move(events_.front());
    events_.pop_front();
    if (E* e = std::get_if<E>(&ev)) return std::move(*e);
    MQTTWS_HARNESS_FAIL(loc) << "expected a " << event_name<E>() << ", got " << describe(ev)
                             << remaining_events();
    return E{};
  }
  /// Takes the next event, whatever it is (nullopt if none).
  std::optional<session_event> poll_event() {
    if (events_.empty()) return std::nullopt;
    session_event ev = std::move(events_.front());
    events_.pop_front();
    return ev;
  }
  /// Takes every event of type E reported so far, leaving the others queued.
  template <class E>
  std::vector<E> take_events() {
    std::vector<E> out;
    std::deque<session_event> rest;
    for (session_event& ev : events_) {
      if (E* e = std::get_if<E>(&ev)) out.push_back(std::move(*e));
      else rest.push_back(std::move(ev));
    }
    events_ = std::move(rest);
    return out;
  }
  const std::deque<session_event>& events() const { return events_; }
  std::size_t events_pending() const { return events_.size(); }
  /// Fails (listing them) if the session reported events the test has not taken.
  void no_more_events(here loc = {}) {
    if (!events_.empty()) {
      MQTTWS_HARNESS_FAIL(loc) << "the session reported " << events_.size()
                               << " more event(s):" << remaining_events();
      events_.clear();
    }
  }
  void clear_events() { events_.clear(); }

  // ---- whole conversations ----------------------------------------------------------------
  /// What connect_ok() saw.
  struct connection {
    sent<mqttws::connect> connect;
    connected_event connected;
  };

  /// Brings the session to `connected`: calls connect() if the session is idle, waits
  /// (advancing the clock through timeouts, e.g. a reconnect backoff) for an open action,
  /// accepts it, takes the CONNECT, answers CONNACK(session_present, props) and takes the
  /// connected_event, which must be the next event. Packets sent after CONNACK (resends,
  /// resubscriptions, queued messages) stay queued for the test.
  connection connect_ok(bool session_present = false, const properties& props = {},
                        here loc = {}) {
    connection c;
    if (session_.state() == session_state::idle) {
      std::error_code ec = connect();
      if (ec) {
        MQTTWS_HARNESS_FAIL(loc) << "connect_ok(): connect() failed: " << ec.message();
        return c;
      }
    }
    for (int i = 0; !pending_open_ && i < 1000; ++i) {
      if (!advance_to_next_timeout()) break;
    }
    if (!pending_open_) {
      MQTTWS_HARNESS_FAIL(loc) << "connect_ok(): the session does not ask for a transport "
                               << "(state " << to_string(session_.state()) << ")";
      return c;
    }
    open(loc);
    c.connect = expect<mqttws::connect>(loc);
    if (!c.connect) return c;
    connack(session_present, props, reason_code::success, loc);
    c.connected = next_event<connected_event>(loc);
    return c;
  }

  /// The connection dies under a connected session (drop(ec)): takes the disconnected_event,
  /// which must promise a reconnection, and the reconnecting_event that follows, and returns
  /// the latter. Follow with connect_ok() to reconnect (it waits out the backoff delay).
  reconnecting_event lose_connection(
      std::error_code ec = std::make_error_code(std::errc::connection_reset), here loc = {}) {
    drop(ec, loc);
    const bool is_disconnected =
        !events_.empty() && std::holds_alternative<disconnected_event>(events_.front());
    disconnected_event d = next_event<disconnected_event>(loc);
    if (is_disconnected && !d.will_reconnect) {
      MQTTWS_HARNESS_FAIL(loc) << "lose_connection(): the session does not reconnect ("
                               << describe(session_event(d)) << ")";
    }
    return next_event<reconnecting_event>(loc);
  }

  /// Drains the session's outputs: transmitted bytes (decoded into the packet queue),
  /// transport actions, events. Runs after every input; call it yourself only after using
  /// session() directly.
  void pump() {
    for (int rounds = 0; rounds < 100; ++rounds) {
      bool progressed = false;
      std::vector<std::uint8_t> out;
      while (session_.poll_transmit(out)) {
        progressed = true;
        if (!open_) {
          ADD_FAILURE() << "the session transmitted " << out.size()
                        << " byte(s) while no transport was open";
          out.clear();
          continue;
        }
        raw_.insert(raw_.end(), out.begin(), out.end());
        out.clear();
        decode_sent();
      }
      bool report_close = false;
      while (std::optional<transport_action> a = session_.poll_transport_action()) {
        progressed = true;
        actions_.push_back(*a);
        if (a->what == transport_action::kind::open) {
          ++opens_;
          if (open_ || pending_open_) {
            ADD_FAILURE() << "the session asked to open \"" << a->endpoint
                          << "\" while a transport was " << (open_ ? "open" : "being opened");
          }
          pending_open_ = a->endpoint;
        } else {
          ++closes_;
          // The driver closes what is open, or abandons an open in progress.
          if (open_ || pending_open_) {
            open_ = false;
            pending_open_.reset();
            if (report_requested_close) report_close = true;
            else awaiting_close_report_ = true;
          }
        }
      }
      while (std::optional<session_event> ev = session_.poll_event()) {
        progressed = true;
        events_.push_back(std::move(*ev));
      }
      if (report_close) {
        session_.on_transport_closed({}, now_);
        continue;
      }
      if (pings_to_answer_ != 0) {
        const std::size_t n = pings_to_answer_;
        pings_to_answer_ = 0;
        for (std::size_t i = 0; i < n && open_; ++i) {
          std::vector<std::uint8_t> bytes;
          (void)encode(pingresp{}, version_, bytes);
          session_.receive(bytes.data(), bytes.size(), now_);
        }
        continue;
      }
      if (!progressed) return;
    }
    ADD_FAILURE() << "pump(): the session keeps producing output";
  }

 private:
  // open()/refuse() answered the pending open: its action (the latest open) leaves the log,
  // unless the test already took it with next_action()/expect_open_action().
  void forget_open_action() {
    for (auto it = actions_.rbegin(); it != actions_.rend(); ++it) {
      if (it->what == transport_action::kind::open) {
        actions_.erase(std::next(it).base());
        return;
      }
    }
  }

  // Cuts the bytes the client wrote into whole packets (any coalescing) and keeps each as an
  // owned copy of exactly its bytes.
  void decode_sent() {
    for (;;) {
      fixed_header fh;
      bool complete = false;
      std::error_code ec = parse_fixed_header(view(raw_), fh, complete);
      if (ec) {
        ADD_FAILURE() << "the client sent a malformed fixed header: " << ec.message();
        raw_.clear();
        return;
      }
      if (!complete || raw_.size() < fh.packet_size()) return;
      std::vector<std::uint8_t> bytes(raw_.begin(),
                                      raw_.begin() + static_cast<std::ptrdiff_t>(fh.packet_size()));
      raw_.erase(raw_.begin(), raw_.begin() + static_cast<std::ptrdiff_t>(fh.packet_size()));
      sent_packet s = sent_packet::decode_from(std::move(bytes), version_);
      if (s.error()) {
        ADD_FAILURE() << "the client sent a malformed " << to_string(fh.type)
                      << " packet: " << s.error().message() << " (" << to_hex(s.bytes()) << ")";
        continue;
      }
      if (answer_pings && s.get_if<pingreq>()) {
        ++pings_to_answer_;
        continue;
      }
      sent_.push_back(std::move(s));
    }
  }

  std::string remaining_packets() const {
    std::string s;
    for (const sent_packet& p : sent_) s += "\n  then sent: " + p.describe();
    return s;
  }
  std::string remaining_events() const {
    std::string s;
    for (const session_event& ev : events_) s += "\n  then reported: " + describe(ev);
    return s;
  }

  static constexpr int max_timeout_steps = 100'000;

  protocol_version version_;
  mqttws::session session_;
  time_point now_;
  std::vector<std::uint8_t> raw_;  // bytes written by the client, not yet a whole packet
  bool open_ = false;
  bool awaiting_close_report_ = false;
  std::optional<std::string> pending_open_;
  std::deque<transport_action> actions_;
  std::size_t opens_ = 0;
  std::size_t closes_ = 0;
  std::deque<sent_packet> sent_;
  std::deque<session_event> events_;
  std::size_t pings_to_answer_ = 0;
};

// ---- assertions on owned values -------------------------------------------------------------

/// Sorted copy (for order-independent comparisons of operation id lists).
inline std::vector<operation_id> sorted(std::vector<operation_id> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace mqttws::test
