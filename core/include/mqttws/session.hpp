// mqttws — the sans-I/O MQTT client session.
//
// One deterministic state machine per client. It does no I/O, reads no clock and never calls
// user code: a driver feeds it inputs and pulls its outputs, and after every input does the
// same three things — write what poll_transmit() gives, act on poll_transport_action() and
// deliver what poll_event() gives, then re-arm its one timer at next_timeout().
//
// Inputs:   connect/publish/subscribe/unsubscribe/request/disconnect/authenticate (commands,
//           answered at once with an operation id or an error), on_transport_open(),
//           receive(), on_transport_closed(), handle_timeout().
// Outputs:  poll_transmit(), poll_transport_action(), poll_event(), next_timeout().
//
// Threading: none. One thread (or strand) drives a session; nothing inside blocks.
// Errors: commands return std::error_code (mqttws::errc); nothing throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "mqttws/packets.hpp"
#include "mqttws/result.hpp"
#include "mqttws/session_clock.hpp"
#include "mqttws/session_config.hpp"
#include "mqttws/session_event.hpp"
#include "mqttws/session_options.hpp"
#include "mqttws/session_store.hpp"

namespace mqttws {

enum class session_state : std::uint8_t {
  idle,                  ///< connect() not called yet.
  connecting,            ///< Waiting for the transport to open.
  awaiting_connack,      ///< CONNECT sent (and AUTH exchanged), waiting for CONNACK.
  connected,
  waiting_to_reconnect,  ///< Backoff delay before the next attempt.
  disconnecting,         ///< DISCONNECT sent by disconnect(); transport closing.
  closed,                ///< Ended by disconnect() or a failure that does not reconnect.
};

std::string_view to_string(session_state s) noexcept;

/// Something the driver must do to the transport.
struct transport_action {
  enum class kind : std::uint8_t { open, close };
  kind what = kind::open;
  std::string endpoint;  ///< For open: one of session_options::endpoints or a server reference.
};

/// Counters a dashboard can show.
struct session_stats {
  session_state state = session_state::idle;
  std::size_t inflight_outgoing = 0;  ///< QoS 1/2 sent, not completely acknowledged.
  std::size_t inflight_incoming = 0;  ///< QoS 2 received, not yet released.
  std::size_t queued = 0;             ///< Waiting for a connection or the Receive Maximum window.
  std::size_t queued_bytes = 0;       ///< Their encoded size (the bound max_queued_bytes applies to).
  std::optional<duration> last_ping_rtt;
  std::uint32_t reconnect_attempts = 0;  ///< Since the last successful connection.
  std::uint64_t connections = 0;         ///< Successful CONNACKs so far.
  std::uint64_t packets_sent = 0, packets_received = 0;
  std::uint64_t bytes_sent = 0, bytes_received = 0;
  /// PUBLISH packets sent (resends with DUP included); messages delivered to the user
  /// (a QoS 2 duplicate is not delivered again, so not counted).
  std::uint64_t messages_sent = 0, messages_received = 0;
};

class session {
 public:
  /// `store` keeps outgoing QoS 1/2 state and incoming QoS 2 ids; nullptr: nothing outlives
  /// the session object (it keeps that state itself, once). A non-empty persistent store is
  /// loaded at connect(), so a restarted process resumes its persistent session and resends
  /// what was in flight.
  explicit session(const session_options& options, session_store* store = nullptr);
  /// The same from an owned configuration, which the session keeps as it is (the views of
  /// session_options are converted into one by to_session_config()).
  explicit session(session_config config, session_store* store = nullptr);
  ~session();
  session(session&&) noexcept;
  session& operator=(session&&) noexcept;
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  /// Why `options` cannot work, or success: no endpoints, empty client id without clean start
  /// on 3.1.1 (MQTT-3.1.3-7), MQTT 5 properties on 3.1.1, invalid will, a CONNECT that does not
  /// encode, inconsistent backoff (negative delays, initial_delay > max_delay, multiplier < 1,
  /// jitter outside [0, 1]). connect() returns the same error.
  static std::error_code validate(const session_options& options);
  /// The same for a session_config (a CONNECT or will property that CONNECT cannot carry is
  /// not representable there; set_connect_properties() refuses it).
  static std::error_code validate(const session_config& config);

