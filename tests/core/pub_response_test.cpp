// PUBACK, PUBREC, PUBREL, PUBCOMP (MQTT 3.1.1 sections 3.4-3.7, MQTT 5.0 sections 3.4-3.7).
// One shape, so every behaviour is checked for all four types.
#include <gtest/gtest.h>

#include <string>

#include "codec_helpers.hpp"

namespace mqttws::test {
namespace {

template <class P>
class pub_response : public ::testing::Test {
 protected:
  static constexpr packet_type type = P::type;
  // First byte of the fixed header: PUBREL has the reserved flags 0010 (MQTT-3.6.1-1).
  static std::string head() {
    return byte_hex((static_cast<unsigned>(type) << 4) | (type == packet_type::pubrel ? 2 : 0));
  }
  static P make(std::uint16_t id, reason_code code = reason_code::success) {
    P p;
    p.packet_id = id;
    p.code = code;
    return p;
  }
  static void expect_wire_form(const P& p, protocol_version v, const std::string& bytes) {
    expect_encodes(p, v, bytes);
    const decoded d = decode_hex(bytes, v);
    const P* got = d.as<P>();
    ASSERT_TRUE(got);
    EXPECT_EQ(got->packet_id, p.packet_id);
    EXPECT_EQ(got->code, p.code);
    expect_same_properties(p.props, got->props);
  }
};

using pub_response_types = ::testing::Types<puback, pubrec, pubrel, pubcomp>;
struct type_name {
  template <class P>
  static std::string GetName(int) {
    return std::string(to_string(P::type));
  }
};
TYPED_TEST_SUITE(pub_response, pub_response_types, type_name);

TYPED_TEST(pub_response, v311_is_packet_id_only) {
  this->expect_wire_form(this->make(7), v311, this->head() + "02 0007");
  this->expect_wire_form(this->make(0xFFFF), v311, this->head() + "02 ffff");
}

TYPED_TEST(pub_response, v311_refuses_reason_code_and_properties) {
  expect_decode_error(this->head() + "03 0007 00", v311, errc::trailing_bytes);
  TypeParam p = this->make(7, reason_code::packet_identifier_not_found);
  expect_encode_error(p, v311, errc::properties_require_v5);
  TypeParam q = this->make(7);
  q.props.reason_string = "r";
  expect_encode_error(q, v311, errc::properties_require_v5);
}

TYPED_TEST(pub_response, v5_success_without_properties_uses_two_byte_form) {
  this->expect_wire_form(this->make(7), v5, this->head() + "02 0007");
}

TYPED_TEST(pub_response, v5_reason_code_without_properties_uses_three_byte_form) {
  // 0x80 / 0x92 are failures every one of the four types allows.
  const reason_code failure = TypeParam::type == packet_type::puback ||
                                      TypeParam::type == packet_type::pubrec
                                  ? reason_code::unspecified_error
                                  : reason_code::packet_identifier_not_found;
  this->expect_wire_form(this->make(7, failure), v5,
                         this->head() + "03 0007 " + byte_hex(static_cast<unsigned>(failure)));
}

TYPED_TEST(pub_response, v5_three_byte_form_with_success) {
  const decoded d = decode_hex(this->head() + "03 0007 00", v5);
  ASSERT_TRUE(d.template as<TypeParam>());
  EXPECT_EQ(d.template as<TypeParam>()->code, reason_code::success);
}

TYPED_TEST(pub_response, v5_reason_code_with_empty_property_block) {
  const decoded d = decode_hex(this->head() + "04 0007 00 00", v5);
  ASSERT_TRUE(d.template as<TypeParam>());
  EXPECT_EQ(d.template as<TypeParam>()->code, reason_code::success);
  EXPECT_TRUE(d.template as<TypeParam>()->props.empty());
}

TYPED_TEST(pub_response, v5_reason_code_and_properties) {
  const user_property ups[] = {{"k", "v"}};
  TypeParam p = this->make(7);
  p.props.reason_string = "bad";
  p.props.user_properties = ups;
  // Success is written explicitly when properties follow it.
  this->expect_wire_form(p, v5, this->head() + "11 0007 00 0d 1f0003 626164 260001 6b 0001 76");
}

TYPED_TEST(pub_response, v5_allowed_reason_codes_exactly) {
  for (unsigned b = 0; b < 256; ++b) {
    SCOPED_TRACE(b);
    const auto code = static_cast<reason_code>(b);
    const std::string bytes = this->head() + "03 0007 " + byte_hex(b);
    TypeParam p = this->make(7, code);
    if (is_allowed(code, TypeParam::type)) {
      if (code != reason_code::success) this->expect_wire_form(p, v5, bytes);
    } else {
      expect_encode_error(p, v5, errc::invalid_reason_code);
      expect_decode_error(bytes, v5, errc::invalid_reason_code);
    }
  }
}

TYPED_TEST(pub_response, packet_id_zero_is_refused) {
  expect_encode_error(this->make(0), v311, errc::packet_id_zero);
  expect_encode_error(this->make(0), v5, errc::packet_id_zero);
  expect_decode_error(this->head() + "02 0000", v311, errc::packet_id_zero);
  expect_decode_error(this->head() + "02 0000", v5, errc::packet_id_zero);
}

TYPED_TEST(pub_response, missing_packet_id_is_truncation) {
  expect_decode_error(this->head() + "00", v5, errc::truncated_packet);
  expect_decode_error(this->head() + "01 00", v311, errc::truncated_packet);
}

TYPED_TEST(pub_response, property_length_past_end_is_truncation) {
  expect_decode_error(this->head() + "04 0007 00 05", v5, errc::truncated_packet);
}

TYPED_TEST(pub_response, property_not_allowed_is_refused) {
  TypeParam p = this->make(7);
  p.props.topic_alias = 1;
  expect_encode_error(p, v5, errc::property_not_allowed);
  expect_decode_error(this->head() + "07 0007 00 03 230001", v5, errc::property_not_allowed);
}

TYPED_TEST(pub_response, fixed_header_flags_are_fixed) {
  const unsigned type_nibble = static_cast<unsigned>(TypeParam::type) << 4;
  const unsigned right = TypeParam::type == packet_type::pubrel ? 2 : 0;
  for (unsigned flags = 0; flags < 16; ++flags) {
    if (flags == right) continue;
    SCOPED_TRACE(flags);
    expect_decode_error(byte_hex(type_nibble | flags) + "02 0007", v311,
                        errc::invalid_fixed_header_flags);
    expect_decode_error(byte_hex(type_nibble | flags) + "02 0007", v5,
                        errc::invalid_fixed_header_flags);
  }
}

}  // namespace
}  // namespace mqttws::test
