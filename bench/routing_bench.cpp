// Routing benchmark: what the sans-I/O session costs per inbound message, per subscribe and
// per unsubscribe, against the number of subscription filters it holds (F = 1, 100, 10,000,
// 100,000).
//
// Everything goes through mqttws::session's public API, driven as a real driver drives it
// (virtual clock, no I/O): connect() → open → CONNECT out → CONNACK bytes in; every filter is
// registered with subscribe() and completed by feeding SUBACK bytes, so the session's
// subscription state (routes, granted subscriptions kept for resubscription, MQTT 5
// Subscription Identifiers it assigned) is the real thing. Filters are a mix, one per index i:
//   i % 3 == 0: site/<i>/+/temperature    i % 3 == 1: site/<i>/#    i % 3 == 2: fleet/<i>/status
// and every message matches exactly one of them.
//
// Benchmarks (ns per operation as real_time; items_per_second = operations per second):
//   route/filters:F        receive() of one whole MQTT 5 QoS 0 PUBLISH (64-byte payload,
//                          carrying the Subscription Identifier of the subscription it matches,
//                          as a broker sends it) + poll_event() returning its message_event.
//                          4096 pre-encoded messages to random filters, fed in turn.
//                          Checked before timing: each is reported for exactly its
//                          subscription.
//   subscribe/filters:F    subscribe() of one new filter (same mix) + poll_transmit() of its
//                          SUBSCRIBE + receive() of the SUBACK + poll_event() returning the
//                          completion. Reading the packet id from the SUBSCRIBE bytes and
//                          writing the 6-byte SUBACK (the broker's part) are inside the timed
//                          span: a few ns. The unsubscribe that restores F is not timed.
//   unsubscribe/filters:F  the same for unsubscribe() of that filter: UNSUBSCRIBE out,
//                          UNSUBACK in, completion event. The subscribe before it is not timed.
// subscribe/unsubscribe use manual timing: steady_clock read around the timed span, which adds
// about one clock read (~30 ns here) to each figure; Google Benchmark then names them
// "subscribe/filters:F/manual_time" and "unsubscribe/filters:F/manual_time", and their
// cpu_time covers the untimed half too (read real_time). Setting up the F filters happens
// once per F, outside every timed loop.
//
// Run:   routing_bench --benchmark_format=json --benchmark_min_time=0.2
// Prints Google Benchmark's output (JSON with the flag above); a failed set-up or check aborts
// with a one-line reason on stderr.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "mqttws/codec.hpp"
#include "mqttws/session.hpp"

