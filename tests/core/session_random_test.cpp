// Randomized model test of the session's QoS 1/2 flows across lost connections.
//
// Each seed builds a small world in virtual time: the session under test, a driver that follows
// the three-step rule of session.hpp, a network that delays bytes (in order), cuts them into
// random fragments and loses whatever is in flight when a connection drops, and a model broker
// (written here with the codec) that implements the broker side of MQTT 5 / 3.1.1 QoS 1 and 2,
// keeps its session state across connections and answers Session Present 1 on resume.
//
// During a "chaos" phase the client publishes M messages (QoS 0/1/2) and the broker publishes K
// messages to the client (QoS 1/2), while connections are dropped at random points (by the
// client's transport, by the broker, gracefully after flushing, or by going half-open), opens
// fail and CONNECTs go unanswered. Then the network behaves for long enough that everything
// settles, and the test checks:
//   - every QoS 1 message was delivered at least once, every QoS 2 message exactly once, every
//     QoS 0 message at most once (both directions);
//   - every publish operation completed exactly once, successfully;
//   - on the wire (a tap decodes every byte the session emits and every byte it is given):
//     no packet identifier reused while in flight (MQTT-2.2.1-3), DUP 0 on a first send and 1 on
//     every resend (MQTT-3.3.1-1), resends only on a new connection and at most once per
//     connection (MQTT-4.4.0-1), with the original packet identifier, in the original order
//     (MQTT-4.6.0-1), PUBREL only after PUBREC, new messages in publication order, at most
//     Receive Maximum unacknowledged QoS>0 publishes (MQTT-4.9.0-2), Clean Start 0 once a
//     session exists, topic aliases that resolve to the right topic;
//   - the session's own view at the end: connected, nothing in flight or queued.
// A failing seed prints its number, the violations and the last events of its trace.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

#include "mqttws/codec.hpp"
#include "mqttws/error.hpp"
#include "mqttws/session.hpp"
#include "mqttws/stream_decoder.hpp"

namespace mqttws::test {
namespace {

// ---- deterministic randomness (same sequence natively and under Emscripten) ---------------------

class rng {
 public:
  explicit rng(std::uint64_t seed) : s_(seed * 0x9E3779B97F4A7C15ull + 0x1234567ull) {}
  std::uint64_t next() {  // splitmix64
    std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, n).
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : next() % n; }
  /// Uniform in [lo, hi].
  std::int64_t range(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo + 1)));
  }
  bool percent(unsigned p) { return below(100) < p; }

 private:
  std::uint64_t s_;
};

// ---- trace ----------------------------------------------------------------------------------------

class trace_ring {
 public:
  static constexpr std::size_t capacity = 80;
  template <class... A>
  void add(std::int64_t t, const char* fmt, A... args) {
    entry& e = entries_[count_ % capacity];
    int n = std::snprintf(e.text, sizeof e.text, "t=%-8lld ", static_cast<long long>(t));
    if (n < 0) n = 0;
    if constexpr (sizeof...(A) == 0) {
      std::snprintf(e.text + n, sizeof e.text - static_cast<std::size_t>(n), "%s", fmt);
    } else {
      std::snprintf(e.text + n, sizeof e.text - static_cast<std::size_t>(n), fmt, args...);
    }
    ++count_;
  }
  std::string dump() const {
    std::string s;
    const std::size_t first = count_ > capacity ? count_ - capacity : 0;
    for (std::size_t i = first; i < count_; ++i) {
      s += "  ";
      s += entries_[i % capacity].text;
      s += '\n';
    }
    return s;
  }

 private:
  struct entry {
    char text[160];
  };
  std::array<entry, capacity> entries_{};
  std::size_t count_ = 0;
};

std::string describe(const packet& p) {
  char buf[128];
  switch (type_of(p)) {
    case packet_type::connect: {
      const auto& c = std::get<connect>(p);
      std::snprintf(buf, sizeof buf, "CONNECT v%d clean=%d ka=%u", static_cast<int>(c.version),
                    c.clean_start ? 1 : 0, static_cast<unsigned>(c.keep_alive));
      break;
    }
    case packet_type::connack: {
      const auto& c = std::get<connack>(p);
      std::snprintf(buf, sizeof buf, "CONNACK sp=%d rc=0x%02x", c.session_present ? 1 : 0,
                    static_cast<unsigned>(c.code));
      break;
    }
    case packet_type::publish: {
      const auto& m = std::get<publish>(p);
      std::snprintf(buf, sizeof buf, "PUBLISH id=%u q=%d dup=%d alias=%u topic='%.*s' '%.*s'",
                    static_cast<unsigned>(m.packet_id), static_cast<int>(m.qos), m.dup ? 1 : 0,
                    static_cast<unsigned>(m.props.topic_alias.value_or(0)),
                    static_cast<int>(m.topic.size()), m.topic.data(),
                    static_cast<int>(std::min<std::size_t>(m.payload.size(), 12)),
                    m.payload.data());
      break;
    }
    case packet_type::puback:
      std::snprintf(buf, sizeof buf, "PUBACK id=%u", std::get<puback>(p).packet_id);
      break;
    case packet_type::pubrec:
      std::snprintf(buf, sizeof buf, "PUBREC id=%u", std::get<pubrec>(p).packet_id);
      break;
    case packet_type::pubrel:
      std::snprintf(buf, sizeof buf, "PUBREL id=%u", std::get<pubrel>(p).packet_id);
      break;
    case packet_type::pubcomp:
      std::snprintf(buf, sizeof buf, "PUBCOMP id=%u", std::get<pubcomp>(p).packet_id);
      break;
    case packet_type::subscribe:
      std::snprintf(buf, sizeof buf, "SUBSCRIBE id=%u", std::get<subscribe>(p).packet_id);
      break;
    case packet_type::suback:
      std::snprintf(buf, sizeof buf, "SUBACK id=%u", std::get<suback>(p).packet_id);
      break;
    case packet_type::disconnect:
      std::snprintf(buf, sizeof buf, "DISCONNECT rc=0x%02x",
                    static_cast<unsigned>(std::get<disconnect>(p).code));
      break;
    default:
      std::snprintf(buf, sizeof buf, "%.*s", static_cast<int>(to_string(type_of(p)).size()),
                    to_string(type_of(p)).data());
  }
  return buf;
}

// ---- the world --------------------------------------------------------------------------------

constexpr std::int64_t never = INT64_MAX;

/// "u17" -> 17; -1 if `payload` is not `prefix` followed by digits.
int index_of(std::string_view payload, char prefix) {
  if (payload.size() < 2 || payload[0] != prefix) return -1;
  int v = 0;
  for (std::size_t i = 1; i < payload.size(); ++i) {
    if (payload[i] < '0' || payload[i] > '9') return -1;
    v = v * 10 + (payload[i] - '0');
  }
  return v;
}

struct scenario {
  protocol_version version = protocol_version::v5;
  int client_messages = 0;  // M
  int broker_messages = 0;  // K
  std::uint16_t keep_alive = 0;
  std::optional<std::uint16_t> client_receive_maximum;  // CONNECT (v5)
  std::optional<std::uint16_t> broker_receive_maximum;  // CONNACK (v5)
  std::uint16_t broker_topic_alias_maximum = 0;          // CONNACK (v5)
  std::uint16_t client_topic_alias_maximum = 0;          // CONNECT (v5)
  std::int64_t max_latency = 0;
  std::int64_t max_ack_delay = 0;
  std::int64_t chaos_end = 0;
  std::int64_t end = 0;
  int endpoints = 1;
};

