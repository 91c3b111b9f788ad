// CONNECT (MQTT 3.1, 3.1.1 section 3.1, MQTT 5.0 section 3.1).
#include <gtest/gtest.h>

#include <string>

#include "codec_helpers.hpp"

namespace mqttws::test {
namespace {

// Field by field, properties included.
void expect_same_connect(const connect& want, const connect& got) {
  EXPECT_EQ(want.version, got.version);
  EXPECT_EQ(want.clean_start, got.clean_start);
  EXPECT_EQ(want.keep_alive, got.keep_alive);
  EXPECT_EQ(want.client_id, got.client_id);
  EXPECT_EQ(want.username, got.username);
  EXPECT_EQ(want.password, got.password);
  ASSERT_EQ(want.will.has_value(), got.will.has_value());
  if (want.will) {
    EXPECT_EQ(want.will->topic, got.will->topic);
    EXPECT_EQ(want.will->payload, got.will->payload);
    EXPECT_EQ(want.will->qos, got.will->qos);
    EXPECT_EQ(want.will->retain, got.will->retain);
    expect_same_properties(want.will->props, got.will->props);
  }
  expect_same_properties(want.props, got.props);
}

connect make_connect(protocol_version v, std::string_view client_id = "c") {
  connect c;
  c.version = v;
  c.client_id = client_id;
  return c;
}

// "MQTT" level 4 / 5, or "MQIsdp" level 3: the start of every variable header below.
constexpr const char* mqtt4 = "0004 4d515454 04";
constexpr const char* mqtt5 = "0004 4d515454 05";

std::string h(std::initializer_list<std::string_view> parts) {
  std::string s;
  for (auto p : parts) s.append(p);
  return s;
}

TEST(connect, v311_minimal_with_clean_session_and_keep_alive) {
  connect c = make_connect(v311, "c1");
  expect_encodes(c, v311, h({"10 0e", mqtt4, "02 003c 0002 6331"}));
  const decoded d = decode_hex(h({"10 0e", mqtt4, "02 003c 0002 6331"}), v311);
  const connect* got = d.as<connect>();
  ASSERT_TRUE(got);
  expect_same_connect(c, *got);
}

TEST(connect, v311_without_clean_session_and_keep_alive_zero) {
  connect c = make_connect(v311, "c1");
  c.clean_start = false;
  c.keep_alive = 0;
  expect_encodes(c, v311, h({"10 0e", mqtt4, "00 0000 0002 6331"}));
  const decoded d = round_trip(c, v311);
  ASSERT_TRUE(d.as<connect>());
  expect_same_connect(c, *d.as<connect>());
}

TEST(connect, keep_alive_is_two_bytes_big_endian) {
  connect c = make_connect(v311, "");
  c.keep_alive = 0xFFFE;
  expect_encodes(c, v311, h({"10 0c", mqtt4, "02 fffe 0000"}));
}

TEST(connect, empty_client_id_is_encoded_as_zero_length_string) {
  for (protocol_version v : {v311, v5}) {
    connect c = make_connect(v, "");
    const decoded d = round_trip(c, v);
    ASSERT_TRUE(d.as<connect>());
    EXPECT_TRUE(d.as<connect>()->client_id.empty());
  }
  expect_encodes(make_connect(v311, ""), v311, h({"10 0c", mqtt4, "02 003c 0000"}));
  expect_encodes(make_connect(v5, ""), v5, h({"10 0d", mqtt5, "02 003c 00 0000"}));
}

TEST(connect, v31_uses_protocol_name_MQIsdp_and_level_3) {
  const std::string bytes = "10 10 0006 4d5149736470 03 02 003c 0002 6331";
  connect c = make_connect(v31, "c1");
  expect_encodes(c, v31, bytes);
  const decoded d = decode_hex(bytes, v311);
  ASSERT_TRUE(d.as<connect>());
  expect_same_connect(c, *d.as<connect>());
}

TEST(connect, protocol_name_and_level_must_agree) {
  // "MQTT" with level 3 and "MQIsdp" with level 4 are neither 3.1 nor 3.1.1.
  expect_decode_error("10 0c 0004 4d515454 03 02 003c 0000", v311,
                      errc::unsupported_protocol_version);
  expect_decode_error("10 0e 0006 4d5149736470 04 02 003c 0000", v311,
                      errc::unsupported_protocol_version);
  expect_decode_error("10 0c 0004 4d515454 06 02 003c 0000", v5,
                      errc::unsupported_protocol_version);
  expect_decode_error("10 0c 0004 6d717474 04 02 003c 0000", v311, errc::invalid_protocol_name);
}

TEST(connect, decoding_uses_the_version_the_packet_names) {
  const decoded d = decode_hex(h({"10 0d", mqtt5, "02 003c 00 0000"}), v311);
  ASSERT_TRUE(d.as<connect>());
  EXPECT_EQ(d.as<connect>()->version, v5);
  const decoded d4 = decode_hex(h({"10 0c", mqtt4, "02 003c 0000"}), v5);
  ASSERT_TRUE(d4.as<connect>());
  EXPECT_EQ(d4.as<connect>()->version, v311);
}

TEST(connect, encoding_version_must_match_the_packet_version) {
  expect_encode_error(make_connect(v5), v311, errc::unsupported_protocol_version);
  expect_encode_error(make_connect(v311), v5, errc::unsupported_protocol_version);
  const auto level6 = static_cast<protocol_version>(6);
  expect_encode_error(make_connect(level6), level6, errc::unsupported_protocol_version);
}

TEST(connect, v311_will_with_qos_1_and_retain_sets_flags_0x2e) {
  connect c = make_connect(v311);
  c.will = will_message{"w/t", "bye", qos::at_least_once, true, {}};
  const std::string bytes = h({"10 17", mqtt4, "2e 003c 0001 63 0003 772f74 0003 627965"});
  expect_encodes(c, v311, bytes);
  const decoded d = decode_hex(bytes, v311);
  ASSERT_TRUE(d.as<connect>());
  expect_same_connect(c, *d.as<connect>());
}

TEST(connect, will_qos_2_without_retain_sets_flags_0x16) {
  connect c = make_connect(v311);
  c.will = will_message{"w/t", "bye", qos::exactly_once, false, {}};
  expect_encodes(c, v311, h({"10 17", mqtt4, "16 003c 0001 63 0003 772f74 0003 627965"}));
  const decoded d = round_trip(c, v311);
  ASSERT_TRUE(d.as<connect>());
  expect_same_connect(c, *d.as<connect>());
}

TEST(connect, will_payload_is_binary) {
  connect c = make_connect(v311);
  const std::string payload("\x00\xff\x80", 3);
  c.will = will_message{"w", payload, qos::at_most_once, false, {}};
  expect_encodes(c, v311, h({"10 15", mqtt4, "06 003c 0001 63 0001 77 0003 00ff80"}));
  const decoded d = round_trip(c, v311);
  ASSERT_TRUE(d.as<connect>());
  EXPECT_EQ(d.as<connect>()->will->payload, payload);
}

TEST(connect, will_qos_3_is_refused) {
  connect c = make_connect(v311);
  c.will = will_message{"w", "", static_cast<qos>(3), false, {}};
  expect_encode_error(c, v311, errc::invalid_qos);
  expect_decode_error(h({"10 12", mqtt4, "1e 003c 0001 63 0001 77 0000"}), v311, errc::invalid_qos);
}

TEST(connect, will_topic_must_be_a_valid_topic_name) {
  for (std::string_view topic : {"", "a/+", "#"}) {
    connect c = make_connect(v311);
    c.will = will_message{topic, "", qos::at_most_once, false, {}};
    expect_encode_error(c, v311, errc::invalid_topic_name);
  }
  expect_decode_error(h({"10 12", mqtt4, "06 003c 0001 63 0001 23 0000"}), v311,
                      errc::invalid_topic_name);
}

TEST(connect, will_qos_or_retain_without_will_flag_is_refused) {
  expect_decode_error(h({"10 0c", mqtt4, "0a 003c 0000"}), v311, errc::invalid_connect_flags);
  expect_decode_error(h({"10 0c", mqtt4, "22 003c 0000"}), v311, errc::invalid_connect_flags);
}

TEST(connect, reserved_flag_bit_0_is_refused) {
  expect_decode_error(h({"10 0c", mqtt4, "03 003c 0000"}), v311, errc::invalid_connect_flags);
  expect_decode_error(h({"10 0d", mqtt5, "03 003c 00 0000"}), v5, errc::invalid_connect_flags);
}

TEST(connect, v311_username_and_password) {
  connect c = make_connect(v311);
  c.username = "u";
  c.password = "p";
  const std::string bytes = h({"10 13", mqtt4, "c2 003c 0001 63 0001 75 0001 70"});
  expect_encodes(c, v311, bytes);
  const decoded d = decode_hex(bytes, v311);
  ASSERT_TRUE(d.as<connect>());
  expect_same_connect(c, *d.as<connect>());
}

TEST(connect, username_without_password) {
  connect c = make_connect(v311);
  c.username = "u";
  expect_encodes(c, v311, h({"10 10", mqtt4, "82 003c 0001 63 0001 75"}));
  const decoded d = round_trip(c, v311);
  ASSERT_TRUE(d.as<connect>());
  EXPECT_FALSE(d.as<connect>()->password);
  EXPECT_EQ(d.as<connect>()->username, std::string_view("u"));
}

TEST(connect, empty_username_and_password_are_present_but_empty) {
  connect c = make_connect(v311);
  c.username = "";
  c.password = "";
  expect_encodes(c, v311, h({"10 11", mqtt4, "c2 003c 0001 63 0000 0000"}));
  const decoded d = round_trip(c, v311);
  ASSERT_TRUE(d.as<connect>());
  expect_same_connect(c, *d.as<connect>());
}

TEST(connect, v311_password_without_username_is_refused) {
  // MQTT-3.1.2-22: if the User Name Flag is 0, the Password Flag must be 0.
  for (protocol_version v : {v31, v311}) {
    connect c = make_connect(v);
    c.password = "p";
    expect_encode_error(c, v, errc::invalid_connect_flags);
  }
  expect_decode_error(h({"10 10", mqtt4, "42 003c 0001 63 0001 70"}), v311,
                      errc::invalid_connect_flags);
}

TEST(connect, v5_password_without_username_is_allowed) {
  connect c = make_connect(v5);
  c.password = "p";
  const std::string bytes = h({"10 11", mqtt5, "42 003c 00 0001 63 0001 70"});
  expect_encodes(c, v5, bytes);
  const decoded d = decode_hex(bytes, v5);
  ASSERT_TRUE(d.as<connect>());
  expect_same_connect(c, *d.as<connect>());
}

TEST(connect, missing_username_or_password_bytes_are_truncation) {
  expect_decode_error(h({"10 0e", mqtt4, "82 003c 0001 63 00"}), v311, errc::truncated_packet);
  expect_decode_error(h({"10 13", mqtt4, "c2 003c 0001 63 0001 75 0002 70"}), v311,
                      errc::truncated_packet);
}

TEST(connect, v5_minimal_has_empty_property_block) {
  connect c = make_connect(v5);
  const std::string bytes = h({"10 0f", mqtt5, "02 003c 00 0002 6331"});
  c.client_id = "c1";
  expect_encodes(c, v5, bytes);
  const decoded d = decode_hex(bytes, v5);
  ASSERT_TRUE(d.as<connect>());
  EXPECT_TRUE(d.as<connect>()->props.empty());
  expect_same_connect(c, *d.as<connect>());
}

TEST(connect, v5_every_connect_property) {
  const user_property ups[] = {{"k", "v"}};
  connect c = make_connect(v5);
  c.props.session_expiry_interval = 0x78;
  c.props.authentication_method = "m";
  c.props.authentication_data = std::string_view("\x01\x02", 2);
  c.props.request_problem_information = false;
  c.props.request_response_information = true;
  c.props.receive_maximum = 20;
  c.props.topic_alias_maximum = 10;
  c.props.user_properties = ups;
  c.props.maximum_packet_size = 1024;
  const std::string bytes =
      h({"10 32", mqtt5, "02 003c 24 1100000078 150001 6d 160002 0102 1700 1901 210014 22000a",
         "26 0001 6b 0001 76 2700000400 0001 63"});
  expect_encodes(c, v5, bytes);
  const decoded d = decode_hex(bytes, v5);
  ASSERT_TRUE(d.as<connect>());
  expect_same_connect(c, *d.as<connect>());
  EXPECT_TRUE(d.as<connect>()->props.user_properties.from_wire());
}

TEST(connect, v5_will_properties_including_will_delay_interval) {
  const user_property ups[] = {{"a", "b"}};
  connect c = make_connect(v5);
  c.will = will_message{"w", "x", qos::at_least_once, false, {}};
  properties& wp = c.will->props;
  wp.payload_format_indicator = 1;
  wp.message_expiry_interval = 60;
  wp.content_type = "t";
  wp.response_topic = "r";
  wp.correlation_data = std::string_view("\x09", 1);
  wp.will_delay_interval = 5;
  wp.user_properties = ups;
  const std::string bytes =
      h({"10 34", mqtt5, "0e 003c 00 0001 63",
         "1f 0101 020000003c 03000174 08000172 09000109 1800000005 26000161000162",
         "0001 77 0001 78"});
  expect_encodes(c, v5, bytes);
  const decoded d = decode_hex(bytes, v5);
  ASSERT_TRUE(d.as<connect>());
  expect_same_connect(c, *d.as<connect>());
}

TEST(connect, will_delay_interval_is_refused_among_connect_properties) {
  connect c = make_connect(v5);
  c.props.will_delay_interval = 5;
  expect_encode_error(c, v5, errc::property_not_allowed);
  expect_decode_error(h({"10 12", mqtt5, "02 003c 05 1800000005 0000"}), v5,
                      errc::property_not_allowed);
}

TEST(connect, connect_only_properties_are_refused_among_will_properties) {
  connect c = make_connect(v5);
  c.will = will_message{"w", "", qos::at_most_once, false, {}};
  c.will->props.session_expiry_interval = 1;
  expect_encode_error(c, v5, errc::property_not_allowed);
  expect_decode_error(h({"10 19", mqtt5, "06 003c 00 0001 63 05 1100000001 0001 77 0000"}), v5,
                      errc::property_not_allowed);
}

TEST(connect, properties_on_v311_are_refused) {
  connect c = make_connect(v311);
  c.props.session_expiry_interval = 1;
  expect_encode_error(c, v311, errc::properties_require_v5);
  connect w = make_connect(v311);
  w.will = will_message{"w", "", qos::at_most_once, false, {}};
  w.will->props.will_delay_interval = 1;
  expect_encode_error(w, v311, errc::properties_require_v5);
}

TEST(connect, client_id_must_be_valid_utf8_of_at_most_65535_bytes) {
  expect_encode_error(make_connect(v311, "\xc0\x80"), v311, errc::invalid_utf8);
  expect_encode_error(make_connect(v311, std::string_view("a\0b", 3)), v311,
                      errc::null_character);
  const std::string long_id(65536, 'x');
  expect_encode_error(make_connect(v311, long_id), v311, errc::string_too_long);
  const std::string max_id(65535, 'x');
  const decoded d = round_trip(make_connect(v311, max_id), v311);
  ASSERT_TRUE(d.as<connect>());
  EXPECT_EQ(d.as<connect>()->client_id.size(), 65535u);
  expect_decode_error(h({"10 0e", mqtt4, "02 003c 0002 c080"}), v311, errc::invalid_utf8);
}

TEST(connect, full_v5_round_trip) {
  const user_property ups[] = {{"k", "1"}, {"k", "2"}};
  connect c = make_connect(v5, "client-42");
  c.clean_start = false;
  c.keep_alive = 300;
  c.username = "user";
  c.password = std::string_view("\x00pw", 3);
  c.props.receive_maximum = 100;
  c.props.user_properties = ups;
  c.will = will_message{"status/client-42", "offline", qos::exactly_once, true, {}};
  c.will->props.will_delay_interval = 30;
  c.will->props.user_properties = ups;
  const decoded d = round_trip(c, v5);
  ASSERT_TRUE(d.as<connect>());
  expect_same_connect(c, *d.as<connect>());
}

}  // namespace
}  // namespace mqttws::test
