#include <algorithm>
#include <array>
#include <vector>

#include "mqttws/properties.hpp"
#include "property_codec.hpp"
#include "property_table.hpp"
#include "wire.hpp"

namespace mqttws {
namespace detail {
namespace {

using ctx = property_context;
constexpr std::uint16_t m(ctx c) { return static_cast<std::uint16_t>(1u << static_cast<unsigned>(c)); }

constexpr std::uint16_t publish_and_will = m(ctx::publish) | m(ctx::will);
constexpr std::uint16_t reason_string_packets =
    m(ctx::connack) | m(ctx::puback) | m(ctx::pubrec) | m(ctx::pubrel) | m(ctx::pubcomp) |
    m(ctx::suback) | m(ctx::unsuback) | m(ctx::disconnect) | m(ctx::auth);
constexpr std::uint16_t every_packet_with_properties =
    m(ctx::will) | m(ctx::connect) | m(ctx::connack) | m(ctx::publish) | m(ctx::puback) |
    m(ctx::pubrec) | m(ctx::pubrel) | m(ctx::pubcomp) | m(ctx::subscribe) | m(ctx::suback) |
    m(ctx::unsubscribe) | m(ctx::unsuback) | m(ctx::disconnect) | m(ctx::auth);

// MQTT 5, table 2-4 (section 2.2.2.2).
constexpr std::array<property_info, 0x2B> make_table() {
  std::array<property_info, 0x2B> t{};
  using pt = property_type;
  auto set = [&t](property_id id, pt type, std::uint16_t contexts, std::string_view name) {
    t[static_cast<std::size_t>(id)] = property_info{type, contexts, name};
  };
  set(property_id::payload_format_indicator, pt::byte, publish_and_will, "Payload Format Indicator");
  set(property_id::message_expiry_interval, pt::u32, publish_and_will, "Message Expiry Interval");
  set(property_id::content_type, pt::utf8, publish_and_will, "Content Type");
  set(property_id::response_topic, pt::utf8, publish_and_will, "Response Topic");
  set(property_id::correlation_data, pt::binary, publish_and_will, "Correlation Data");
  set(property_id::subscription_identifier, pt::varint, m(ctx::publish) | m(ctx::subscribe),
      "Subscription Identifier");
  set(property_id::session_expiry_interval, pt::u32,
      m(ctx::connect) | m(ctx::connack) | m(ctx::disconnect), "Session Expiry Interval");
  set(property_id::assigned_client_identifier, pt::utf8, m(ctx::connack),
      "Assigned Client Identifier");
  set(property_id::server_keep_alive, pt::u16, m(ctx::connack), "Server Keep Alive");
  set(property_id::authentication_method, pt::utf8,
      m(ctx::connect) | m(ctx::connack) | m(ctx::auth), "Authentication Method");
  set(property_id::authentication_data, pt::binary,
      m(ctx::connect) | m(ctx::connack) | m(ctx::auth), "Authentication Data");
  set(property_id::request_problem_information, pt::byte, m(ctx::connect),
      "Request Problem Information");
  set(property_id::will_delay_interval, pt::u32, m(ctx::will), "Will Delay Interval");
  set(property_id::request_response_information, pt::byte, m(ctx::connect),
      "Request Response Information");
  set(property_id::response_information, pt::utf8, m(ctx::connack), "Response Information");
  set(property_id::server_reference, pt::utf8, m(ctx::connack) | m(ctx::disconnect),
      "Server Reference");
  set(property_id::reason_string, pt::utf8, reason_string_packets, "Reason String");
  set(property_id::receive_maximum, pt::u16, m(ctx::connect) | m(ctx::connack), "Receive Maximum");
  set(property_id::topic_alias_maximum, pt::u16, m(ctx::connect) | m(ctx::connack),
      "Topic Alias Maximum");
  set(property_id::topic_alias, pt::u16, m(ctx::publish), "Topic Alias");
  set(property_id::maximum_qos, pt::byte, m(ctx::connack), "Maximum QoS");
  set(property_id::retain_available, pt::byte, m(ctx::connack), "Retain Available");
  set(property_id::user_property, pt::utf8_pair, every_packet_with_properties, "User Property");
  set(property_id::maximum_packet_size, pt::u32, m(ctx::connect) | m(ctx::connack),
      "Maximum Packet Size");
  set(property_id::wildcard_subscription_available, pt::byte, m(ctx::connack),
      "Wildcard Subscription Available");
  set(property_id::subscription_identifier_available, pt::byte, m(ctx::connack),
      "Subscription Identifier Available");
  set(property_id::shared_subscription_available, pt::byte, m(ctx::connack),
      "Shared Subscription Available");
  return t;
}

constexpr std::array<property_info, 0x2B> table = make_table();
const property_info unknown{};

// Moves past one property value of a block the decoder has already validated.
void skip_value(reader& r, property_type type) {
  std::uint8_t b;
  std::uint16_t s;
  std::uint32_t v;
  std::string_view sv;
  switch (type) {
    case property_type::byte: (void)r.u8(b); break;
    case property_type::u16: (void)r.u16(s); break;
    case property_type::u32: (void)r.u32(v); break;
    case property_type::varint: (void)r.varint(v); break;
    case property_type::utf8:
    case property_type::binary: (void)r.binary(sv); break;
    case property_type::utf8_pair: (void)r.binary(sv), (void)r.binary(sv); break;
    case property_type::none: break;
  }
}

// Finds the next property `wanted` in a validated block; reader stops just after its id.
void seek(const char*& p, const char* end, property_id wanted, reader& r) {
  r = reader(p, end);
  for (;;) {
    std::uint8_t id = 0;
    (void)r.u8(id);  // every identifier the spec defines fits in one byte
    if (id == static_cast<std::uint8_t>(wanted)) return;
    skip_value(r, info(id).type);
  }
}

}  // namespace

const property_info& info(std::uint32_t id) noexcept {
  return id < table.size() ? table[id] : unknown;
}

void append_properties_without_ids(std::string_view block, const std::uint32_t* drop,
                                   std::size_t n, std::vector<std::uint8_t>& out) {
  reader r(block);
  while (!r.empty()) {
    const char* start = r.pos();
    std::uint8_t id = 0;
    (void)r.u8(id);
    bool keep = true;
    if (id == static_cast<std::uint8_t>(property_id::subscription_identifier)) {
      std::uint32_t v = 0;
      (void)r.varint(v);
      keep = std::find(drop, drop + n, v) == drop + n;
    } else {
      skip_value(r, info(id).type);
    }
    if (keep) append(out, start, static_cast<std::size_t>(r.pos() - start));
  }
}

void user_property_traits::next(const char*& p, const char* end, user_property& out) {
  reader r(p, end);
  seek(p, end, property_id::user_property, r);
  (void)r.binary(out.name);
  (void)r.binary(out.value);
  p = r.pos();
}

void subscription_id_traits::next(const char*& p, const char* end, std::uint32_t& out) {
  reader r(p, end);
  seek(p, end, property_id::subscription_identifier, r);
  (void)r.varint(out);
  p = r.pos();
}

}  // namespace detail

bool is_allowed(property_id id, property_context c) noexcept {
  return detail::info(static_cast<std::uint8_t>(id)).contexts & (1u << static_cast<unsigned>(c));
}

std::string_view to_string(property_id id) noexcept {
  return detail::info(static_cast<std::uint8_t>(id)).name;
}

bool properties::empty() const noexcept {
  bool any = false;
  detail::for_each_set(
      *this, [&](property_id, const auto&) { any = true; }, [&](property_id) { any = true; });
  return !any;
}

}  // namespace mqttws