/// What the seeds exercised, summed over all of them: the test checks each case happened, so
/// a change that makes the model tamer cannot silently turn it into a test of nothing.
struct coverage {
  std::uint64_t v311_seeds = 0;
  std::uint64_t client_publish_resends = 0;  // DUP PUBLISH from the session
  std::uint64_t client_pubrel_resends = 0;   // PUBREL sent again on a new connection
  std::uint64_t broker_publish_resends = 0;  // DUP PUBLISH from the broker
  std::uint64_t broker_pubrel_resends = 0;
  std::uint64_t client_must_dedupe = 0;      // QoS 2 resent by the broker after delivery
  std::uint64_t broker_deduped = 0;          // QoS 2 resent by the session after delivery
  std::uint64_t resumes_with_inflight = 0;   // CONNACK sp=1 with messages in flight
  std::uint64_t window_full = 0;             // the broker's Receive Maximum reached
  std::uint64_t receive_maximum_reduced = 0; // a CONNECT asked for less than the options
  std::uint64_t aliases_used = 0;            // PUBLISH with an alias and no topic
  std::uint64_t inbound_aliases_used = 0;    // the same from the broker
  std::uint64_t reset = 0, refused = 0, closed = 0, connect_timeout = 0, keep_alive_timeout = 0;
  std::uint64_t server_disconnects = 0;  // DISCONNECT 0x8B before a graceful close
  std::uint64_t late_timeouts = 0;       // handle_timeout() called after the deadline
};

class world {
 public:
  world(std::uint64_t seed, coverage& cov) : seed_(seed), r_(seed), cov_(cov) {}

  /// Runs the whole scenario; returns an empty string on success, else the failure report.
  std::string run();

 private:
  // -- scheduling ----------------------------------------------------------------------------
  enum class ev : std::uint8_t {
    client_publish,   // the application calls publish()
    broker_publish,   // the broker gets a message for the client
    deliver_c2b,      // bytes reach the broker
    deliver_b2c,      // bytes reach the client
    open_done,        // the transport opens (or fails to)
    close_notify,     // the transport reports closed to the session
    drop,             // a random connection failure
    spurious_timeout, // handle_timeout() called early
  };
  struct item {
    std::int64_t t;
    std::uint64_t seq;
    ev kind;
    std::uint64_t conn = 0;
    int arg = 0;
    std::vector<std::uint8_t> bytes;
  };
  struct later {
    bool operator()(const item& a, const item& b) const {
      return a.t != b.t ? a.t > b.t : a.seq > b.seq;
    }
  };
  void at(std::int64_t t, ev kind, std::uint64_t conn = 0, int arg = 0,
          std::vector<std::uint8_t> bytes = {}) {
    queue_.push(item{t, seq_++, kind, conn, arg, std::move(bytes)});
  }

  // -- connection --------------------------------------------------------------------------
  struct connection {
    std::uint64_t id = 0;
    bool open = false;        // the session was told on_transport_open
    bool gone = false;        // closed: nothing more is delivered either way
    bool blackhole = false;   // half-open: everything is silently lost from now on
    bool stall_connect = false;
    bool closing = false;     // broker closes after flushing what it sent
    std::int64_t last_c2b = 0, last_b2c = 0, broker_send_at = 0;
    int drop_after_packets = -1;
    int broker_packets = 0;
    // broker side
    stream_decoder broker_decoder;
    bool got_connect = false;
    bool connack_sent = false;
    std::uint16_t client_receive_maximum = 65535;
    std::map<std::uint16_t, std::string> aliases;      // the client's, to the broker
    std::map<std::string, std::uint16_t> out_aliases;  // the broker's, to the client
    // taps
    stream_decoder tap_out, tap_in;
    std::set<int> emitted_here;  // client message indexes sent on this connection
    int last_resend = -1;
    bool session_closed = false;     // the session asked for the close (close action)
    bool reported = false;           // on_transport_closed given
    bool ended_for_session() const { return session_closed || reported; }
  };

  // -- model broker --------------------------------------------------------------------------
  struct broker_out {
    int index;  // broker message number
    qos q;
    std::uint16_t id = 0;
    enum { pending, awaiting_ack, awaiting_pubcomp } stage = pending;
  };

  void violation(const char* fmt, ...) __attribute__((format(printf, 2, 3)));

  void setup();
  void step(const item& it);
  void pump();
  void on_action(const transport_action& a);
  void on_event(session_event& e);
  void on_client_bytes(const std::vector<std::uint8_t>& bytes);
  void tap_client_packet(const packet& p);
  void tap_broker_packet(const packet& p);
  void broker_receive(const std::vector<std::uint8_t>& bytes);
  void broker_packet(const packet& p);
  template <class P>
  void broker_send(const P& p, std::int64_t delay);
  void broker_try_send();
  void broker_publish_to_client(const broker_out& o, bool dup);
  void broker_resume();
  void drop(int how);
  void end_connection_for_session(std::error_code ec);
  void send_pieces(bool to_broker, std::vector<std::uint8_t> bytes, std::int64_t earliest);
  bool check_end();

  std::int64_t now_ = 0;
  std::uint64_t seed_;
  rng r_;
  coverage& cov_;
  scenario sc_;
  trace_ring trace_;
  std::vector<std::string> violations_;
  std::priority_queue<item, std::vector<item>, later> queue_;
  std::uint64_t seq_ = 0;

  session_options options_;
  std::vector<std::string> endpoint_names_;
  std::unique_ptr<session> s_;

  std::unique_ptr<connection> conn_;
  std::uint64_t next_conn_id_ = 1;
  bool in_chaos() const { return now_ < sc_.chaos_end; }

  // client messages (indexed by number)
  std::vector<qos> up_qos_;
  std::vector<std::string> up_topic_, up_payload_;
  std::vector<int> up_delivered_;         // at the broker
  std::vector<int> up_completed_;         // operation events
  std::vector<int> up_emitted_;           // times the session put it on the wire
  std::vector<std::uint16_t> up_id_;      // its packet identifier
  std::map<operation_id, int> op_index_;
  int last_first_send_ = -1;
  bool client_connected_once_ = false;
  std::optional<operation_id> sub_op_;
  int sub_completed_ = 0;

  // What the session has in flight as seen on the wire: packet id -> (kind, index, stage).
  struct wire_inflight {
    bool is_publish;
    int index;
    int stage;  // 1: PUBLISH sent, 2: PUBREC received
    int pubrels = 0;  // PUBREL sent so far
  };
  std::map<std::uint16_t, wire_inflight> inflight_;
  std::size_t inflight_publishes() const {
    std::size_t n = 0;
    for (const auto& e : inflight_) n += e.second.is_publish ? 1 : 0;
    return n;
  }

  // broker session state (survives connections)
  bool broker_session_exists_ = false;
  std::vector<broker_out> broker_out_;  // in order of publication
  std::uint16_t broker_next_id_ = 1;
  std::set<std::uint16_t> broker_incoming_qos2_;
  bool broker_publishes_scheduled_ = false;

  // broker messages
  std::vector<qos> down_qos_;
  std::vector<int> down_received_;  // message events at the client
  std::vector<bool> down_acked_;    // completely acknowledged to the broker
};

