// mqttws — errors reported by the core.
//
// Every failure in mqttws is a std::error_code. Errors found by mqttws itself use
// the `mqttws::errc` enum and the category returned by `mqttws::category()`.
// Reason codes sent by a broker are not errors of this kind: see reason_code.hpp.
#pragma once

#include <system_error>

namespace mqttws {

/// Errors detected by mqttws. Zero is never used: a default std::error_code means success.
enum class errc {
  // -- framing (fixed header) ------------------------------------------------
  malformed_remaining_length = 1,  ///< Remaining Length longer than 4 bytes or not minimally encoded.
  packet_too_large,                ///< A packet exceeds the maximum packet size in force.
  invalid_packet_type,             ///< Reserved packet type 0, or AUTH on a 3.1.1 connection.
  invalid_fixed_header_flags,      ///< Reserved flag bits of the fixed header are not as the spec fixes them.
  truncated_packet,                ///< A field runs past the end of the packet.
  trailing_bytes,                  ///< Bytes remain after the last field of the packet.

  // -- fields ------------------------------------------------------------------
  invalid_utf8,                    ///< A UTF-8 string is not well-formed UTF-8 (RFC 3629).
  null_character,                  ///< A UTF-8 string contains U+0000.
  string_too_long,                 ///< A string or binary field is longer than 65535 bytes.
  invalid_qos,                     ///< QoS 3, or QoS bits set where the spec forbids them.
  packet_id_zero,                  ///< Packet Identifier 0 where a non-zero one is required.
  invalid_protocol_name,           ///< CONNECT protocol name is neither "MQTT" nor "MQIsdp".
  unsupported_protocol_version,    ///< CONNECT protocol level other than 3, 4 or 5.
  invalid_connect_flags,           ///< Reserved CONNECT flag set, or will/password flags inconsistent.
  invalid_connack_flags,           ///< Reserved CONNACK flag set, or Session Present with a failure code.
  invalid_reason_code,             ///< A reason code the spec does not allow in this packet.
  invalid_subscribe_options,       ///< Reserved subscription option bits set, or Retain Handling 3.
  empty_subscription_list,         ///< SUBSCRIBE or UNSUBSCRIBE without any topic filter.
  invalid_topic_name,              ///< Topic name empty (without alias), or containing '+' or '#'.
  invalid_topic_filter,            ///< Topic filter with a misplaced wildcard or a bad $share prefix.
  malformed_variable_byte_integer, ///< A Variable Byte Integer longer than 4 bytes or not minimal.
  value_out_of_range,              ///< A number does not fit its field (e.g. remaining length > 268435455).

  // -- properties (MQTT 5) -----------------------------------------------------
  unknown_property,                ///< A property identifier the spec does not define.
  duplicate_property,              ///< A property that may appear once appears more than once.
  property_not_allowed,            ///< A property that is not allowed in this packet.
  invalid_property_value,          ///< A property value the spec forbids (e.g. Receive Maximum 0).
  properties_require_v5,           ///< Properties or reason codes given on a 3.1.1 connection.

  // -- session (what a connection or an operation ended with) --------------------------
  invalid_options = 100,           ///< session_options that cannot work (see session.hpp).
  invalid_state,                   ///< A command that makes no sense now (e.g. connect twice).
  connect_timeout,                 ///< No CONNACK within the connect timeout.
  keep_alive_timeout,              ///< No PINGRESP in time: the connection was half-open.
  connection_refused,              ///< CONNACK with a failure reason code (see the event).
  server_disconnected,             ///< The broker sent DISCONNECT (reason code in the event).
  transport_closed,                ///< The transport closed without an error of its own.
  protocol_violation,              ///< The broker broke the protocol (unexpected packet, bad id).
  receive_maximum_exceeded,        ///< The broker sent more unacknowledged QoS>0 than we allow.
  topic_alias_invalid,             ///< The broker used a topic alias that is 0, too big or unknown.
  qos_not_supported,               ///< QoS above the broker's Maximum QoS.
  retain_not_supported,            ///< Retained publish to a broker without Retain Available.
  queue_full,                      ///< The offline queue is full (policy: reject).
  dropped_from_queue,              ///< Dropped to make room in a full queue (policy: drop oldest).
  message_expired,                 ///< The Message Expiry Interval passed before it could be sent.
  session_closed,                  ///< The operation was ended by disconnect() or a lost session.
  request_timeout,                 ///< No response to request() in time.
  operation_failed,                ///< The broker answered with a failure reason code.
  reconnect_requested,             ///< reconnect() ended the connection to open a new one.
  cancelled,                       ///< cancel() withdrew the publish before it was sent.
};

/// The category of `errc`; its name() is "mqttws".
const std::error_category& category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), category()};
}

}  // namespace mqttws

namespace std {
template <>
struct is_error_code_enum<mqttws::errc> : true_type {};
}  // namespace std