namespace {

using namespace mqttws;

[[noreturn]] void fail(const std::string& why) {
  std::fprintf(stderr, "routing_bench: %s\n", why.c_str());
  std::exit(1);
}

std::string filter_for(std::size_t i) {
  const std::string n = std::to_string(i);
  switch (i % 3) {
    case 0: return "site/" + n + "/+/temperature";
    case 1: return "site/" + n + "/#";
    default: return "fleet/" + n + "/status";
  }
}

// A topic matched by filter_for(i) and by no other index's filter; `k` varies the levels the
// wildcards take.
std::string topic_for(std::size_t i, std::size_t k) {
  const std::string n = std::to_string(i);
  switch (i % 3) {
    case 0: return "site/" + n + "/room" + std::to_string(k % 50) + "/temperature";
    case 1: return "site/" + n + "/floor" + std::to_string(k % 7) + "/humidity";
    default: return "fleet/" + n + "/status";
  }
}

// Deterministic, so every run routes the same messages (splitmix64).
std::uint64_t next_random(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// The packet identifier of a SUBSCRIBE or UNSUBSCRIBE: the two bytes after the fixed header.
std::uint16_t packet_id_of(const std::vector<std::uint8_t>& bytes) {
  std::size_t at = 1;
  while (at < bytes.size() && (bytes[at] & 0x80) != 0) ++at;  // Remaining Length varint
  ++at;
  if (at + 2 > bytes.size()) fail("short SUBSCRIBE/UNSUBSCRIBE from the session");
  return static_cast<std::uint16_t>((bytes[at] << 8) | bytes[at + 1]);
}

// What a broker answers a one-filter (UN)SUBSCRIBE with on MQTT 5: packet id, no
// properties, reason code 0 (Granted QoS 0 / Success).
void write_ack(std::uint8_t type_byte, std::uint16_t id, std::uint8_t (&out)[6]) {
  out[0] = type_byte;
  out[1] = 4;
  out[2] = static_cast<std::uint8_t>(id >> 8);
  out[3] = static_cast<std::uint8_t>(id & 0xff);
  out[4] = 0;  // Property Length
  out[5] = 0;  // reason code
}

// One connected MQTT 5 session holding `filters` subscriptions, each made by its own
// subscribe() and SUBACK.
class routed_session {
 public:
  explicit routed_session(std::size_t filters) : s_(options()) {
    connect();
    ops_.reserve(filters);
    sub_ids_.reserve(filters);
    for (std::size_t i = 0; i < filters; ++i) {
      std::uint32_t sub_id = 0;
      ops_.push_back(subscribe(filter_for(i), &sub_id));
      sub_ids_.push_back(sub_id);
    }
  }

  session& get() { return s_; }
  time_point now() const { return now_; }
  operation_id op_of(std::size_t i) const { return ops_[i]; }
  std::uint32_t sub_id_of(std::size_t i) const { return sub_ids_[i]; }

  /// subscribe() of `filter` through to its completion event; the session's own Subscription
  /// Identifier (read from the SUBSCRIBE) in `*sub_id` when asked for.
  operation_id subscribe(const std::string& filter, std::uint32_t* sub_id = nullptr) {
    const subscription one[] = {{filter, subscribe_options{}}};
    result<operation_id> op = s_.subscribe(subscription_list(one, 1), properties{}, now_);
    if (!op) fail("subscribe(" + filter + ") refused: " + op.error().message());
    out_.clear();
    while (s_.poll_transmit(out_)) {
    }
    if (sub_id) *sub_id = subscription_id_in(out_);
    std::uint8_t ack[6];
    write_ack(0x90, packet_id_of(out_), ack);
    s_.receive(ack, sizeof ack, now_);
    expect_completion(*op);
    return *op;
  }

  /// unsubscribe() of `filter` through to its completion event.
  void unsubscribe(const std::string& filter) {
    const std::string_view one[] = {filter};
    result<operation_id> op = s_.unsubscribe(topic_filter_list(one, 1), properties{}, now_);
    if (!op) fail("unsubscribe(" + filter + ") refused: " + op.error().message());
    out_.clear();
    while (s_.poll_transmit(out_)) {
    }
    std::uint8_t ack[6];
    write_ack(0xB0, packet_id_of(out_), ack);
    s_.receive(ack, sizeof ack, now_);
    expect_completion(*op);
  }

 private:
  static session_options options() {
    session_options o;
    o.version = protocol_version::v5;
    o.client_id = "routing-bench";
    o.keep_alive = 0;  // no timers: nothing but the benchmark's inputs happens
    static const std::string_view endpoint = "bench://loopback";
    o.endpoints = {endpoint};
    return o;
  }

  void connect() {
    if (std::error_code ec = s_.connect(now_)) fail("connect: " + ec.message());
    std::optional<transport_action> open = s_.poll_transport_action();
    if (!open || open->what != transport_action::kind::open) fail("no open action");
    s_.on_transport_open(now_);
    out_.clear();
    while (s_.poll_transmit(out_)) {
    }
    std::vector<std::uint8_t> connack_bytes;
    if (encode(connack{}, protocol_version::v5, connack_bytes)) fail("CONNACK does not encode");
    s_.receive(connack_bytes.data(), connack_bytes.size(), now_);
    std::optional<session_event> ev = s_.poll_event();
    if (!ev || !std::holds_alternative<connected_event>(*ev)) fail("no connected_event");
    if (s_.state() != session_state::connected) fail("not connected after CONNACK");
  }

  static std::uint32_t subscription_id_in(const std::vector<std::uint8_t>& bytes) {
    packet p;
    if (decode(as_chars(bytes.data(), bytes.size()), protocol_version::v5, p)) {
      fail("the session sent something other than one SUBSCRIBE");
    }
    const auto* s = std::get_if<mqttws::subscribe>(&p);
    if (!s) fail("the session sent something other than a SUBSCRIBE");
    for (std::uint32_t id : s->props.subscription_identifiers) return id;
    return 0;
  }

  void expect_completion(operation_id op) {
    std::optional<session_event> ev = s_.poll_event();
    const auto* done = ev ? std::get_if<operation_event>(&*ev) : nullptr;
    if (!done || done->id != op || done->ec || done->codes.size() != 1 ||
        done->codes[0] != reason_code::success) {
      fail("an operation did not complete with success");
    }
  }

  session s_;
  time_point now_ = at_ms(1);
  std::vector<std::uint8_t> out_;
  std::vector<operation_id> ops_;
  std::vector<std::uint32_t> sub_ids_;
};

// One session per F, built on first use and kept: Google Benchmark calls a benchmark function
// several times while it settles the iteration count, and building 100,000 subscriptions each
// time would dominate the run.
routed_session& session_with(std::size_t filters) {
  static std::map<std::size_t, std::unique_ptr<routed_session>> sessions;
  std::unique_ptr<routed_session>& s = sessions[filters];
  if (!s) s = std::make_unique<routed_session>(filters);
  return *s;
}

void route(benchmark::State& state) {
  const auto filters = static_cast<std::size_t>(state.range(0));
  routed_session& rs = session_with(filters);
  session& s = rs.get();
  const time_point now = rs.now();

  // Messages to random filters, encoded as a broker sends them.
  constexpr std::size_t message_count = 4096;
  const std::string payload(64, 'x');
  std::vector<std::vector<std::uint8_t>> messages(message_count);
  std::vector<std::size_t> target(message_count);
  std::uint64_t seed = 11;
  for (std::size_t k = 0; k < message_count; ++k) {
    target[k] = static_cast<std::size_t>(next_random(seed) % filters);
    const std::string topic = topic_for(target[k], k);
    const std::uint32_t sub_id = rs.sub_id_of(target[k]);
    publish p;
    p.topic = topic;
    p.payload = payload;
    p.qos = qos::at_most_once;
    if (sub_id != 0) p.props.subscription_identifiers = subscription_id_list(&sub_id, 1);
    if (encode(p, protocol_version::v5, messages[k])) fail("PUBLISH does not encode");
  }
  // Every message is routed to exactly the subscription it was made for.
  for (std::size_t k = 0; k < message_count; ++k) {
    s.receive(messages[k].data(), messages[k].size(), now);
    std::optional<session_event> ev = s.poll_event();
    const auto* m = ev ? std::get_if<message_event>(&*ev) : nullptr;
    if (!m || m->subscriptions.size() != 1 || m->subscriptions[0] != rs.op_of(target[k])) {
      fail("message " + std::to_string(k) + " was not routed to its one subscription");
    }
  }

  std::size_t k = 0;
  for (auto _ : state) {
    const std::vector<std::uint8_t>& bytes = messages[k];
    k = (k + 1) % message_count;
    s.receive(bytes.data(), bytes.size(), now);
    std::optional<session_event> ev = s.poll_event();
    benchmark::DoNotOptimize(ev);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["filters"] = static_cast<double>(filters);
}

// A filter of the same mix that the session does not hold yet (indices past F).
std::vector<std::string> extra_filters(std::size_t filters) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < 1024; ++i) out.push_back(filter_for(filters + i));
  return out;
}

using steady = std::chrono::steady_clock;

void subscribe(benchmark::State& state) {
  const auto filters = static_cast<std::size_t>(state.range(0));
  routed_session& rs = session_with(filters);
  const std::vector<std::string> extra = extra_filters(filters);
  std::size_t k = 0;
  for (auto _ : state) {
    const std::string& f = extra[k];
    k = (k + 1) % extra.size();
    const steady::time_point t0 = steady::now();
    benchmark::DoNotOptimize(rs.subscribe(f));
    const steady::time_point t1 = steady::now();
    state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
    rs.unsubscribe(f);  // back to F filters, not timed
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["filters"] = static_cast<double>(filters);
}

void unsubscribe(benchmark::State& state) {
  const auto filters = static_cast<std::size_t>(state.range(0));
  routed_session& rs = session_with(filters);
  const std::vector<std::string> extra = extra_filters(filters);
  std::size_t k = 0;
  for (auto _ : state) {
    const std::string& f = extra[k];
    k = (k + 1) % extra.size();
    rs.subscribe(f);  // F + 1 filters, not timed
    const steady::time_point t0 = steady::now();
    rs.unsubscribe(f);
    const steady::time_point t1 = steady::now();
    state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["filters"] = static_cast<double>(filters);
}

void sizes(benchmark::internal::Benchmark* b) {
  b->ArgName("filters");
  for (std::int64_t f : {1, 100, 10'000, 100'000}) b->Arg(f);
}

BENCHMARK(route)->Apply(sizes);
BENCHMARK(subscribe)->Apply(sizes)->UseManualTime();
BENCHMARK(unsubscribe)->Apply(sizes)->UseManualTime();

}  // namespace

BENCHMARK_MAIN();
