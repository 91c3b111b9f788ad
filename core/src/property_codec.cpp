#include "property_codec.hpp"

#include <cstdint>
#include <optional>

#include "mqttws/protocol.hpp"
#include "mqttws/topic.hpp"

namespace mqttws::detail {
namespace {

constexpr std::uint32_t bit(property_context c) { return 1u << static_cast<unsigned>(c); }

std::error_code read_value(reader& r, property_id id, property_type type, std::uint32_t& v) {
  switch (type) {
    case property_type::byte: {
      std::uint8_t b;
      MQTTWS_TRY(r.u8(b));
      v = b;
      break;
    }
    case property_type::u16: {
      std::uint16_t s;
      MQTTWS_TRY(r.u16(s));
      v = s;
      break;
    }
    case property_type::u32: MQTTWS_TRY(r.u32(v)); break;
    case property_type::varint: MQTTWS_TRY(r.varint(v)); break;
    default: return errc::unknown_property;
  }
  return check_integer_property(id, v);
}

}  // namespace

std::error_code check_integer_property(property_id id, std::uint32_t v) {
  switch (id) {
    // Bytes whose only values are 0 and 1 (maximum_qos: "0 or 1", MQTT-3.2.2-9 ff.).
    case property_id::payload_format_indicator:
    case property_id::request_problem_information:
    case property_id::request_response_information:
    case property_id::maximum_qos:
    case property_id::retain_available:
    case property_id::wildcard_subscription_available:
    case property_id::subscription_identifier_available:
    case property_id::shared_subscription_available:
      return v <= 1 ? std::error_code() : errc::invalid_property_value;
    // "It is a Protocol Error to include the value 0."
    case property_id::receive_maximum:
    case property_id::topic_alias:
    case property_id::maximum_packet_size:
      return v != 0 ? std::error_code() : errc::invalid_property_value;
    case property_id::subscription_identifier:
      return v != 0 && v <= max_varint ? std::error_code() : errc::invalid_property_value;
    default:
      return {};
  }
}

std::error_code check_string_property(property_id id, property_type type, std::string_view v) {
  if (type == property_type::binary) return check_binary(v);
  MQTTWS_TRY(check_utf8(v));
  // The Response Topic is a Topic Name: no wildcards (MQTT-3.3.2-14).
  if (id == property_id::response_topic) return validate_topic_name(v);
  return {};
}

std::error_code validate_properties(const properties& p, property_context ctx,
                                    std::size_t& content_size) {
  std::error_code ec;
  std::size_t size = 0;
  auto allowed = [&](property_id id) {
    if (!ec && !(info(static_cast<std::uint8_t>(id)).contexts & bit(ctx))) {
      ec = errc::property_not_allowed;
    }
    return !ec;
  };
  for_each_set(
      p,
      [&](property_id id, const auto& v) {
        if (!allowed(id)) return;
        using T = std::decay_t<decltype(v)>;
        const property_type type = info(static_cast<std::uint8_t>(id)).type;
        if constexpr (std::is_same_v<T, std::string_view>) {
          ec = check_string_property(id, type, v);
          size += 1 + 2 + v.size();
        } else {
          ec = check_integer_property(id, as_integer(v));
          size += 1 + (type == property_type::u32 ? 4 : type == property_type::u16 ? 2 : 1);
        }
      },
      [&](property_id id) {
        if (!allowed(id)) return;
        if (id == property_id::user_property) {
          for (const user_property& up : p.user_properties) {
            if ((ec = check_utf8(up.name)) || (ec = check_utf8(up.value))) return;
            size += 1 + 2 + up.name.size() + 2 + up.value.size();
          }
        } else {
          // Only a PUBLISH may carry several Subscription Identifiers (MQTT-3.3.4-4 vs 3.8.2.1.2).
          if (ctx != property_context::publish && p.subscription_identifiers.size() > 1) {
            ec = errc::duplicate_property;
            return;
          }
          for (std::uint32_t sid : p.subscription_identifiers) {
            if ((ec = check_integer_property(id, sid))) return;
            size += 1 + varint_size(sid);
          }
        }
      });
  content_size = size;
  if (!ec && p.authentication_data && !p.authentication_method) {
    ec = errc::invalid_property_value;  // 3.1.2.11.10: data without a method
  }
  return ec;
}

std::error_code read_properties(reader& r, property_context ctx, properties& out) {
  std::uint32_t length;
  MQTTWS_TRY(r.varint(length));
  std::string_view block;
  MQTTWS_TRY(r.bytes(length, block));

  reader pr(block);
  std::uint64_t seen = 0;  // identifiers are below 64
  std::size_t user_count = 0;
  std::size_t sid_count = 0;
  while (!pr.empty()) {
    std::uint32_t raw_id;
    MQTTWS_TRY(pr.varint(raw_id));
    const property_info& pi = info(raw_id);
    if (pi.type == property_type::none) return errc::unknown_property;
    if (!(pi.contexts & bit(ctx))) return errc::property_not_allowed;
    const auto id = static_cast<property_id>(raw_id);

    if (id == property_id::user_property) {
      std::string_view name, value;
      MQTTWS_TRY(pr.utf8(name));
      MQTTWS_TRY(pr.utf8(value));
      ++user_count;
      continue;
    }
    if (id == property_id::subscription_identifier) {
      std::uint32_t sid;
      MQTTWS_TRY(read_value(pr, id, pi.type, sid));
      if (ctx != property_context::publish && sid_count > 0) return errc::duplicate_property;
      ++sid_count;
      continue;
    }
    if (seen & (std::uint64_t{1} << raw_id)) return errc::duplicate_property;
    seen |= std::uint64_t{1} << raw_id;

    std::error_code ec;
    visit_field(out, id, [&](auto& field) {
      using T = typename std::decay_t<decltype(field)>::value_type;
      if constexpr (std::is_same_v<T, std::string_view>) {
        std::string_view s;
        if ((ec = pi.type == property_type::binary ? pr.binary(s) : pr.utf8(s))) return;
        if (id == property_id::response_topic && (ec = validate_topic_name(s))) return;
        field = s;
      } else {
        std::uint32_t v;
        if ((ec = read_value(pr, id, pi.type, v))) return;
        field = static_cast<T>(v);
      }
    });
    MQTTWS_TRY(ec);
  }
  // "It is a Protocol Error to include Authentication Data if there is no Authentication
  // Method" (3.1.2.11.10, 3.2.2.3.18, 3.15.2.2.3).
  if (out.authentication_data && !out.authentication_method) {
    return errc::invalid_property_value;
  }
  if (user_count) out.user_properties = user_property_list::from_wire(block, user_count);
  if (sid_count) out.subscription_identifiers = subscription_id_list::from_wire(block, sid_count);
  return {};
}

}  // namespace mqttws::detail
