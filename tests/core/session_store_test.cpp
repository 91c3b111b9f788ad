// Session: the store interface. What the session saves, when (before the packet it implies),
// and what it removes; a persistent session resumed by a new session object over the same
// store (a process restart) with and without Session Present; incoming QoS 2 identifiers
// across a restart; clean sessions and clean starts emptying the store; and what happens
// when the store fails.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <system_error>
#include <vector>

#include "session_harness.hpp"

namespace mqttws::test {
namespace {

constexpr protocol_version both_versions[] = {protocol_version::v311, protocol_version::v5};

using stage = stored_publish::stage;

// ---- a store that records its calls and fails when told to -----------------------------------

/// Keeps its data in a memory_store (so it survives the session objects that use it, like a
/// file would survive a process), records every call, and fails the calls `fail_if` picks with
/// `failure`, leaving the data unchanged.
class recording_store final : public session_store {
 public:
  enum class op : std::uint8_t { save, remove, save_incoming, remove_incoming, load, clear };

  struct call {
    op what = op::load;
    std::uint64_t sequence = 0;   // save, remove
    std::uint16_t packet_id = 0;  // save (the message's), save_incoming, remove_incoming
    stage state = stage::queued;  // save
    bool failed = false;
    /// packets_sent of the session when the call was made (if `observe` is set): compared
    /// with the count after the packet, it shows whether the state was stored first.
    std::uint64_t packets_sent = 0;
  };

  std::vector<call> calls;
  std::function<bool(const call&)> fail_if;
  std::error_code failure = std::make_error_code(std::errc::no_space_on_device);
  /// Reads the session's packets_sent for each call (set once the session exists).
  std::function<std::uint64_t()> observe;

  std::error_code save(const stored_publish& m) override {
    call c = make(op::save);
    c.sequence = m.sequence;
    c.packet_id = m.packet_id;
    c.state = m.state;
    return record(c, [&] { return data_.save(m); });
  }
  std::error_code remove(std::uint64_t sequence) override {
    call c = make(op::remove);
    c.sequence = sequence;
    return record(c, [&] { return data_.remove(sequence); });
  }
  std::error_code save_incoming(std::uint16_t packet_id) override {
    call c = make(op::save_incoming);
    c.packet_id = packet_id;
    return record(c, [&] { return data_.save_incoming(packet_id); });
  }
  std::error_code remove_incoming(std::uint16_t packet_id) override {
    call c = make(op::remove_incoming);
    c.packet_id = packet_id;
    return record(c, [&] { return data_.remove_incoming(packet_id); });
  }
  std::error_code load(std::vector<stored_publish>& messages,
                       std::vector<std::uint16_t>& incoming) override {
    return record(make(op::load), [&] { return data_.load(messages, incoming); });
  }
  std::error_code clear() override {
    return record(make(op::clear), [&] { return data_.clear(); });
  }

  /// What the store holds now (read without recording a call).
  std::vector<stored_publish> messages() {
    std::vector<stored_publish> m;
    std::vector<std::uint16_t> i;
    (void)data_.load(m, i);
    return m;
  }
  std::vector<std::uint16_t> incoming() {
    std::vector<stored_publish> m;
    std::vector<std::uint16_t> i;
    (void)data_.load(m, i);
    return i;
  }
  bool empty() const { return data_.message_count() == 0 && data_.incoming_count() == 0; }

  /// The recorded calls of one kind.
  std::vector<call> calls_of(op what) const {
    std::vector<call> out;
    for (const call& c : calls) {
      if (c.what == what) out.push_back(c);
    }
    return out;
  }

 private:
  call make(op what) const {
    call c;
    c.what = what;
    if (observe) c.packets_sent = observe();
    return c;
  }
  template <class F>
  std::error_code record(call c, F&& apply) {
    c.failed = fail_if && fail_if(c);
    calls.push_back(c);
    if (c.failed) return failure;
    return apply();
  }

  memory_store data_;
};

using op = recording_store::op;

// ---- helpers ---------------------------------------------------------------------------------

/// A persistent session whose every connection, the first one included, resumes (Clean Start
/// 0): what a restarted process uses to pick up its session. MQTT 5: Session Expiry Interval
/// 3600; 3.1.1: Clean Session 0.
session_options resume_options(protocol_version v = protocol_version::v5) {
  session_options o = persistent_test_options(v);
  o.clean_start = false;
  return o;
}

/// The packet identifiers of the PUBLISH packets in `v`, in order.
std::vector<std::uint16_t> ids_of(const std::vector<sent<publish>>& v) {
  std::vector<std::uint16_t> out;
  for (const sent<publish>& p : v) out.push_back(p->packet_id);
  return out;
}

/// What a first process leaves behind, in publication order: A (QoS 1, awaiting PUBACK),
/// B (QoS 2, PUBREC received: awaiting PUBCOMP), C (QoS 2, awaiting PUBREC), D (QoS 1,
/// awaiting PUBACK). The process then dies without a word (no DISCONNECT, no close).
struct first_process {
  sent<publish> a, b, c, d;
};

first_process run_first_process(recording_store& store, protocol_version v) {
  first_process out;
  scripted_broker b(resume_options(v), &store);
  b.connect_ok();
  expect_id(b.publish("t/a", "A", qos::at_least_once));
  expect_id(b.publish("t/b", "B", qos::exactly_once));
  expect_id(b.publish("t/c", "C", qos::exactly_once));
  expect_id(b.publish("t/d", "D", qos::at_least_once));
  out.a = b.expect<publish>();
  out.b = b.expect<publish>();
  out.c = b.expect<publish>();
  out.d = b.expect<publish>();
  b.pubrec(out.b->packet_id);
  EXPECT_EQ(b.expect<pubrel>()->packet_id, out.b->packet_id);
  b.no_more_packets();
  return out;  // the session object is destroyed here: the "process" is gone
}

// ---- what is stored, and when ---------------------------------------------------------------

TEST(SessionStore, qos1_publish_is_saved_queued_then_awaiting_ack_before_it_is_sent) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    recording_store store;
    scripted_broker b(test_options(v), &store);
    store.observe = [&b] { return b.stats().packets_sent; };
    b.connect_ok();
    store.calls.clear();
    const std::uint64_t before = b.stats().packets_sent;

