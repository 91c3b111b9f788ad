// Internal: the outgoing QoS 0/1/2 publishes a session holds — the queue of those not sent yet
// and the map of those in flight — with the bookkeeping that must stay true of both: sequence
// order, the queue's byte count and expiry times, the packet identifier index of what is in
// flight, and which in-flight messages of a resumed session still wait for their resend.
//
// Both stages are ordered by sequence (the order the user published in), so every lookup a
// PUBLISH, an acknowledgement or a timer needs is O(1) or O(log n) however many messages wait:
// 65535 in flight and a long offline queue are normal loads, not corner cases. The session
// decides what moves when (its window, its limits, its store); this class only keeps the
// containers and their indexes consistent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>

#include "fifo.hpp"
#include "mqttws/owned.hpp"
#include "mqttws/session_clock.hpp"
#include "mqttws/session_event.hpp"
#include "mqttws/session_store.hpp"
#include "packet_id_map.hpp"

namespace mqttws {

/// One outgoing publish as the session keeps it.
struct outbound_message {
  std::uint64_t sequence = 0;
  operation_id op = 0;            // 0: no completion event (restored, internal request publish)
  owned_publish message;          // packet id and DUP as last sent
  stored_publish::stage stage = stored_publish::stage::queued;
  std::optional<time_point> expires_at;
  operation_id request_op = 0;    // the request() this publish belongs to
  bool resend_pending = false;    // in flight from a resumed session, DUP not yet resent
};

class outbound_flow {
 public:
  using queue = fifo<outbound_message>;
  using inflight_map = std::map<std::uint64_t, outbound_message>;

  // ---- sequence numbers ------------------------------------------------------------------
  /// The sequence the next publish gets.
  std::uint64_t next_sequence() const { return next_sequence_; }
  /// The next publish was accepted (it took next_sequence()).
  void sequence_taken() { ++next_sequence_; }
  /// A message restored from the store took `sequence`: later ones come after it.
  void sequence_seen(std::uint64_t sequence) {
    if (sequence >= next_sequence_) next_sequence_ = sequence + 1;
  }

  // ---- the queue (not sent yet) --------------------------------------------------------------
  const queue& queued() const { return queued_; }
  queue::iterator queued_begin() { return queued_.begin(); }
  queue::iterator queued_end() { return queued_.end(); }
  std::size_t queued_bytes() const { return queued_bytes_; }
  /// The earliest expiry among the queued messages, if any has one.
  std::optional<time_point> earliest_expiry() const {
    if (expiries_.empty()) return std::nullopt;
    return *expiries_.begin();
  }
  /// Into the queue at its sequence's place (the back, unless it comes back from flight).
  void push(outbound_message&& m);
  /// Out of the queue; `it` moves to the next message.
  outbound_message take(queue::iterator& it);

  // ---- in flight (sent, awaiting PUBACK/PUBREC/PUBCOMP) ------------------------------------
  const inflight_map& in_flight() const { return inflight_; }
  inflight_map::iterator inflight_begin() { return inflight_.begin(); }
  inflight_map::iterator inflight_end() { return inflight_.end(); }
  outbound_message& put_in_flight(outbound_message&& m);
  outbound_message take_in_flight(inflight_map::iterator it);
  /// The in-flight message with this packet identifier, or inflight_end().
  inflight_map::iterator find(std::uint16_t packet_id);

  // ---- resends of a resumed session ------------------------------------------------------
  /// In-flight messages still waiting for room in the broker's Receive Maximum (it may be
  /// smaller on this connection than on the one they were sent on).
  std::size_t pending_resends() const { return pending_resends_; }
  void resend_later(outbound_message& m);
  void resend_now(outbound_message& m);
  /// A new connection: no resend is pending until resume decides again.
  void forget_resends();

  bool empty() const { return queued_.empty() && inflight_.empty(); }
  /// Forgets every message (the session ended).
  void clear();

 private:
  queue queued_;
  std::multiset<time_point> expiries_;  // expires_at of those in queued_
  std::size_t queued_bytes_ = 0;        // encoded size of those in queued_
  inflight_map inflight_;
  packet_id_map<std::uint64_t> by_id_;  // packet id -> sequence in inflight_
  std::uint64_t next_sequence_ = 1;
  std::size_t pending_resends_ = 0;
};

}  // namespace mqttws
