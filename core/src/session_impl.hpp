// Internal: the state of a session, composed of parts that each own their fields and are
// unit-tested alone (keepalive, reconnect_policy, alias_in, alias_out, request_table, outbound_flow, command_flow,
// send_window, receive_window, wire_out, packet_ids, subscription_book); the impl routes events between them.
// The behaviour is split by concern across session*.cpp files.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "mqttws/backoff.hpp"
#include "mqttws/codec.hpp"
#include "mqttws/error.hpp"
#include "mqttws/owned.hpp"
#include "mqttws/session.hpp"
#include "mqttws/session_config.hpp"
#include "mqttws/stream_decoder.hpp"
#include "mqttws/topic.hpp"
#include "mqttws/topic_trie.hpp"
#include "alias_in.hpp"
#include "alias_out.hpp"
#include "command_flow.hpp"
#include "fifo.hpp"
#include "keepalive.hpp"
#include "outbound_flow.hpp"
#include "packet_ids.hpp"
#include "reconnect_policy.hpp"
#include "request_table.hpp"
#include "receive_window.hpp"
#include "send_window.hpp"
#include "subscription_book.hpp"
#include "wire_out.hpp"

namespace mqttws {

struct session::impl {
  // ---- configuration ------------------------------------------------------------------------
  // The one configuration, kept whole. It is also what the next CONNECT carries, so the two
  // things that change that change it: set_credentials() (username, password) and a broker's
  // Assigned Client Identifier (client_id, the identifier in use from then on).
  session_config config;
  std::error_code options_error;  // from validation in the constructor, reported by connect()

  bool persistent = false;  // session state outlives a connection (a DISCONNECT may change it)

  // ---- store ------------------------------------------------------------------------------
  // The caller's store, or (none given) a transient_store of the session's own: the state it
  // would keep is already in `flow` and `incoming_qos2`, and nothing could ever read it back.
  session_store* store;
  std::unique_ptr<session_store> own_store;

  // ---- state --------------------------------------------------------------------------------
  session_state state = session_state::idle;
  time_point now{};
  bool ever_connected = false;  // this object has had a session with the broker
  bool clean_start_sent = false;
  // disconnect_after_drain() under way: the DISCONNECT it will send, and when it gives up
  // waiting. Only while connected: a loss ends the session (end_session() clears it).
  struct drain_plan {
    time_point deadline{};
    reason_code code = reason_code::normal_disconnection;
    owned_properties props;
  };
  std::optional<drain_plan> draining;

  // Outputs waiting to be pulled.
  wire_out wire;  // every outgoing packet, until poll_transmit() takes it
  fifo<transport_action> actions;
  fifo<session_event> events;

  // Connection-scoped.
  stream_decoder decoder;
  time_point connect_deadline{};
  keepalive keeping_alive;
  std::uint16_t broker_receive_maximum = 65535;
  send_window sending;         // QoS 1/2 PUBLISHes this connection may have unacknowledged
  receive_window receiving;    // the Receive Maximum the next CONNECT asks for (MQTT 5)
  std::uint32_t broker_maximum_packet_size = max_packet_size;
  mqttws::qos broker_maximum_qos = qos::exactly_once;
  bool broker_retain_available = true;
  std::string response_information;

  reconnect_policy reconnecting;  // endpoints, redirects, backoff, when the next attempt is due

  // ---- outgoing publishes -----------------------------------------------------------------
  using outgoing = outbound_message;
  using inflight_map = outbound_flow::inflight_map;
  outbound_flow flow;  // queued and in flight, in publish order
  operation_id next_op = 1;

  packet_ids ids;  // in use by any outgoing exchange (PUBLISH, SUBSCRIBE, UNSUBSCRIBE)

  // ---- incoming ---------------------------------------------------------------------------
  std::set<std::uint16_t> incoming_qos2;           // received, awaiting PUBREL
  alias_in aliases_in;    // the broker's topic aliases on this connection

  // ---- outgoing topic aliases (least recently used replaced) ------------------------------
  alias_out aliases_out;

  // ---- subscriptions --------------------------------------------------------------------------
  command_flow commands;  // SUBSCRIBE/UNSUBSCRIBE waiting, or sent and awaiting their ack
  subscription_book subscriptions;  // what routes incoming messages, until each filter ends
  bool broker_subscription_ids = true;  // Subscription Identifier Available (last CONNACK)