    expect_id(b.publish("a/b", "hi", qos::at_least_once));
    sent<publish> p = b.expect<publish>();

    ASSERT_EQ(store.calls.size(), 2u);
    EXPECT_EQ(store.calls[0].what, op::save);
    EXPECT_EQ(store.calls[0].state, stage::queued);
    EXPECT_EQ(store.calls[0].packet_id, 0);
    EXPECT_EQ(store.calls[1].what, op::save);
    EXPECT_EQ(store.calls[1].state, stage::awaiting_ack);
    EXPECT_EQ(store.calls[1].packet_id, p->packet_id);
    EXPECT_EQ(store.calls[1].sequence, store.calls[0].sequence);
    // Both saves came before the PUBLISH left the session.
    EXPECT_EQ(store.calls[1].packets_sent, before);
    EXPECT_EQ(b.stats().packets_sent, before + 1);

    // The stored packet is the PUBLISH as sent, without DUP.
    std::vector<stored_publish> m = store.messages();
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].state, stage::awaiting_ack);
    EXPECT_EQ(m[0].packet_id, p->packet_id);
    EXPECT_EQ(m[0].version, static_cast<std::uint8_t>(v));
    EXPECT_EQ(m[0].packet, p.bytes());
    EXPECT_TRUE(store.incoming().empty());
  }
}

TEST(SessionStore, pubrec_saves_awaiting_pubcomp_before_pubrel_is_sent) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    recording_store store;
    scripted_broker b(test_options(v), &store);
    store.observe = [&b] { return b.stats().packets_sent; };
    b.connect_ok();
    expect_id(b.publish("a/b", "once", qos::exactly_once));
    sent<publish> p = b.expect<publish>();
    store.calls.clear();
    const std::uint64_t before = b.stats().packets_sent;

    b.pubrec(p->packet_id);
    b.expect<pubrel>();
    ASSERT_EQ(store.calls.size(), 1u);
    EXPECT_EQ(store.calls[0].what, op::save);
    EXPECT_EQ(store.calls[0].state, stage::awaiting_pubcomp);
    EXPECT_EQ(store.calls[0].packet_id, p->packet_id);
    EXPECT_EQ(store.calls[0].packets_sent, before);
    EXPECT_EQ(b.stats().packets_sent, before + 1);
    std::vector<stored_publish> m = store.messages();
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].state, stage::awaiting_pubcomp);
    EXPECT_EQ(m[0].packet_id, p->packet_id);
  }
}

TEST(SessionStore, incoming_qos2_id_is_saved_before_pubrec_and_removed_on_pubrel) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    recording_store store;
    scripted_broker b(test_options(v), &store);
    store.observe = [&b] { return b.stats().packets_sent; };
    b.connect_ok();
    store.calls.clear();
    const std::uint64_t before = b.stats().packets_sent;

    b.deliver("in", "x", qos::exactly_once, 321);
    b.next_event<message_event>();
    b.expect<pubrec>();
    ASSERT_EQ(store.calls.size(), 1u);
    EXPECT_EQ(store.calls[0].what, op::save_incoming);
    EXPECT_EQ(store.calls[0].packet_id, 321);
    EXPECT_EQ(store.calls[0].packets_sent, before);  // before the PUBREC
    EXPECT_EQ(store.incoming(), std::vector<std::uint16_t>{321});

    store.calls.clear();
    b.pubrel(321);
    b.expect<pubcomp>();
    ASSERT_EQ(store.calls.size(), 1u);
    EXPECT_EQ(store.calls[0].what, op::remove_incoming);
    EXPECT_EQ(store.calls[0].packet_id, 321);
    EXPECT_TRUE(store.empty());
  }
}

TEST(SessionStore, qos0_messages_and_inbound_qos1_are_never_stored) {
  recording_store store;
  scripted_broker b(test_options(), &store);
  expect_id(b.publish("offline", "q0"));  // queued while idle
  b.connect_ok();
  b.expect<publish>();
  expect_id(b.publish("online", "q0"));
  b.expect<publish>();
  b.deliver("in", "q1", qos::at_least_once, 5);
  b.expect<puback>();
  EXPECT_EQ(store.calls.size(), 1u);  // the load in the constructor, nothing else
  EXPECT_EQ(store.calls_of(op::load).size(), 1u);
  EXPECT_TRUE(store.empty());
}

TEST(SessionStore, store_is_empty_once_every_message_is_acknowledged) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    recording_store store;
    scripted_broker b(persistent_test_options(v), &store);
    b.connect_ok();
    expect_id(b.publish("t", "1", qos::at_least_once));
    expect_id(b.publish("t", "2", qos::exactly_once));
    sent<publish> p1 = b.expect<publish>();
    sent<publish> p2 = b.expect<publish>();
    b.deliver("in", "x", qos::exactly_once, 9);
    b.expect<pubrec>();
    EXPECT_EQ(store.messages().size(), 2u);
    EXPECT_EQ(store.incoming().size(), 1u);

    b.puback(p1->packet_id);
    b.pubrec(p2->packet_id);
    b.expect<pubrel>();
    b.pubcomp(p2->packet_id);
    b.pubrel(9);
    b.expect<pubcomp>();
    EXPECT_EQ(b.take_events<operation_event>().size(), 2u);
    EXPECT_TRUE(store.empty());
    std::vector<recording_store::call> removed = store.calls_of(op::remove);
    ASSERT_EQ(removed.size(), 2u);
    EXPECT_EQ(store.calls_of(op::remove_incoming).size(), 1u);
    EXPECT_EQ(store.calls_of(op::clear).size(), 0u);  // each entry removed on its own
  }
}

TEST(SessionStore, failed_puback_and_pubrec_remove_the_message_from_the_store) {
  recording_store store;
  scripted_broker b(persistent_test_options(), &store);
  b.connect_ok();
  expect_id(b.publish("t", "1", qos::at_least_once));
  expect_id(b.publish("t", "2", qos::exactly_once));
  sent<publish> p1 = b.expect<publish>();
  sent<publish> p2 = b.expect<publish>();
  b.puback(p1->packet_id, reason_code::not_authorized);
  b.pubrec(p2->packet_id, reason_code::quota_exceeded);
  b.no_more_packets();  // no PUBREL after a failed PUBREC
  std::vector<operation_event> done = b.take_events<operation_event>();
  ASSERT_EQ(done.size(), 2u);
  EXPECT_TRUE(is_error(done[0].ec, errc::operation_failed));
  EXPECT_TRUE(is_error(done[1].ec, errc::operation_failed));
  EXPECT_TRUE(store.empty());
}

