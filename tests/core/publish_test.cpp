// PUBLISH (MQTT 3.1.1 section 3.3, MQTT 5.0 section 3.3).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "codec_helpers.hpp"

namespace mqttws::test {
namespace {

publish make_publish(qos q = qos::at_most_once, std::uint16_t id = 0) {
  publish p;
  p.topic = "a/b";
  p.payload = "hi";
  p.qos = q;
  p.packet_id = id;
  return p;
}

void expect_same_publish(const publish& want, const publish& got) {
  EXPECT_EQ(want.topic, got.topic);
  EXPECT_EQ(want.payload, got.payload);
  EXPECT_EQ(want.qos, got.qos);
  EXPECT_EQ(want.retain, got.retain);
  EXPECT_EQ(want.dup, got.dup);
  EXPECT_EQ(want.packet_id, got.packet_id);
  expect_same_properties(want.props, got.props);
}

// Encodes `p` to exactly `bytes` and decodes `bytes` back to `p`.
void expect_wire_form(const publish& p, protocol_version v, std::string_view bytes) {
  expect_encodes(p, v, bytes);
  const decoded d = decode_hex(bytes, v);
  ASSERT_TRUE(d.as<publish>());
  expect_same_publish(p, *d.as<publish>());
}

TEST(publish, qos0_has_no_packet_id) {
  expect_wire_form(make_publish(), v311, "30 07 0003 612f62 6869");
}

TEST(publish, qos1_carries_packet_id) {
  expect_wire_form(make_publish(qos::at_least_once, 7), v311, "32 09 0003 612f62 0007 6869");
}

TEST(publish, qos2_with_dup_and_retain_sets_flags_0xd) {
  publish p = make_publish(qos::exactly_once, 0x1234);
  p.dup = true;
  p.retain = true;
  expect_wire_form(p, v311, "3d 09 0003 612f62 1234 6869");
}

TEST(publish, retain_on_qos0) {
  publish p = make_publish();
  p.retain = true;
  expect_wire_form(p, v311, "31 07 0003 612f62 6869");
}

TEST(publish, dup_on_qos1) {
  publish p = make_publish(qos::at_least_once, 1);
  p.dup = true;
  expect_wire_form(p, v311, "3a 09 0003 612f62 0001 6869");
}

TEST(publish, empty_payload) {
  publish p = make_publish();
  p.payload = "";
  expect_wire_form(p, v311, "30 05 0003 612f62");
  expect_wire_form(p, v5, "30 06 0003 612f62 00");
}

TEST(publish, binary_payload_is_taken_verbatim) {
  publish p = make_publish();
  const std::string payload("\x00\xff\x80\x0a", 4);
  p.payload = payload;
  expect_wire_form(p, v311, "30 09 0003 612f62 00ff800a");
}

TEST(publish, remaining_length_is_a_minimal_variable_byte_integer) {
  // Topic "t" takes 3 bytes, so the Remaining Length is the payload size + 3.
  struct boundary {
    std::size_t remaining;
    const char* encoded;
  };
  const boundary boundaries[] = {{127, "7f"},         {128, "8001"},         {16'383, "ff7f"},
                                 {16'384, "808001"},  {2'097'151, "ffff7f"}, {2'097'152, "80808001"}};
  for (const boundary& b : boundaries) {
    SCOPED_TRACE(b.remaining);
    const std::string payload(b.remaining - 3, 'x');
    publish p = make_publish();
    p.topic = "t";
    p.payload = payload;
    std::vector<std::uint8_t> out;
    ASSERT_TRUE(ok(encode(p, v311, out)));
    const std::string head = "30" + std::string(b.encoded) + "000174";
    EXPECT_EQ(to_hex(std::vector<std::uint8_t>(out.begin(), out.begin() + head.size() / 2)), head);
    EXPECT_EQ(out.size(), head.size() / 2 + payload.size());
    const decoded d = decode_bytes(std::move(out), v311);
    ASSERT_TRUE(d.as<publish>());
    EXPECT_EQ(d.as<publish>()->payload.size(), payload.size());
  }
}

TEST(publish, v5_qos1_with_user_property) {
  const user_property ups[] = {{"k", "v"}};
  publish p = make_publish(qos::at_least_once, 7);
  p.props.user_properties = ups;
  expect_wire_form(p, v5, "32 11 0003 612f62 0007 07 26 0001 6b 0001 76 6869");
}

TEST(publish, v5_qos0_has_empty_property_block) {
  expect_wire_form(make_publish(), v5, "30 08 0003 612f62 00 6869");
}

TEST(publish, v5_every_publish_property) {
  const user_property ups[] = {{"k", "v"}};
  const std::uint32_t sids[] = {9};
  publish p = make_publish();
  p.props.payload_format_indicator = 1;
  p.props.message_expiry_interval = 3600;
  p.props.content_type = "ct";
  p.props.response_topic = "r/t";
  p.props.correlation_data = std::string_view("\x00\x01", 2);
  p.props.subscription_identifiers = sids;
  p.props.topic_alias = 4;
  p.props.user_properties = ups;
  // 2 + 5 + 5 + 6 + 5 + 2 + 3 + 7 = 35 bytes of properties.
  expect_wire_form(p, v5,
                   "30 2b 0003 612f62 23 0101 0200000e10 030002 6374 080003 722f74"
                   " 090002 0001 0b09 230004 260001 6b 0001 76 6869");
}

TEST(publish, v5_multiple_subscription_identifiers_in_order) {
  const std::uint32_t sids[] = {1, 300, 268'435'455};
  publish p = make_publish();
  p.props.subscription_identifiers = sids;
  const std::string bytes = "30 12 0003 612f62 0a 0b01 0bac02 0bffffff7f 6869";
  expect_encodes(p, v5, bytes);
  const decoded d = decode_hex(bytes, v5);
  ASSERT_TRUE(d.as<publish>());
  const subscription_id_list& got = d.as<publish>()->props.subscription_identifiers;
  EXPECT_TRUE(got.from_wire());
  EXPECT_EQ(items(got), (std::vector<std::uint32_t>{1, 300, 268'435'455}));
}

TEST(publish, v5_subscription_identifier_out_of_range_is_refused) {
  for (std::uint32_t bad : {0u, 268'435'456u}) {
    const std::uint32_t sids[] = {bad};
    publish p = make_publish();
    p.props.subscription_identifiers = sids;
    expect_encode_error(p, v5, errc::invalid_property_value);
  }
  expect_decode_error("30 0a 0003 612f62 02 0b00 6869", v5, errc::invalid_property_value);
}

TEST(publish, v5_topic_alias_with_empty_topic) {
  publish p = make_publish();
  p.topic = "";
  p.props.topic_alias = 3;
  expect_wire_form(p, v5, "30 08 0000 03 230003 6869");
}

TEST(publish, empty_topic_without_topic_alias_is_refused) {
  publish p = make_publish();
  p.topic = "";
  expect_encode_error(p, v5, errc::invalid_topic_name);
  expect_encode_error(p, v311, errc::invalid_topic_name);
  expect_decode_error("30 05 0000 00 6869", v5, errc::invalid_topic_name);
  expect_decode_error("30 04 0000 6869", v311, errc::invalid_topic_name);
}

TEST(publish, topic_alias_zero_is_refused) {
  publish p = make_publish();
  p.props.topic_alias = 0;
  expect_encode_error(p, v5, errc::invalid_property_value);
  expect_decode_error("30 0b 0003 612f62 03 230000 6869", v5, errc::invalid_property_value);
}

TEST(publish, wildcard_in_topic_is_refused) {
  for (std::string_view topic : {"a/+", "a/#", "+", "#", "a+b"}) {
    SCOPED_TRACE(topic);
    publish p = make_publish();
    p.topic = topic;
    expect_encode_error(p, v311, errc::invalid_topic_name);
    expect_encode_error(p, v5, errc::invalid_topic_name);
  }
  expect_decode_error("30 07 0003 612f2b 6869", v311, errc::invalid_topic_name);
  expect_decode_error("30 08 0003 612f23 00 6869", v5, errc::invalid_topic_name);
}

TEST(publish, wildcard_in_response_topic_is_refused) {
  publish p = make_publish();
  p.props.response_topic = "r/#";
  expect_encode_error(p, v5, errc::invalid_topic_name);
  expect_decode_error("30 0e 0003 612f62 06 080003 722f23 6869", v5, errc::invalid_topic_name);
}

TEST(publish, qos3_is_refused) {
  publish p = make_publish(static_cast<qos>(3), 1);
  expect_encode_error(p, v311, errc::invalid_qos);
  expect_decode_error("36 09 0003 612f62 0001 6869", v311, errc::invalid_qos);
}

TEST(publish, dup_on_qos0_is_refused) {
  publish p = make_publish();
  p.dup = true;
  expect_encode_error(p, v311, errc::invalid_fixed_header_flags);
  expect_decode_error("38 07 0003 612f62 6869", v311, errc::invalid_fixed_header_flags);
}

TEST(publish, packet_id_zero_is_refused_for_qos1_and_qos2) {
  for (qos q : {qos::at_least_once, qos::exactly_once}) {
    expect_encode_error(make_publish(q, 0), v311, errc::packet_id_zero);
  }
  expect_decode_error("32 09 0003 612f62 0000 6869", v311, errc::packet_id_zero);
  expect_decode_error("34 09 0003 612f62 0000 6869", v311, errc::packet_id_zero);
}

TEST(publish, missing_packet_id_is_truncation) {
  expect_decode_error("32 05 0003 612f62", v311, errc::truncated_packet);
  expect_decode_error("32 06 0003 612f62 00", v311, errc::truncated_packet);
}

TEST(publish, v5_missing_property_length_is_truncation) {
  expect_decode_error("30 05 0003 612f62", v5, errc::truncated_packet);
}

TEST(publish, properties_on_v311_are_refused) {
  publish p = make_publish();
  p.props.message_expiry_interval = 1;
  expect_encode_error(p, v311, errc::properties_require_v5);
}

TEST(publish, v5_property_not_allowed_in_publish_is_refused) {
  publish p = make_publish();
  p.props.session_expiry_interval = 1;
  expect_encode_error(p, v5, errc::property_not_allowed);
  expect_decode_error("30 0d 0003 612f62 05 1100000001 6869", v5, errc::property_not_allowed);
}

TEST(publish, topic_of_65535_bytes_is_accepted_and_65536_refused) {
  publish p = make_publish();
  const std::string max(65535, 't');
  p.topic = max;
  const decoded d = round_trip(p, v311);
  ASSERT_TRUE(d.as<publish>());
  EXPECT_EQ(d.as<publish>()->topic, max);
  const std::string too_long(65536, 't');
  p.topic = too_long;
  expect_encode_error(p, v311, errc::string_too_long);
}

TEST(publish, v5_full_round_trip) {
  const user_property ups[] = {{"a", "1"}, {"a", "2"}, {"b", ""}};
  const std::uint32_t sids[] = {7, 70000};
  publish p = make_publish(qos::exactly_once, 65535);
  p.retain = true;
  p.dup = true;
  p.props.payload_format_indicator = 0;
  p.props.content_type = "application/json";
  p.props.user_properties = ups;
  p.props.subscription_identifiers = sids;
  const decoded d = round_trip(p, v5);
  ASSERT_TRUE(d.as<publish>());
  expect_same_publish(p, *d.as<publish>());
}

}  // namespace
}  // namespace mqttws::test