  // ---- requests (MQTT 5) --------------------------------------------------------------------
  request_table requests;

  // ---- counters --------------------------------------------------------------------------------
  session_stats counters;

  // `conversion_error`: what to_session_config() found, reported by connect() unless
  // validation finds something first (as session::validate() orders them).
  impl(session_config c, session_store* s, std::error_code conversion_error);

  // session_connection.cpp: connecting, CONNACK, losses, reconnection, timers.
  void begin_attempt();
  void transport_gone(std::error_code ec);
  void on_timer();
  std::optional<time_point> deadline() const;
  void send_connect();
  void on_connack(const connack& p);
  void connection_lost(std::error_code ec, std::optional<reason_code> reason = {},
                       std::string reason_string = {}, std::string server_reference = {},
                       bool may_reconnect = true, owned_properties props = {});
  void schedule_reconnect(bool after_established);
  // Would that many more messages and bytes overflow the queue's bounds?
  bool queue_over(std::size_t extra_messages, std::size_t extra_bytes) const;
  // Would a message of `bytes` overflow even an empty queue?
  bool queue_over_empty(std::size_t bytes) const;
  void close_with(std::error_code ec, reason_code reason);
  void end_session();
  // disconnect() in two halves, shared with disconnect_after_drain(): everything that can
  // refuse it, then everything it does (the one way a disconnect happens, drained or not).
  std::error_code check_disconnect(reason_code code, const properties& props) const;
  void disconnect_now(reason_code code, const properties& props);
  // A drain whose publishes have all completed, or whose deadline has come, disconnects.
  // Called after every input that can complete or drop an outgoing publish.
  void continue_drain();
  void keepalive_tick();

  // session_outgoing.cpp: publishes out, acknowledgements in.
  std::error_code prepare(const mqttws::publish& p, outgoing& m);
  std::error_code enqueue(outgoing&& m);
  void expire_queued();
  // A message that will never be sent: forget it and complete its operation or request.
  void drop_unsent(const outgoing& m, std::error_code ec);
  // Sends what may go now: resends of a resumed session, then the queue, in order, while
  // the connection and the window allow.
  void send_queued();
  // Why a message cannot be sent on this connection (its limits, from the CONNACK), or clear.
  std::error_code check_limits(const mqttws::publish& p, std::size_t encoded_size) const;
  void send_publish(outgoing& m, bool dup);
  // `props`: the acknowledgement's properties (MQTT 5), reported with the completion.
  void complete(operation_id op, operation_kind kind, std::error_code ec,
                std::vector<reason_code> codes = {}, owned_properties props = {});
  void finish(inflight_map::iterator it, std::error_code ec, reason_code code,
              owned_properties props);
  // What the store keeps of `m` at its current stage.
  stored_publish stored(const outgoing& m) const;
  // Saves that; with the session's own store there is nothing to keep, and the record (a
  // copy of the packet) is not even built.
  std::error_code save(const outgoing& m) {
    return own_store ? std::error_code() : store->save(stored(m));
  }
  void on_puback(const puback& p);
  void on_pubrec(const pubrec& p);
  void on_pubcomp(const pubcomp& p);
  void resume_inflight(bool session_present);
  void fail_pending(std::error_code ec);

  // session.cpp: commands. Each one checks everything that can refuse it before it changes
  // anything: a refused command leaves no trace (no packet, route, id or number taken).
  // Sets the time; refuses every command once disconnect() or the session's end came.
  std::error_code begin_command(time_point t) {
    now = t;
    return accepting_commands() ? std::error_code() : make_error_code(errc::invalid_state);
  }
  // Whether `p` encodes for this session's version (the codec's errors): the check a command
  // makes of the packet it will send, placeholders and all, before anything changes.
  template <class Packet>
  std::error_code encodes(const Packet& p) const {
    std::size_t size = 0;
    return encoded_size(p, config.version, size);
  }
  // A SUBSCRIBE or UNSUBSCRIBE checked as it will be encoded, its kind and owned properties
  // set in `c`: all that can refuse the command.
  template <class Packet>
  std::error_code prepare_command(Packet probe, sub_command& c) const;
  // An accepted command goes out (or waits for a connection); its operation id.
  operation_id issue(sub_command&& c);