TEST(SessionStore, messages_stay_in_the_store_across_a_lost_connection) {
  recording_store store;
  scripted_broker b(persistent_test_options(), &store);
  b.connect_ok();
  expect_id(b.publish("t", "1", qos::at_least_once));
  sent<publish> p = b.expect<publish>();
  store.calls.clear();
  b.lose_connection();
  expect_id(b.publish("t", "2", qos::at_least_once));  // offline: stored as queued
  std::vector<stored_publish> m = store.messages();
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].state, stage::awaiting_ack);
  EXPECT_EQ(m[0].packet_id, p->packet_id);
  EXPECT_EQ(m[1].state, stage::queued);
  EXPECT_EQ(m[1].packet_id, 0);
  // The loss itself touched nothing: one save, for the new message.
  ASSERT_EQ(store.calls.size(), 1u);
  EXPECT_EQ(store.calls[0].what, op::save);
}

// ---- restart: a new session object over the same store -------------------------------------

TEST(SessionStore, restart_loads_the_store_once_and_counts_its_messages_before_connect) {
  recording_store store;
  run_first_process(store, protocol_version::v5);
  store.calls.clear();
  scripted_broker b(resume_options(), &store);
  ASSERT_EQ(store.calls.size(), 1u);
  EXPECT_EQ(store.calls[0].what, op::load);
  const session_stats s = b.stats();
  EXPECT_EQ(s.state, session_state::idle);
  EXPECT_EQ(s.inflight_outgoing, 4u);
  EXPECT_EQ(s.queued, 0u);
  b.no_more_packets();
  b.no_more_events();
}

TEST(SessionStore, restart_with_session_present_resends_publish_with_dup_and_pubrel_in_order) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    recording_store store;
    const first_process first = run_first_process(store, v);
    ASSERT_FALSE(HasFailure());

    scripted_broker b(resume_options(v), &store);
    scripted_broker::connection c = b.connect_ok(true);
    EXPECT_FALSE(c.connect->clean_start);
    EXPECT_TRUE(c.connected.session_present);

    // MQTT-4.4.0-1: in the original order, PUBLISH again (DUP 1, same identifier) where no
    // PUBREC came, PUBREL where one did.
    std::vector<sent_packet> all = b.take_packets();
    ASSERT_EQ(all.size(), 4u);
    const publish* a = all[0].get_if<publish>();
    const pubrel* rel = all[1].get_if<pubrel>();
    const publish* cc = all[2].get_if<publish>();
    const publish* d = all[3].get_if<publish>();
    ASSERT_TRUE(a && rel && cc && d) << all[0].describe() << ", " << all[1].describe() << ", "
                                     << all[2].describe() << ", " << all[3].describe();
    EXPECT_EQ(a->packet_id, first.a->packet_id);
    EXPECT_TRUE(a->dup);
    EXPECT_EQ(a->qos, qos::at_least_once);
    EXPECT_EQ(a->topic, "t/a");
    EXPECT_EQ(a->payload, "A");
    EXPECT_EQ(rel->packet_id, first.b->packet_id);
    EXPECT_EQ(rel->code, reason_code::success);
    EXPECT_EQ(cc->packet_id, first.c->packet_id);
    EXPECT_TRUE(cc->dup);
    EXPECT_EQ(cc->qos, qos::exactly_once);
    EXPECT_EQ(cc->topic, "t/c");
    EXPECT_EQ(cc->payload, "C");
    EXPECT_EQ(d->packet_id, first.d->packet_id);
    EXPECT_TRUE(d->dup);
    EXPECT_EQ(d->qos, qos::at_least_once);
    EXPECT_EQ(d->payload, "D");
    // Apart from DUP, the bytes are those the first process sent.
    std::vector<std::uint8_t> resent = all[0].bytes();
    resent[0] = static_cast<std::uint8_t>(resent[0] & ~0x08u);
    EXPECT_EQ(resent, first.a.bytes());
    b.no_more_events();
  }
}

TEST(SessionStore, restart_resumed_messages_complete_without_operation_events) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    recording_store store;
    const first_process first = run_first_process(store, v);
    scripted_broker b(resume_options(v), &store);
    b.connect_ok(true);
    b.clear_packets();

    // The operations belonged to the first object: this one has no id to report them under.
    b.puback(first.a->packet_id);
    b.pubcomp(first.b->packet_id);
    b.pubrec(first.c->packet_id);
    EXPECT_EQ(b.expect<pubrel>()->packet_id, first.c->packet_id);
    b.pubcomp(first.c->packet_id);
    b.puback(first.d->packet_id);
    b.no_more_events();
    b.no_more_packets();
    EXPECT_EQ(b.stats().inflight_outgoing, 0u);
    EXPECT_TRUE(store.empty());

    // Operation ids of this object start at 1 and its new publishes do report.
    const operation_id id = expect_id(b.publish("t/e", "E", qos::at_least_once));
    EXPECT_EQ(id, 1u);
    sent<publish> e = b.expect<publish>();
    b.puback(e->packet_id);
    EXPECT_EQ(b.next_event<operation_event>().id, id);
  }
}

TEST(SessionStore, restart_new_publish_does_not_reuse_a_restored_packet_id) {
  recording_store store;
  const first_process first = run_first_process(store, protocol_version::v5);
  scripted_broker b(unpaced(resume_options()), &store);
  b.connect_ok(true);
  b.clear_packets();
  expect_id(b.publish("t/e", "E", qos::exactly_once));
  sent<publish> e = b.expect<publish>();
  EXPECT_FALSE(e->dup);
  EXPECT_NE(e->packet_id, 0);
  for (std::uint16_t used :
       {first.a->packet_id, first.b->packet_id, first.c->packet_id, first.d->packet_id}) {
    EXPECT_NE(e->packet_id, used);
  }
}