void world::violation(const char* fmt, ...) {
  char buf[256];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  char line[300];
  std::snprintf(line, sizeof line, "t=%lld: %s", static_cast<long long>(now_), buf);
  trace_.add(now_, "VIOLATION %s", buf);
  if (violations_.size() < 20) violations_.emplace_back(line);
}

void world::setup() {
  sc_.version = r_.percent(70) ? protocol_version::v5 : protocol_version::v311;
  const bool v5 = sc_.version == protocol_version::v5;
  if (!v5) cov_.v311_seeds++;
  sc_.client_messages = static_cast<int>(r_.range(1, 24));
  sc_.broker_messages = static_cast<int>(r_.range(0, 16));
  static const std::uint16_t keep_alives[] = {0, 2, 5, 30};
  sc_.keep_alive = keep_alives[r_.below(4)];
  if (v5) {
    static const std::uint16_t maxima[] = {0, 1, 2, 5};  // 0: property absent
    if (auto m = maxima[r_.below(4)]) sc_.client_receive_maximum = m;
    if (auto m = maxima[r_.below(4)]) sc_.broker_receive_maximum = m;
    static const std::uint16_t aliases[] = {0, 0, 1, 3};
    sc_.broker_topic_alias_maximum = aliases[r_.below(4)];
    sc_.client_topic_alias_maximum = aliases[r_.below(4)];
  }
  sc_.max_latency = r_.range(0, 3) == 0 ? 0 : r_.range(1, 250);
  sc_.max_ack_delay = r_.range(0, 1) == 0 ? 0 : r_.range(1, 400);
  sc_.chaos_end = r_.range(5'000, 40'000);
  sc_.end = sc_.chaos_end + 150'000;
  sc_.endpoints = static_cast<int>(r_.range(1, 2));

  for (int i = 0; i < sc_.endpoints; ++i) endpoint_names_.push_back("ep" + std::to_string(i));
  options_.version = sc_.version;
  options_.client_id = "random-client";
  // A persistent session: MQTT 5 starts clean and sets a Session Expiry Interval; 3.1.1 can
  // only persist with Clean Session 0 from the start.
  options_.clean_start = v5;
  options_.keep_alive = sc_.keep_alive;
  if (v5) {
    options_.connect_properties.session_expiry_interval =
        r_.percent(50) ? 0xFFFFFFFFu : 3600u;
    options_.connect_properties.receive_maximum = sc_.client_receive_maximum;
    if (sc_.client_topic_alias_maximum) {
      options_.connect_properties.topic_alias_maximum = sc_.client_topic_alias_maximum;
    }
  }
  for (const auto& e : endpoint_names_) options_.endpoints.push_back(e);
  options_.connect_timeout = std::chrono::seconds(5);
  options_.ping_timeout = std::chrono::seconds(3);
  options_.reconnect = true;
  options_.backoff.initial_delay = duration(r_.range(10, 500));
  options_.backoff.max_delay = std::chrono::seconds(2);
  options_.backoff.seed = seed_;

  const int m = sc_.client_messages;
  up_qos_.resize(m);
  up_delivered_.assign(m, 0);
  up_completed_.assign(m, 0);
  up_emitted_.assign(m, 0);
  up_id_.assign(m, 0);
  for (int i = 0; i < m; ++i) {
    const auto q = r_.below(10);
    up_qos_[i] = q == 0 ? qos::at_most_once : q < 5 ? qos::at_least_once : qos::exactly_once;
    up_topic_.push_back("up/" + std::to_string(r_.below(4)));
    up_payload_.push_back("u" + std::to_string(i));
  }
  // Publication times, in order of message number (publish() is called in that order).
  std::vector<std::int64_t> times;
  for (int i = 0; i < m; ++i) {
    times.push_back(r_.percent(20) ? 0 : r_.range(0, sc_.chaos_end));
  }
  std::sort(times.begin(), times.end());
  for (int i = 0; i < m; ++i) at(times[i], ev::client_publish, 0, i);

  const int k = sc_.broker_messages;
  down_received_.assign(k, 0);
  down_acked_.assign(k, false);
  for (int j = 0; j < k; ++j) {
    down_qos_.push_back(r_.percent(50) ? qos::at_least_once : qos::exactly_once);
  }

  // Random drops during the chaos phase.
  const int drops = static_cast<int>(r_.range(0, 8));
  for (int d = 0; d < drops; ++d) {
    at(r_.range(0, sc_.chaos_end), ev::drop, 0, static_cast<int>(r_.below(4)));
  }
  // A few spurious early calls of handle_timeout().
  for (int d = 0; d < 3; ++d) at(r_.range(0, sc_.end), ev::spurious_timeout);

  trace_.add(0,
             "seed %llu: v%d M=%d K=%d ka=%u rm(c/b)=%u/%u tam(c/b)=%u/%u lat=%lld ack=%lld "
             "chaos=%lld "
             "endpoints=%d drops=%d",
             static_cast<unsigned long long>(seed_), static_cast<int>(sc_.version), m, k,
             static_cast<unsigned>(sc_.keep_alive),
             static_cast<unsigned>(sc_.client_receive_maximum.value_or(0)),
             static_cast<unsigned>(sc_.broker_receive_maximum.value_or(0)),
             static_cast<unsigned>(sc_.client_topic_alias_maximum),
             static_cast<unsigned>(sc_.broker_topic_alias_maximum),
             static_cast<long long>(sc_.max_latency), static_cast<long long>(sc_.max_ack_delay),
             static_cast<long long>(sc_.chaos_end), sc_.endpoints, drops);
}

std::string world::run() {
  setup();
  if (auto ec = session::validate(options_)) {
    return "seed " + std::to_string(seed_) + ": options rejected: " + ec.message();
  }
  s_ = std::make_unique<session>(options_);
  if (auto ec = s_->connect(at_ms(0))) {
    return "seed " + std::to_string(seed_) + ": connect() failed: " + ec.message();
  }
  // A subscription, so SUBSCRIBE shares the packet identifier space with the publishes.
  {
    const subscription subs[] = {{"down/#", subscribe_options{qos::exactly_once}}};
    auto op = s_->subscribe(subscription_list(subs), properties{}, at_ms(0));
    if (!op) violation("subscribe() failed: %s", op.error().message().c_str());
    else sub_op_ = *op;
  }
  pump();

  std::uint64_t steps = 0;
  std::int64_t last_timeout_at = -1;
  int same_time_timeouts = 0;
  while (violations_.size() < 5) {
    const auto nt = s_->next_timeout();
    const std::int64_t t_timeout = nt ? nt->time_since_epoch().count() : never;
    const std::int64_t t_event = queue_.empty() ? never : queue_.top().t;
    const std::int64_t t = std::min(t_timeout, t_event);
    if (t > sc_.end) break;
    if (t > now_) now_ = t;
    if (t_timeout < t_event) {
      // The driver's timer may fire late (a busy event loop), though never past an input that
      // is due earlier.
      if (r_.percent(30)) {
        const std::int64_t late = std::min({now_ + r_.range(1, 50), t_event, sc_.end});
        if (late > now_) {
          now_ = late;
          cov_.late_timeouts++;
        }
      }
      if (last_timeout_at == now_) {
        if (++same_time_timeouts > 50) {
          violation("next_timeout() stays at or before now (%lld) after handle_timeout(now)",
                    static_cast<long long>(t_timeout));
          break;
        }
      } else {
        same_time_timeouts = 0;
      }
      last_timeout_at = now_;
      s_->handle_timeout(at_ms(now_));
    } else {
      item it = queue_.top();
      queue_.pop();
      step(it);
    }
    pump();
    if (++steps > 2'000'000) {
      violation("runaway simulation");
      break;
    }
  }
  now_ = std::max(now_, sc_.end);
  if (violations_.empty()) check_end();
  if (violations_.empty()) return {};
  std::string report = "seed " + std::to_string(seed_) + " failed:\n";
  for (const auto& v : violations_) report += "  " + v + "\n";
  report += "last events:\n" + trace_.dump();
  return report;
}

