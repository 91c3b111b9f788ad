#include "mqttws/error.hpp"

#include <iterator>
#include <string>

namespace mqttws {
namespace {

// The messages, in the order of `errc`: a table of pointers is smaller than a switch with a
// std::string construction per case (the npm wasm carries this code).
constexpr const char* codec_messages[] = {  // errc 1 ...
    "malformed remaining length",  // malformed_remaining_length
    "packet too large",  // packet_too_large
    "invalid packet type",  // invalid_packet_type
    "invalid fixed header flags",  // invalid_fixed_header_flags
    "truncated packet: a field runs past its end",  // truncated_packet
    "trailing bytes after the last field of the packet",  // trailing_bytes
    "string is not well-formed UTF-8",  // invalid_utf8
    "string contains U+0000",  // null_character
    "string or binary data longer than 65535 bytes",  // string_too_long
    "invalid QoS",  // invalid_qos
    "packet identifier 0 where one is required",  // packet_id_zero
    "invalid protocol name",  // invalid_protocol_name
    "unsupported protocol version",  // unsupported_protocol_version
    "invalid CONNECT flags",  // invalid_connect_flags
    "invalid CONNACK flags",  // invalid_connack_flags
    "reason code not allowed in this packet",  // invalid_reason_code
    "invalid subscription options",  // invalid_subscribe_options
    "no topic filter or reason code where one is required",  // empty_subscription_list
    "invalid topic name",  // invalid_topic_name
    "invalid topic filter",  // invalid_topic_filter
    "malformed variable byte integer",  // malformed_variable_byte_integer
    "value out of range for its field",  // value_out_of_range
    "unknown property identifier",  // unknown_property
    "property appears more than once",  // duplicate_property
    "property not allowed in this packet",  // property_not_allowed
    "invalid property value",  // invalid_property_value
    "properties and reason codes require MQTT 5",  // properties_require_v5
};
constexpr const char* session_messages[] = {  // errc 100 ...
    "invalid session options",  // invalid_options
    "operation not possible in the current state",  // invalid_state
    "connect timeout: no CONNACK in time",  // connect_timeout
    "keep alive timeout: no PINGRESP in time",  // keep_alive_timeout
    "connection refused by the broker",  // connection_refused
    "disconnected by the broker",  // server_disconnected
    "connection closed",  // transport_closed
    "protocol violation by the broker",  // protocol_violation
    "broker exceeded our Receive Maximum",  // receive_maximum_exceeded
    "broker used an invalid topic alias",  // topic_alias_invalid
    "QoS not supported by the broker",  // qos_not_supported
    "retain not supported by the broker",  // retain_not_supported
    "offline queue full",  // queue_full
    "dropped from the full offline queue",  // dropped_from_queue
    "message expired before it could be sent",  // message_expired
    "session closed before the operation completed",  // session_closed
    "no response in time",  // request_timeout
    "the broker refused the operation",  // operation_failed
    "connection closed to reconnect at once",  // reconnect_requested
    "withdrawn before it was sent",  // cancelled
};
constexpr int first_session_errc = static_cast<int>(errc::invalid_options);
static_assert(std::size(codec_messages) == static_cast<int>(errc::properties_require_v5),
              "one message per codec errc, in order");
static_assert(std::size(session_messages) ==
                  static_cast<int>(errc::cancelled) - first_session_errc + 1,
              "one message per session errc, in order");

class mqttws_category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mqttws"; }

  std::string message(int ev) const override {
    if (ev >= 1 && ev <= static_cast<int>(std::size(codec_messages))) {
      return codec_messages[ev - 1];
    }
    if (ev >= first_session_errc &&
        ev - first_session_errc < static_cast<int>(std::size(session_messages))) {
      return session_messages[ev - first_session_errc];
    }
    return "unknown mqttws error " + std::to_string(ev);
  }
};

}  // namespace

const std::error_category& category() noexcept {
  static const mqttws_category instance;
  return instance;
}

}  // namespace mqttws