TEST(SessionStore, restart_without_session_present_sends_stored_publishes_as_new_messages) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    recording_store store;
    const first_process first = run_first_process(store, v);
    scripted_broker b(resume_options(v), &store);
    scripted_broker::connection c = b.connect_ok(false);
    EXPECT_FALSE(c.connect->clean_start);

    // The broker lost the session: A, C and D go out again as first transmissions (DUP 0), in
    // their order; B had reached the broker (PUBREC), so it is complete and not sent again.
    std::vector<sent<publish>> pubs = b.take_all<publish>();
    b.no_more_packets();  // in particular no PUBREL
    ASSERT_EQ(pubs.size(), 3u);
    EXPECT_EQ(pubs[0]->payload, "A");
    EXPECT_EQ(pubs[1]->payload, "C");
    EXPECT_EQ(pubs[2]->payload, "D");
    EXPECT_EQ(pubs[0]->qos, qos::at_least_once);
    EXPECT_EQ(pubs[1]->qos, qos::exactly_once);
    EXPECT_EQ(pubs[2]->qos, qos::at_least_once);
    for (const sent<publish>& p : pubs) {
      EXPECT_FALSE(p->dup);
      EXPECT_NE(p->packet_id, 0);
    }
    const std::vector<std::uint16_t> ids = ids_of(pubs);
    EXPECT_NE(ids[0], ids[1]);
    EXPECT_NE(ids[1], ids[2]);
    EXPECT_NE(ids[0], ids[2]);
    b.no_more_events();

    // The store follows: B is gone, the others are in flight under their new identifiers.
    std::vector<stored_publish> m = store.messages();
    ASSERT_EQ(m.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
      SCOPED_TRACE(i);
      EXPECT_EQ(m[i].state, stage::awaiting_ack);
      EXPECT_EQ(m[i].packet_id, ids[i]);
    }

    b.puback(ids[0]);
    b.pubrec(ids[1]);
    EXPECT_EQ(b.expect<pubrel>()->packet_id, ids[1]);
    b.pubcomp(ids[1]);
    b.puback(ids[2]);
    b.no_more_events();  // restored: no operation events
    EXPECT_TRUE(store.empty());
  }
}

TEST(SessionStore, restart_sends_messages_that_were_never_sent_after_connack) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    recording_store store;
    {
      // A process that published while it never got a connection.
      scripted_broker first(resume_options(v), &store);
      ASSERT_TRUE(ok(first.connect()));
      expect_id(first.publish("q/1", "one", qos::at_least_once));
      expect_id(first.publish("q/2", "two", qos::exactly_once));
      first.refuse();
      first.no_more_packets();
    }
    std::vector<stored_publish> before = store.messages();
    ASSERT_EQ(before.size(), 2u);
    EXPECT_EQ(before[0].state, stage::queued);
    EXPECT_EQ(before[1].state, stage::queued);

    scripted_broker b(resume_options(v), &store);
    EXPECT_EQ(b.stats().queued, 2u);
    ASSERT_TRUE(ok(b.connect()));
    b.open();
    b.expect<connect>();
    b.no_more_packets();  // nothing before CONNACK
    b.connack(true);
    b.next_event<connected_event>();
    sent<publish> p1 = b.expect<publish>();
    sent<publish> p2 = b.expect<publish>();
    b.no_more_packets();
    EXPECT_EQ(p1->topic, "q/1");
    EXPECT_EQ(p1->qos, qos::at_least_once);
    EXPECT_FALSE(p1->dup);
    EXPECT_NE(p1->packet_id, 0);
    EXPECT_EQ(p2->topic, "q/2");
    EXPECT_EQ(p2->qos, qos::exactly_once);
    EXPECT_FALSE(p2->dup);
    EXPECT_NE(p2->packet_id, 0);
    EXPECT_NE(p1->packet_id, p2->packet_id);
    EXPECT_EQ(b.stats().inflight_outgoing, 2u);
    EXPECT_EQ(b.stats().queued, 0u);

    b.puback(p1->packet_id);
    b.pubrec(p2->packet_id);
    b.expect<pubrel>();
    b.pubcomp(p2->packet_id);
    b.no_more_events();
    EXPECT_TRUE(store.empty());
  }
}

TEST(SessionStore, restart_resends_in_flight_messages_before_those_never_sent) {
  recording_store store;
  std::uint16_t in_flight_id = 0;
  {
    scripted_broker first(resume_options(), &store);
    first.connect_ok();
    expect_id(first.publish("t", "sent", qos::at_least_once));
    in_flight_id = first.expect<publish>()->packet_id;
    first.lose_connection();
    expect_id(first.publish("t", "queued", qos::at_least_once));
  }
  scripted_broker b(resume_options(), &store);
  b.connect_ok(true);
  sent<publish> again = b.expect<publish>();
  sent<publish> fresh = b.expect<publish>();
  b.no_more_packets();
  EXPECT_EQ(again->payload, "sent");
  EXPECT_TRUE(again->dup);
  EXPECT_EQ(again->packet_id, in_flight_id);
  EXPECT_EQ(fresh->payload, "queued");
  EXPECT_FALSE(fresh->dup);
  EXPECT_NE(fresh->packet_id, in_flight_id);
}

TEST(SessionStore, restart_respects_the_brokers_receive_maximum_for_messages_never_sent) {
  recording_store store;
  {
    scripted_broker first(resume_options(), &store);
    for (int i = 0; i < 3; ++i) expect_id(first.publish("t", "x", qos::at_least_once));
  }
  scripted_broker b(resume_options(), &store);
  properties limits;
  limits.receive_maximum = 2;
  b.connect_ok(true, limits);
  std::vector<sent<publish>> pubs = b.take_all<publish>();
  ASSERT_EQ(pubs.size(), 2u);
  EXPECT_EQ(b.stats().queued, 1u);
  b.puback(pubs[0]->packet_id);
  EXPECT_EQ(b.take_all<publish>().size(), 1u);
  EXPECT_EQ(b.stats().queued, 0u);
}

// ---- restart: incoming QoS 2 -------------------------------------------------------------------

