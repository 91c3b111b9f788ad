#include "mqttws/reason_code.hpp"

#include <algorithm>
#include <initializer_list>

namespace mqttws {
namespace {

using rc = reason_code;

// Which reason codes each packet may carry (MQTT 5, section 2.4, table 2-6 and the per-packet
// lists in chapter 3).
bool in(rc c, std::initializer_list<rc> allowed) {
  return std::find(allowed.begin(), allowed.end(), c) != allowed.end();
}

}  // namespace

bool is_allowed(reason_code c, packet_type t) noexcept {
  switch (t) {
    case packet_type::connack:
      return in(c, {rc::success, rc::unspecified_error, rc::malformed_packet, rc::protocol_error,
                    rc::implementation_specific_error, rc::unsupported_protocol_version,
                    rc::client_identifier_not_valid, rc::bad_user_name_or_password,
                    rc::not_authorized, rc::server_unavailable, rc::server_busy, rc::banned,
                    rc::bad_authentication_method, rc::topic_name_invalid, rc::packet_too_large,
                    rc::quota_exceeded, rc::payload_format_invalid, rc::retain_not_supported,
                    rc::qos_not_supported, rc::use_another_server, rc::server_moved,
                    rc::connection_rate_exceeded});
    case packet_type::puback:
    case packet_type::pubrec:
      return in(c, {rc::success, rc::no_matching_subscribers, rc::unspecified_error,
                    rc::implementation_specific_error, rc::not_authorized,
                    rc::topic_name_invalid, rc::packet_identifier_in_use, rc::quota_exceeded,
                    rc::payload_format_invalid});
    case packet_type::pubrel:
    case packet_type::pubcomp:
      return in(c, {rc::success, rc::packet_identifier_not_found});
    case packet_type::suback:
      return in(c, {rc::granted_qos_0, rc::granted_qos_1, rc::granted_qos_2,
                    rc::unspecified_error, rc::implementation_specific_error, rc::not_authorized,
                    rc::topic_filter_invalid, rc::packet_identifier_in_use, rc::quota_exceeded,
                    rc::shared_subscriptions_not_supported,
                    rc::subscription_identifiers_not_supported,
                    rc::wildcard_subscriptions_not_supported});
    case packet_type::unsuback:
      return in(c, {rc::success, rc::no_subscription_existed, rc::unspecified_error,
                    rc::implementation_specific_error, rc::not_authorized,
                    rc::topic_filter_invalid, rc::packet_identifier_in_use});
    case packet_type::disconnect:
      // Table 2-6 lists Bad authentication method (0x8C) for DISCONNECT (a failed
      // re-authentication, 4.12.1) although the list in 3.14.2.1 omits it; accept it.
      return in(c, {rc::normal_disconnection, rc::disconnect_with_will_message,
                    rc::unspecified_error, rc::malformed_packet, rc::protocol_error,
                    rc::implementation_specific_error, rc::not_authorized, rc::server_busy,
                    rc::server_shutting_down, rc::bad_authentication_method,
                    rc::keep_alive_timeout, rc::session_taken_over,
                    rc::topic_filter_invalid, rc::topic_name_invalid,
                    rc::receive_maximum_exceeded, rc::topic_alias_invalid, rc::packet_too_large,
                    rc::message_rate_too_high, rc::quota_exceeded, rc::administrative_action,
                    rc::payload_format_invalid, rc::retain_not_supported, rc::qos_not_supported,
                    rc::use_another_server, rc::server_moved,
                    rc::shared_subscriptions_not_supported, rc::connection_rate_exceeded,
                    rc::maximum_connect_time, rc::subscription_identifiers_not_supported,
                    rc::wildcard_subscriptions_not_supported});
    case packet_type::auth:
      return in(c, {rc::success, rc::continue_authentication, rc::re_authenticate});
    default:
      return false;
  }
}

std::string_view to_string(reason_code c, packet_type t) noexcept {
  switch (c) {
    case rc::success:
      switch (t) {
        case packet_type::suback: return "Granted QoS 0";
        case packet_type::disconnect: return "Normal disconnection";
        default: return "Success";
      }
    case rc::granted_qos_1: return "Granted QoS 1";
    case rc::granted_qos_2: return "Granted QoS 2";
    case rc::disconnect_with_will_message: return "Disconnect with Will Message";
    case rc::no_matching_subscribers: return "No matching subscribers";
    case rc::no_subscription_existed: return "No subscription existed";
    case rc::continue_authentication: return "Continue authentication";
    case rc::re_authenticate: return "Re-authenticate";
    case rc::unspecified_error: return "Unspecified error";
    case rc::malformed_packet: return "Malformed Packet";
    case rc::protocol_error: return "Protocol Error";
    case rc::implementation_specific_error: return "Implementation specific error";
    case rc::unsupported_protocol_version: return "Unsupported Protocol Version";
    case rc::client_identifier_not_valid: return "Client Identifier not valid";
    case rc::bad_user_name_or_password: return "Bad User Name or Password";
    case rc::not_authorized: return "Not authorized";
    case rc::server_unavailable: return "Server unavailable";
    case rc::server_busy: return "Server busy";
    case rc::banned: return "Banned";
    case rc::server_shutting_down: return "Server shutting down";
    case rc::bad_authentication_method: return "Bad authentication method";
    case rc::keep_alive_timeout: return "Keep Alive timeout";
    case rc::session_taken_over: return "Session taken over";
    case rc::topic_filter_invalid: return "Topic Filter invalid";
    case rc::topic_name_invalid: return "Topic Name invalid";
    case rc::packet_identifier_in_use: return "Packet Identifier in use";
    case rc::packet_identifier_not_found: return "Packet Identifier not found";
    case rc::receive_maximum_exceeded: return "Receive Maximum exceeded";
    case rc::topic_alias_invalid: return "Topic Alias invalid";
    case rc::packet_too_large: return "Packet too large";
    case rc::message_rate_too_high: return "Message rate too high";
    case rc::quota_exceeded: return "Quota exceeded";
    case rc::administrative_action: return "Administrative action";
    case rc::payload_format_invalid: return "Payload format invalid";
    case rc::retain_not_supported: return "Retain not supported";
    case rc::qos_not_supported: return "QoS not supported";
    case rc::use_another_server: return "Use another server";
    case rc::server_moved: return "Server moved";
    case rc::shared_subscriptions_not_supported: return "Shared Subscriptions not supported";
    case rc::connection_rate_exceeded: return "Connection rate exceeded";
    case rc::maximum_connect_time: return "Maximum connect time";
    case rc::subscription_identifiers_not_supported:
      return "Subscription Identifiers not supported";
    case rc::wildcard_subscriptions_not_supported: return "Wildcard Subscriptions not supported";
  }
  return "Unknown reason code";
}

// MQTT 3.1.1 CONNACK return codes, section 3.2.2.3, and their MQTT 5 counterparts.
namespace {
constexpr reason_code v311_connack[] = {
    rc::success,                      // 0 Connection Accepted
    rc::unsupported_protocol_version, // 1 unacceptable protocol version
    rc::client_identifier_not_valid,  // 2 identifier rejected
    rc::server_unavailable,           // 3 server unavailable
    rc::bad_user_name_or_password,    // 4 bad user name or password
    rc::not_authorized,               // 5 not authorized
};
}  // namespace

bool from_v311_connack(std::uint8_t code, reason_code& out) noexcept {
  if (code >= std::size(v311_connack)) return false;
  out = v311_connack[code];
  return true;
}

bool to_v311_connack(reason_code c, std::uint8_t& out) noexcept {
  for (std::uint8_t i = 0; i < std::size(v311_connack); ++i) {
    if (v311_connack[i] == c) {
      out = i;
      return true;
    }
  }
  return false;
}

}  // namespace mqttws
