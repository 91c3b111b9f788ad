// Session: pacing — progress on links that keep failing. After every (re)connection the QoS 1/2
// publishes (resends included) are let out by an acknowledgement-clocked window that starts at
// session_options::initial_send_window and grows by one per acknowledgement up to the broker's
// Receive Maximum; poll_transmit() hands out bounded pieces of whole packets. Together they let
// a backlog drain through a link that dies every few hundred bytes, with duplicates bounded by
// the window rather than by the backlog.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "mqttws/codec.hpp"
#include "mqttws/error.hpp"
#include "mqttws/stream_decoder.hpp"
#include "session_harness.hpp"

namespace mqttws::test {
namespace {

constexpr protocol_version both_versions[] = {protocol_version::v311, protocol_version::v5};

properties receive_maximum(std::uint16_t n) {
  properties p;
  p.receive_maximum = n;
  return p;
}

session_options paced(std::uint16_t initial, protocol_version v = protocol_version::v5) {
  session_options o = persistent_test_options(v);
  o.initial_send_window = initial;
  o.max_queued = 100000;
  return o;
}

std::vector<sent<publish>> publish_n(scripted_broker& b, int n, qos q = qos::at_least_once) {
  for (int i = 0; i < n; ++i) expect_id(b.publish("t", std::to_string(i), q));
  return b.take_all<publish>();
}

// ---- the window ---------------------------------------------------------------------------------

TEST(SessionPacing, a_new_connection_lets_out_only_the_initial_window) {
  scripted_broker b(paced(4));
  b.connect_ok();
  const std::vector<sent<publish>> first = publish_n(b, 20);
  ASSERT_EQ(first.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(first[i]->payload, std::to_string(i));
  EXPECT_EQ(b.stats().inflight_outgoing, 4u);
  EXPECT_EQ(b.stats().queued, 16u);
}

TEST(SessionPacing, each_acknowledgement_frees_its_slot_and_opens_one_more) {
  scripted_broker b(paced(4));
  b.connect_ok();
  std::vector<sent<publish>> out = publish_n(b, 20);
  ASSERT_EQ(out.size(), 4u);
  b.puback(out[0]->packet_id);
  std::vector<sent<publish>> next = b.take_all<publish>();
  ASSERT_EQ(next.size(), 2u);  // the freed slot, and the window is 5 now
  EXPECT_EQ(next[0]->payload, "4");
  EXPECT_EQ(next[1]->payload, "5");
  EXPECT_EQ(b.stats().inflight_outgoing, 5u);
}

TEST(SessionPacing, the_window_doubles_per_round_trip) {
  scripted_broker b(paced(2));
  b.connect_ok();
  std::vector<sent<publish>> round = publish_n(b, 100);
  std::vector<std::size_t> sizes;
  while (!round.empty()) {
    sizes.push_back(round.size());
    for (const sent<publish>& p : round) b.puback(p->packet_id);
    round = b.take_all<publish>();
  }
  // 2, 4, 8, 16, 32, then the 38 left.
  EXPECT_EQ(sizes, (std::vector<std::size_t>{2, 4, 8, 16, 32, 38}));
}

TEST(SessionPacing, the_window_never_exceeds_the_broker_receive_maximum) {
  scripted_broker b(paced(4));
  b.connect_ok(false, receive_maximum(3));
  std::vector<sent<publish>> round = publish_n(b, 30);
  while (!round.empty()) {
    EXPECT_LE(b.stats().inflight_outgoing, 3u);
    for (const sent<publish>& p : round) b.puback(p->packet_id);
    round = b.take_all<publish>();
  }
  EXPECT_EQ(b.stats().queued, 0u);
}

TEST(SessionPacing, qos2_acknowledgements_open_the_window_and_the_slot_frees_on_pubcomp) {
  scripted_broker b(paced(1));
  b.connect_ok();
  std::vector<sent<publish>> out = publish_n(b, 10, qos::exactly_once);
  ASSERT_EQ(out.size(), 1u);
  b.pubrec(out[0]->packet_id);  // the window is 2; the first still holds its slot
  EXPECT_EQ(b.expect<pubrel>()->packet_id, out[0]->packet_id);
  std::vector<sent<publish>> more = b.take_all<publish>();
  ASSERT_EQ(more.size(), 1u);
  EXPECT_EQ(more[0]->payload, "1");
  b.pubcomp(out[0]->packet_id);  // window 3, one slot freed: two more
  EXPECT_EQ(b.take_all<publish>().size(), 2u);
}

TEST(SessionPacing, every_connection_starts_again_from_the_initial_window) {
  scripted_broker b(paced(2));
  b.connect_ok();
  std::vector<sent<publish>> round = publish_n(b, 50);
  for (int r = 0; r < 3; ++r) {  // grow the window to 16
    for (const sent<publish>& p : round) b.puback(p->packet_id);
    round = b.take_all<publish>();
  }
  ASSERT_EQ(round.size(), 16u);
  b.clear_events();
  b.lose_connection();
  b.connect_ok(true);
  // The 16 unacknowledged go again (DUP, same ids, in order) — two at a time at first.
  std::vector<sent<publish>> resent = b.take_all<publish>();
  ASSERT_EQ(resent.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(resent[i]->dup);
    EXPECT_EQ(resent[i]->packet_id, round[i]->packet_id);
  }
}

TEST(SessionPacing, resends_of_a_resumed_session_are_paced_and_new_messages_follow_them) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    scripted_broker b(paced(2, v));
    b.connect_ok();
    std::vector<sent<publish>> first = publish_n(b, 6);
    ASSERT_EQ(first.size(), 2u);
    for (const sent<publish>& p : first) b.puback(p->packet_id);
    std::vector<sent<publish>> inflight = b.take_all<publish>();  // 4 (window 4)
    ASSERT_EQ(inflight.size(), 4u);
    expect_id(b.publish("t", "new", qos::at_least_once));
    b.clear_packets();
    b.clear_events();
    b.lose_connection();
    b.connect_ok(true);
    std::vector<std::string> order;
    std::vector<sent<publish>> round = b.take_all<publish>();
    while (!round.empty()) {
      for (const sent<publish>& p : round) {
        order.push_back(std::string(p->payload) + (p->dup ? "*" : ""));
        b.puback(p->packet_id);
      }
      round = b.take_all<publish>();
    }
    // The four resends (DUP) in order, two at first, then the new message.
    EXPECT_EQ(order, (std::vector<std::string>{"2*", "3*", "4*", "5*", "new"}));
  }
}

TEST(SessionPacing, pubrels_of_a_resumed_session_all_go_at_once) {
  scripted_broker b(paced(1));
  b.connect_ok();
  std::vector<std::uint16_t> ids;
  std::vector<sent<publish>> round = publish_n(b, 3, qos::exactly_once);
  while (!round.empty()) {
    for (const sent<publish>& p : round) {
      b.pubrec(p->packet_id);
      ids.push_back(p->packet_id);
    }
    b.take_all<pubrel>();
    round = b.take_all<publish>();
  }
  ASSERT_EQ(ids.size(), 3u);
  b.clear_events();
  b.lose_connection();
  b.connect_ok(true);
  // A PUBREL answers a PUBREC the broker already sent: nothing to pace.
  std::vector<sent<pubrel>> rels = b.take_all<pubrel>();
  ASSERT_EQ(rels.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(rels[i]->packet_id, ids[i]);
}

TEST(SessionPacing, initial_window_0_lets_out_the_whole_receive_maximum) {
  scripted_broker b(paced(0));
  b.connect_ok(false, receive_maximum(50));
  EXPECT_EQ(publish_n(b, 80).size(), 50u);
}

TEST(SessionPacing, qos0_is_not_paced) {
  scripted_broker b(paced(1));
  b.connect_ok();
  EXPECT_EQ(publish_n(b, 30, qos::at_most_once).size(), 30u);
}

// ---- bounded transmissions ----------------------------------------------------------------------

// A session driven by hand, for the bytes poll_transmit() hands out.
class raw_session {
 public:
  explicit raw_session(session_options o) : s_(o) {
    EXPECT_FALSE(s_.connect(now_));
    EXPECT_TRUE(s_.poll_transport_action().has_value());
    s_.on_transport_open(now_);
    std::vector<std::uint8_t> connect;
    EXPECT_TRUE(s_.poll_transmit(connect));
    connack ack;
    std::vector<std::uint8_t> bytes;
    EXPECT_FALSE(encode(ack, o.version, bytes));
    s_.receive(bytes.data(), bytes.size(), now_);
    EXPECT_EQ(s_.state(), session_state::connected);
    while (s_.poll_event()) {
    }
  }
  operation_id publish(const std::string& payload, qos q = qos::at_most_once) {
    mqttws::publish p;
    p.topic = "t";
    p.payload = payload;
    p.qos = q;
    result<operation_id> r = s_.publish(p, now_);
    EXPECT_TRUE(r) << r.error().message();
    return r ? *r : 0;
  }
  /// Every piece poll_transmit() hands out, each decoded into its packets.
  std::vector<std::vector<std::size_t>> pieces() {
    std::vector<std::vector<std::size_t>> out;
    for (std::vector<std::uint8_t> piece; s_.poll_transmit(piece); piece.clear()) {
      stream_decoder d(protocol_version::v5);
      d.feed(piece.data(), piece.size());
      std::vector<std::size_t> sizes;
      packet pk;
      std::error_code ec;
      std::size_t left = d.buffered();
      while (d.next(pk, ec)) {
        sizes.push_back(left - d.buffered());
        left = d.buffered();
      }
      EXPECT_FALSE(ec) << ec.message();
      EXPECT_EQ(left, 0u) << "a piece ends inside a packet";
      out.push_back(sizes);
    }
    return out;
  }
  mqttws::session& session() { return s_; }

 private:
  time_point now_{};
  mqttws::session s_;
};

std::size_t total(const std::vector<std::size_t>& v) {
  std::size_t n = 0;
  for (std::size_t x : v) n += x;
  return n;
}

TEST(SessionPacing, poll_transmit_hands_out_whole_packets_up_to_max_transmit_bytes) {
  session_options o = test_options();
  o.max_transmit_bytes = 100;
  raw_session r(o);
  for (int i = 0; i < 10; ++i) r.publish(std::string(20, 'x'));  // 26 bytes each on MQTT 5
  const std::vector<std::vector<std::size_t>> pieces = r.pieces();
  ASSERT_EQ(pieces.size(), 4u);  // 3 + 3 + 3 + 1 packets: a fourth would make 104 bytes
  EXPECT_EQ(pieces[0], (std::vector<std::size_t>{26, 26, 26}));
  EXPECT_EQ(pieces[1].size(), 3u);
  EXPECT_EQ(pieces[2].size(), 3u);
  EXPECT_EQ(pieces[3].size(), 1u);
}

TEST(SessionPacing, a_packet_larger_than_max_transmit_bytes_goes_out_alone) {
  session_options o = test_options();
  o.max_transmit_bytes = 100;
  raw_session r(o);
  r.publish("a");
  r.publish(std::string(300, 'b'));
  r.publish("c");
  const std::vector<std::vector<std::size_t>> pieces = r.pieces();
  ASSERT_EQ(pieces.size(), 3u);
  EXPECT_EQ(pieces[0].size(), 1u);
  EXPECT_GT(total(pieces[1]), 300u);
  EXPECT_EQ(pieces[2].size(), 1u);
}

TEST(SessionPacing, max_transmit_bytes_0_coalesces_everything) {
  session_options o = test_options();
  o.max_transmit_bytes = 0;
  raw_session r(o);
  for (int i = 0; i < 500; ++i) r.publish(std::string(50, 'x'));
  const std::vector<std::vector<std::size_t>> pieces = r.pieces();
  ASSERT_EQ(pieces.size(), 1u);
  EXPECT_EQ(pieces[0].size(), 500u);
}

TEST(SessionPacing, a_qos0_publish_completes_when_the_piece_that_carries_it_is_taken) {
  session_options o = test_options();
  o.max_transmit_bytes = 50;
  raw_session r(o);
  const operation_id a = r.publish(std::string(30, 'a'));
  const operation_id b = r.publish(std::string(30, 'b'));
  std::vector<std::uint8_t> piece;
  ASSERT_TRUE(r.session().poll_transmit(piece));  // a only
  std::vector<operation_id> done;
  while (auto e = r.session().poll_event()) {
    if (auto* op = std::get_if<operation_event>(&*e)) done.push_back(op->id);
  }
  EXPECT_EQ(done, (std::vector<operation_id>{a}));
  piece.clear();
  ASSERT_TRUE(r.session().poll_transmit(piece));
  while (auto e = r.session().poll_event()) {
    if (auto* op = std::get_if<operation_event>(&*e)) done.push_back(op->id);
  }
  EXPECT_EQ(done, (std::vector<operation_id>{a, b}));
}

// ---- a link that dies every few hundred bytes -------------------------------------------------
//
// Each connection carries a random budget of 300..3000 bytes, both directions counted (the
// WebSocket upgrade included), with WebSocket semantics: a piece (one WebSocket message) that does not fit in what is left is
// lost whole, and the connection dies with it. The broker (a model: QoS 1 and 2 with session
// state, Receive Maximum 20 like mosquitto's default) answers every packet at once.

// What a browser's WebSocket upgrade costs on the wire: a GET of about 400 bytes with its
// headers, and a 101 response of about 130.
constexpr std::size_t websocket_handshake_bytes = 530;

struct lossy_link_result {
  int connections = 0;
  int distinct = 0;      // messages the broker received at least once
  int duplicates = 0;    // further copies it received (QoS 1) or delivered (QoS 2)
  int completed = 0;     // publish operations completed successfully
  int failed = 0;        // completed with an error
};

lossy_link_result run_lossy_link(session_options o, int messages, qos q, std::uint64_t seed,
                                 int max_connections) {
  lossy_link_result res;
  std::uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  auto next = [&] {  // xorshift64*
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    return x * 0x2545F4914F6CDD1Dull;
  };
  o.max_queued = static_cast<std::size_t>(messages) + 1;
  o.backoff.initial_delay = std::chrono::milliseconds(1);
  o.backoff.max_delay = std::chrono::milliseconds(1);
  mqttws::session s(o);
  time_point now{};
  std::map<int, int> received;              // payload -> copies (QoS 1) / deliveries (QoS 2)
  std::set<std::uint16_t> awaiting_pubrel;  // the broker's QoS 2 state (kept across connections)
  bool has_session = false;

  for (int i = 0; i < messages; ++i) {
    mqttws::publish p;
    p.topic = "home/kitchen/sensor";
    const std::string payload = std::to_string(i) + std::string(40, '.');
    p.payload = payload;
    p.qos = q;
    EXPECT_TRUE(s.publish(p, now));
  }
  EXPECT_FALSE(s.connect(now));

  bool open = false;
  std::size_t budget = 0;
  stream_decoder broker(o.version);
  auto cut = [&] {
    open = false;
    s.on_transport_closed(make_error_code(std::errc::connection_reset), now);
  };
  // The broker's answer to the client: lost whole if it does not fit.
  auto to_client = [&](const auto& p) {
    std::vector<std::uint8_t> bytes;
    EXPECT_FALSE(encode(p, o.version, bytes));
    if (!open) return;
    if (bytes.size() > budget) return cut();
    budget -= bytes.size();
    s.receive(bytes.data(), bytes.size(), now);
  };
  auto on_packet = [&](packet& pk) {
    if (auto* c = std::get_if<mqttws::connect>(&pk)) {
      connack a;
      a.session_present = has_session && !c->clean_start;
      if (c->clean_start) awaiting_pubrel.clear();
      has_session = true;
      a.props.receive_maximum = 20;
      if (o.version != protocol_version::v5) a.props = {};
      to_client(a);
    } else if (auto* p = std::get_if<mqttws::publish>(&pk)) {
      const int index = std::stoi(std::string(p->payload.substr(0, p->payload.find('.'))));
      if (p->qos == qos::at_least_once) {
        received[index]++;
        to_client(puback{p->packet_id, reason_code::success, {}});
      } else {
        if (awaiting_pubrel.insert(p->packet_id).second) received[index]++;
        to_client(pubrec{p->packet_id, reason_code::success, {}});
      }
    } else if (auto* r = std::get_if<pubrel>(&pk)) {
      awaiting_pubrel.erase(r->packet_id);
      to_client(pubcomp{r->packet_id, reason_code::success, {}});
    } else if (std::get_if<pingreq>(&pk)) {
      to_client(pingresp{});
    }
  };

  for (int steps = 0; steps < 10'000'000; ++steps) {
    bool progress = false;
    for (std::vector<std::uint8_t> piece; open && s.poll_transmit(piece); piece.clear()) {
      progress = true;
      if (piece.size() > budget) {
        cut();
        break;
      }
      budget -= piece.size();
      broker.feed(piece.data(), piece.size());
      packet pk;
      std::error_code ec;
      while (open && broker.next(pk, ec)) on_packet(pk);
      EXPECT_FALSE(ec) << ec.message();
    }
    if (!open) {
      std::vector<std::uint8_t> stale;
      while (s.poll_transmit(stale)) stale.clear();  // nothing to write it on
    }
    while (std::optional<transport_action> a = s.poll_transport_action()) {
      progress = true;
      if (a->what == transport_action::kind::open) {
        if (++res.connections > max_connections) return res;
        // The WebSocket upgrade (request and response) spends part of the budget first; a
        // budget it exhausts is a connection that never opens.
        const std::size_t link = 300 + next() % 2701;
        if (link <= websocket_handshake_bytes) {
          s.on_transport_closed(make_error_code(std::errc::connection_reset), now);
          continue;
        }
        open = true;
        budget = link - websocket_handshake_bytes;
        broker.reset();
        broker.set_protocol_version(o.version);
        s.on_transport_open(now);
      } else if (open) {
        open = false;
        s.on_transport_closed({}, now);
      }
    }
    while (std::optional<session_event> e = s.poll_event()) {
      progress = true;
      if (auto* op = std::get_if<operation_event>(&*e)) {
        (op->ec ? res.failed : res.completed)++;
      }
    }
    if (res.completed + res.failed == messages) break;
    if (!progress) {
      const std::optional<time_point> t = s.next_timeout();
      if (!t) break;
      now = std::max(now, *t);
      s.handle_timeout(now);
    }
  }
  for (const auto& [index, copies] : received) {
    res.distinct++;
    res.duplicates += copies - 1;
  }
  return res;
}

TEST(SessionPacing, a_10000_message_qos1_backlog_drains_through_a_link_that_dies_every_few_kb) {
  const lossy_link_result r = run_lossy_link(paced(4), 10000, qos::at_least_once, 1, 20000);
  EXPECT_EQ(r.completed, 10000);
  EXPECT_EQ(r.failed, 0);
  EXPECT_EQ(r.distinct, 10000);  // nothing lost
  // Every cut costs at most the window that was in flight (<= Receive Maximum 20).
  EXPECT_LE(r.duplicates, 20 * r.connections);
  EXPECT_LT(r.connections, 2000);
  std::printf("[ lossy link ] QoS 1: 10000 delivered over %d connections, %d duplicates\n",
              r.connections, r.duplicates);
}

TEST(SessionPacing, a_10000_message_qos2_backlog_drains_exactly_once) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    const lossy_link_result r = run_lossy_link(paced(4, v), 10000, qos::exactly_once, 2, 40000);
    EXPECT_EQ(r.completed, 10000);
    EXPECT_EQ(r.failed, 0);
    EXPECT_EQ(r.distinct, 10000);
    EXPECT_EQ(r.duplicates, 0);
    std::printf("[ lossy link ] QoS 2 %s: 10000 delivered over %d connections\n",
                version_name(v), r.connections);
  }
}