  // ---- commands ------------------------------------------------------------------------------
  // A command that returns an error changes nothing: it sends, queues, stores, subscribes and
  // reports nothing, and takes no operation id, packet identifier or request number.

  /// Starts: opens endpoint 0 (poll_transport_action) and from then on keeps the session
  /// connected, reconnecting after losses, until disconnect(). Errors: invalid_options,
  /// properties_require_v5 (MQTT 5 properties on a 3.1.1 session), invalid_state (already
  /// started).
  std::error_code connect(time_point now);

  /// Publishes `p` (its packet_id is ignored: the session assigns one). QoS 0 completes when
  /// handed to the transport, QoS 1 on PUBACK, QoS 2 on PUBCOMP (operation_event). While
  /// offline (or beyond the broker's Receive Maximum) messages queue, up to max_queued.
  /// Errors now: codec errors (invalid topic, ...), invalid_state (closed; or QoS 0 offline
  /// without queue_qos0_offline), queue_full, and with a connection's limits known:
  /// packet_too_large, qos_not_supported, retain_not_supported.
  result<operation_id> publish(const publish& p, time_point now);

  /// Subscribes; completes on SUBACK with one reason code per filter. The filters are kept for
  /// routing (message_event::subscriptions) and resubscribed when a connection does not resume
  /// a session. Sent at once when connected, otherwise after the next CONNACK.
  /// Errors: invalid_topic_filter and other codec errors, invalid_state (closed).
  result<operation_id> subscribe(subscription_list subscriptions, const properties& props,
                                 time_point now);
  result<operation_id> unsubscribe(topic_filter_list filters, const properties& props,
                                   time_point now);

  /// MQTT 5 request/response: publishes `p` with a Response Topic and Correlation Data (the
  /// session's own unless `p` sets them), subscribes to the response topic when needed, and
  /// completes with the first message on it carrying that Correlation Data, or with
  /// errc::request_timeout after `timeout`. Errors: as publish(), properties_require_v5.
  result<operation_id> request(const mqttws::publish& p, duration timeout, time_point now);

  /// Ends the session: sends DISCONNECT (with `code` and `props` on MQTT 5) if connected, then
  /// closes the transport; no reconnection. A disconnected_event with a clear `ec` follows:
  /// once the transport reports the close when connected, at once otherwise (the pending
  /// operations' events come first). Operations still pending complete with
  /// errc::session_closed (QoS 1/2 messages stay in a persistent session's store and are
  /// resent by the next session that resumes it). Errors: invalid_state (already closed),
  /// codec errors for `props`, invalid_property_value for a non-zero Session Expiry Interval
  /// when the CONNECT had none or 0 (MQTT 5, 3.14.2.2.2). A refused call changes nothing.
  std::error_code disconnect(time_point now,
                             reason_code code = reason_code::normal_disconnection,
                             const properties& props = {});

  /// Like disconnect(), once the outgoing QoS 1/2 publishes in flight or queued have completed,
  /// or `drain_timeout` has passed, whichever is first — so that ending a client does not
  /// throw away what it was asked to deliver, nor wait for it forever.
  /// - Validates `code` and `props` exactly as disconnect() does, with the same errors; and
  ///   invalid_state while a drain is already under way. A refused call changes nothing.
  /// - From the call on, commands (publish, subscribe, unsubscribe, request, reconnect and a
  ///   second disconnect_after_drain) are refused with invalid_state. disconnect() is not: it
  ///   ends the drain at once (forcing it), as it would have without one.
  /// - While connected, the session goes on sending what is queued (within the broker's
  ///   Receive Maximum) and taking acknowledgements, keepalive included. QoS 0 publishes and
  ///   pending SUBSCRIBE/UNSUBSCRIBE are not waited for.
  /// - When stats().inflight_outgoing + stats().queued reaches 0 — at once if it is 0 at the
  ///   call, or `drain_timeout` <= 0 — it does exactly what disconnect(code, props) does.
  /// - When `drain_timeout` passes first (next_timeout() includes the deadline, and
  ///   handle_timeout() acts on it), likewise: what is still pending completes with
  ///   errc::session_closed, as disconnect() documents.
  /// - Not connected at the call (connecting, waiting to reconnect): at once, as disconnect().
  /// - The connection lost during the drain: the session ends then, without reconnecting — a
  ///   disconnected_event with the loss's `ec` and will_reconnect false, then what is pending
  ///   completes with errc::session_closed (a persistent store keeps its messages). No
  ///   DISCONNECT could be sent, so `props` (a Session Expiry Interval) take no effect.
  std::error_code disconnect_after_drain(time_point now, duration drain_timeout,
                                         reason_code code = reason_code::normal_disconnection,
                                         const properties& props = {});

