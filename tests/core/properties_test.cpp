// MQTT 5 properties (section 2.2.2): where each may appear, how each is written, and what the
// codec refuses. Every property is carried through real packets, one per context.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "codec_helpers.hpp"

namespace mqttws::test {
namespace {

using ctx = property_context;

// ---- the spec's table 2-4, with one sample value per property ------------------------------

struct spec_property {
  property_id id;
  const char* name;
  std::vector<ctx> where;
  const char* wire;             // the property as written: identifier, then the sample value
  void (*set)(properties&);     // sets the same sample value
};

constexpr std::uint32_t sid_128[] = {128};
const user_property key_empty_value[] = {{"k", ""}};

const std::vector<ctx> reason_string_contexts = {ctx::connack, ctx::puback,   ctx::pubrec,
                                                 ctx::pubrel,  ctx::pubcomp,  ctx::suback,
                                                 ctx::unsuback, ctx::disconnect, ctx::auth};
const std::vector<ctx> user_property_contexts = {
    ctx::will,      ctx::connect, ctx::connack, ctx::publish,  ctx::puback,
    ctx::pubrec,    ctx::pubrel,  ctx::pubcomp, ctx::subscribe, ctx::suback,
    ctx::unsubscribe, ctx::unsuback, ctx::disconnect, ctx::auth};

const std::vector<spec_property>& spec_table() {
  static const std::vector<spec_property> t = {
      {property_id::payload_format_indicator, "Payload Format Indicator", {ctx::publish, ctx::will},
       "01 01", [](properties& p) { p.payload_format_indicator = 1; }},
      {property_id::message_expiry_interval, "Message Expiry Interval", {ctx::publish, ctx::will},
       "02 0001e240", [](properties& p) { p.message_expiry_interval = 123456; }},
      {property_id::content_type, "Content Type", {ctx::publish, ctx::will}, "03 0004 74657874",
       [](properties& p) { p.content_type = "text"; }},
      {property_id::response_topic, "Response Topic", {ctx::publish, ctx::will}, "08 0003 722f74",
       [](properties& p) { p.response_topic = "r/t"; }},
      {property_id::correlation_data, "Correlation Data", {ctx::publish, ctx::will},
       "09 0003 00ff01", [](properties& p) { p.correlation_data = std::string_view("\0\xff\x01", 3); }},
      {property_id::subscription_identifier, "Subscription Identifier",
       {ctx::publish, ctx::subscribe}, "0b 8001",
       [](properties& p) { p.subscription_identifiers = sid_128; }},
      {property_id::session_expiry_interval, "Session Expiry Interval",
       {ctx::connect, ctx::connack, ctx::disconnect}, "11 ffffffff",
       [](properties& p) { p.session_expiry_interval = 0xFFFFFFFF; }},
      {property_id::assigned_client_identifier, "Assigned Client Identifier", {ctx::connack},
       "12 0002 6964", [](properties& p) { p.assigned_client_identifier = "id"; }},
      {property_id::server_keep_alive, "Server Keep Alive", {ctx::connack}, "13 0102",
       [](properties& p) { p.server_keep_alive = 258; }},
      {property_id::authentication_method, "Authentication Method",
       {ctx::connect, ctx::connack, ctx::auth}, "15 0001 6d",
       [](properties& p) { p.authentication_method = "m"; }},
      // Authentication Data needs an Authentication Method beside it (3.1.2.11.10).
      {property_id::authentication_data, "Authentication Data",
       {ctx::connect, ctx::connack, ctx::auth}, "15 0001 6d 16 0002 c000",
       [](properties& p) {
         p.authentication_method = "m";
         p.authentication_data = std::string_view("\xc0\0", 2);
       }},
      {property_id::request_problem_information, "Request Problem Information", {ctx::connect},
       "17 00", [](properties& p) { p.request_problem_information = false; }},
      {property_id::will_delay_interval, "Will Delay Interval", {ctx::will}, "18 0000000a",
       [](properties& p) { p.will_delay_interval = 10; }},
      {property_id::request_response_information, "Request Response Information",
       {ctx::connect}, "19 01", [](properties& p) { p.request_response_information = true; }},
      {property_id::response_information, "Response Information", {ctx::connack}, "1a 0001 72",
       [](properties& p) { p.response_information = "r"; }},
      {property_id::server_reference, "Server Reference", {ctx::connack, ctx::disconnect},
       "1c 0004 686f7374", [](properties& p) { p.server_reference = "host"; }},
      {property_id::reason_string, "Reason String", reason_string_contexts, "1f 0002 6f6b",
       [](properties& p) { p.reason_string = "ok"; }},
      {property_id::receive_maximum, "Receive Maximum", {ctx::connect, ctx::connack}, "21 ffff",
       [](properties& p) { p.receive_maximum = 0xFFFF; }},
      {property_id::topic_alias_maximum, "Topic Alias Maximum", {ctx::connect, ctx::connack},
       "22 0000", [](properties& p) { p.topic_alias_maximum = 0; }},
      {property_id::topic_alias, "Topic Alias", {ctx::publish}, "23 0001",
       [](properties& p) { p.topic_alias = 1; }},
      {property_id::maximum_qos, "Maximum QoS", {ctx::connack}, "24 00",
       [](properties& p) { p.maximum_qos = qos::at_most_once; }},
      {property_id::retain_available, "Retain Available", {ctx::connack}, "25 01",
       [](properties& p) { p.retain_available = true; }},
      {property_id::user_property, "User Property", user_property_contexts, "26 0001 6b 0000",
       [](properties& p) { p.user_properties = key_empty_value; }},
      {property_id::maximum_packet_size, "Maximum Packet Size", {ctx::connect, ctx::connack},
       "27 00000001", [](properties& p) { p.maximum_packet_size = 1; }},
      {property_id::wildcard_subscription_available, "Wildcard Subscription Available",
       {ctx::connack}, "28 00", [](properties& p) { p.wildcard_subscription_available = false; }},
      {property_id::subscription_identifier_available, "Subscription Identifier Available",
       {ctx::connack}, "29 01", [](properties& p) { p.subscription_identifier_available = true; }},
      {property_id::shared_subscription_available, "Shared Subscription Available",
       {ctx::connack}, "2a 00", [](properties& p) { p.shared_subscription_available = false; }},
  };
  return t;
}

bool allowed_by_spec(const spec_property& sp, ctx c) {
  return std::find(sp.where.begin(), sp.where.end(), c) != sp.where.end();
}

// ---- carriers: one minimal packet per context, with a given property block -----------------

// Every context that has properties (all but PINGREQ and PINGRESP).
const ctx carrier_contexts[] = {ctx::will,    ctx::connect,   ctx::connack,     ctx::publish,
                                ctx::puback,  ctx::pubrec,    ctx::pubrel,      ctx::pubcomp,
                                ctx::subscribe, ctx::suback,  ctx::unsubscribe, ctx::unsuback,
                                ctx::disconnect, ctx::auth};

std::string varint_hex(std::size_t v) {
  std::string s;
  do {
    unsigned b = v & 0x7F;
    v >>= 7;
    s += byte_hex(v ? b | 0x80 : b);
  } while (v);
  return s;
}

// The bytes of the carrier packet for `c` whose property block holds `props_hex`.
std::string carrier_hex(ctx c, std::string_view props_hex) {
  struct shape {
    const char* first;
    const char* before;  // variable header up to the property block
    const char* after;   // what follows the property block
  };
  auto s = [c]() -> shape {
    switch (c) {
      case ctx::will: return {"10", "00044d515454 05 06 003c 00 0000", "0001 77 0000"};
      case ctx::connect: return {"10", "00044d515454 05 02 003c", "0000"};
      case ctx::connack: return {"20", "00 00", ""};
      case ctx::publish: return {"30", "0001 74", ""};
      case ctx::puback: return {"40", "0001 00", ""};
      case ctx::pubrec: return {"50", "0001 00", ""};
      case ctx::pubrel: return {"62", "0001 00", ""};
      case ctx::pubcomp: return {"70", "0001 00", ""};
      case ctx::subscribe: return {"82", "0001", "0001 61 00"};
      case ctx::suback: return {"90", "0001", "00"};
      case ctx::unsubscribe: return {"a2", "0001", "0001 61"};
      case ctx::unsuback: return {"b0", "0001", "00"};
      case ctx::disconnect: return {"e0", "00", ""};
      default: return {"f0", "00", ""};  // auth
    }
  }();
  const std::size_t props_size = hex(props_hex).size();
  const std::string body =
      s.before + varint_hex(props_size) + std::string(props_hex) + s.after;
  return s.first + varint_hex(hex(body).size()) + body;
}

// The carrier packet for `c` with properties `p`.
packet carrier(ctx c, const properties& p) {
  static const subscription subs[] = {{"a", {}}};
  static const std::string_view filters[] = {"a"};
  static const reason_code codes[] = {reason_code::success};
  switch (c) {
    case ctx::will: {
      connect k;
      k.will = will_message{"w", "", qos::at_most_once, false, p};
      return k;
    }
    case ctx::connect: {
      connect k;
      k.props = p;
      return k;
    }
    case ctx::connack: return connack{false, reason_code::success, p};
    case ctx::publish: return publish{"t", "", qos::at_most_once, false, false, 0, p};
    case ctx::puback: return puback{1, reason_code::success, p};
    case ctx::pubrec: return pubrec{1, reason_code::success, p};
    case ctx::pubrel: return pubrel{1, reason_code::success, p};
    case ctx::pubcomp: return pubcomp{1, reason_code::success, p};
    case ctx::subscribe: return subscribe{1, subs, p};
    case ctx::suback: return suback{1, codes, p};
    case ctx::unsubscribe: return unsubscribe{1, filters, p};
    case ctx::unsuback: return unsuback{1, codes, p};
    case ctx::disconnect: return disconnect{reason_code::normal_disconnection, p};
    default: return auth{reason_code::success, p};
  }
}

// The properties of a decoded carrier packet, or nullptr if it is not the carrier of `c`.
const properties* props_of(ctx c, const packet& pk) {
  if (c == ctx::will) {
    const connect* k = std::get_if<connect>(&pk);
    return k && k->will ? &k->will->props : nullptr;
  }
  if (pk.index() + 1 != static_cast<std::size_t>(c)) return nullptr;
  return std::visit(
      [](const auto& x) -> const properties* {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, pingreq> || std::is_same_v<T, pingresp>) {
          return nullptr;
        } else {
          return &x.props;
        }
      },
      pk);
}

std::string context_name(ctx c) {
  return c == ctx::will ? "will" : std::string(to_string(static_cast<packet_type>(c)));
}

TEST(properties, carriers_with_an_empty_property_block_decode) {
  for (ctx c : carrier_contexts) {
    SCOPED_TRACE(context_name(c));
    const decoded d = decode_hex(carrier_hex(c, ""), v5);
    ASSERT_TRUE(ok(d.ec));
    const properties* got = props_of(c, d.pkt);
    ASSERT_TRUE(got);
    EXPECT_TRUE(got->empty());
  }
}

// ---- decode_properties: a property block on its own -----------------------------------------

std::string_view chars(const std::vector<std::uint8_t>& b) { return as_chars(b.data(), b.size()); }

TEST(properties, decode_properties_reads_a_block_as_its_packet_carries_it) {
  // Property Length 17; Reason String "hi"; User Property ("k", "v"); Session Expiry 60 (0x11).
  const std::vector<std::uint8_t> block = hex("11 1f0002 6869 260001 6b 0001 76 1100 00003c");
  properties p;
  ASSERT_TRUE(ok(decode_properties(chars(block), ctx::disconnect, p)));
  EXPECT_EQ(p.reason_string, std::optional<std::string_view>("hi"));
  ASSERT_EQ(p.user_properties.size(), 1u);
  EXPECT_EQ(*p.user_properties.begin(), (user_property{"k", "v"}));
  EXPECT_EQ(p.session_expiry_interval, std::optional<std::uint32_t>(60));
}

TEST(properties, decode_properties_of_nothing_is_an_empty_block) {
  properties p;
  p.reason_string = "stale";
  ASSERT_TRUE(ok(decode_properties({}, ctx::puback, p)));
  EXPECT_TRUE(p.empty());
  ASSERT_TRUE(ok(decode_properties(chars(hex("00")), ctx::puback, p)));
  EXPECT_TRUE(p.empty());
}

TEST(properties, decode_properties_checks_the_context_and_what_follows) {
  properties p;
  // Session Expiry Interval is not allowed in a PUBACK.
  EXPECT_TRUE(is_error(decode_properties(chars(hex("05 11 0000003c")), ctx::puback, p),
                       errc::property_not_allowed));
  EXPECT_TRUE(is_error(decode_properties(chars(hex("03 1f0002")), ctx::puback, p),
                       errc::truncated_packet));
  EXPECT_TRUE(is_error(decode_properties(chars(hex("00 ff")), ctx::puback, p),
                       errc::trailing_bytes));
}

// ---- where properties may appear -------------------------------------------------------------

TEST(properties, is_allowed_follows_table_2_4) {
  for (unsigned id = 0; id < 256; ++id) {
    const spec_property* sp = nullptr;
    for (const spec_property& e : spec_table()) {
      if (static_cast<unsigned>(e.id) == id) sp = &e;
    }
    for (unsigned c = 0; c < 16; ++c) {
      SCOPED_TRACE(::testing::Message() << "id " << id << " context " << c);
      const bool want = sp && allowed_by_spec(*sp, static_cast<ctx>(c));
      EXPECT_EQ(is_allowed(static_cast<property_id>(id), static_cast<ctx>(c)), want);
    }
  }
}

TEST(properties, to_string_gives_the_spec_names) {
  for (const spec_property& sp : spec_table()) {
    EXPECT_EQ(to_string(sp.id), sp.name);
  }
  for (unsigned unknown : {0x00u, 0x04u, 0x0Au, 0x14u, 0x2Bu, 0x7Fu, 0xFFu}) {
    EXPECT_EQ(to_string(static_cast<property_id>(unknown)), "Unknown property") << unknown;
  }
}

TEST(properties, each_property_is_written_and_read_wherever_it_is_allowed) {
  for (const spec_property& sp : spec_table()) {
    for (ctx c : sp.where) {
      SCOPED_TRACE(std::string(sp.name) + " in " + context_name(c));
      properties p;
      sp.set(p);
      const std::string bytes = carrier_hex(c, sp.wire);
      expect_encodes(carrier(c, p), v5, bytes);
      const decoded d = decode_hex(bytes, v5);
      ASSERT_TRUE(ok(d.ec));
      const properties* got = props_of(c, d.pkt);
      ASSERT_TRUE(got);
      expect_same_properties(p, *got);
    }
  }
}

TEST(properties, each_property_is_refused_where_it_is_not_allowed) {
  for (const spec_property& sp : spec_table()) {
    for (ctx c : carrier_contexts) {
      if (allowed_by_spec(sp, c)) continue;
      SCOPED_TRACE(std::string(sp.name) + " in " + context_name(c));
      properties p;
      sp.set(p);
      expect_encode_error(carrier(c, p), v5, errc::property_not_allowed);
      expect_decode_error(carrier_hex(c, sp.wire), v5, errc::property_not_allowed);
    }
  }
}

TEST(properties, each_single_valued_property_is_refused_twice) {
  for (const spec_property& sp : spec_table()) {
    if (sp.id == property_id::user_property) continue;
    SCOPED_TRACE(sp.name);
    // A PUBLISH may carry several Subscription Identifiers; SUBSCRIBE only one.
    const ctx c = sp.id == property_id::subscription_identifier ? ctx::subscribe : sp.where[0];
    expect_decode_error(carrier_hex(c, std::string(sp.wire) + sp.wire), v5,
                        errc::duplicate_property);
  }
}

TEST(properties, user_property_may_repeat_with_the_same_name_in_wire_order) {
  const std::string wire = "26 0001 6b 0001 31  26 0001 61 0001 32  26 0001 6b 0001 33";
  const user_property ups[] = {{"k", "1"}, {"a", "2"}, {"k", "3"}};
  properties p;
  p.user_properties = ups;
  expect_encodes(carrier(ctx::publish, p), v5, carrier_hex(ctx::publish, wire));
  const decoded d = decode_hex(carrier_hex(ctx::publish, wire), v5);
  ASSERT_TRUE(d.as<publish>());
  const user_property_list& got = d.as<publish>()->props.user_properties;
  EXPECT_TRUE(got.from_wire());
  EXPECT_FALSE(p.user_properties.from_wire());
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(items(got), items(p.user_properties));
}

TEST(properties, list_properties_are_read_between_other_properties) {
  // Properties may come in any order; the lists skip what lies between their elements.
  const std::string wire =
      "0b 05  26 0001 6b 0001 31  02 0000003c  0b ac02  03 0001 74  26 0001 61 0001 32  0b 01";
  const decoded d = decode_hex(carrier_hex(ctx::publish, wire), v5);
  ASSERT_TRUE(d.as<publish>());
  const properties& got = d.as<publish>()->props;
  EXPECT_EQ(items(got.subscription_identifiers), (std::vector<std::uint32_t>{5, 300, 1}));
  EXPECT_EQ(items(got.user_properties),
            (std::vector<user_property>{{"k", "1"}, {"a", "2"}}));
  EXPECT_EQ(got.message_expiry_interval, 60u);
  EXPECT_EQ(got.content_type, std::string_view("t"));
}

TEST(properties, are_written_in_identifier_order) {
  const user_property ups[] = {{"k", "v"}};
  properties p;
  p.shared_subscription_available = true;
  p.user_properties = ups;
  p.reason_string = "r";
  p.receive_maximum = 5;
  p.session_expiry_interval = 1;
  const std::string ordered = "11 00000001  1f 0001 72  21 0005  26 0001 6b 0001 76  2a 01";
  expect_encodes(carrier(ctx::connack, p), v5, carrier_hex(ctx::connack, ordered));
  // Read back in any order.
  const std::string reversed = "2a 01  26 0001 6b 0001 76  21 0005  1f 0001 72  11 00000001";
  const decoded d = decode_hex(carrier_hex(ctx::connack, reversed), v5);
  ASSERT_TRUE(d.as<connack>());
  expect_same_properties(p, d.as<connack>()->props);
}

// ---- values ----------------------------------------------------------------------------------

struct bad_value {
  const char* name;
  ctx where;
  const char* wire;
};

const bad_value bad_values[] = {
    {"receive maximum 0", ctx::connect, "21 0000"},
    {"topic alias 0", ctx::publish, "23 0000"},
    {"maximum packet size 0", ctx::connack, "27 00000000"},
    {"payload format indicator 2", ctx::publish, "01 02"},
    {"request problem information 2", ctx::connect, "17 02"},
    {"request response information 2", ctx::connect, "19 02"},
    {"retain available 2", ctx::connack, "25 02"},
    {"wildcard subscription available 2", ctx::connack, "28 02"},
    {"subscription identifier available 2", ctx::connack, "29 02"},
    {"shared subscription available 255", ctx::connack, "2a ff"},
    {"maximum qos 2", ctx::connack, "24 02"},
    {"subscription identifier 0", ctx::subscribe, "0b 00"},
    {"subscription identifier 0 in publish", ctx::publish, "0b 00"},
};

TEST(properties, invalid_values_are_refused_when_decoding) {
  for (const bad_value& b : bad_values) {
    SCOPED_TRACE(b.name);
    expect_decode_error(carrier_hex(b.where, b.wire), v5, errc::invalid_property_value);
  }
}

TEST(properties, invalid_values_are_refused_when_encoding) {
  static constexpr std::uint32_t zero[] = {0};
  static constexpr std::uint32_t too_big[] = {268'435'456};
  struct setter {
    const char* name;
    ctx where;
    void (*set)(properties&);
  };
  const setter setters[] = {
      {"receive maximum 0", ctx::connect, [](properties& p) { p.receive_maximum = 0; }},
      {"topic alias 0", ctx::publish, [](properties& p) { p.topic_alias = 0; }},
      {"maximum packet size 0", ctx::connack, [](properties& p) { p.maximum_packet_size = 0; }},
      {"payload format indicator 2", ctx::publish,
       [](properties& p) { p.payload_format_indicator = 2; }},
      {"maximum qos 2", ctx::connack, [](properties& p) { p.maximum_qos = qos::exactly_once; }},
      {"subscription identifier 0", ctx::subscribe,
       [](properties& p) { p.subscription_identifiers = zero; }},
      {"subscription identifier 2^28", ctx::publish,
       [](properties& p) { p.subscription_identifiers = too_big; }},
  };
  for (const setter& s : setters) {
    SCOPED_TRACE(s.name);
    properties p;
    s.set(p);
    expect_encode_error(carrier(s.where, p), v5, errc::invalid_property_value);
  }
}

TEST(properties, strings_must_be_valid_utf8) {
  properties p;
  p.reason_string = "\xed\xa0\x80";  // a UTF-16 surrogate
  expect_encode_error(carrier(ctx::connack, p), v5, errc::invalid_utf8);
  expect_decode_error(carrier_hex(ctx::connack, "1f 0003 eda080"), v5, errc::invalid_utf8);

  const user_property nul[] = {{std::string_view("a\0", 2), "v"}};
  properties u;
  u.user_properties = nul;
  expect_encode_error(carrier(ctx::publish, u), v5, errc::null_character);
  expect_decode_error(carrier_hex(ctx::publish, "26 0002 6100 0001 76"), v5,
                      errc::null_character);
  expect_decode_error(carrier_hex(ctx::publish, "26 0001 61 0001 ff"), v5, errc::invalid_utf8);
}

TEST(properties, binary_values_may_hold_any_bytes) {
  // Correlation Data and Authentication Data are Binary Data: no UTF-8 rules apply.
  const std::string any("\x00\xc0\x80\xff", 4);
  properties p;
  p.authentication_method = "m";
  p.authentication_data = any;
  for (ctx c : {ctx::publish, ctx::auth}) {
    properties q;
    if (c == ctx::publish) q.correlation_data = any;
    else q = p;
    const decoded d = round_trip(carrier(c, q), v5);
    ASSERT_TRUE(ok(d.ec));
    const properties* got = props_of(c, d.pkt);
    ASSERT_TRUE(got);
    expect_same_properties(q, *got);
  }
}

TEST(properties, string_longer_than_65535_bytes_is_refused) {
  const std::string long_text(65536, 'x');
  properties p;
  p.content_type = long_text;
  expect_encode_error(carrier(ctx::publish, p), v5, errc::string_too_long);
  properties b;
  b.correlation_data = long_text;
  expect_encode_error(carrier(ctx::publish, b), v5, errc::string_too_long);
}

// ---- property block framing -------------------------------------------------------------------

TEST(properties, unknown_identifiers_are_refused) {
  for (const char* wire : {"00 00", "04 00", "0a 00", "2b 00", "7f 00", "8001 00"}) {
    SCOPED_TRACE(wire);
    expect_decode_error(carrier_hex(ctx::connack, wire), v5, errc::unknown_property);
  }
}

TEST(properties, identifier_is_a_minimal_variable_byte_integer) {
  expect_decode_error(carrier_hex(ctx::publish, "8100 01"), v5,
                      errc::malformed_variable_byte_integer);
}

TEST(properties, subscription_identifier_is_a_minimal_variable_byte_integer) {
  expect_decode_error(carrier_hex(ctx::subscribe, "0b 8100"), v5,
                      errc::malformed_variable_byte_integer);
  expect_decode_error(carrier_hex(ctx::subscribe, "0b ffffffff01"), v5,
                      errc::malformed_variable_byte_integer);
}

TEST(properties, property_length_is_a_minimal_variable_byte_integer) {
  expect_decode_error("20 04 00 00 80 00", v5, errc::malformed_variable_byte_integer);
}

TEST(properties, value_past_the_property_block_is_truncation) {
  // The block says 2 bytes; Receive Maximum needs 3. The bytes after it are not read.
  expect_decode_error("20 06 00 00 02 21 00 05", v5, errc::truncated_packet);
  expect_decode_error(carrier_hex(ctx::connack, "1f 0005 6f6b"), v5, errc::truncated_packet);
}

TEST(properties, property_length_past_the_packet_is_truncation) {
  expect_decode_error("20 05 00 00 05 2401", v5, errc::truncated_packet);
}

// ---- empty() -------------------------------------------------------------------------------------

TEST(properties, empty_until_any_property_is_set) {
  EXPECT_TRUE(properties{}.empty());
  for (const spec_property& sp : spec_table()) {
    properties p;
    sp.set(p);
    EXPECT_FALSE(p.empty()) << sp.name;
  }
}

TEST(properties, authentication_data_without_a_method_is_refused) {
  // "It is a Protocol Error to include Authentication Data if there is no Authentication
  // Method" (3.1.2.11.10, 3.2.2.3.18, 3.15.2.2.3).
  for (ctx c : {ctx::connect, ctx::connack, ctx::auth}) {
    properties p;
    p.authentication_data = "d";
    std::vector<std::uint8_t> out;
    EXPECT_EQ(encode(carrier(c, p), v5, out), make_error_code(errc::invalid_property_value));
    expect_decode_error(carrier_hex(c, "16 0001 64"), v5, errc::invalid_property_value);
  }
}

}  // namespace
}  // namespace mqttws::test
