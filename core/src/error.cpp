#include "mqttws/error.hpp"

#include <string>

namespace mqttws {
namespace {

class mqttws_category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mqttws"; }

  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::malformed_remaining_length: return "malformed remaining length";
      case errc::packet_too_large: return "packet too large";
      case errc::invalid_packet_type: return "invalid packet type";
      case errc::invalid_fixed_header_flags: return "invalid fixed header flags";
      case errc::truncated_packet: return "truncated packet: a field runs past its end";
      case errc::trailing_bytes: return "trailing bytes after the last field of the packet";
      case errc::invalid_utf8: return "string is not well-formed UTF-8";
      case errc::null_character: return "string contains U+0000";
      case errc::string_too_long: return "string or binary data longer than 65535 bytes";
      case errc::invalid_qos: return "invalid QoS";
      case errc::packet_id_zero: return "packet identifier 0 where one is required";
      case errc::invalid_protocol_name: return "invalid protocol name";
      case errc::unsupported_protocol_version: return "unsupported protocol version";
      case errc::invalid_connect_flags: return "invalid CONNECT flags";
      case errc::invalid_connack_flags: return "invalid CONNACK flags";
      case errc::invalid_reason_code: return "reason code not allowed in this packet";
      case errc::invalid_subscribe_options: return "invalid subscription options";
      case errc::empty_subscription_list: return "no topic filter or reason code where one is required";
      case errc::invalid_topic_name: return "invalid topic name";
      case errc::invalid_topic_filter: return "invalid topic filter";
      case errc::malformed_variable_byte_integer: return "malformed variable byte integer";
      case errc::value_out_of_range: return "value out of range for its field";
      case errc::unknown_property: return "unknown property identifier";
      case errc::duplicate_property: return "property appears more than once";
      case errc::property_not_allowed: return "property not allowed in this packet";
      case errc::invalid_property_value: return "invalid property value";
      case errc::properties_require_v5: return "properties and reason codes require MQTT 5";
      case errc::invalid_options: return "invalid session options";
      case errc::invalid_state: return "operation not possible in the current state";
      case errc::connect_timeout: return "connect timeout: no CONNACK in time";
      case errc::keep_alive_timeout: return "keep alive timeout: no PINGRESP in time";
      case errc::connection_refused: return "connection refused by the broker";
      case errc::server_disconnected: return "disconnected by the broker";
      case errc::transport_closed: return "connection closed";
      case errc::protocol_violation: return "protocol violation by the broker";
      case errc::receive_maximum_exceeded: return "broker exceeded our Receive Maximum";
      case errc::topic_alias_invalid: return "broker used an invalid topic alias";
      case errc::qos_not_supported: return "QoS not supported by the broker";
      case errc::retain_not_supported: return "retain not supported by the broker";
      case errc::queue_full: return "offline queue full";
      case errc::dropped_from_queue: return "dropped from the full offline queue";
      case errc::message_expired: return "message expired before it could be sent";
      case errc::session_closed: return "session closed before the operation completed";
      case errc::request_timeout: return "no response in time";
      case errc::operation_failed: return "the broker refused the operation";
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
