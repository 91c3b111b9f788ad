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

/// How a session connects and behaves: the plain-valued settings (session_settings, in
/// session_options.hpp, where each is explained: version, clean_start, keep_alive, timing,
/// reconnection, queue and pacing) and, owned, what session_options holds as views. The CONNECT
/// and will properties are spelled out as fields, since those are the only ones a CONNECT may
/// carry.
struct session_config : session_settings {
  // ---- CONNECT -----------------------------------------------------------------------------
  std::string client_id;  ///< Empty: the broker assigns one (3.1.1: needs clean_start).
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

  // ---- requests (MQTT 5) -------------------------------------------------------------------
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
