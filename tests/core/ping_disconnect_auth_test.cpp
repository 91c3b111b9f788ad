// PINGREQ, PINGRESP, DISCONNECT and AUTH (MQTT 3.1.1 sections 3.12-3.14, MQTT 5.0 sections
// 3.12-3.15).
#include <gtest/gtest.h>

#include <string>

#include "codec_helpers.hpp"

namespace mqttws::test {
namespace {

// DISCONNECT and AUTH: a reason code and properties, both omittable in MQTT 5.
template <class P>
void expect_wire_form(const P& p, protocol_version v, const std::string& bytes) {
  expect_encodes(p, v, bytes);
  const decoded d = decode_hex(bytes, v);
  const P* got = d.as<P>();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->code, p.code);
  expect_same_properties(p.props, got->props);
}

TEST(ping, pingreq_and_pingresp_are_two_bytes_in_every_version) {
  for (protocol_version v : {v31, v311, v5}) {
    expect_encodes(pingreq{}, v, "c0 00");
    expect_encodes(pingresp{}, v, "d0 00");
    EXPECT_TRUE(decode_hex("c0 00", v).as<pingreq>());
    EXPECT_TRUE(decode_hex("d0 00", v).as<pingresp>());
  }
}

TEST(ping, body_bytes_are_refused) {
  expect_decode_error("c0 01 00", v5, errc::trailing_bytes);
  expect_decode_error("d0 01 00", v311, errc::trailing_bytes);
}

TEST(ping, reserved_flags_are_refused) {
  expect_decode_error("c1 00", v311, errc::invalid_fixed_header_flags);
  expect_decode_error("d8 00", v5, errc::invalid_fixed_header_flags);
}

// ---- DISCONNECT ----------------------------------------------------------------------------

TEST(disconnect, v311_is_two_bytes) {
  expect_wire_form(disconnect{}, v311, "e0 00");
  expect_decode_error("e0 01 00", v311, errc::trailing_bytes);
}

TEST(disconnect, v311_refuses_reason_code_and_properties) {
  disconnect d;
  d.code = reason_code::disconnect_with_will_message;
  expect_encode_error(d, v311, errc::properties_require_v5);
  disconnect p;
  p.props.reason_string = "bye";
  expect_encode_error(p, v311, errc::properties_require_v5);
}

TEST(disconnect, v5_normal_disconnection_without_properties_is_two_bytes) {
  expect_wire_form(disconnect{}, v5, "e0 00");
}

TEST(disconnect, v5_reason_code_alone_is_one_byte) {
  disconnect d;
  d.code = reason_code::disconnect_with_will_message;
  expect_wire_form(d, v5, "e0 01 04");
  const decoded z = decode_hex("e0 01 00", v5);
  ASSERT_TRUE(z.as<disconnect>());
  EXPECT_EQ(z.as<disconnect>()->code, reason_code::normal_disconnection);
}

TEST(disconnect, v5_reason_code_with_empty_property_block) {
  const decoded d = decode_hex("e0 02 8b 00", v5);
  ASSERT_TRUE(d.as<disconnect>());
  EXPECT_EQ(d.as<disconnect>()->code, reason_code::server_shutting_down);
  EXPECT_TRUE(d.as<disconnect>()->props.empty());
}

TEST(disconnect, v5_server_reference_and_session_expiry) {
  disconnect d;
  d.code = reason_code::use_another_server;
  d.props.session_expiry_interval = 0;
  d.props.server_reference = "s";
  expect_wire_form(d, v5, "e0 0b 9c 09 1100000000 1c0001 73");
}

TEST(disconnect, v5_success_with_properties_writes_the_reason_code) {
  disconnect d;
  d.props.reason_string = "bye";
  expect_wire_form(d, v5, "e0 08 00 06 1f0003 627965");
}

TEST(disconnect, v5_allowed_reason_codes_exactly) {
  for (unsigned b = 0; b < 256; ++b) {
    SCOPED_TRACE(b);
    disconnect d;
    d.code = static_cast<reason_code>(b);
    const std::string bytes = "e0 01 " + byte_hex(b);
    if (is_allowed(d.code, packet_type::disconnect)) {
      if (b != 0) expect_wire_form(d, v5, bytes);
    } else {
      expect_encode_error(d, v5, errc::invalid_reason_code);
      expect_decode_error(bytes, v5, errc::invalid_reason_code);
    }
  }
}

TEST(disconnect, v5_property_not_allowed_is_refused) {
  disconnect d;
  d.props.assigned_client_identifier = "id";
  expect_encode_error(d, v5, errc::property_not_allowed);
  expect_decode_error("e0 07 00 05 120002 6964", v5, errc::property_not_allowed);
}

TEST(disconnect, reserved_flags_are_refused) {
  expect_decode_error("e2 00", v5, errc::invalid_fixed_header_flags);
}

// ---- AUTH ----------------------------------------------------------------------------------

TEST(auth, success_without_properties_is_two_bytes) {
  expect_wire_form(auth{}, v5, "f0 00");
}

TEST(auth, continue_authentication_with_method_and_data) {
  auth a;
  a.code = reason_code::continue_authentication;
  a.props.authentication_method = "scr";
  a.props.authentication_data = std::string_view("\x01\x02", 2);
  expect_wire_form(a, v5, "f0 0d 18 0b 150003 736372 160002 0102");
}

TEST(auth, re_authenticate_with_reason_string_and_user_property) {
  const user_property ups[] = {{"k", "v"}};
  auth a;
  a.code = reason_code::re_authenticate;
  a.props.authentication_method = "m";
  a.props.reason_string = "r";
  a.props.user_properties = ups;
  const decoded d = round_trip(a, v5);
  ASSERT_TRUE(d.as<auth>());
  EXPECT_EQ(d.as<auth>()->code, reason_code::re_authenticate);
  expect_same_properties(a.props, d.as<auth>()->props);
}

TEST(auth, only_success_continue_and_re_authenticate_are_allowed) {
  for (unsigned b = 0; b < 256; ++b) {
    SCOPED_TRACE(b);
    auth a;
    a.code = static_cast<reason_code>(b);
    const bool allowed = b == 0x00 || b == 0x18 || b == 0x19;
    if (allowed) {
      expect_encodes(a, v5, b == 0 ? "f0 00" : "f0 01 " + byte_hex(b));
    } else {
      expect_encode_error(a, v5, errc::invalid_reason_code);
      expect_decode_error("f0 01 " + byte_hex(b), v5, errc::invalid_reason_code);
    }
  }
}

TEST(auth, v311_has_no_auth_packet_in_either_direction) {
  for (protocol_version v : {v31, v311}) {
    expect_encode_error(auth{}, v, errc::invalid_packet_type);
    expect_decode_error("f0 00", v, errc::invalid_packet_type);
    expect_decode_error("f0 02 18 00", v, errc::invalid_packet_type);
  }
}

TEST(auth, property_not_allowed_is_refused) {
  auth a;
  a.code = reason_code::continue_authentication;
  a.props.session_expiry_interval = 1;
  expect_encode_error(a, v5, errc::property_not_allowed);
  expect_decode_error("f0 07 18 05 1100000001", v5, errc::property_not_allowed);
}

TEST(auth, reserved_flags_are_refused) {
  expect_decode_error("f1 00", v5, errc::invalid_fixed_header_flags);
}

}  // namespace
}  // namespace mqttws::test