  // session_incoming.cpp: publishes in, subscriptions, requests.
  void on_packet(packet& p);
  void on_publish(const mqttws::publish& p);
  void on_pubrel(const pubrel& p);
  // The command an acknowledgement answers, out of `commands` with its identifier free;
  // nullopt when it answers none of ours (ignored) or contradicts the command (kind, or
  // `code_count` when the acknowledgement has codes): the connection is closed then.
  std::optional<sub_command> take_answered(std::uint16_t packet_id, operation_kind kind,
                                           std::optional<std::size_t> code_count);
  void on_suback(const suback& p);
  void on_unsuback(const unsuback& p);
  void send_command(sub_command&& c);
  void resubscribe();
  void deliver(const mqttws::publish& p, std::string_view topic);
  void fail_request(operation_id op, std::error_code ec);
  // Reports the subscription ends the book listed (when report_subscription_ends is on).
  void report(subscription_book::ended_list&& ended) {
    for (subscription_ended_event& e : ended) emit(std::move(e));
  }

  // The one way out: every control packet is queued on `wire` by put() (encoding it) or
  // put_encoded() (bytes encoded earlier), and counted, and noted as traffic for keepalive.
  template <class P>
  std::error_code put(const P& p);
  void put_encoded(const std::vector<std::uint8_t>& bytes) {
    wire.put_encoded(bytes);
    sent_bytes(bytes.size());
  }
  // The bookkeeping of every outgoing packet, once: put() and put_encoded() are the only
  // callers.
  void sent_bytes(std::size_t size) {
    counters.packets_sent++;
    counters.bytes_sent += size;
    keeping_alive.sent(now);
  }
  // Bytes not yet handed to the driver can no longer be written: forgotten, and the QoS 0
  // publishes among them complete with `ec`.
  void drop_unwritten(std::error_code ec) {
    std::vector<operation_id> lost;
    wire.clear(lost);
    for (operation_id op : lost) complete(op, operation_kind::publish, ec);
  }
  // put(), closing the connection if the packet cannot be encoded; false then.
  template <class P>
  bool send(const P& p);
  // QoS 1/2 PUBLISHes this connection may have unacknowledged now: the broker's Receive
  // Maximum, or less while the pacing window is still opening.
  std::size_t window() const { return sending.limit(); }
  // An acknowledgement came back: the link carries traffic, one more may be in flight.
  void window_grows() { sending.acknowledged(); }
  // A store failure on a state change the next packet implies: that packet must not go out
  // (session_store: state is durable before the packet that implies it). The connection is
  // closed (DISCONNECT 0x83 on MQTT 5) with the store's error; the broker resends after the
  // reconnect and the change is tried again, so nothing is lost. True when `ec` is clear.
  bool store_ok(std::error_code ec) {
    if (!ec) return true;
    close_with(ec, reason_code::implementation_specific_error);
    return false;
  }
  // An owned copy of properties decoded from a packet of context `ctx` (valid by then).
  static owned_properties keep(const properties& p, property_context ctx) {
    owned_properties out;
    (void)owned_properties::make(p, ctx, out);
    return out;
  }
  /// Queues an event, constructed in place (an event is several hundred bytes: one move).
  template <class Event>
  void emit(Event&& e) {
    events.emplace_back(std::in_place_type<std::decay_t<Event>>, std::forward<Event>(e));
  }
  bool is_v5() const { return config.version == protocol_version::v5; }
  // What the CONNECT properties imply for us.
  std::uint16_t our_receive_maximum() const { return config.receive_maximum.value_or(65535); }
  std::uint32_t our_maximum_packet_size() const {
    return config.maximum_packet_size.value_or(max_packet_size);
  }
  bool online() const { return state == session_state::connected; }
  // Commands (publish, subscribe, ...) are taken until disconnect(), disconnect_after_drain()
  // or the session's end.
  bool accepting_commands() const {
    return !draining && state != session_state::closed && state != session_state::disconnecting;
  }
};

template <class P>
std::error_code session::impl::put(const P& p) {
  std::size_t size = 0;
  if (std::error_code ec = wire.put(p, config.version, size)) return ec;
  sent_bytes(size);
  return {};
}

template <class P>
bool session::impl::send(const P& p) {
  if (std::error_code ec = put(p)) {
    // Only packets built from validated input reach here; an error is a bug in the session.
    close_with(ec, reason_code::implementation_specific_error);
    return false;
  }
  return true;
}

}  // namespace mqttws
