// MQTT 5 properties <-> MQTT.js-shaped JavaScript objects: the one table of their names.
#include <emscripten/val.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>

#include "js_input.hpp"
#include "js_object.hpp"
#include "js_output.hpp"
#include "mqttws/error.hpp"

namespace mqttws::wasm {
namespace {

using emscripten::val;

/// How a property looks in JavaScript.
enum class js_kind : std::uint8_t {
  flag,    ///< boolean (a byte 0/1 on the wire)
  number,  ///< number
  text,    ///< string (UTF-8 on the wire)
  binary,  ///< Uint8Array
  ids,     ///< number, or an array of them when repeated (Subscription Identifier)
  pairs,   ///< { name: value | value[] } (User Property)
};

struct js_property {
  property_id id;
  js_kind kind;
  const char* name;  ///< MQTT.js's name
  /// 0 is a Protocol Error (Receive Maximum, Maximum Packet Size, Topic Alias, Subscription
  /// Identifier): refused here, by name, rather than by the encoder without one.
  bool nonzero = false;
};

constexpr js_property table[] = {
    {property_id::payload_format_indicator, js_kind::flag, "payloadFormatIndicator"},
    {property_id::message_expiry_interval, js_kind::number, "messageExpiryInterval"},
    {property_id::content_type, js_kind::text, "contentType"},
    {property_id::response_topic, js_kind::text, "responseTopic"},
    {property_id::correlation_data, js_kind::binary, "correlationData"},
    {property_id::subscription_identifier, js_kind::ids, "subscriptionIdentifier", true},
    {property_id::session_expiry_interval, js_kind::number, "sessionExpiryInterval"},
    {property_id::assigned_client_identifier, js_kind::text, "assignedClientIdentifier"},
    {property_id::server_keep_alive, js_kind::number, "serverKeepAlive"},
    {property_id::authentication_method, js_kind::text, "authenticationMethod"},
    {property_id::authentication_data, js_kind::binary, "authenticationData"},
    {property_id::request_problem_information, js_kind::flag, "requestProblemInformation"},
    {property_id::will_delay_interval, js_kind::number, "willDelayInterval"},
    {property_id::request_response_information, js_kind::flag, "requestResponseInformation"},
    {property_id::response_information, js_kind::text, "responseInformation"},
    {property_id::server_reference, js_kind::text, "serverReference"},
    {property_id::reason_string, js_kind::text, "reasonString"},
    {property_id::receive_maximum, js_kind::number, "receiveMaximum", true},
    {property_id::topic_alias_maximum, js_kind::number, "topicAliasMaximum"},
    {property_id::topic_alias, js_kind::number, "topicAlias", true},
    {property_id::maximum_qos, js_kind::number, "maximumQoS"},
    {property_id::retain_available, js_kind::flag, "retainAvailable"},
    {property_id::user_property, js_kind::pairs, "userProperties"},
    {property_id::maximum_packet_size, js_kind::number, "maximumPacketSize", true},
    {property_id::wildcard_subscription_available, js_kind::flag,
     "wildcardSubscriptionAvailable"},
    {property_id::subscription_identifier_available, js_kind::flag,
     "subscriptionIdentifiersAvailable"},
    {property_id::shared_subscription_available, js_kind::flag, "sharedSubscriptionAvailable"},
};

/// Calls `f` with the field of `p` that holds property `id`.
template <class P, class F>
auto with_field(P& p, property_id id, F&& f) {
  switch (id) {
    case property_id::payload_format_indicator: return f(p.payload_format_indicator);
    case property_id::message_expiry_interval: return f(p.message_expiry_interval);
    case property_id::content_type: return f(p.content_type);
    case property_id::response_topic: return f(p.response_topic);
    case property_id::correlation_data: return f(p.correlation_data);
    case property_id::subscription_identifier: return f(p.subscription_identifiers);
    case property_id::session_expiry_interval: return f(p.session_expiry_interval);
    case property_id::assigned_client_identifier: return f(p.assigned_client_identifier);
    case property_id::server_keep_alive: return f(p.server_keep_alive);
    case property_id::authentication_method: return f(p.authentication_method);
    case property_id::authentication_data: return f(p.authentication_data);
    case property_id::request_problem_information: return f(p.request_problem_information);
    case property_id::will_delay_interval: return f(p.will_delay_interval);
    case property_id::request_response_information: return f(p.request_response_information);
    case property_id::response_information: return f(p.response_information);
    case property_id::server_reference: return f(p.server_reference);
    case property_id::reason_string: return f(p.reason_string);
    case property_id::receive_maximum: return f(p.receive_maximum);
    case property_id::topic_alias_maximum: return f(p.topic_alias_maximum);
    case property_id::topic_alias: return f(p.topic_alias);
    case property_id::maximum_qos: return f(p.maximum_qos);
    case property_id::retain_available: return f(p.retain_available);
    case property_id::user_property: return f(p.user_properties);
    case property_id::maximum_packet_size: return f(p.maximum_packet_size);
    case property_id::wildcard_subscription_available:
      return f(p.wildcard_subscription_available);
    case property_id::subscription_identifier_available:
      return f(p.subscription_identifier_available);
    case property_id::shared_subscription_available: return f(p.shared_subscription_available);
  }
  return f(p.payload_format_indicator);  // not reached: every id is listed
}

template <class T>
struct optional_value {};
template <class T>
struct optional_value<std::optional<T>> {
  using type = T;
};

/// An integer in 0..max from a JavaScript number.
bool integer(const val& v, double max, double& out) {
  return js_input::number(v, out) && out >= 0 && out <= max && std::floor(out) == out;
}

}  // namespace

bool js_input::number(const val& v, double& out) {
  if (v.isNumber()) {
    out = v.as<double>();
    return true;
  }
  if (v.isTrue() || v.isFalse()) {
    out = v.isTrue() ? 1 : 0;
    return true;
  }
  return false;
}

bool js_input::bytes(const val& v, std::string_view& out) {
  // std::string's binding takes a string (as UTF-8) or a Uint8Array/Int8Array (the bytes).
  if (!v.isString() && !v.instanceof(val::global("Uint8Array"))) return false;
  out = keep(v.as<std::string>());
  return true;
}

std::string_view js_input::keep(std::string s) {
  strings_.push_back(std::make_unique<std::string>(std::move(s)));
  return *strings_.back();
}

bool js_input::user_properties(const val& v, user_property_list& out) {
  if (v.typeOf().as<std::string>() != "object") return false;
  auto users = std::make_unique<std::vector<user_property>>();
  const val names = val::global("Object").call<val>("keys", v);
  const auto count = names["length"].as<unsigned>();
  for (unsigned k = 0; k < count; ++k) {
    const val key = names[k];
    const val values = v[key];
    user_property up;
    if (!bytes(key, up.name)) return false;
    // { name: value } or { name: [value, value, ...] }: one user property per value.
    const bool many = values.isArray();
    const unsigned m = many ? values["length"].as<unsigned>() : 1;
    for (unsigned j = 0; j < m; ++j) {
      if (!bytes(many ? values[j] : values, up.value)) return false;
      users->push_back(up);
    }
  }
  out = user_property_list(users->data(), users->size());
  users_.push_back(std::move(users));
  return true;
}

bool js_input::subscription_ids(const val& v, subscription_id_list& out) {
  auto ids = std::make_unique<std::vector<std::uint32_t>>();
  const bool many = v.isArray();
  const unsigned m = many ? v["length"].as<unsigned>() : 1;
  for (unsigned j = 0; j < m; ++j) {
    double x = 0;
    if (!integer(many ? v[j] : v, std::numeric_limits<std::uint32_t>::max(), x)) return false;
    ids->push_back(static_cast<std::uint32_t>(x));
  }
  out = subscription_id_list(ids->data(), ids->size());
  ids_.push_back(std::move(ids));
  return true;
}

template <class F>
bool js_input::scalar(const val& v, F& field) {
  using T = typename optional_value<F>::type;
  double x = 0;
  if constexpr (std::is_same_v<T, std::string_view>) {
    std::string_view s;
    if (!bytes(v, s)) return false;
    field = s;
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!number(v, x)) return false;
    field = x != 0;
  } else if constexpr (std::is_same_v<T, qos>) {
    if (!integer(v, 2, x)) return false;
    field = static_cast<qos>(x);
  } else {
    if (!integer(v, std::numeric_limits<T>::max(), x)) return false;
    field = static_cast<T>(x);
  }
  return true;
}