/// A first process receives QoS 2 message `id` (delivered, PUBREC sent) and dies before PUBREL.
void receive_qos2_and_die(recording_store& store, protocol_version v, std::uint16_t id) {
  scripted_broker first(resume_options(v), &store);
  first.connect_ok();
  first.deliver("in/q2", "exactly once", qos::exactly_once, id);
  EXPECT_EQ(first.next_event<message_event>().message.view().payload, "exactly once");
  EXPECT_EQ(first.expect<pubrec>()->packet_id, id);
}

TEST(SessionStore, restart_incoming_qos2_resend_is_acknowledged_but_not_delivered_again) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    recording_store store;
    receive_qos2_and_die(store, v, 7);
    EXPECT_EQ(store.incoming(), std::vector<std::uint16_t>{7});

    scripted_broker b(resume_options(v), &store);
    EXPECT_EQ(b.stats().inflight_incoming, 1u);
    b.connect_ok(true);
    b.no_more_packets();

    publish p;
    p.topic = "in/q2";
    p.payload = "exactly once";
    p.qos = qos::exactly_once;
    p.packet_id = 7;
    p.dup = true;  // the broker did not see the PUBREC and sends the message again
    b.send(p);
    sent<pubrec> rec = b.expect<pubrec>();
    EXPECT_EQ(rec->packet_id, 7);
    EXPECT_EQ(rec->code, reason_code::success);
    b.no_more_events();  // delivered by the first process already
    EXPECT_EQ(b.stats().messages_received, 0u);

    store.calls.clear();
    b.pubrel(7);
    sent<pubcomp> comp = b.expect<pubcomp>();
    EXPECT_EQ(comp->packet_id, 7);
    EXPECT_EQ(comp->code, reason_code::success);  // known id: not 0x92
    ASSERT_EQ(store.calls.size(), 1u);
    EXPECT_EQ(store.calls[0].what, op::remove_incoming);
    EXPECT_EQ(store.calls[0].packet_id, 7);
    EXPECT_TRUE(store.empty());
    EXPECT_EQ(b.stats().inflight_incoming, 0u);
    b.no_more_events();
    b.no_more_packets();
  }
}

TEST(SessionStore, restart_incoming_qos2_pubrel_alone_completes_with_pubcomp) {
  recording_store store;
  receive_qos2_and_die(store, protocol_version::v5, 300);
  scripted_broker b(resume_options(), &store);
  b.connect_ok(true);
  b.pubrel(300);
  sent<pubcomp> comp = b.expect<pubcomp>();
  EXPECT_EQ(comp->packet_id, 300);
  EXPECT_EQ(comp->code, reason_code::success);
  EXPECT_TRUE(store.empty());
  b.no_more_events();
}

TEST(SessionStore, restart_without_session_present_forgets_incoming_qos2_ids) {
  recording_store store;
  receive_qos2_and_die(store, protocol_version::v5, 7);
  scripted_broker b(resume_options(), &store);
  b.connect_ok(false);
  EXPECT_TRUE(store.incoming().empty());
  EXPECT_EQ(b.stats().inflight_incoming, 0u);
  // A PUBLISH with id 7 in the broker's new session is a new message: delivered.
  b.deliver("in/q2", "new", qos::exactly_once, 7);
  EXPECT_EQ(b.next_event<message_event>().message.view().payload, "new");
  EXPECT_EQ(b.expect<pubrec>()->packet_id, 7);
}

// ---- clean sessions and clean starts ------------------------------------------------------------

TEST(SessionStore, clean_session_disconnect_clears_the_store) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    recording_store store;
    scripted_broker b(test_options(v), &store);  // not persistent
    b.connect_ok();
    expect_id(b.publish("t", "1", qos::at_least_once));
    expect_id(b.publish("t", "2", qos::exactly_once));
    b.deliver("in", "x", qos::exactly_once, 4);
    b.clear_packets();
    b.clear_events();
    ASSERT_FALSE(store.empty());

    ASSERT_TRUE(ok(b.disconnect()));
    EXPECT_EQ(store.calls_of(op::clear).size(), 1u);
    EXPECT_TRUE(store.empty());
    std::vector<operation_event> done = b.take_events<operation_event>();
    ASSERT_EQ(done.size(), 2u);
    EXPECT_TRUE(is_error(done[0].ec, errc::session_closed));
    EXPECT_TRUE(is_error(done[1].ec, errc::session_closed));
  }
}

TEST(SessionStore, clean_session_ending_without_reconnect_clears_the_store) {
  recording_store store;
  session_options o = test_options();
  o.reconnect = false;
  scripted_broker b(o, &store);
  b.connect_ok();
  expect_id(b.publish("t", "1", qos::at_least_once));
  b.clear_packets();
  ASSERT_FALSE(store.empty());
  b.drop();
  EXPECT_EQ(b.state(), session_state::closed);
  EXPECT_EQ(store.calls_of(op::clear).size(), 1u);
  EXPECT_TRUE(store.empty());
}

TEST(SessionStore, clean_session_keeps_messages_in_the_store_while_it_reconnects) {
  // Clean Start on every connection, but the messages are the user's: they are sent again
  // after the reconnection (as new messages) and stay stored until then.
  recording_store store;
  scripted_broker b(test_options(), &store);
  b.connect_ok();
  const operation_id id = expect_id(b.publish("t", "1", qos::at_least_once));
  b.expect<publish>();
  b.lose_connection();
  EXPECT_EQ(store.messages().size(), 1u);
  EXPECT_EQ(store.calls_of(op::clear).size(), 0u);
  scripted_broker::connection c = b.connect_ok(false);
  EXPECT_TRUE(c.connect->clean_start);
  sent<publish> p = b.expect<publish>();
  EXPECT_FALSE(p->dup);
  b.puback(p->packet_id);
  EXPECT_EQ(b.next_event<operation_event>().id, id);
  EXPECT_TRUE(store.empty());
}

TEST(SessionStore, persistent_session_disconnect_keeps_the_store_for_the_next_process) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    recording_store store;
    std::uint16_t id = 0;
    {
      scripted_broker first(resume_options(v), &store);
      first.connect_ok();
      const operation_id op_id = expect_id(first.publish("t", "1", qos::at_least_once));
      id = first.expect<publish>()->packet_id;
      ASSERT_TRUE(ok(first.disconnect()));
      first.expect<disconnect>();
      operation_event e = first.next_event<operation_event>();
      EXPECT_EQ(e.id, op_id);
      EXPECT_TRUE(is_error(e.ec, errc::session_closed));
      EXPECT_EQ(store.calls_of(op::clear).size(), 0u);
      ASSERT_EQ(store.messages().size(), 1u);
    }
    scripted_broker b(resume_options(v), &store);
    b.connect_ok(true);
    sent<publish> p = b.expect<publish>();
    EXPECT_TRUE(p->dup);
    EXPECT_EQ(p->packet_id, id);
  }
}

