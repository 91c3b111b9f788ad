// Publishes we send: preparation, the queue and its bound, the broker's Receive Maximum
// window, packet identifiers, topic aliases, acknowledgements, and resending on resume.
#include <algorithm>
#include <cmath>

#include "mqttws/error.hpp"
#include "session_impl.hpp"
#include "wire.hpp"

namespace mqttws {

using stage = stored_publish::stage;

std::error_code session::impl::prepare(const mqttws::publish& p, outgoing& m) {
  mqttws::publish copy = p;
  copy.dup = false;
  // Topic aliases are the session's business (auto_topic_alias); a caller's alias would not
  // survive a reconnection, so it is never taken over.
  copy.props.topic_alias.reset();
  // A placeholder identifier: the real one is assigned when the message enters the window.
  copy.packet_id = copy.qos == qos::at_most_once ? 0 : 1;
  MQTTWS_TRY(owned_publish::make(copy, config.version, m.message));
  if (online()) MQTTWS_TRY(check_limits(copy, m.message.bytes().size()));
  if (copy.props.message_expiry_interval) {
    m.expires_at = now + std::chrono::seconds(*copy.props.message_expiry_interval);
  }
  m.sequence = flow.next_sequence();
  return {};
}

std::error_code session::impl::enqueue(outgoing&& m) {
  const bool qos0 = m.message.view().qos == qos::at_most_once;
  if (!online() && qos0 && !config.queue_qos0_offline) return errc::invalid_state;
  // Will it have to wait? Only then does the queue bound apply.
  const bool waits = !online() || !flow.queued().empty() ||
                     (!qos0 && flow.in_flight().size() >= window());
  const std::size_t size = m.message.bytes().size();
  const bool full = waits && queue_over(1, size);
  // Dropping the oldest makes room only for a message that fits an empty queue.
  if (full && (config.when_queue_full == queue_full_policy::reject || queue_over_empty(size))) {
    return errc::queue_full;
  }
  // Stored before the oldest is dropped: a publish refused by the store must change nothing
  // (session_store: errors "never lose what was stored before").
  if (!qos0) {
    MQTTWS_TRY(save(m));
  }
  while (full && !flow.queued().empty() && queue_over(1, size)) {
    auto oldest = flow.queued_begin();
    const outgoing dropped = flow.take(oldest);
    drop_unsent(dropped, errc::dropped_from_queue);
  }
  flow.sequence_taken();
  flow.push(std::move(m));
  return {};
}

std::error_code session::impl::check_limits(const mqttws::publish& p,
                                            std::size_t encoded_size) const {
  if (p.qos > broker_maximum_qos) return errc::qos_not_supported;
  if (p.retain && !broker_retain_available) return errc::retain_not_supported;
  if (encoded_size > broker_maximum_packet_size) return errc::packet_too_large;
  return {};
}

void session::impl::send_queued() {
  // Sends from the front of the queue, in order, until the broker's window is full. Each
  // message leaves the queue before it is sent: a send that fails ends the connection, and
  // with it maybe the session (fail_pending), so no reference into a container survives it.
  // Resends of a resumed session first, in order, as the window allows (MQTT-4.9.0-2 counts
  // them like any unacknowledged PUBLISH).
  for (auto it = flow.inflight_begin(); flow.pending_resends() > 0 && it != flow.inflight_end();
       ++it) {
    if (!it->second.resend_pending) continue;
    if (flow.in_flight().size() - flow.pending_resends() >= window()) break;
    flow.resend_now(it->second);
    send_publish(it->second, true);
    if (!online()) return;
  }
  while (online() && !flow.queued().empty()) {
    auto front = flow.queued_begin();
    const mqttws::publish& v = front->message.view();
    const std::error_code refused = front->expires_at && now >= *front->expires_at
                                        ? make_error_code(errc::message_expired)
                                        : check_limits(v, front->message.bytes().size());
    if (refused) {
      const outgoing done = flow.take(front);
      drop_unsent(done, refused);
      continue;
    }
    if (v.qos != qos::at_most_once && flow.in_flight().size() >= window()) {
      // MQTT-4.9.0-2 (the broker's Receive Maximum), and the pacing window within it: wait;
      // what follows keeps its place behind.
      break;
    }
    std::uint16_t id = 0;
    if (v.qos != qos::at_most_once && !ids.allocate(id)) break;
    outgoing m = flow.take(front);
    if (m.expires_at) {
      // Send the time that is left, not the original interval (3.3.2.3.3 asks the same of the
      // broker when it forwards).
      const auto left = std::chrono::duration_cast<std::chrono::seconds>(*m.expires_at - now);
      const auto secs = static_cast<std::uint32_t>(std::max<std::int64_t>(1, left.count()));
      const mqttws::publish& mv = m.message.view();
      if (mv.props.message_expiry_interval && *mv.props.message_expiry_interval != secs) {
        mqttws::publish copy = mv;
        copy.props.message_expiry_interval = secs;
        owned_publish rebuilt;
        if (!owned_publish::make(copy, config.version, rebuilt)) m.message = std::move(rebuilt);
      }
    }
    if (id == 0) {
      const operation_id op = m.op;
      send_publish(m, false);
      if (op) wire.complete_when_taken(op);
      continue;
    }
    m.message.set_packet_id(id);
    m.stage = stage::awaiting_ack;
    if (std::error_code ec = save(m)) {
      // Not sent: back to its place in the queue, for the next connection.
      ids.release(id);
      m.stage = stage::queued;
      flow.push(std::move(m));
      store_ok(ec);
      return;
    }
    send_publish(flow.put_in_flight(std::move(m)), false);
  }
}

void session::impl::send_publish(outgoing& m, bool dup) {
  m.message.set_dup(dup);
  const mqttws::publish& v = m.message.view();
  counters.messages_sent++;
  // Aliases only on first transmissions: a retransmission travels on a new connection, where
  // no alias exists yet (3.3.2.3.4), so it carries the full topic.
  if (!dup && aliases_out.enabled()) {
    bool known = false;
    mqttws::publish aliased = v;
    aliased.props.topic_alias = aliases_out.use(v.topic, known);
    if (known) aliased.topic = {};
    send(aliased);
    return;
  }
  put_encoded(m.message.bytes());
}

void session::impl::complete(operation_id op, operation_kind kind, std::error_code ec,
                             std::vector<reason_code> codes, owned_properties props) {
  if (op == 0) return;
  operation_event e;
  e.id = op;
  e.kind = kind;
  e.ec = ec;
  e.codes = std::move(codes);
  e.reason_string = std::string(props.view().reason_string.value_or(""));
  e.properties = std::move(props);
  emit(std::move(e));
}

stored_publish session::impl::stored(const outgoing& m) const {
  stored_publish s;
  s.sequence = m.sequence;
  s.state = m.stage;
  s.packet_id = m.stage == stage::queued ? 0 : m.message.view().packet_id;
  s.version = static_cast<std::uint8_t>(config.version);
  s.packet = m.message.bytes();
  return s;
}

bool session::impl::queue_over(std::size_t extra_messages, std::size_t extra_bytes) const {
  return flow.queued().size() + extra_messages > config.max_queued ||
         (config.max_queued_bytes != 0 &&
          flow.queued_bytes() + extra_bytes > config.max_queued_bytes);
}

bool session::impl::queue_over_empty(std::size_t bytes) const {
  return config.max_queued == 0 ||
         (config.max_queued_bytes != 0 && bytes > config.max_queued_bytes);
}

// Ends an outgoing message: the store forgets it, its identifier is free, its operation (or
// the request it belongs to, if that failed) completes.
void session::impl::finish(inflight_map::iterator it, std::error_code ec, reason_code code,
                           owned_properties props) {
  (void)store->remove(it->first);
  const outgoing done = flow.take_in_flight(it);
  ids.release(done.message.view().packet_id);
  complete(done.op, operation_kind::publish, ec, {code}, std::move(props));
  if (ec && done.request_op) fail_request(done.request_op, ec);
}

void session::impl::on_puback(const puback& p) {
  auto it = flow.find(p.packet_id);
  if (it == flow.inflight_end() || it->second.stage != stage::awaiting_ack ||
      it->second.message.view().qos != qos::at_least_once) {
    return;  // not ours (e.g. a duplicate after a resume): nothing to do
  }
  const std::error_code ec = is_success(p.code) ? std::error_code() : errc::operation_failed;
  window_grows();
  finish(it, ec, p.code, keep(p.props, property_context::puback));
  send_queued();
}

void session::impl::on_pubrec(const pubrec& p) {
  // A PUBREC for an identifier in no QoS 2 exchange of ours (the broker's state is stale, e.g.
  // after a resume): answered with PUBREL so the broker can end its half — on MQTT 5 with
  // 0x92 Packet Identifier not found — and otherwise ignored.
  const auto not_ours = [&] {
    send(pubrel{p.packet_id,
                is_v5() ? reason_code::packet_identifier_not_found : reason_code::success, {}});
  };
  auto it = flow.find(p.packet_id);
  if (it == flow.inflight_end()) return not_ours();
  outgoing& m = it->second;
  if (m.stage == stage::awaiting_pubcomp) {
    send(pubrel{p.packet_id, reason_code::success, {}});  // our PUBREL was lost: again
    return;
  }
  if (m.message.view().qos != qos::exactly_once) return not_ours();
  window_grows();
  if (!is_success(p.code)) {
    // A failed PUBREC ends the flow (4.3.3): no PUBREL.
    finish(it, make_error_code(errc::operation_failed), p.code,
           keep(p.props, property_context::pubrec));
    send_queued();
    return;
  }
  m.stage = stage::awaiting_pubcomp;
  if (std::error_code ec = save(m)) {
    m.stage = stage::awaiting_ack;  // resent on resume; its PUBREC comes again
    store_ok(ec);
    return;
  }
  if (send(pubrel{p.packet_id, reason_code::success, {}})) send_queued();  // the window grew
}

void session::impl::on_pubcomp(const pubcomp& p) {
  auto it = flow.find(p.packet_id);
  if (it == flow.inflight_end() || it->second.stage != stage::awaiting_pubcomp) return;
  // 0x92 means the broker already forgot the id: it had the message (it sent PUBREC), so the
  // exchange is over either way.
  window_grows();
  finish(it, std::error_code(), p.code, keep(p.props, property_context::pubcomp));
  send_queued();
}

void session::impl::resume_inflight(bool session_present) {
  flow.forget_resends();
  if (session_present) {
    // MQTT-4.4.0-1: resend unacknowledged PUBLISH (DUP, same identifier) and PUBREL, in order.
    // Every one of them counts against this connection's Receive Maximum (a PUBREC < 0x80
    // does not free a slot), so PUBLISHes beyond it wait for acknowledgements (send_queued()).
    std::size_t outstanding = 0;
    for (const auto& entry : flow.in_flight()) {
      if (entry.second.stage == stage::awaiting_pubcomp) ++outstanding;
    }
    for (auto it = flow.inflight_begin(); it != flow.inflight_end() && online(); ++it) {
      outgoing& m = it->second;
      if (m.stage == stage::awaiting_pubcomp) {
        send(pubrel{m.message.view().packet_id, reason_code::success, {}});
      } else if (outstanding < window()) {
        ++outstanding;
        send_publish(m, true);
      } else {
        flow.resend_later(m);
      }
    }
    return;
  }
  // The broker has no session: its half of every exchange is gone (3.2.2.1.2). A message it
  // acknowledged with PUBREC was received, so that exchange is complete; every other
  // unacknowledged message is sent again as a new message, so none is lost.
  while (!flow.in_flight().empty()) {
    outgoing m = flow.take_in_flight(flow.inflight_begin());
    const std::uint16_t id = m.message.view().packet_id;
    ids.release(id);
    if (m.stage == stage::awaiting_pubcomp) {
      (void)store->remove(m.sequence);
      complete(m.op, operation_kind::publish, {}, {reason_code::success});
      continue;
    }
    m.stage = stage::queued;
    m.message.set_dup(false);
    (void)save(m);
    flow.push(std::move(m));
  }
  for (std::uint16_t id : incoming_qos2) (void)store->remove_incoming(id);
  incoming_qos2.clear();
}

void session::impl::expire_queued() {
  const std::optional<time_point> earliest = flow.earliest_expiry();
  if (!earliest || *earliest > now) return;
  for (auto it = flow.queued_begin(); it != flow.queued_end();) {
    if (it->expires_at && now >= *it->expires_at) {
      const outgoing done = flow.take(it);
      drop_unsent(done, errc::message_expired);
    } else {
      ++it;
    }
  }
}

void session::impl::drop_unsent(const outgoing& m, std::error_code ec) {
  if (m.message.view().qos != qos::at_most_once) (void)store->remove(m.sequence);
  complete(m.op, operation_kind::publish, ec);
  if (m.request_op) fail_request(m.request_op, ec);
}

void session::impl::fail_pending(std::error_code ec) {
  // Every operation still open completes now. Messages stay in a persistent store: the next
  // session resuming it resends them.
  // In publish order, whichever stage each message reached: both containers are in sequence
  // order (in flight keyed by it, the queue kept sorted by outbound_flow::push), so one merge
  // gives it. complete() only queues an event: neither container changes meanwhile.
  const outbound_flow::inflight_map& inflight = flow.in_flight();
  const outbound_flow::queue& queued = flow.queued();
  auto in = inflight.cbegin();
  auto q = queued.cbegin();
  while (in != inflight.cend() || q != queued.cend()) {
    const bool from_queue =
        in == inflight.cend() ||
        (q != queued.cend() &&
         (q->sequence < in->first || (q->sequence == in->first && q->op < in->second.op)));
    complete(from_queue ? (q++)->op : (in++)->second.op, operation_kind::publish, ec);
  }
  // Not request_op: the requests themselves complete below.
  flow.clear();
  // QoS 0 publishes on the wire stay there (a DISCONNECT follows them): done when taken.
  for (const sub_command& c : commands.take_all()) {
    if (!c.internal && !c.replay) complete(c.op, c.kind, ec);
  }
  std::vector<operation_id> open_requests;
  requests.take_all(open_requests);
  for (operation_id op : open_requests) complete(op, operation_kind::request, ec);
  // Nothing is routed from now on: every subscription ends with the session.
  subscription_book::ended_list ended;
  subscriptions.close(ended);
  report(std::move(ended));
}

}  // namespace mqttws
