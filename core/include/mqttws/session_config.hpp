// mqttws — the session's configuration, owned.
//
// A session keeps one session_config for its whole life (the configuration, not a copy of
// it spread over fields). Drivers fill it directly: the native client's client_options *is*
// one (it derives from it), the browser driver reads JavaScript options into one. The
// view-based session_options (session_options.hpp) stays as a cheap input for code that has
// views at hand (the core tests, the fuzzer); to_session_config() is the one function that
// turns it into a session_config.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "mqttws/backoff.hpp"
#include "mqttws/protocol.hpp"
#include "mqttws/session_clock.hpp"
#include "mqttws/session_options.hpp"

namespace mqttws {

/// A name/value pair: an MQTT 5 user property (or, in the native client, an HTTP header).
using string_pair = std::pair<std::string, std::string>;

/// The will message, published by the broker when the connection ends without DISCONNECT.
struct will_options {
  std::string topic;
  std::string payload;  ///< Binary.
  mqttws::qos qos = qos::at_most_once;
  bool retain = false;
  // MQTT 5 will properties; leave unset on 3.1.1.
  std::optional<std::uint32_t> delay_interval;           ///< Seconds.
  std::optional<std::uint32_t> message_expiry_interval;  ///< Seconds.
  std::optional<std::uint8_t> payload_format_indicator;  ///< 0 bytes, 1 UTF-8.
  std::optional<std::string> content_type;
  std::optional<std::string> response_topic;
  std::optional<std::string> correlation_data;           ///< Binary.
  std::vector<string_pair> user_properties;
};

/// How a session connects and behaves. Every field means what the field of the same name in
/// session_options means (read that header for the details); the CONNECT and will properties
/// are spelled out as fields, since those are the only ones a CONNECT may carry.
struct session_config {
  protocol_version version = protocol_version::v5;

  // ---- CONNECT -----------------------------------------------------------------------------
  std::string client_id;  ///< Empty: the broker assigns one (3.1.1: needs clean_start).
  /// Clean Start of the first connection; reconnections resume a persistent session (MQTT 5:
  /// session_expiry_interval > 0; 3.1.1: clean_start false).
  bool clean_start = true;
  std::uint16_t keep_alive = 60;  ///< Seconds; 0 disables keepalive.
  std::optional<std::string> username;
  std::optional<std::string> password;  ///< Binary.
  std::optional<will_options> will;
  // MQTT 5 CONNECT properties; leave unset on 3.1.1.
  std::optional<std::uint32_t> session_expiry_interval;  ///< Seconds; > 0: persistent.
  std::optional<std::uint16_t> receive_maximum;          ///< Enforced inbound.
  std::optional<std::uint32_t> maximum_packet_size;      ///< Enforced inbound.
  std::optional<std::uint16_t> topic_alias_maximum;      ///< Inbound aliases we accept.
  std::optional<bool> request_response_information;
  std::optional<bool> request_problem_information;
  std::optional<std::string> authentication_method;      ///< Enhanced authentication.
  std::optional<std::string> authentication_data;        ///< Binary.
  std::vector<string_pair> user_properties;

  // ---- endpoints ---------------------------------------------------------------------------
  /// Tried in turn; a failed attempt moves to the next one; the backoff delay applies after a
  /// whole round has failed. Opaque to the session (the native client takes URLs, see
  /// endpoint_url.hpp).
  std::vector<std::string> endpoints;

  // ---- timing and reconnection -----------------------------------------------------------
  duration connect_timeout = std::chrono::seconds(30);  ///< Transport open until CONNACK.
  /// PINGRESP wait; 0: half the Keep Alive in force, so a half-open link is found within
  /// 1.5 x Keep Alive of the last byte heard.
  duration ping_timeout{0};
  bool reconnect = true;  ///< Reconnect after losses (never after a disconnect).
  /// Reconnect even after a CONNACK refusal the same CONNECT would get again.
  bool reconnect_after_refusal = false;
  backoff_options backoff;  ///< Reconnect delays.

  // ---- outgoing messages ---------------------------------------------------------------------
  std::size_t max_queued = 1000;    ///< Offline / beyond the broker's Receive Maximum.
  std::size_t max_queued_bytes = 0;  ///< Their total encoded size; 0: no bound by size.
  queue_full_policy when_queue_full = queue_full_policy::reject;
  bool queue_qos0_offline = true;
  bool auto_topic_alias = true;  ///< MQTT 5: assign outbound topic aliases automatically.

  // ---- pacing on links that keep failing -------------------------------------------------
  /// QoS 1/2 publishes a new connection may have unacknowledged before acknowledgements open
  /// the window further (0: the broker's whole Receive Maximum at once)...
  std::uint16_t initial_send_window = 4;
  /// ...the most bytes poll_transmit() hands out at a time (whole packets, a larger one
  /// alone; 0: no bound) — the native client writes each piece as one write or one WebSocket
  /// message...
  std::size_t max_transmit_bytes = 4096;
  /// ...and, on MQTT 5, a smaller Receive Maximum asked for after connections that died young
  /// while the broker was sending.
  bool adaptive_receive_maximum = true;

  // ---- subscriptions and requests (MQTT 5) ---------------------------------------------------
  /// Give each subscription a Subscription Identifier of the session's own, so a message is
  /// reported only for the subscriptions the broker sent that copy for.
  bool auto_subscription_identifiers = true;
  /// Response topics for request() are "{prefix}/{n}"; empty: the broker's Response
  /// Information, otherwise "mqttws/response/{client id}".
  std::string response_topic_prefix;
};

/// Sets out's CONNECT property fields from `p`, for a config of version `out.version`.
/// Errors: properties_require_v5 (any property on 3.1.1 that is not a CONNECT property: a
/// CONNECT property on 3.1.1 is left for session::validate() to refuse), or the codec's error
/// for a property a CONNECT cannot carry; on error `out` is left unchanged.
std::error_code set_connect_properties(const properties& p, session_config& out);
/// The same for a will's properties.
std::error_code set_will_properties(const properties& p, protocol_version v, will_options& out);

/// The one conversion of session_options (views) into a session_config. Everything valid is
/// converted even on error, so that session::validate() can still report the errors it finds
/// first; the error is that of set_connect_properties()/set_will_properties().
std::error_code to_session_config(const session_options& o, session_config& out);

}  // namespace mqttws