void world::step(const item& it) {
  switch (it.kind) {
    case ev::client_publish: {
      const int i = it.arg;
      publish p;
      p.topic = up_topic_[i];
      p.payload = up_payload_[i];
      p.qos = up_qos_[i];
      auto op = s_->publish(p, at_ms(now_));
      trace_.add(now_, "app publish u%d q%d -> %s", i, static_cast<int>(p.qos),
                 op ? "ok" : op.error().message().c_str());
      if (!op) {
        violation("publish(u%d) failed: %s", i, op.error().message().c_str());
      } else {
        op_index_[*op] = i;
      }
      break;
    }
    case ev::broker_publish: {
      broker_out m;
      m.index = it.arg;
      m.q = down_qos_[it.arg];
      broker_out_.push_back(m);
      trace_.add(now_, "broker gets d%d q%d", it.arg, static_cast<int>(m.q));
      broker_try_send();
      break;
    }
    case ev::deliver_c2b:
      if (conn_ && conn_->id == it.conn && !conn_->gone && !conn_->blackhole && !conn_->closing) {
        broker_receive(it.bytes);
      }
      break;
    case ev::deliver_b2c:
      if (conn_ && conn_->id == it.conn && !conn_->gone && !conn_->blackhole &&
          !conn_->ended_for_session()) {
        // Tap first (views of the tap decoder die at the next feed; the session copies).
        conn_->tap_in.feed(it.bytes.data(), it.bytes.size());
        packet p;
        std::error_code ec;
        while (conn_->tap_in.next(p, ec)) tap_broker_packet(p);
        s_->receive(it.bytes.data(), it.bytes.size(), at_ms(now_));
      }
      break;
    case ev::open_done:
      if (conn_ && conn_->id == it.conn && !conn_->gone) {
        if (it.arg) {
          trace_.add(now_, "transport open failed (conn %llu)",
                     static_cast<unsigned long long>(it.conn));
          conn_->gone = true;
          end_connection_for_session(std::make_error_code(std::errc::connection_refused));
        } else {
          trace_.add(now_, "transport open (conn %llu)", static_cast<unsigned long long>(it.conn));
          conn_->open = true;
          s_->on_transport_open(at_ms(now_));
        }
      }
      break;
    case ev::close_notify:
      // The transport reports its end: after the broker's graceful close, or after a close
      // the session asked for (a driver reports every close; the session must ignore the one
      // it caused). A transport replaced by a newer one is not reported.
      if (conn_ && conn_->id == it.conn && !conn_->reported) {
        trace_.add(now_, "transport reports closed (conn %llu)",
                   static_cast<unsigned long long>(it.conn));
        conn_->gone = true;
        if (conn_->session_closed) {
          conn_->reported = true;
          s_->on_transport_closed(std::error_code(), at_ms(now_));
        } else {
          end_connection_for_session(std::error_code());
        }
      }
      break;
    case ev::drop:
      drop(it.arg);
      break;
    case ev::spurious_timeout:
      trace_.add(now_, "spurious handle_timeout");
      s_->handle_timeout(at_ms(now_));
      break;
  }
}

void world::pump() {
  // The driver rule: write what poll_transmit() gives, act on poll_transport_action(), deliver
  // what poll_event() gives.
  for (int round = 0; round < 8; ++round) {
    bool any = false;
    std::vector<std::uint8_t> out;
    if (s_->poll_transmit(out)) {
      any = true;
      if (!conn_ || !conn_->open || conn_->ended_for_session()) {
        violation("poll_transmit gave %zu bytes with no open transport", out.size());
      } else {
        on_client_bytes(out);
      }
    }
    while (auto a = s_->poll_transport_action()) {
      any = true;
      on_action(*a);
    }
    while (auto e = s_->poll_event()) {
      any = true;
      on_event(*e);
    }
    if (!any) return;
  }
}

void world::on_client_bytes(const std::vector<std::uint8_t>& bytes) {
  connection& c = *conn_;
  c.tap_out.feed(bytes.data(), bytes.size());
  packet p;
  std::error_code ec;
  while (c.tap_out.next(p, ec)) tap_client_packet(p);
  if (ec) violation("the session sent bytes that do not decode: %s", ec.message().c_str());
  if (c.gone || c.blackhole || c.closing) return;  // lost
  send_pieces(true, bytes, now_);
}

void world::send_pieces(bool to_broker, std::vector<std::uint8_t> bytes, std::int64_t earliest) {
  connection& c = *conn_;
  std::int64_t& last = to_broker ? c.last_c2b : c.last_b2c;
  // Random fragmentation: up to four pieces, each arriving no earlier than the one before.
  std::size_t pos = 0;
  const int pieces = bytes.size() > 1 ? static_cast<int>(r_.range(1, 4)) : 1;
  for (int i = 0; i < pieces && pos < bytes.size(); ++i) {
    std::size_t n = i == pieces - 1 ? bytes.size() - pos
                                    : static_cast<std::size_t>(r_.range(1, static_cast<std::int64_t>(bytes.size() - pos)));
    std::vector<std::uint8_t> piece(bytes.begin() + static_cast<std::ptrdiff_t>(pos),
                                    bytes.begin() + static_cast<std::ptrdiff_t>(pos + n));
    pos += n;
    last = std::max(last, earliest + r_.range(0, sc_.max_latency));
    at(last, to_broker ? ev::deliver_c2b : ev::deliver_b2c, c.id, 0, std::move(piece));
  }
}

void world::on_action(const transport_action& a) {
  if (a.what == transport_action::kind::open) {
    trace_.add(now_, "action: open %s", a.endpoint.c_str());
    if (conn_ && !conn_->ended_for_session()) {
      violation("open action while connection %llu is still up",
                static_cast<unsigned long long>(conn_->id));
    }
    if (std::find(endpoint_names_.begin(), endpoint_names_.end(), a.endpoint) ==
        endpoint_names_.end()) {
      violation("open action for unknown endpoint '%s'", a.endpoint.c_str());
    }
    conn_ = std::make_unique<connection>();
    conn_->id = next_conn_id_++;
    conn_->broker_decoder = stream_decoder(protocol_version::v5);
    conn_->tap_out = stream_decoder(sc_.version);
    conn_->tap_in = stream_decoder(sc_.version);
    if (in_chaos()) {
      conn_->stall_connect = sc_.keep_alive > 0 && r_.percent(5);
      if (r_.percent(25)) conn_->drop_after_packets = static_cast<int>(r_.range(1, 12));
    }
    const bool fail = in_chaos() && r_.percent(12);
    at(now_ + r_.range(1, 40), ev::open_done, conn_->id, fail ? 1 : 0);
  } else {
    trace_.add(now_, "action: close");
    if (!conn_ || conn_->ended_for_session()) return;  // nothing to close: harmless
    // The driver closes the transport; the broker sees the connection go, nothing more is
    // delivered to the session, and the transport reports the close a moment later.
    conn_->gone = true;
    conn_->session_closed = true;
    for (auto it = inflight_.begin(); it != inflight_.end();) {
      it = it->second.is_publish ? std::next(it) : inflight_.erase(it);
    }
    at(now_, ev::close_notify, conn_->id);
  }
}