  /// MQTT 5 enhanced authentication: answers an auth_event (Continue authentication) or starts
  /// re-authentication (Re-authenticate) with the given Authentication Data. Errors:
  /// invalid_state, properties_require_v5, invalid_reason_code.
  std::error_code authenticate(reason_code code, const properties& props, time_point now);

  /// Replaces the user name and password of the CONNECTs sent from now on (e.g. a refreshed
  /// token, before the driver opens the next transport). Errors: invalid_options when 3.1.1
  /// would get a password without a user name (MQTT-3.1.2-22); nothing changes then.
  std::error_code set_credentials(std::optional<std::string_view> username,
                                  std::optional<std::string_view> password);

  /// Connects again at once — e.g. the network is back, and waiting out a backoff delay would
  /// only waste time. The backoff starts over. Waiting to reconnect: the attempt starts now.
  /// Connected, or an attempt under way: that transport is closed (a connection with a
  /// DISCONNECT, reason 0x00, so the broker does not publish the will), a disconnected_event
  /// with errc::reconnect_requested and will_reconnect true follows, then a reconnecting_event
  /// with delay 0 and the new attempt on the same endpoint. Nothing pending fails: in-flight
  /// messages are resent on the new connection as after any loss. Errors: invalid_state (not
  /// started, draining (disconnect_after_drain), disconnecting or closed; nothing changes then).
  std::error_code reconnect(time_point now);

  /// Sends a PINGREQ now, so that a connection that may have died unnoticed (a device that
  /// slept, a tab that was hidden) is found out within the ping timeout instead of at the
  /// next keep alive. A PINGREQ already unanswered is not repeated (its timeout is running).
  /// Errors: invalid_state when not connected.
  std::error_code ping(time_point now);

  /// Withdraws a publish that is still queued (offline, or behind the broker's Receive
  /// Maximum): it is never sent, leaves the store, and its operation completes with
  /// errc::cancelled. Errors: invalid_state when `id` is not a queued publish — unknown,
  /// complete, or already sent (an exchange under way must finish, MQTT-4.4.0-1).
  std::error_code cancel(operation_id id, time_point now);

  // ---- transport inputs ------------------------------------------------------------------

  /// The transport asked for by the last open action is open: CONNECT is sent.
  void on_transport_open(time_point now);
  /// Bytes from the transport, in any fragmentation.
  void receive(const std::uint8_t* data, std::size_t size, time_point now);
  /// The transport closed (or failed to open). `ec`: why, or empty for an orderly close.
  /// Report every close, including one the session asked for with a close action: after a
  /// disconnect() that is what completes it (state closed, disconnected_event). Reports for a
  /// transport the session already gave up on are ignored.
  void on_transport_closed(std::error_code ec, time_point now);
  /// The time given by next_timeout() has come. Early, late or repeated calls are harmless.
  void handle_timeout(time_point now);

  // ---- outputs ---------------------------------------------------------------------------------

  /// Appends the next bytes to send to `out` — whole packets, several coalesced up to
  /// session_options::max_transmit_bytes (one larger packet alone) — and false when there are
  /// none. Call it until it returns false before acting on poll_transport_action(): a close
  /// comes after the bytes queued before it (a DISCONNECT, say). Writing each piece as one
  /// write (one WebSocket message) keeps what a cut connection loses bounded.
  bool poll_transmit(std::vector<std::uint8_t>& out);
  std::optional<transport_action> poll_transport_action();
  std::optional<session_event> poll_event();
  /// The one deadline the driver must wake up for, if any.
  std::optional<time_point> next_timeout() const;

  session_state state() const;
  session_stats stats() const;
  /// The client identifier in use (the broker-assigned one once known).
  std::string_view client_id() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace mqttws