TEST(SessionPacing, over_many_seeds_every_backlog_drains) {
  for (std::uint64_t seed = 10; seed < 60; ++seed) {
    const qos q = seed % 2 ? qos::at_least_once : qos::exactly_once;
    const lossy_link_result r = run_lossy_link(paced(4), 500, q, seed, 5000);
    EXPECT_EQ(r.completed, 500) << "seed " << seed;
    EXPECT_EQ(r.distinct, 500) << "seed " << seed;
    if (q == qos::exactly_once) EXPECT_EQ(r.duplicates, 0) << "seed " << seed;
  }
}

}  // namespace
}  // namespace mqttws::test

namespace mqttws::test {
namespace {

// ---- the Receive Maximum we ask for (MQTT 5) ----------------------------------------------------

std::uint16_t connect_receive_maximum(const scripted_broker::connection& c) {
  return c.connect->props.receive_maximum.value_or(65535);
}

void broker_sends_qos1(scripted_broker& b, int n) {
  for (int i = 0; i < n; ++i) {
    publish p;
    p.topic = "in";
    p.payload = "x";
    p.qos = qos::at_least_once;
    p.packet_id = static_cast<std::uint16_t>(100 + i);
    b.send(p);
  }
  b.clear_packets();
  b.clear_events();
}

TEST(SessionPacing, after_a_young_connection_died_mid_burst_the_next_connect_asks_for_less) {
  scripted_broker b(persistent_test_options());
  EXPECT_EQ(connect_receive_maximum(b.connect_ok()), 65535);
  broker_sends_qos1(b, 9);
  b.advance(std::chrono::seconds(2));
  b.lose_connection();
  const scripted_broker::connection c = b.connect_ok(true);
  ASSERT_TRUE(c.connect->props.receive_maximum.has_value());
  EXPECT_EQ(*c.connect->props.receive_maximum, 4);
}

TEST(SessionPacing, a_connection_that_lasts_asks_for_more_again) {
  session_options o = persistent_test_options();
  o.connect_properties.receive_maximum = 40;
  scripted_broker b(o);
  EXPECT_EQ(connect_receive_maximum(b.connect_ok()), 40);
  broker_sends_qos1(b, 10);
  b.lose_connection();
  EXPECT_EQ(connect_receive_maximum(b.connect_ok(true)), 5);
  b.advance(std::chrono::seconds(30));
  b.clear_packets();
  b.lose_connection();
  EXPECT_EQ(connect_receive_maximum(b.connect_ok(true)), 10);
}

TEST(SessionPacing, a_broker_sending_beyond_the_reduced_value_is_not_a_violation) {
  session_options o = persistent_test_options();
  o.connect_properties.receive_maximum = 40;
  scripted_broker b(o);
  b.connect_ok();
  broker_sends_qos1(b, 4);
  b.lose_connection();
  ASSERT_EQ(connect_receive_maximum(b.connect_ok(true)), 2);
  // The broker resends the QoS 2 messages it had in flight, more than 2: all accepted.
  for (int i = 0; i < 10; ++i) {
    const std::string payload = std::to_string(i);  // outlives the view in p
    publish p;
    p.topic = "in";
    p.payload = payload;
    p.qos = qos::exactly_once;
    p.packet_id = static_cast<std::uint16_t>(200 + i);
    b.send(p);
    EXPECT_EQ(b.expect<pubrec>()->packet_id, 200 + i);
  }
  EXPECT_EQ(b.session().state(), session_state::connected);
}

TEST(SessionPacing, without_adaptive_receive_maximum_every_connect_asks_the_same) {
  session_options o = persistent_test_options();
  o.adaptive_receive_maximum = false;
  scripted_broker b(o);
  b.connect_ok();
  broker_sends_qos1(b, 9);
  b.lose_connection();
  EXPECT_FALSE(b.connect_ok(true).connect->props.receive_maximum.has_value());
}

}  // namespace
}  // namespace mqttws::test
