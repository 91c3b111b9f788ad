#include "js_convert.hpp"

#include <optional>

#include "mqttws/error.hpp"

namespace mqttws::wasm {
namespace {

const char* errc_name(errc e) {
  // No default: a new errc must be named here (-Wswitch).
  switch (e) {
    case errc::malformed_remaining_length: return "malformed_remaining_length";
    case errc::packet_too_large: return "packet_too_large";
    case errc::invalid_packet_type: return "invalid_packet_type";
    case errc::invalid_fixed_header_flags: return "invalid_fixed_header_flags";
    case errc::truncated_packet: return "truncated_packet";
    case errc::trailing_bytes: return "trailing_bytes";
    case errc::invalid_utf8: return "invalid_utf8";
    case errc::null_character: return "null_character";
    case errc::string_too_long: return "string_too_long";
    case errc::invalid_qos: return "invalid_qos";
    case errc::packet_id_zero: return "packet_id_zero";
    case errc::invalid_protocol_name: return "invalid_protocol_name";
    case errc::unsupported_protocol_version: return "unsupported_protocol_version";
    case errc::invalid_connect_flags: return "invalid_connect_flags";
    case errc::invalid_connack_flags: return "invalid_connack_flags";
    case errc::invalid_reason_code: return "invalid_reason_code";
    case errc::invalid_subscribe_options: return "invalid_subscribe_options";
    case errc::empty_subscription_list: return "empty_subscription_list";
    case errc::invalid_topic_name: return "invalid_topic_name";
    case errc::invalid_topic_filter: return "invalid_topic_filter";
    case errc::malformed_variable_byte_integer: return "malformed_variable_byte_integer";
    case errc::value_out_of_range: return "value_out_of_range";
    case errc::unknown_property: return "unknown_property";
    case errc::duplicate_property: return "duplicate_property";
    case errc::property_not_allowed: return "property_not_allowed";
    case errc::invalid_property_value: return "invalid_property_value";
    case errc::properties_require_v5: return "properties_require_v5";
    case errc::invalid_options: return "invalid_options";
    case errc::invalid_state: return "invalid_state";
    case errc::connect_timeout: return "connect_timeout";
    case errc::keep_alive_timeout: return "keep_alive_timeout";
    case errc::connection_refused: return "connection_refused";
    case errc::server_disconnected: return "server_disconnected";
    case errc::transport_closed: return "transport_closed";
    case errc::protocol_violation: return "protocol_violation";
    case errc::receive_maximum_exceeded: return "receive_maximum_exceeded";
    case errc::topic_alias_invalid: return "topic_alias_invalid";
    case errc::qos_not_supported: return "qos_not_supported";
    case errc::retain_not_supported: return "retain_not_supported";
    case errc::queue_full: return "queue_full";
    case errc::dropped_from_queue: return "dropped_from_queue";
    case errc::message_expired: return "message_expired";
    case errc::session_closed: return "session_closed";
    case errc::request_timeout: return "request_timeout";
    case errc::operation_failed: return "operation_failed";
  }
  return "unknown_error";
}

const char* transport_error_name(std::error_code ec) {
  if (ec == std::errc::connection_refused) return "ECONNREFUSED";
  if (ec == std::errc::connection_reset) return "ECONNRESET";
  if (ec == std::errc::invalid_argument) return "EINVAL";
  return "transport_error";
}

// ---- JavaScript -> properties ------------------------------------------------------------

bool present(const val& v) { return !v.isUndefined() && !v.isNull(); }

template <class T>
void read_number(const val& obj, const char* name, std::optional<T>& out) {
  val v = obj[name];
  if (present(v)) out = static_cast<T>(v.as<double>());
}

void read_bool(const val& obj, const char* name, std::optional<bool>& out) {
  val v = obj[name];
  if (present(v)) out = v.as<bool>();
}

// ---- properties -> JavaScript ------------------------------------------------------------

template <class T>
void put(val& obj, const char* name, const std::optional<T>& v) {
  if (v) obj.set(name, static_cast<double>(*v));
}
void put(val& obj, const char* name, const std::optional<bool>& v) {
  if (v) obj.set(name, *v);
}
void put(val& obj, const char* name, const std::optional<std::string_view>& v) {
  if (v) obj.set(name, std::string(*v));
}
void put_bytes(val& obj, const char* name, const std::optional<std::string_view>& v) {
  if (v) obj.set(name, to_uint8array(*v));
}

}  // namespace

val to_uint8array(std::string_view bytes) {
  static const val uint8array = val::global("Uint8Array");
  return uint8array.new_(emscripten::typed_memory_view(
      bytes.size(), reinterpret_cast<const std::uint8_t*>(bytes.data())));
}

std::string bytes_of(const val& uint8array) {
  const auto n = uint8array["length"].as<std::size_t>();
  std::string out(n, '\0');
  val(emscripten::typed_memory_view(n, reinterpret_cast<std::uint8_t*>(out.data())))
      .call<void>("set", uint8array);
  return out;
}

val to_js(const properties& p) {
  val o = val::object();
  if (p.payload_format_indicator) o.set("payloadFormatIndicator", *p.payload_format_indicator != 0);
  put(o, "messageExpiryInterval", p.message_expiry_interval);
  put(o, "contentType", p.content_type);
  put(o, "responseTopic", p.response_topic);
  put_bytes(o, "correlationData", p.correlation_data);
  if (p.subscription_identifiers.size() == 1) {
    o.set("subscriptionIdentifier", static_cast<double>(*p.subscription_identifiers.begin()));
  } else if (!p.subscription_identifiers.empty()) {
    val ids = val::array();
    for (std::uint32_t id : p.subscription_identifiers) ids.call<void>("push", static_cast<double>(id));
    o.set("subscriptionIdentifier", ids);
  }
  put(o, "sessionExpiryInterval", p.session_expiry_interval);
  put(o, "assignedClientIdentifier", p.assigned_client_identifier);
  put(o, "serverKeepAlive", p.server_keep_alive);
  put(o, "authenticationMethod", p.authentication_method);
  put_bytes(o, "authenticationData", p.authentication_data);
  put(o, "requestProblemInformation", p.request_problem_information);
  put(o, "willDelayInterval", p.will_delay_interval);
  put(o, "requestResponseInformation", p.request_response_information);
  put(o, "responseInformation", p.response_information);
  put(o, "serverReference", p.server_reference);
  put(o, "reasonString", p.reason_string);
  put(o, "receiveMaximum", p.receive_maximum);
  put(o, "topicAliasMaximum", p.topic_alias_maximum);
  put(o, "topicAlias", p.topic_alias);
  if (p.maximum_qos) o.set("maximumQoS", static_cast<int>(*p.maximum_qos));
  put(o, "retainAvailable", p.retain_available);
  if (!p.user_properties.empty()) {
    // MQTT.js shape: a repeated name collects its values into an array, in wire order.
    val users = val::object();
    for (const user_property& u : p.user_properties) {
      const std::string name(u.name);
      val value(std::string(u.value));
      val existing = users[name];
      if (existing.isUndefined()) {
        users.set(name, value);
      } else if (existing.isArray()) {
        existing.call<void>("push", value);
      } else {
        val both = val::array();
        both.call<void>("push", existing);
        both.call<void>("push", value);
        users.set(name, both);
      }
    }
    o.set("userProperties", users);
  }
  put(o, "maximumPacketSize", p.maximum_packet_size);
  put(o, "wildcardSubscriptionAvailable", p.wildcard_subscription_available);
  put(o, "subscriptionIdentifiersAvailable", p.subscription_identifier_available);
  put(o, "sharedSubscriptionAvailable", p.shared_subscription_available);
  return o;
}

std::string_view js_properties::keep(std::string s) {
  strings_.push_back(std::move(s));
  return strings_.back();
}

js_properties::js_properties(const val& o) {
  if (!present(o)) return;
  auto read_string = [&](const char* name, std::optional<std::string_view>& out) {
    val v = o[name];
    if (present(v)) out = keep(v.as<std::string>());
  };
  auto read_bytes = [&](const char* name, std::optional<std::string_view>& out) {
    val v = o[name];
    if (present(v)) out = keep(bytes_of(v));
  };
  val pfi = o["payloadFormatIndicator"];
  if (present(pfi)) props_.payload_format_indicator = pfi.as<bool>() ? 1 : 0;
  read_number(o, "messageExpiryInterval", props_.message_expiry_interval);
  read_string("contentType", props_.content_type);
  read_string("responseTopic", props_.response_topic);
  read_bytes("correlationData", props_.correlation_data);
  val ids = o["subscriptionIdentifier"];
  if (present(ids)) {
    if (ids.isArray()) {
      const auto n = ids["length"].as<unsigned>();
      for (unsigned i = 0; i < n; ++i) subscription_ids_.push_back(ids[i].as<std::uint32_t>());
    } else {
      subscription_ids_.push_back(ids.as<std::uint32_t>());
    }
    props_.subscription_identifiers = subscription_id_list(subscription_ids_);
  }
  read_number(o, "sessionExpiryInterval", props_.session_expiry_interval);
  read_string("assignedClientIdentifier", props_.assigned_client_identifier);
  read_number(o, "serverKeepAlive", props_.server_keep_alive);
  read_string("authenticationMethod", props_.authentication_method);
  read_bytes("authenticationData", props_.authentication_data);
  read_bool(o, "requestProblemInformation", props_.request_problem_information);
  read_number(o, "willDelayInterval", props_.will_delay_interval);
  read_bool(o, "requestResponseInformation", props_.request_response_information);
  read_string("responseInformation", props_.response_information);
  read_string("serverReference", props_.server_reference);
  read_string("reasonString", props_.reason_string);
  read_number(o, "receiveMaximum", props_.receive_maximum);
  read_number(o, "topicAliasMaximum", props_.topic_alias_maximum);
  read_number(o, "topicAlias", props_.topic_alias);
  val max_qos = o["maximumQoS"];
  if (present(max_qos)) props_.maximum_qos = static_cast<qos>(max_qos.as<int>());
  read_bool(o, "retainAvailable", props_.retain_available);
  val users = o["userProperties"];
  if (present(users)) {
    val names = val::global("Object").call<val>("keys", users);
    const auto n = names["length"].as<unsigned>();
    for (unsigned i = 0; i < n; ++i) {
      const std::string_view name = keep(names[i].as<std::string>());
      val value = users[names[i]];
      if (value.isArray()) {
        const auto m = value["length"].as<unsigned>();
        for (unsigned j = 0; j < m; ++j) {
          user_properties_.push_back({name, keep(value[j].as<std::string>())});
        }
      } else {
        user_properties_.push_back({name, keep(value.as<std::string>())});
      }
    }
    props_.user_properties = user_property_list(user_properties_);
  }
  read_number(o, "maximumPacketSize", props_.maximum_packet_size);
  read_bool(o, "wildcardSubscriptionAvailable", props_.wildcard_subscription_available);
  read_bool(o, "subscriptionIdentifiersAvailable", props_.subscription_identifier_available);
  read_bool(o, "sharedSubscriptionAvailable", props_.shared_subscription_available);
}

val to_js(std::error_code ec) {
  val e = val::object();
  e.set("code", std::string(ec.category() == category() ? errc_name(static_cast<errc>(ec.value()))
                                                          : transport_error_name(ec)));
  e.set("message", ec.message());
  return e;
}

}  // namespace mqttws::wasm