void world::end_connection_for_session(std::error_code ec) {
  if (!conn_ || conn_->ended_for_session()) return;
  conn_->reported = true;
  // SUBSCRIBE/UNSUBSCRIBE identifiers are not session state: free once the connection is gone.
  for (auto it = inflight_.begin(); it != inflight_.end();) {
    it = it->second.is_publish ? std::next(it) : inflight_.erase(it);
  }
  s_->on_transport_closed(ec, at_ms(now_));
}

void world::drop(int how) {
  if (!conn_ || conn_->gone || conn_->ended_for_session()) return;
  connection& c = *conn_;
  switch (how) {
    case 0:  // the client's transport fails
      trace_.add(now_, "drop: client transport reset (conn %llu)",
                 static_cast<unsigned long long>(c.id));
      c.gone = true;
      end_connection_for_session(std::make_error_code(std::errc::connection_reset));
      break;
    case 1:  // the broker aborts
      trace_.add(now_, "drop: broker aborts (conn %llu)", static_cast<unsigned long long>(c.id));
      c.gone = true;
      end_connection_for_session(std::error_code());
      break;
    case 2:  // the broker closes after what it already sent arrives
      if (c.closing) return;
      trace_.add(now_, "drop: broker closes gracefully (conn %llu)",
                 static_cast<unsigned long long>(c.id));
      if (sc_.version == protocol_version::v5 && c.connack_sent && r_.percent(50)) {
        // MQTT 5 lets the broker say why (4.13.2).
        mqttws::disconnect d;
        d.code = reason_code::server_shutting_down;
        broker_send(d, 0);
      }
      c.closing = true;
      at(std::max(now_, c.last_b2c) + 1, ev::close_notify, c.id);
      break;
    case 3:  // half-open: only keepalive can find out
      if (sc_.keep_alive == 0) return;
      trace_.add(now_, "drop: connection goes half-open (conn %llu)",
                 static_cast<unsigned long long>(c.id));
      c.blackhole = true;
      break;
  }
}

void world::on_event(session_event& e) {
  if (auto* c = std::get_if<connected_event>(&e)) {
    trace_.add(now_, "event: connected sp=%d", c->session_present ? 1 : 0);
    if (client_connected_once_ && !c->session_present) {
      violation("connected without Session Present after the session existed");
    }
    client_connected_once_ = true;
    if (c->session_present && inflight_publishes() > 0) cov_.resumes_with_inflight++;
    if (!broker_publishes_scheduled_) {
      broker_publishes_scheduled_ = true;
      for (int j = 0; j < sc_.broker_messages; ++j) {
        at(now_ + r_.range(0, std::max<std::int64_t>(sc_.chaos_end - now_, 1)),
           ev::broker_publish, 0, j);
      }
    }
  } else if (auto* d = std::get_if<disconnected_event>(&e)) {
    trace_.add(now_, "event: disconnected '%s' reconnect=%d", d->ec.message().c_str(),
               d->will_reconnect ? 1 : 0);
    const bool allowed = d->ec == std::errc::connection_reset ||
                         d->ec == std::errc::connection_refused ||
                         d->ec == errc::transport_closed || d->ec == errc::connect_timeout ||
                         d->ec == errc::keep_alive_timeout || d->ec == errc::server_disconnected;
    if (d->ec == errc::server_disconnected) {
      cov_.server_disconnects++;
      if (d->reason != reason_code::server_shutting_down) {
        violation("server DISCONNECT reported without its reason code");
      }
    }
    if (d->ec == std::errc::connection_reset) cov_.reset++;
    if (d->ec == std::errc::connection_refused) cov_.refused++;
    if (d->ec == errc::transport_closed) cov_.closed++;
    if (d->ec == errc::connect_timeout) cov_.connect_timeout++;
    if (d->ec == errc::keep_alive_timeout) cov_.keep_alive_timeout++;
    if (!allowed) violation("disconnected with unexpected error '%s'", d->ec.message().c_str());
    if (!d->will_reconnect) violation("disconnected_event says it will not reconnect");
  } else if (auto* rc = std::get_if<reconnecting_event>(&e)) {
    trace_.add(now_, "event: reconnecting #%u in %lld ms to %s", rc->attempt,
               static_cast<long long>(rc->delay.count()), rc->endpoint.c_str());
  } else if (auto* m = std::get_if<message_event>(&e)) {
    const publish& p = m->message.view();
    const int j = index_of(p.payload, 'd');
    trace_.add(now_, "event: message '%.*s' q%d", static_cast<int>(p.payload.size()),
               p.payload.data(), static_cast<int>(p.qos));
    if (j < 0 || j >= sc_.broker_messages) {
      violation("message event with unknown payload");
      return;
    }
    down_received_[j]++;
    if (p.qos != down_qos_[j]) violation("message d%d delivered with the wrong QoS", j);
    if (p.topic != "down/" + std::to_string(j % 3)) violation("message d%d: wrong topic", j);
    if (down_qos_[j] == qos::exactly_once && down_received_[j] > 1) {
      violation("QoS 2 message d%d delivered %d times", j, down_received_[j]);
    }
  } else if (auto* o = std::get_if<operation_event>(&e)) {
    trace_.add(now_, "event: operation %llu kind=%d '%s'", static_cast<unsigned long long>(o->id),
               static_cast<int>(o->kind), o->ec ? o->ec.message().c_str() : "ok");
    if (o->kind == operation_kind::subscribe) {
      if (!sub_op_ || o->id != *sub_op_) violation("unknown subscribe operation completed");
      if (++sub_completed_ > 1) violation("subscribe operation completed twice");
      return;
    }
    if (o->kind != operation_kind::publish) {
      violation("unexpected operation kind %d", static_cast<int>(o->kind));
      return;
    }
    auto it = op_index_.find(o->id);
    if (it == op_index_.end()) {
      violation("completion of unknown operation %llu", static_cast<unsigned long long>(o->id));
      return;
    }
    const int i = it->second;
    if (++up_completed_[i] > 1) violation("publish u%d completed %d times", i, up_completed_[i]);
    if (o->ec) violation("publish u%d failed: %s", i, o->ec.message().c_str());
    if (up_qos_[i] == qos::at_most_once) {
      if (!o->codes.empty()) violation("QoS 0 publish u%d completed with reason codes", i);
    } else {
      if (o->codes.size() != 1 || !is_success(o->codes[0])) {
        violation("publish u%d: want one success reason code, got %zu", i, o->codes.size());
      }
      if (up_delivered_[i] == 0 && up_qos_[i] == qos::at_least_once) {
        violation("publish u%d completed before the broker got it", i);
      }
    }
  } else if (std::get_if<auth_event>(&e)) {
    violation("unexpected auth_event");
  }
}