input_error js_input::properties(const val& o, mqttws::properties& out) {
  if (o.isUndefined() || o.isNull()) return {};
  const auto invalid = [](std::string what) {
    return input_error{make_error_code(errc::invalid_property_value), std::move(what)};
  };
  if (o.typeOf().as<std::string>() != "object") return invalid("properties must be an object");
  const val keys = val::global("Object").call<val>("keys", o);
  const auto n = keys["length"].as<unsigned>();
  for (unsigned i = 0; i < n; ++i) {
    const std::string name = keys[i].as<std::string>();
    const val v = o[name];
    if (v.isUndefined() || v.isNull()) continue;
    const js_property* spec = nullptr;
    for (const js_property& p : table) {
      if (name == p.name) spec = &p;
    }
    if (!spec) return {make_error_code(errc::unknown_property), name};
    bool zero = false;  // the value was read, but 0 where MQTT forbids it
    const bool ok = with_field(out, spec->id, [&](auto& field) -> bool {
      using F = std::decay_t<decltype(field)>;
      if constexpr (std::is_same_v<F, user_property_list>) {
        return user_properties(v, field);
      } else if constexpr (std::is_same_v<F, subscription_id_list>) {
        if (!subscription_ids(v, field)) return false;
        for (std::uint32_t id : field) {
          if (id == 0) zero = true;
        }
        return !zero;
      } else {
        if (!scalar(v, field)) return false;
        if constexpr (std::is_arithmetic_v<typename optional_value<F>::type>) {
          zero = spec->nonzero && *field == 0;
        }
        return !zero;
      }
    });
    if (!ok) return invalid(zero ? name + " (0 is not allowed)" : name);
  }
  return {};
}

