// CONNACK (MQTT 3.1.1 section 3.2, MQTT 5.0 section 3.2).
#include <gtest/gtest.h>

#include <string>

#include "codec_helpers.hpp"

namespace mqttws::test {
namespace {

// MQTT 3.1.1, table 3.1: return codes 0..5 and the MQTT 5 codes they stand for.
struct v311_return_code {
  std::uint8_t byte;
  reason_code code;
};
constexpr v311_return_code v311_return_codes[] = {
    {0, reason_code::success},
    {1, reason_code::unsupported_protocol_version},
    {2, reason_code::client_identifier_not_valid},
    {3, reason_code::server_unavailable},
    {4, reason_code::bad_user_name_or_password},
    {5, reason_code::not_authorized},
};

TEST(connack, v311_return_codes_map_to_reason_codes_and_back) {
  for (const auto& rc : v311_return_codes) {
    SCOPED_TRACE(static_cast<int>(rc.byte));
    const std::string bytes = "20 02 00 " + byte_hex(rc.byte);
    const decoded d = decode_hex(bytes, v311);
    ASSERT_TRUE(d.as<connack>());
    EXPECT_EQ(d.as<connack>()->code, rc.code);
    EXPECT_FALSE(d.as<connack>()->session_present);
    connack c;
    c.code = rc.code;
    expect_encodes(c, v311, bytes);
  }
}

TEST(connack, v311_return_code_above_5_is_refused) {
  expect_decode_error("20 02 00 06", v311, errc::invalid_reason_code);
  expect_decode_error("20 02 00 80", v311, errc::invalid_reason_code);
}

TEST(connack, v311_cannot_express_other_reason_codes) {
  for (reason_code c : {reason_code::banned, reason_code::server_busy,
                        reason_code::unspecified_error, reason_code::server_moved}) {
    connack p;
    p.code = c;
    expect_encode_error(p, v311, errc::invalid_reason_code);
  }
}

TEST(connack, v311_session_present) {
  connack c;
  c.session_present = true;
  expect_encodes(c, v311, "20 02 01 00");
  const decoded d = decode_hex("20 02 01 00", v311);
  ASSERT_TRUE(d.as<connack>());
  EXPECT_TRUE(d.as<connack>()->session_present);
  EXPECT_EQ(d.as<connack>()->code, reason_code::success);
}

TEST(connack, reserved_acknowledge_flags_are_refused) {
  for (const char* flags : {"02", "80", "fe", "03"}) {
    expect_decode_error(std::string("20 02 ") + flags + " 00", v311, errc::invalid_connack_flags);
    expect_decode_error(std::string("20 03 ") + flags + " 00 00", v5, errc::invalid_connack_flags);
  }
}

TEST(connack, session_present_with_a_failure_code_is_refused) {
  // MQTT-3.2.2-4 (3.1.1) and MQTT-3.2.2-6 (5.0): a refused connection has no session.
  expect_decode_error("20 02 01 05", v311, errc::invalid_connack_flags);
  expect_decode_error("20 03 01 87 00", v5, errc::invalid_connack_flags);
  for (protocol_version v : {v311, v5}) {
    connack c;
    c.session_present = true;
    c.code = reason_code::not_authorized;
    expect_encode_error(c, v, errc::invalid_connack_flags);
  }
}

TEST(connack, v311_refuses_properties) {
  connack c;
  c.props.server_keep_alive = 10;
  expect_encode_error(c, v311, errc::properties_require_v5);
}

TEST(connack, v311_has_exactly_two_bytes) {
  expect_decode_error("20 03 00 00 00", v311, errc::trailing_bytes);
  expect_decode_error("20 01 00", v311, errc::truncated_packet);
}

TEST(connack, v5_success_has_empty_property_block) {
  expect_encodes(connack{}, v5, "20 03 00 00 00");
  const decoded d = decode_hex("20 03 00 00 00", v5);
  ASSERT_TRUE(d.as<connack>());
  EXPECT_EQ(d.as<connack>()->code, reason_code::success);
  EXPECT_TRUE(d.as<connack>()->props.empty());
}

TEST(connack, v5_property_length_is_required) {
  expect_decode_error("20 02 00 00", v5, errc::truncated_packet);
}

TEST(connack, v5_every_allowed_reason_code_round_trips_and_others_are_refused) {
  for (unsigned b = 0; b < 256; ++b) {
    SCOPED_TRACE(b);
    const auto code = static_cast<reason_code>(b);
    const std::string bytes = "20 03 00 " + byte_hex(b) + " 00";
    connack c;
    c.code = code;
    if (is_allowed(code, packet_type::connack)) {
      expect_encodes(c, v5, bytes);
      const decoded d = decode_hex(bytes, v5);
      ASSERT_TRUE(d.as<connack>());
      EXPECT_EQ(d.as<connack>()->code, code);
    } else {
      expect_encode_error(c, v5, errc::invalid_reason_code);
      expect_decode_error(bytes, v5, errc::invalid_reason_code);
    }
  }
}

TEST(connack, v5_every_connack_property) {
  const user_property ups[] = {{"k", "v"}};
  connack c;
  c.props.session_expiry_interval = 0xFFFFFFFF;
  c.props.assigned_client_identifier = "id";
  c.props.server_keep_alive = 30;
  c.props.authentication_method = "m";
  c.props.authentication_data = "d";
  c.props.response_information = "ri";
  c.props.server_reference = "s";
  c.props.reason_string = "ok";
  c.props.receive_maximum = 100;
  c.props.topic_alias_maximum = 5;
  c.props.maximum_qos = qos::at_least_once;
  c.props.retain_available = false;
  c.props.user_properties = ups;
  c.props.maximum_packet_size = 65536;
  c.props.wildcard_subscription_available = true;
  c.props.subscription_identifier_available = false;
  c.props.shared_subscription_available = true;
  const std::string bytes =
      "20 42 00 00 3f 11ffffffff 120002 6964 13001e 150001 6d 160001 64 1a0002 7269"
      " 1c0001 73 1f0002 6f6b 210064 220005 2401 2500 260001 6b 0001 76 2700010000"
      " 2801 2900 2a01";
  expect_encodes(c, v5, bytes);
  const decoded d = decode_hex(bytes, v5);
  ASSERT_TRUE(d.as<connack>());
  expect_same_properties(c.props, d.as<connack>()->props);
}

TEST(connack, v5_session_present_with_properties_round_trip) {
  connack c;
  c.session_present = true;
  c.props.assigned_client_identifier = "auto-1";
  c.props.maximum_qos = qos::at_most_once;
  const decoded d = round_trip(c, v5);
  ASSERT_TRUE(d.as<connack>());
  EXPECT_TRUE(d.as<connack>()->session_present);
  EXPECT_EQ(d.as<connack>()->code, reason_code::success);
  expect_same_properties(c.props, d.as<connack>()->props);
}

TEST(connack, v5_failure_with_reason_string) {
  connack c;
  c.code = reason_code::bad_authentication_method;
  c.props.reason_string = "no";
  expect_encodes(c, v5, "20 08 00 8c 05 1f0002 6e6f");
}

TEST(connack, v5_connect_only_property_is_refused) {
  connack c;
  c.props.request_problem_information = true;
  expect_encode_error(c, v5, errc::property_not_allowed);
  expect_decode_error("20 05 00 00 02 1701", v5, errc::property_not_allowed);
}

}  // namespace
}  // namespace mqttws::test