TEST(SessionStore, v5_disconnect_with_session_expiry_0_clears_the_store) {
  recording_store store;
  scripted_broker b(persistent_test_options(), &store);
  b.connect_ok();
  expect_id(b.publish("t", "1", qos::at_least_once));
  b.clear_packets();
  properties props;
  props.session_expiry_interval = 0;  // end the session with this connection
  ASSERT_TRUE(ok(b.disconnect(reason_code::normal_disconnection, props)));
  EXPECT_EQ(store.calls_of(op::clear).size(), 1u);
  EXPECT_TRUE(store.empty());
}

TEST(SessionStore, clean_start_discards_what_a_previous_process_stored_and_sends_none_of_it) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    recording_store store;
    run_first_process(store, v);
    {
      // A message that never went out, and an incoming QoS 2 id, too.
      scripted_broker more(resume_options(v), &store);
      more.connect_ok(true);
      more.clear_packets();
      more.deliver("in", "x", qos::exactly_once, 11);
      more.clear_packets();
      more.clear_events();
      more.lose_connection();
      expect_id(more.publish("t/q", "Q", qos::at_least_once));
    }
    ASSERT_EQ(store.messages().size(), 5u);
    ASSERT_EQ(store.incoming().size(), 1u);

    session_options o = v == protocol_version::v5 ? persistent_test_options(v)  // Clean Start 1
                                                  : test_options(v);  // Clean Session 1
    scripted_broker b(o, &store);
    scripted_broker::connection c = b.connect_ok(false);
    EXPECT_TRUE(c.connect->clean_start);
    EXPECT_TRUE(store.empty());
    b.no_more_packets();
    b.no_more_events();
    const session_stats s = b.stats();
    EXPECT_EQ(s.inflight_outgoing, 0u);
    EXPECT_EQ(s.inflight_incoming, 0u);
    EXPECT_EQ(s.queued, 0u);
    // The old incoming id means nothing now: a PUBLISH with it is a new message.
    b.deliver("in", "new", qos::exactly_once, 11);
    EXPECT_EQ(b.next_event<message_event>().message.view().payload, "new");
  }
}

TEST(SessionStore, clean_start_keeps_messages_published_on_the_new_object_before_connect) {
  recording_store store;
  run_first_process(store, protocol_version::v5);
  scripted_broker b(persistent_test_options(), &store);  // Clean Start 1
  const operation_id id = expect_id(b.publish("t/new", "N", qos::at_least_once));
  b.connect_ok(false);
  sent<publish> p = b.expect<publish>();
  b.no_more_packets();
  EXPECT_EQ(p->payload, "N");
  EXPECT_FALSE(p->dup);
  ASSERT_EQ(store.messages().size(), 1u);  // only the new message
  b.puback(p->packet_id);
  EXPECT_EQ(b.next_event<operation_event>().id, id);
  EXPECT_TRUE(store.empty());
}

// ---- a failing store ------------------------------------------------------------------------------

TEST(SessionStore, publish_reports_the_store_error_and_sends_nothing) {
  for (protocol_version v : both_versions) {
    SCOPED_TRACE(version_name(v));
    recording_store store;
    scripted_broker b(test_options(v), &store);
    b.connect_ok();
    store.fail_if = [](const recording_store::call& c) { return c.what == op::save; };
    const session_stats before = b.stats();

    for (qos q : {qos::at_least_once, qos::exactly_once}) {
      result<operation_id> r = b.publish("t", "x", q);
      ASSERT_FALSE(r);
      EXPECT_EQ(r.error(), store.failure);
    }
    b.no_more_packets();
    b.no_more_events();
    const session_stats after = b.stats();
    EXPECT_EQ(after.inflight_outgoing, 0u);
    EXPECT_EQ(after.queued, 0u);
    EXPECT_EQ(after.packets_sent, before.packets_sent);
    EXPECT_EQ(after.messages_sent, before.messages_sent);
    EXPECT_TRUE(store.empty());

    // A refused call changes nothing: once the store works, publishing goes on as before,
    // with the next operation id and the first packet id.
    store.fail_if = nullptr;
    const operation_id id = expect_id(b.publish("t", "x", qos::at_least_once));
    EXPECT_EQ(id, 1u);
    sent<publish> p = b.expect<publish>();
    EXPECT_EQ(p->packet_id, 1);
    // QoS 0 is never stored: a failing store does not stop it.
    store.fail_if = [](const recording_store::call&) { return true; };
    expect_id(b.publish("t", "q0"));
    EXPECT_EQ(b.expect<publish>()->qos, qos::at_most_once);
  }
}

TEST(SessionStore, offline_publish_reports_the_store_error_and_queues_nothing) {
  recording_store store;
  scripted_broker b(persistent_test_options(), &store);
  store.fail_if = [](const recording_store::call& c) { return c.what == op::save; };
  result<operation_id> r = b.publish("t", "x", qos::at_least_once);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), store.failure);
  EXPECT_EQ(b.stats().queued, 0u);
  store.fail_if = nullptr;
  b.connect_ok();
  b.no_more_packets();
  b.no_more_events();
}

TEST(SessionStore, drop_oldest_keeps_the_oldest_when_the_store_refuses_the_new_message) {
  recording_store store;
  session_options o = test_options();
  o.max_queued = 1;
  o.when_queue_full = queue_full_policy::drop_oldest;
  scripted_broker b(o, &store);
  const operation_id oldest = expect_id(b.publish("t", "old", qos::at_least_once));
  store.fail_if = [](const recording_store::call& c) { return c.what == op::save; };
  result<operation_id> r = b.publish("t", "new", qos::at_least_once);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), store.failure);
  // The refused publish changed nothing: the queued message is neither dropped nor removed.
  b.no_more_events();
  EXPECT_EQ(b.stats().queued, 1u);
  EXPECT_EQ(store.messages().size(), 1u);
  EXPECT_EQ(store.calls_of(op::remove).size(), 0u);

  store.fail_if = nullptr;
  b.connect_ok();
  sent<publish> p = b.expect<publish>();
  EXPECT_EQ(p->payload, "old");
  b.puback(p->packet_id);
  EXPECT_EQ(b.next_event<operation_event>().id, oldest);
}