val properties_to_js(const properties& p) {
  js_object o;
  for (const js_property& spec : table) {
    with_field(p, spec.id, [&](const auto& field) {
      using F = std::decay_t<decltype(field)>;
      if constexpr (std::is_same_v<F, user_property_list>) {
        if (field.empty()) return;
        val users = val::object();
        for (const user_property& up : field) {
          const val name = string_to_js(up.name);
          const val had = users[name];
          const val value = string_to_js(up.value);
          if (had.isUndefined()) {
            users.set(name, value);
          } else if (had.isArray()) {
            had.call<void>("push", value);
          } else {
            val both = val::array();
            both.call<void>("push", had);
            both.call<void>("push", value);
            users.set(name, both);
          }
        }
        o.set(spec.name, users);
      } else if constexpr (std::is_same_v<F, subscription_id_list>) {
        if (field.empty()) return;
        if (field.size() == 1) {
          o.set(spec.name, static_cast<double>(*field.begin()));
          return;
        }
        val ids = val::array();
        for (std::uint32_t id : field) ids.call<void>("push", static_cast<double>(id));
        o.set(spec.name, ids);
      } else {
        if (!field) return;
        using T = typename optional_value<F>::type;
        if constexpr (std::is_same_v<T, std::string_view>) {
          o.set(spec.name, spec.kind == js_kind::binary ? bytes_to_js(*field)
                                                        : string_to_js(*field));
        } else if (spec.kind == js_kind::flag) {
          o.set(spec.name, static_cast<unsigned>(*field) != 0);
        } else {
          o.set(spec.name, static_cast<double>(*field));
        }
      }
    });
  }
  return o.value();
}

}  // namespace mqttws::wasm
