#include "outbound_flow.hpp"

#include <algorithm>

namespace mqttws {

void outbound_flow::push(outbound_message&& m) {
  if (m.expires_at) expiries_.insert(*m.expires_at);
  queued_bytes_ += m.message.bytes().size();
  if (queued_.empty() || queued_.back().sequence < m.sequence) {
    queued_.push_back(std::move(m));
    return;
  }
  // Only messages coming back from flight (a broker that lost the session) land earlier.
  auto at = std::upper_bound(
      queued_.begin(), queued_.end(), m.sequence,
      [](std::uint64_t seq, const outbound_message& o) { return seq < o.sequence; });
  queued_.insert(at, std::move(m));
}

outbound_message outbound_flow::take(queue::iterator& it) {
  outbound_message m = std::move(*it);
  if (m.expires_at) expiries_.erase(expiries_.find(*m.expires_at));
  queued_bytes_ -= m.message.bytes().size();
  it = queued_.erase(it);
  return m;
}

outbound_message& outbound_flow::put_in_flight(outbound_message&& m) {
  by_id_.put(m.message.view().packet_id, m.sequence);
  const std::uint64_t seq = m.sequence;
  return inflight_.insert_or_assign(seq, std::move(m)).first->second;
}

outbound_message outbound_flow::take_in_flight(inflight_map::iterator it) {
  outbound_message m = std::move(it->second);
  // Acknowledged (or given up) before its turn to be resent came.
  if (m.resend_pending) resend_now(m);
  by_id_.erase(m.message.view().packet_id);
  inflight_.erase(it);
  return m;
}

outbound_flow::inflight_map::iterator outbound_flow::find(std::uint16_t packet_id) {
  const std::uint64_t seq = by_id_.get(packet_id);
  return seq == 0 ? inflight_.end() : inflight_.find(seq);
}

void outbound_flow::resend_later(outbound_message& m) {
  if (m.resend_pending) return;
  m.resend_pending = true;
  ++pending_resends_;
}

void outbound_flow::resend_now(outbound_message& m) {
  if (!m.resend_pending) return;
  m.resend_pending = false;
  --pending_resends_;
}

void outbound_flow::forget_resends() {
  for (auto& entry : inflight_) entry.second.resend_pending = false;
  pending_resends_ = 0;
}

void outbound_flow::clear() {
  queued_.clear();
  expiries_.clear();
  queued_bytes_ = 0;
  inflight_.clear();
  by_id_.clear();
  pending_resends_ = 0;
}

}  // namespace mqttws