TEST(SessionStore, load_error_is_reported_by_connect_and_nothing_opens) {
  recording_store store;
  store.fail_if = [](const recording_store::call& c) { return c.what == op::load; };
  scripted_broker b(persistent_test_options(), &store);
  EXPECT_EQ(b.connect(), store.failure);
  EXPECT_FALSE(b.open_pending());
  EXPECT_EQ(b.opens_requested(), 0u);
  EXPECT_EQ(b.state(), session_state::idle);
}

// The saves after the one publish() makes have no command to report to: the session goes on
// from its memory (which is authoritative for this process) and the operation completes as
// usual. Only this process is covered here: a process restarted over such a store resumes
// from what the store last held (e.g. a message stored `queued` but already sent goes out
// again as a new message), which no test asserts as right.
// A store failure on the state a packet implies: the packet does not go out, the connection
// closes with the store's error (DISCONNECT 0x83), and after the reconnect the broker's resend
// tries again. Nothing is lost, nothing is delivered twice.
void expect_store_failure_close(scripted_broker& b) {
  sent<disconnect> d = b.expect<disconnect>();
  EXPECT_EQ(d->code, reason_code::implementation_specific_error);
  b.no_more_packets();
  disconnected_event e = b.next_event<disconnected_event>();
  EXPECT_EQ(e.ec, std::make_error_code(std::errc::no_space_on_device)) << e.ec.message();
  EXPECT_TRUE(e.will_reconnect);
  b.next_event<reconnecting_event>();
}

TEST(SessionStore, failed_save_before_sending_keeps_the_message_queued_and_closes) {
  recording_store store;
  scripted_broker b(persistent_test_options(), &store);
  b.connect_ok();
  bool failing = true;
  store.fail_if = [&failing](const recording_store::call& c) {
    return failing && c.what == op::save && c.state == stage::awaiting_ack;
  };
  const operation_id id = expect_id(b.publish("t", "x", qos::at_least_once));
  expect_store_failure_close(b);
  EXPECT_EQ(b.stats().queued, 1u);
  EXPECT_EQ(b.stats().inflight_outgoing, 0u);

  failing = false;
  b.connect_ok(true);
  sent<publish> p = b.expect<publish>();
  EXPECT_EQ(p->payload, "x");
  EXPECT_FALSE(p->dup) << "it was never sent";
  b.puback(p->packet_id);
  operation_event e = b.next_event<operation_event>();
  EXPECT_EQ(e.id, id);
  EXPECT_TRUE(ok(e.ec));
  EXPECT_TRUE(store.empty());
}

TEST(SessionStore, failed_save_on_pubrec_sends_no_pubrel_and_the_resume_completes_it) {
  recording_store store;
  scripted_broker b(persistent_test_options(), &store);
  b.connect_ok();
  const operation_id id = expect_id(b.publish("t", "x", qos::exactly_once));
  sent<publish> p = b.expect<publish>();
  bool failing = true;
  store.fail_if = [&failing](const recording_store::call& c) {
    return failing && c.what == op::save && c.state == stage::awaiting_pubcomp;
  };
  b.pubrec(p->packet_id);
  expect_store_failure_close(b);

  failing = false;
  b.connect_ok(true);
  sent<publish> again = b.expect<publish>();  // still awaiting PUBREC as far as we know
  EXPECT_EQ(again->packet_id, p->packet_id);
  EXPECT_TRUE(again->dup);
  b.pubrec(p->packet_id);
  EXPECT_EQ(b.expect<pubrel>()->packet_id, p->packet_id);
  b.pubcomp(p->packet_id);
  operation_event e = b.next_event<operation_event>();
  EXPECT_EQ(e.id, id);
  EXPECT_TRUE(ok(e.ec));
  EXPECT_TRUE(store.empty());
}

TEST(SessionStore, failed_remove_after_puback_still_completes_the_operation) {
  recording_store store;
  scripted_broker b(persistent_test_options(), &store);
  b.connect_ok();
  store.fail_if = [](const recording_store::call& c) { return c.what == op::remove; };
  const operation_id id = expect_id(b.publish("t", "x", qos::at_least_once));
  sent<publish> p = b.expect<publish>();
  b.puback(p->packet_id);
  operation_event e = b.next_event<operation_event>();
  EXPECT_EQ(e.id, id);
  EXPECT_TRUE(ok(e.ec));
  EXPECT_EQ(b.stats().inflight_outgoing, 0u);
  EXPECT_EQ(store.calls_of(op::remove).size(), 1u);  // tried once, not retried
}

publish inbound_qos2(std::uint16_t id, bool dup) {
  publish p;
  p.topic = "in";
  p.payload = "x";
  p.qos = qos::exactly_once;
  p.packet_id = id;
  p.dup = dup;
  return p;
}

TEST(SessionStore, failed_incoming_save_neither_delivers_nor_answers_and_the_resend_does) {
  recording_store store;
  scripted_broker b(persistent_test_options(), &store);
  b.connect_ok();
  bool failing = true;
  store.fail_if = [&failing](const recording_store::call& c) {
    return failing && c.what == op::save_incoming;
  };
  b.send(inbound_qos2(5, false));
  expect_store_failure_close(b);  // no message_event, no PUBREC
  EXPECT_EQ(b.stats().inflight_incoming, 0u);

  failing = false;
  b.connect_ok(true);
  b.send(inbound_qos2(5, true));  // the broker resends it
  EXPECT_EQ(b.next_event<message_event>().message.view().payload, "x");
  EXPECT_EQ(b.expect<pubrec>()->packet_id, 5);
  b.pubrel(5);
  EXPECT_EQ(b.expect<pubcomp>()->packet_id, 5);
  b.no_more_events();
  EXPECT_TRUE(store.incoming().empty());
}

