// mqttws — how a session connects and behaves.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "mqttws/backoff.hpp"
#include "mqttws/packets.hpp"
#include "mqttws/session_clock.hpp"

namespace mqttws {

/// What to do with a publish when the offline queue is full.
enum class queue_full_policy : std::uint8_t {
  reject,       ///< publish() fails with errc::queue_full.
  drop_oldest,  ///< The oldest queued message is dropped (its operation completes with
                ///< errc::dropped_from_queue) to make room.
};

/// The settings that are plain values, held once for both ways of configuring a session
/// (session_options below, with views; session_config, owned, in session_config.hpp): a
/// conversion between the two copies this part in one assignment.
struct session_settings {
  protocol_version version = protocol_version::v5;
  /// Clean Start (Clean Session in 3.1.1) of the first connection. Reconnections of a
  /// persistent session (MQTT 5: Session Expiry Interval > 0; 3.1.1: clean_start false)
  /// always resume it (Clean Start 0).
  bool clean_start = true;
  std::uint16_t keep_alive = 60;  ///< Seconds; 0 disables keepalive.

  // ---- timing --------------------------------------------------------------------------------
  duration connect_timeout = std::chrono::seconds(30);  ///< Transport open until CONNACK.
  /// How long to wait for PINGRESP before the connection is declared half-open and closed.
  /// 0 (the default): half the Keep Alive in force, so a dead link is found within 1.5 x Keep
  /// Alive of the last packet heard — the bound the broker applies to us (MQTT-3.1.2-24).
  duration ping_timeout{0};
  bool reconnect = true;  ///< Reconnect after a lost connection (not after disconnect()).
  /// Reconnect (with the backoff) even after a CONNACK refusal the same CONNECT would get again
  /// (bad user name or password, not authorized, banned, ...), which otherwise ends the
  /// session: for a driver that refreshes credentials before each attempt (set_credentials()).
  bool reconnect_after_refusal = false;
  backoff_options backoff;

  // ---- outgoing messages ---------------------------------------------------------------------
  /// Messages waiting for a connection or for room in the broker's Receive Maximum window.
  std::size_t max_queued = 1000;
  /// And their total encoded size in bytes (0: no bound by size). A publish that would go
  /// beyond either bound finds the queue full.
  std::size_t max_queued_bytes = 0;
  queue_full_policy when_queue_full = queue_full_policy::reject;
  /// Queue QoS 0 publishes while offline (true), or fail them with errc::invalid_state.
  bool queue_qos0_offline = true;
  /// Assign outbound topic aliases automatically (MQTT 5, up to the broker's Topic Alias
  /// Maximum, least recently used replaced first).
  bool auto_topic_alias = true;

  // ---- pacing: progress on links that keep failing --------------------------------------------
  /// QoS 1/2 PUBLISHes (first transmissions and resends alike) a new connection may have
  /// unacknowledged before any acknowledgement has come back. Every acknowledgement (PUBACK,
  /// PUBREC, PUBCOMP) lets one more out, so the window doubles per round trip up to the
  /// broker's Receive Maximum — as TCP's slow start does. A link that dies after a few
  /// hundred bytes still carries the first messages of every connection and their
  /// acknowledgements, so any backlog drains, and what a cut can cost (duplicates, resends)
  /// is bounded by the window, not by the backlog. 0: no pacing (the whole Receive Maximum
  /// at once).
  std::uint16_t initial_send_window = 4;
  /// poll_transmit() hands out at most this many bytes at a time: whole packets, and always
  /// at least one (a larger packet goes alone). A driver writes each piece as one write or
  /// one WebSocket message, so a cut loses at most one bounded piece. 0: no bound.
  std::size_t max_transmit_bytes = 4096;
  /// MQTT 5: after an established connection that failed within 10 s while the broker was
  /// sending QoS 1/2 messages, the next CONNECT asks for a Receive Maximum of half of what
  /// arrived on it, so the broker's burst of resends after a resume fits a weak link and
  /// acknowledgements get back; every connection that lasts longer doubles it back, up to
  /// connect_properties.receive_maximum. Advice only: the session still accepts up to
  /// connect_properties.receive_maximum. false: always ask for the configured value.
  bool adaptive_receive_maximum = true;

  // ---- subscriptions (MQTT 5) --------------------------------------------------------------
  /// Give each subscribe() without a Subscription Identifier one of the session's own (1, 2,
  /// ...), so that a message is reported (message_event::subscriptions) only for the
  /// subscriptions the broker delivered that copy for: a broker may send one copy per
  /// matching subscription. Left out of the SUBSCRIBE when the broker said Subscription
  /// Identifier Available 0; routing then falls back to topic matching. These identifiers are
  /// removed from the messages the session reports (a caller's own identifiers are kept).
  bool auto_subscription_identifiers = true;
  /// Report each filter that stops routing messages (subscription_ended_event: unsubscribed,
  /// refused, not sent, session closed), so that a driver keeping a handler per subscribe
  /// operation learns from the session when to drop it. Off by default: a session object
  /// used without per-subscription handlers does not need the events (at its close, one per
  /// filter still subscribed).
  bool report_subscription_ends = false;
};

/// The view-based way to configure a session: everything is converted by the session
/// constructor (to_session_config(), session_config.hpp, the one conversion) into the owned
/// session_config the session keeps, so the views only need to live until then.
///
/// Why it stays a type of its own rather than becoming an alias of session_config: code that
/// holds views (the core tests, the fuzzer, benchmarks) fills it without allocating, and its
/// CONNECT and will properties are the codec's `properties`, so any property can be given and
/// validate() names the one a CONNECT cannot carry. Drivers fill session_config directly.
struct session_options : session_settings {
  // ---- CONNECT -------------------------------------------------------------------------
  /// May be empty: the broker then assigns one (MQTT 5: reported in the connected event; 3.1.1
  /// requires clean_start with an empty id).
  std::string_view client_id;
  std::optional<std::string_view> username;
  std::optional<std::string_view> password;
  std::optional<will_message> will;
  /// CONNECT properties (MQTT 5). The session also acts on them: Session Expiry Interval
  /// (persistence), Receive Maximum (enforced inbound), Maximum Packet Size (enforced inbound),
  /// Topic Alias Maximum (inbound aliases accepted), Authentication Method/Data (enhanced
  /// authentication), Request Response Information.
  properties connect_properties;

  // ---- endpoints ---------------------------------------------------------------------------
  /// Broker endpoints (opaque to the session, e.g. "wss://host/mqtt"), tried in turn: each
  /// failed attempt moves to the next one; the backoff delay is applied after a whole round
  /// has failed. A Server Reference from the broker (MQTT 5 redirect) is tried next.
  std::vector<std::string_view> endpoints;

  // ---- request / response (MQTT 5) ---------------------------------------------------------
  /// Response topics for request() are "{prefix}/{n}". Empty: the broker's Response
  /// Information if it gave one (request it with Request Response Information), otherwise
  /// "mqttws/response/{client id}".
  std::string_view response_topic_prefix;
};

}  // namespace mqttws