// Every packet the session emits, in order, whether or not the network delivers it.
void world::tap_client_packet(const packet& p) {
  connection& c = *conn_;
  trace_.add(now_, "C>B %s", describe(p).c_str());
  if (const auto* cn = std::get_if<connect>(&p)) {
    if (client_connected_once_ && cn->clean_start) {
      violation("Clean Start 1 on a reconnection of a persistent session");
    }
    if (sc_.version == protocol_version::v311 && cn->clean_start) {
      violation("3.1.1 persistent session sent Clean Session 1");
    }
    return;
  }
  if (const auto* rel = std::get_if<pubrel>(&p)) {
    auto it = inflight_.find(rel->packet_id);
    if (it == inflight_.end() || !it->second.is_publish || it->second.stage != 2) {
      violation("PUBREL id=%u without a PUBREC received for it", rel->packet_id);
    } else if (it->second.pubrels++ > 0) {
      cov_.client_pubrel_resends++;
    }
    return;
  }
  if (const auto* sub = std::get_if<subscribe>(&p)) {
    if (inflight_.count(sub->packet_id)) {
      violation("SUBSCRIBE reuses packet id %u still in flight", sub->packet_id);
    }
    inflight_[sub->packet_id] = wire_inflight{false, -1, 1};
    return;
  }
  if (const auto* uns = std::get_if<unsubscribe>(&p)) {
    if (inflight_.count(uns->packet_id)) {
      violation("UNSUBSCRIBE reuses packet id %u still in flight", uns->packet_id);
    }
    inflight_[uns->packet_id] = wire_inflight{false, -1, 1};
    return;
  }
  const auto* m = std::get_if<publish>(&p);
  if (!m) return;
  const int i = index_of(m->payload, 'u');
  if (i < 0 || i >= sc_.client_messages) {
    violation("PUBLISH with unknown payload");
    return;
  }
  if (m->qos != up_qos_[i]) violation("u%d sent with QoS %d", i, static_cast<int>(m->qos));
  const bool first = up_emitted_[i] == 0;
  up_emitted_[i]++;
  if (m->qos == qos::at_most_once) {
    if (!first) violation("QoS 0 message u%d sent twice", i);
    if (m->dup) violation("QoS 0 message u%d with DUP", i);
    return;
  }
  if (first) {
    if (m->dup) violation("first send of u%d has DUP 1 (MQTT-3.3.1-1)", i);
    if (i <= last_first_send_) {
      violation("u%d first sent after u%d: not in publication order", i, last_first_send_);
    }
    last_first_send_ = std::max(last_first_send_, i);
    if (inflight_.count(m->packet_id)) {
      violation("PUBLISH u%d reuses packet id %u still in flight (MQTT-2.2.1-3)", i,
                m->packet_id);
    }
    inflight_[m->packet_id] = wire_inflight{true, i, 1};
    up_id_[i] = m->packet_id;
    if (sc_.version == protocol_version::v5) {
      const std::size_t limit = sc_.broker_receive_maximum.value_or(65535);
      if (inflight_publishes() == limit) cov_.window_full++;
      if (inflight_publishes() > limit) {
        violation("%zu unacknowledged QoS>0 publishes, broker's Receive Maximum is %zu",
                  inflight_publishes(), limit);
      }
    }
  } else {
    cov_.client_publish_resends++;
    if (!m->dup) violation("resend of u%d without DUP (MQTT-3.3.1-1)", i);
    if (m->packet_id != up_id_[i]) {
      violation("resend of u%d with id %u, originally %u (MQTT-4.4.0-1)", i, m->packet_id,
                up_id_[i]);
    }
    if (c.emitted_here.count(i)) {
      violation("u%d resent while the connection is up (MQTT-4.4.0-1)", i);
    }
    if (i < c.last_resend) violation("u%d resent after u%d: not in original order", i, c.last_resend);
    c.last_resend = std::max(c.last_resend, i);
    auto it = inflight_.find(m->packet_id);
    if (it == inflight_.end() || !it->second.is_publish || it->second.index != i) {
      violation("resend of u%d that is no longer in flight", i);
    } else if (it->second.stage != 1) {
      violation("PUBLISH u%d resent after its PUBREC arrived (PUBREL expected)", i);
    }
  }
  c.emitted_here.insert(i);
}

// Every packet handed to session::receive(), before the session sees it.
void world::tap_broker_packet(const packet& p) {
  trace_.add(now_, "B>C %s", describe(p).c_str());
  auto done = [&](std::uint16_t id, bool publish_ack) {
    auto it = inflight_.find(id);
    if (it != inflight_.end() && it->second.is_publish == publish_ack) inflight_.erase(it);
  };
  if (const auto* a = std::get_if<puback>(&p)) {
    done(a->packet_id, true);
  } else if (const auto* rec = std::get_if<pubrec>(&p)) {
    auto it = inflight_.find(rec->packet_id);
    if (it != inflight_.end() && it->second.is_publish) it->second.stage = 2;
  } else if (const auto* comp = std::get_if<pubcomp>(&p)) {
    done(comp->packet_id, true);
  } else if (const auto* sa = std::get_if<suback>(&p)) {
    done(sa->packet_id, false);
  } else if (const auto* ua = std::get_if<unsuback>(&p)) {
    done(ua->packet_id, false);
  }
}

// ---- the model broker -------------------------------------------------------------------------

template <class P>
void world::broker_send(const P& p, std::int64_t delay) {
  connection& c = *conn_;
  if (c.gone || c.blackhole || c.closing) return;
  std::vector<std::uint8_t> bytes;
  if (auto ec = encode(p, sc_.version, bytes)) {
    violation("model broker cannot encode: %s", ec.message().c_str());
    return;
  }
  // Responses leave in the order they were made (MQTT 4.6), each after its own delay.
  c.broker_send_at = std::max(c.broker_send_at, now_ + delay);
  send_pieces(false, std::move(bytes), c.broker_send_at);
}

void world::broker_receive(const std::vector<std::uint8_t>& bytes) {
  connection& c = *conn_;
  c.broker_decoder.feed(bytes.data(), bytes.size());
  packet p;
  std::error_code ec;
  while (conn_ && conn_.get() == &c && !c.gone && !c.closing && !c.blackhole &&
         c.broker_decoder.next(p, ec)) {
    broker_packet(p);
    if (++c.broker_packets == c.drop_after_packets && !c.gone && in_chaos()) {
      drop(static_cast<int>(r_.below(3)));
    }
  }
  if (ec) violation("broker cannot decode the client's bytes: %s", ec.message().c_str());
}