TEST(SessionStore, failed_incoming_remove_sends_no_pubcomp_and_the_resent_pubrel_does) {
  recording_store store;
  scripted_broker b(persistent_test_options(), &store);
  b.connect_ok();
  b.send(inbound_qos2(7, false));
  b.next_event<message_event>();
  b.expect<pubrec>();
  bool failing = true;
  store.fail_if = [&failing](const recording_store::call& c) {
    return failing && c.what == op::remove_incoming;
  };
  b.pubrel(7);
  expect_store_failure_close(b);
  EXPECT_EQ(b.stats().inflight_incoming, 1u) << "still remembered: a resend is a duplicate";

  failing = false;
  b.connect_ok(true);
  b.pubrel(7);
  EXPECT_EQ(b.expect<pubcomp>()->packet_id, 7);
  EXPECT_EQ(b.stats().inflight_incoming, 0u);
  EXPECT_TRUE(store.incoming().empty());
  b.no_more_events();
}

TEST(SessionStore, failed_clear_does_not_fail_disconnect) {
  recording_store store;
  scripted_broker b(test_options(), &store);
  b.connect_ok();
  expect_id(b.publish("t", "1", qos::at_least_once));
  b.clear_packets();
  store.fail_if = [](const recording_store::call& c) { return c.what == op::clear; };
  EXPECT_TRUE(ok(b.disconnect()));
  b.expect<disconnect>();
  EXPECT_EQ(b.state(), session_state::closed);
  EXPECT_EQ(store.calls_of(op::clear).size(), 1u);
}

// ---- what the store holds that the session cannot use -------------------------------------------

TEST(SessionStore, unreadable_stored_message_is_skipped_and_the_others_resume) {
  recording_store store;
  const first_process first = run_first_process(store, protocol_version::v5);
  stored_publish garbage;
  garbage.sequence = 2;  // B's place
  garbage.packet_id = first.b->packet_id;
  garbage.state = stage::awaiting_pubcomp;
  garbage.version = 5;
  garbage.packet = {0x32, 0x01};  // a PUBLISH cut short
  ASSERT_TRUE(ok(store.save(garbage)));

  scripted_broker b(resume_options(), &store);
  EXPECT_EQ(b.stats().inflight_outgoing, 3u);
  b.connect_ok(true);
  std::vector<sent_packet> all = b.take_packets();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].get_if<publish>()->packet_id, first.a->packet_id);
  EXPECT_EQ(all[1].get_if<publish>()->packet_id, first.c->packet_id);
  EXPECT_EQ(all[2].get_if<publish>()->packet_id, first.d->packet_id);
}

TEST(SessionStore, restart_never_reuses_a_stored_sequence_even_an_unreadable_one) {
  recording_store store;
  run_first_process(store, protocol_version::v5);  // sequences 1..4
  stored_publish garbage;
  garbage.sequence = 9;
  garbage.state = stage::queued;
  garbage.version = 5;
  garbage.packet = {0x32, 0x01};
  ASSERT_TRUE(ok(store.save(garbage)));

  scripted_broker b(resume_options(), &store);
  store.calls.clear();
  expect_id(b.publish("t/new", "N", qos::at_least_once));
  std::vector<recording_store::call> saves = store.calls_of(op::save);
  ASSERT_EQ(saves.size(), 1u);
  EXPECT_EQ(saves[0].sequence, 10u);  // after every stored one
  EXPECT_EQ(store.messages().size(), 6u);
}

TEST(SessionStore, restart_with_another_protocol_version_sends_stored_messages_encoded_for_it) {
  for (protocol_version from : both_versions) {
    const protocol_version to =
        from == protocol_version::v5 ? protocol_version::v311 : protocol_version::v5;
    SCOPED_TRACE(std::string(version_name(from)) + " -> " + version_name(to));
    recording_store store;
    const first_process first = run_first_process(store, from);
    scripted_broker b(resume_options(to), &store);
    b.connect_ok(true);
    // The harness fails the test on any malformed packet; these decode as `to`.
    std::vector<sent_packet> all = b.take_packets();
    ASSERT_EQ(all.size(), 4u);
    const publish* a = all[0].get_if<publish>();
    ASSERT_TRUE(a);
    EXPECT_EQ(a->packet_id, first.a->packet_id);
    EXPECT_TRUE(a->dup);
    EXPECT_EQ(a->topic, "t/a");
    EXPECT_EQ(a->payload, "A");
    EXPECT_EQ(all[1].get_if<pubrel>()->packet_id, first.b->packet_id);
    EXPECT_EQ(all[2].get_if<publish>()->packet_id, first.c->packet_id);
    EXPECT_EQ(all[3].get_if<publish>()->packet_id, first.d->packet_id);
    b.puback(first.a->packet_id);
    // From then on the store holds them for the new version.
    b.pubrec(first.c->packet_id);
    b.expect<pubrel>();
    std::vector<stored_publish> m = store.messages();
    ASSERT_EQ(m.size(), 3u);
    EXPECT_EQ(m[1].sequence, 3u);  // C
    EXPECT_EQ(m[1].version, static_cast<std::uint8_t>(to));
  }
}

TEST(SessionStore, stored_identifier_held_twice_goes_out_again_as_a_new_message) {
  recording_store store;
  const first_process first = run_first_process(store, protocol_version::v5);
  // A store that lost track: D claims A's identifier.
  std::vector<stored_publish> m = store.messages();
  ASSERT_EQ(m.size(), 4u);
  m[3].packet_id = first.a->packet_id;
  ASSERT_TRUE(ok(store.save(m[3])));

  scripted_broker b(resume_options(), &store);
  EXPECT_EQ(b.stats().inflight_outgoing, 3u);
  EXPECT_EQ(b.stats().queued, 1u);
  b.connect_ok(true);
  std::vector<sent_packet> all = b.take_packets();
  ASSERT_EQ(all.size(), 4u);
  const publish* d = all[3].get_if<publish>();
  ASSERT_TRUE(d);
  EXPECT_EQ(d->payload, "D");
  EXPECT_FALSE(d->dup);
  EXPECT_NE(d->packet_id, first.a->packet_id);
  EXPECT_NE(d->packet_id, first.c->packet_id);
  EXPECT_NE(d->packet_id, first.b->packet_id);
}

}  // namespace
}  // namespace mqttws::test
