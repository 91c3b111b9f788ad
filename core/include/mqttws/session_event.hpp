// mqttws — what the session reports to its driver (pulled with session::poll_event()).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

#include "mqttws/owned.hpp"
#include "mqttws/reason_code.hpp"
#include "mqttws/session_clock.hpp"

namespace mqttws {

/// Identifies a command (publish, subscribe, unsubscribe, request) until its completion event.
/// Unique within a session, increasing, never 0.
using operation_id = std::uint64_t;

enum class operation_kind : std::uint8_t { publish, subscribe, unsubscribe, request };

/// A CONNACK accepted the connection. The limits are those in force for this connection, with
/// the spec's defaults applied where the broker sent no property.
struct connected_event {
  bool session_present = false;
  std::string assigned_client_id;  ///< Empty unless the broker assigned one.
  std::uint16_t keep_alive = 0;    ///< Seconds in force (Server Keep Alive wins).
  std::uint16_t receive_maximum = 65535;
  std::uint32_t maximum_packet_size = max_packet_size;
  std::uint16_t topic_alias_maximum = 0;
  mqttws::qos maximum_qos = qos::exactly_once;
  bool retain_available = true;
  bool wildcard_subscription_available = true;
  bool subscription_identifiers_available = true;
  bool shared_subscription_available = true;
  owned_properties properties;  ///< Everything the CONNACK carried (user properties, ...).
};

/// The connection ended (or an attempt failed). `ec` says why; `reason` is the broker's reason
/// code when it gave one (CONNACK refusal, DISCONNECT).
struct disconnected_event {
  std::error_code ec;
  std::optional<reason_code> reason;
  std::string reason_string;
  std::string server_reference;  ///< MQTT 5 redirect, if the broker named another server.
  bool will_reconnect = false;   ///< A reconnecting_event follows.
  /// MQTT 5: all properties of the refusing CONNACK or the broker's DISCONNECT (User
  /// Properties, ...); empty otherwise.
  owned_properties properties;
};

/// The session will open `endpoint` after `delay`.
struct reconnecting_event {
  std::uint32_t attempt = 0;  ///< 1 for the first reconnection after a loss.
  duration delay{};
  std::string endpoint;
};

/// A message arrived. `subscriptions` are the subscribe operations whose filters match its
/// topic (for per-subscription handlers); empty if none does (e.g. a session resumed from a
/// broker that still holds subscriptions this session object never made).
struct message_event {
  owned_publish message;  ///< Topic alias already resolved: topic is always the full name.
  std::vector<operation_id> subscriptions;
};

/// A command completed. `ec` is clear on success. `codes` holds the broker's reason codes:
/// one for publish (PUBACK/PUBREC/PUBCOMP; empty for QoS 0), one per filter for subscribe and
/// unsubscribe (a per-filter failure does not set `ec`; a whole-operation failure does). On
/// 3.1.1, whose UNSUBACK carries no codes, unsubscribe reports `success` for every filter.
struct operation_event {
  operation_id id = 0;
  operation_kind kind = operation_kind::publish;
  std::error_code ec;
  std::vector<reason_code> codes;
  std::string reason_string;
  /// MQTT 5: all properties of the acknowledgement (PUBACK, PUBREC or PUBCOMP, SUBACK,
  /// UNSUBACK): Reason String, User Properties. Empty when there was none.
  owned_properties properties;
  owned_publish response;  ///< For request(): the response message.
};

/// MQTT 5 enhanced authentication: the broker sent AUTH (Continue authentication). Answer
/// with session::authenticate().
struct auth_event {
  reason_code code = reason_code::continue_authentication;
  owned_properties properties;  ///< Authentication Method and Data, Reason String, ...
};

/// Why a subscription stopped routing messages (subscription_ended_event).
enum class subscription_end : std::uint8_t {
  unsubscribed,    ///< An UNSUBACK removed the filter (of a subscribe made before the UNSUBSCRIBE).
  refused,         ///< The broker refused it: its SUBACK, or that of a resubscription after
                   ///< a connection that did not resume the session.
  not_sent,        ///< Its SUBSCRIBE could not be sent (larger than the broker's Maximum
                   ///< Packet Size, on a resubscription too).
  session_closed,  ///< The session ended (disconnect(), or a loss without reconnection).
};

/// One filter of a subscribe operation no longer routes messages (message_event::subscriptions
/// stops naming the operation for it). Reported only with
/// session_settings::report_subscription_ends. A filter subscribed twice by one operation ends
/// once. When `last` is set the operation holds no filter any more: nothing will be routed to
/// it again, so a driver can forget its handler. Routes exist from subscribe() (a retained
/// message may arrive right after the SUBACK), so a refused or unsent filter ends too.
struct subscription_ended_event {
  operation_id subscription = 0;  ///< The subscribe operation.
  std::string filter;             ///< As given to subscribe().
  subscription_end reason = subscription_end::unsubscribed;
  /// unsubscribed: the UNSUBACK's code for the filter (success, or 0x11 No subscription
  /// existed; success on 3.1.1); refused: the SUBACK's; not_sent: packet_too_large;
  /// session_closed: success.
  reason_code code = reason_code::success;
  bool last = false;
};

using session_event = std::variant<connected_event, disconnected_event, reconnecting_event,
                                   message_event, operation_event, auth_event,
                                   subscription_ended_event>;

}  // namespace mqttws