void world::broker_packet(const packet& p) {
  connection& c = *conn_;
  const bool v5 = sc_.version == protocol_version::v5;
  const std::int64_t ack_delay = r_.range(0, sc_.max_ack_delay);
  if (const auto* cn = std::get_if<connect>(&p)) {
    if (c.got_connect) {
      violation("second CONNECT on one connection");
      return;
    }
    c.got_connect = true;
    if (cn->version != sc_.version) violation("CONNECT with the wrong protocol version");
    if (c.stall_connect) {
      trace_.add(now_, "broker ignores this CONNECT");
      c.blackhole = true;
      return;
    }
    if (cn->clean_start) {
      broker_session_exists_ = false;
      broker_out_.clear();
      broker_incoming_qos2_.clear();
    }
    const bool session_present = broker_session_exists_;
    broker_session_exists_ = true;
    if (v5) {
      c.client_receive_maximum = cn->props.receive_maximum.value_or(65535);
      // The options' value, or less after connections that died young while this broker was
      // sending (session_options::adaptive_receive_maximum); this broker honours either.
      const std::uint16_t configured = sc_.client_receive_maximum.value_or(65535);
      if (c.client_receive_maximum > configured || c.client_receive_maximum == 0 ||
          (!cn->props.receive_maximum && sc_.client_receive_maximum)) {
        violation("CONNECT Receive Maximum is not the options' or less");
      }
      if (c.client_receive_maximum < configured) cov_.receive_maximum_reduced++;
      if (!cn->props.session_expiry_interval || *cn->props.session_expiry_interval == 0) {
        violation("CONNECT lost the Session Expiry Interval");
      }
    } else {
      c.client_receive_maximum = 20;  // what this broker allows itself on 3.1.1
    }
    connack ack;
    ack.session_present = session_present;
    if (v5) {
      ack.props.receive_maximum = sc_.broker_receive_maximum;
      if (sc_.broker_topic_alias_maximum) {
        ack.props.topic_alias_maximum = sc_.broker_topic_alias_maximum;
      }
    }
    broker_send(ack, r_.range(0, sc_.max_ack_delay));
    c.connack_sent = true;
    if (session_present) broker_resume();
    broker_try_send();
    return;
  }
  if (!c.got_connect) {
    violation("packet before CONNECT");
    return;
  }
  if (const auto* m = std::get_if<publish>(&p)) {
    std::string topic(m->topic);
    if (v5 && m->props.topic_alias) {
      const std::uint16_t alias = *m->props.topic_alias;
      if (alias == 0 || alias > sc_.broker_topic_alias_maximum) {
        violation("topic alias %u beyond the broker's maximum %u", alias,
                  sc_.broker_topic_alias_maximum);
      }
      if (!topic.empty()) {
        c.aliases[alias] = topic;
      } else {
        auto it = c.aliases.find(alias);
        if (it == c.aliases.end()) {
          violation("topic alias %u used before it was set on this connection", alias);
        } else {
          topic = it->second;
          cov_.aliases_used++;
        }
      }
    }
    const int i = index_of(m->payload, 'u');
    if (i < 0 || i >= sc_.client_messages) {
      violation("broker got a PUBLISH with unknown payload");
      return;
    }
    if (topic != up_topic_[i]) {
      violation("u%d arrived on topic '%s', published on '%s'", i, topic.c_str(),
                up_topic_[i].c_str());
    }
    switch (m->qos) {
      case qos::at_most_once:
        up_delivered_[i]++;
        break;
      case qos::at_least_once:
        up_delivered_[i]++;
        broker_send(puback{m->packet_id, reason_code::success, {}}, ack_delay);
        break;
      case qos::exactly_once:
        // Method A of MQTT 4.3.3: deliver on PUBLISH, remember the id until PUBREL.
        if (broker_incoming_qos2_.insert(m->packet_id).second) {
          up_delivered_[i]++;
        } else if (!m->dup) {
          violation("non-DUP QoS 2 PUBLISH u%d with id %u awaiting PUBREL", i, m->packet_id);
        } else {
          cov_.broker_deduped++;
        }
        broker_send(pubrec{m->packet_id, reason_code::success, {}}, ack_delay);
        break;
    }
    if (m->qos != qos::at_most_once && up_delivered_[i] > 1 && m->qos == qos::exactly_once) {
      violation("QoS 2 message u%d delivered %d times", i, up_delivered_[i]);
    }
    return;
  }
  if (const auto* rel = std::get_if<pubrel>(&p)) {
    // Released (now or before: a resent PUBREL after a lost PUBCOMP is answered the same).
    broker_incoming_qos2_.erase(rel->packet_id);
    broker_send(pubcomp{rel->packet_id, reason_code::success, {}}, ack_delay);
    return;
  }
  if (const auto* sub = std::get_if<subscribe>(&p)) {
    std::vector<reason_code> codes;
    for (const auto& s : sub->subscriptions) {
      codes.push_back(static_cast<reason_code>(static_cast<std::uint8_t>(s.options.max_qos)));
    }
    suback sa;
    sa.packet_id = sub->packet_id;
    sa.codes = reason_code_list(codes);
    broker_send(sa, ack_delay);
    return;
  }
  if (std::get_if<pingreq>(&p)) {
    broker_send(pingresp{}, ack_delay);
    return;
  }
  auto find_out = [&](std::uint16_t id) -> broker_out* {
    for (auto& o : broker_out_) {
      if (o.stage != broker_out::pending && o.id == id) return &o;
    }
    return nullptr;
  };
  auto finish = [&](broker_out* o) {
    down_acked_[o->index] = true;
    broker_out_.erase(broker_out_.begin() + (o - broker_out_.data()));
  };
  if (const auto* a = std::get_if<puback>(&p)) {
    broker_out* o = find_out(a->packet_id);
    if (!o || o->q != qos::at_least_once || o->stage != broker_out::awaiting_ack) {
      violation("PUBACK id=%u from the client matches nothing in flight", a->packet_id);
      return;
    }
    finish(o);
    broker_try_send();
    return;
  }
  if (const auto* rec = std::get_if<pubrec>(&p)) {
    broker_out* o = find_out(rec->packet_id);
    if (!o || o->q != qos::exactly_once || o->stage != broker_out::awaiting_ack) {
      violation("PUBREC id=%u from the client matches nothing awaiting it", rec->packet_id);
      return;
    }
    if (!is_success(rec->code)) violation("client refused d%d with PUBREC", o->index);
    o->stage = broker_out::awaiting_pubcomp;
    broker_send(pubrel{rec->packet_id, reason_code::success, {}}, ack_delay);
    return;
  }
  if (const auto* comp = std::get_if<pubcomp>(&p)) {
    broker_out* o = find_out(comp->packet_id);
    if (!o || o->stage != broker_out::awaiting_pubcomp) {
      violation("PUBCOMP id=%u from the client matches nothing awaiting it", comp->packet_id);
      return;
    }
    finish(o);
    broker_try_send();
    return;
  }
  if (const auto* d = std::get_if<disconnect>(&p)) {
    violation("client sent DISCONNECT 0x%02x", static_cast<unsigned>(d->code));
    return;
  }
  violation("broker got an unexpected %s", describe(p).c_str());
}

// On a resumed session: everything in flight again, in the original order (MQTT-4.4.0-1).
void world::broker_resume() {
  for (auto& o : broker_out_) {
    if (o.stage == broker_out::awaiting_ack) {
      cov_.broker_publish_resends++;
      if (o.q == qos::exactly_once && down_received_[o.index] > 0) cov_.client_must_dedupe++;
      broker_publish_to_client(o, true);
    } else if (o.stage == broker_out::awaiting_pubcomp) {
      cov_.broker_pubrel_resends++;
      broker_send(pubrel{o.id, reason_code::success, {}}, 0);
    }
  }
}

void world::broker_try_send() {
  if (!conn_ || conn_->gone || conn_->blackhole || conn_->closing || !conn_->connack_sent) return;
  connection& c = *conn_;
  std::size_t in_flight = 0;
  for (const auto& o : broker_out_) in_flight += o.stage != broker_out::pending ? 1 : 0;
  for (auto& o : broker_out_) {
    if (o.stage != broker_out::pending) continue;
    if (in_flight >= c.client_receive_maximum) break;
    // A free packet identifier of the broker's own.
    for (;;) {
      const std::uint16_t id = broker_next_id_;
      broker_next_id_ = static_cast<std::uint16_t>(broker_next_id_ == 65535 ? 1 : broker_next_id_ + 1);
      bool used = false;
      for (const auto& x : broker_out_) used |= x.stage != broker_out::pending && x.id == id;
      if (!used) {
        o.id = id;
        break;
      }
    }
    o.stage = broker_out::awaiting_ack;
    ++in_flight;
    broker_publish_to_client(o, false);
  }
}

void world::broker_publish_to_client(const broker_out& o, bool dup) {
  connection& c = *conn_;
  const std::string topic = "down/" + std::to_string(o.index % 3);
  const std::string payload = "d" + std::to_string(o.index);
  publish p;
  p.topic = topic;
  p.payload = payload;
  p.qos = o.q;
  p.dup = dup;
  p.packet_id = o.id;
  if (sc_.client_topic_alias_maximum > 0) {
    // Topic aliases of this connection (a resend on a new connection starts afresh).
    auto it = c.out_aliases.find(topic);
    if (it != c.out_aliases.end()) {
      p.props.topic_alias = it->second;
      p.topic = {};
      cov_.inbound_aliases_used++;
    } else if (c.out_aliases.size() < sc_.client_topic_alias_maximum) {
      const auto alias = static_cast<std::uint16_t>(c.out_aliases.size() + 1);
      c.out_aliases.emplace(topic, alias);
      p.props.topic_alias = alias;
    }
  }
  broker_send(p, 0);
}

bool world::check_end() {
  for (int i = 0; i < sc_.client_messages; ++i) {
    const qos q = up_qos_[i];
    if (q == qos::at_least_once && up_delivered_[i] < 1) {
      violation("QoS 1 message u%d never reached the broker", i);
    }
    if (q == qos::exactly_once && up_delivered_[i] != 1) {
      violation("QoS 2 message u%d reached the broker %d times", i, up_delivered_[i]);
    }
    if (q == qos::at_most_once && up_delivered_[i] > 1) {
      violation("QoS 0 message u%d reached the broker %d times", i, up_delivered_[i]);
    }
    if (up_completed_[i] != 1) {
      violation("publish u%d (QoS %d) completed %d times", i, static_cast<int>(q),
                up_completed_[i]);
    }
  }
  for (int j = 0; j < sc_.broker_messages; ++j) {
    if (down_received_[j] < 1) violation("broker message d%d never delivered", j);
    if (down_qos_[j] == qos::exactly_once && down_received_[j] != 1) {
      violation("QoS 2 message d%d delivered %d times", j, down_received_[j]);
    }
    if (!down_acked_[j]) violation("broker message d%d never completely acknowledged", j);
  }
  if (sub_completed_ != 1) violation("subscribe completed %d times", sub_completed_);
  const session_stats st = s_->stats();
  if (st.state != session_state::connected) {
    violation("session ends in state %s", std::string(to_string(st.state)).c_str());
  }
  if (st.inflight_outgoing != 0 || st.inflight_incoming != 0 || st.queued != 0) {
    violation("session ends with inflight out=%zu in=%zu queued=%zu", st.inflight_outgoing,
              st.inflight_incoming, st.queued);
  }
  if (!inflight_.empty()) {
    violation("%zu packet identifiers still in flight on the wire at the end", inflight_.size());
  }
  return violations_.empty();
}

// ---- the test ---------------------------------------------------------------------------------

#ifdef __EMSCRIPTEN__
constexpr std::uint64_t default_seed_count = 3000;
#else
constexpr std::uint64_t default_seed_count = 10000;
#endif

std::uint64_t seed_count_from_env() {
  // MQTTWS_RANDOM_SEEDS=n runs n seeds (the sanitizer build runs fewer: it is ~20x slower).
  if (const char* s = std::getenv("MQTTWS_RANDOM_SEEDS")) {
    const std::uint64_t n = std::strtoull(s, nullptr, 10);
    if (n > 0) return n;
  }
  return default_seed_count;
}

std::uint64_t first_seed() {
  // MQTTWS_RANDOM_SEED=n runs seeds n.. (to reproduce a failure).
  if (const char* s = std::getenv("MQTTWS_RANDOM_SEED")) return std::strtoull(s, nullptr, 10);
  return 1;
}

TEST(SessionRandom, qos_flows_survive_random_drops) {
  const std::uint64_t first = first_seed();
  const std::uint64_t seed_count = seed_count_from_env();
  int failures = 0;
  coverage cov;
  for (std::uint64_t seed = first; seed < first + seed_count; ++seed) {
    world w(seed, cov);
    const std::string report = w.run();
    if (!report.empty()) {
      if (++failures <= 3) ADD_FAILURE() << report;
    }
  }
  EXPECT_EQ(failures, 0) << failures << " of " << seed_count << " seeds failed (first "
                         << first << "); rerun one with MQTTWS_RANDOM_SEED=<seed>";

  std::printf(
      "[ coverage ] %llu seeds (%llu on 3.1.1): resends client PUBLISH %llu / PUBREL %llu, "
      "broker PUBLISH %llu / PUBREL %llu; QoS 2 dedup client %llu / broker %llu; resumes with "
      "in-flight %llu; window full %llu; Receive Maximum reduced %llu; aliases %llu / inbound %llu; losses reset %llu, "
      "refused %llu, "
      "closed %llu, connect timeout %llu, keepalive timeout %llu, server DISCONNECT %llu; "
      "late timer calls %llu\n",
      static_cast<unsigned long long>(seed_count), static_cast<unsigned long long>(cov.v311_seeds),
      static_cast<unsigned long long>(cov.client_publish_resends),
      static_cast<unsigned long long>(cov.client_pubrel_resends),
      static_cast<unsigned long long>(cov.broker_publish_resends),
      static_cast<unsigned long long>(cov.broker_pubrel_resends),
      static_cast<unsigned long long>(cov.client_must_dedupe),
      static_cast<unsigned long long>(cov.broker_deduped),
      static_cast<unsigned long long>(cov.resumes_with_inflight),
      static_cast<unsigned long long>(cov.window_full),
      static_cast<unsigned long long>(cov.receive_maximum_reduced),
      static_cast<unsigned long long>(cov.aliases_used),
      static_cast<unsigned long long>(cov.inbound_aliases_used),
      static_cast<unsigned long long>(cov.reset), static_cast<unsigned long long>(cov.refused),
      static_cast<unsigned long long>(cov.closed),
      static_cast<unsigned long long>(cov.connect_timeout),
      static_cast<unsigned long long>(cov.keep_alive_timeout),
      static_cast<unsigned long long>(cov.server_disconnects),
      static_cast<unsigned long long>(cov.late_timeouts));
  EXPECT_GT(cov.v311_seeds, 0u);
  EXPECT_GT(cov.client_publish_resends, 0u);
  EXPECT_GT(cov.client_pubrel_resends, 0u);
  EXPECT_GT(cov.broker_publish_resends, 0u);
  EXPECT_GT(cov.broker_pubrel_resends, 0u);
  EXPECT_GT(cov.client_must_dedupe, 0u);
  EXPECT_GT(cov.broker_deduped, 0u);
  EXPECT_GT(cov.resumes_with_inflight, 0u);
  EXPECT_GT(cov.window_full, 0u);
  EXPECT_GT(cov.receive_maximum_reduced, 0u);
  EXPECT_GT(cov.aliases_used, 0u);
  EXPECT_GT(cov.inbound_aliases_used, 0u);
  EXPECT_GT(cov.reset, 0u);
  EXPECT_GT(cov.refused, 0u);
  EXPECT_GT(cov.closed, 0u);
  EXPECT_GT(cov.connect_timeout, 0u);
  EXPECT_GT(cov.keep_alive_timeout, 0u);
  EXPECT_GT(cov.server_disconnects, 0u);
  EXPECT_GT(cov.late_timeouts, 0u);
}

}  // namespace
}  // namespace mqttws::test
