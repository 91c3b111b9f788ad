// UNSUBSCRIBE and UNSUBACK (MQTT 3.1.1 sections 3.10-3.11, MQTT 5.0 sections 3.10-3.11).
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "codec_helpers.hpp"

namespace mqttws::test {
namespace {

// The packets borrow the vectors: keep them alive while the packet is used.
unsubscribe make_unsubscribe(const std::vector<std::string_view>& filters) {
  unsubscribe u;
  u.packet_id = 11;
  u.filters = filters;
  return u;
}
unsuback make_unsuback(const std::vector<reason_code>& codes) {
  unsuback u;
  u.packet_id = 11;
  u.codes = codes;
  return u;
}

void expect_wire_form(const unsubscribe& p, protocol_version v, const std::string& bytes) {
  expect_encodes(p, v, bytes);
  const decoded d = decode_hex(bytes, v);
  const unsubscribe* got = d.as<unsubscribe>();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->packet_id, p.packet_id);
  EXPECT_TRUE(got->filters.from_wire());
  EXPECT_EQ(items(got->filters), items(p.filters));
  expect_same_properties(p.props, got->props);
}

void expect_wire_form(const unsuback& p, protocol_version v, const std::string& bytes) {
  expect_encodes(p, v, bytes);
  const decoded d = decode_hex(bytes, v);
  const unsuback* got = d.as<unsuback>();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->packet_id, p.packet_id);
  EXPECT_EQ(items(got->codes), items(p.codes));
  expect_same_properties(p.props, got->props);
}

TEST(unsubscribe, v311_filters_in_order) {
  const std::vector<std::string_view> filters = {"a/b", "c/+"};
  expect_wire_form(make_unsubscribe(filters), v311, "a2 0c 000b 0003 612f62 0003 632f2b");
}

TEST(unsubscribe, v5_has_property_block) {
  const std::vector<std::string_view> filters = {"a/b", "c/+"};
  expect_wire_form(make_unsubscribe(filters), v5, "a2 0d 000b 00 0003 612f62 0003 632f2b");
}

TEST(unsubscribe, v5_user_property) {
  const std::vector<std::string_view> filters = {"$share/g/#"};
  const user_property ups[] = {{"k", "v"}};
  unsubscribe u = make_unsubscribe(filters);
  u.props.user_properties = ups;
  expect_wire_form(u, v5, "a2 16 000b 07 260001 6b 0001 76 000a 2473686172652f672f23");
}

TEST(unsubscribe, empty_filter_list_is_refused) {
  const std::vector<std::string_view> none;
  expect_encode_error(make_unsubscribe(none), v311, errc::empty_subscription_list);
  expect_decode_error("a2 02 000b", v311, errc::empty_subscription_list);
  expect_decode_error("a2 03 000b 00", v5, errc::empty_subscription_list);
}

TEST(unsubscribe, invalid_topic_filter_is_refused) {
  const std::vector<std::string_view> filters = {"a", "a#"};
  expect_encode_error(make_unsubscribe(filters), v5, errc::invalid_topic_filter);
  expect_decode_error("a2 05 000b 0001 00", v311, errc::null_character);
  expect_decode_error("a2 06 000b 0002 2361", v311, errc::invalid_topic_filter);
}

TEST(unsubscribe, packet_id_zero_is_refused) {
  const std::vector<std::string_view> filters = {"a"};
  unsubscribe u = make_unsubscribe(filters);
  u.packet_id = 0;
  expect_encode_error(u, v311, errc::packet_id_zero);
  expect_decode_error("a2 05 0000 0001 61", v311, errc::packet_id_zero);
}

TEST(unsubscribe, fixed_header_flags_must_be_0010) {
  expect_decode_error("a0 05 000b 0001 61", v311, errc::invalid_fixed_header_flags);
  expect_decode_error("aa 05 000b 0001 61", v311, errc::invalid_fixed_header_flags);
}

TEST(unsubscribe, filter_length_past_end_is_truncation) {
  expect_decode_error("a2 05 000b 0002 61", v311, errc::truncated_packet);
}

TEST(unsubscribe, properties_on_v311_are_refused) {
  const std::vector<std::string_view> filters = {"a"};
  const user_property ups[] = {{"k", "v"}};
  unsubscribe u = make_unsubscribe(filters);
  u.props.user_properties = ups;
  expect_encode_error(u, v311, errc::properties_require_v5);
}

// ---- UNSUBACK ----------------------------------------------------------------------------

TEST(unsuback, v311_has_no_payload) {
  expect_wire_form(make_unsuback({}), v311, "b0 02 000b");
  expect_decode_error("b0 03 000b 00", v311, errc::trailing_bytes);
}

TEST(unsuback, v311_refuses_reason_codes) {
  const std::vector<reason_code> codes = {reason_code::success};
  expect_encode_error(make_unsuback(codes), v311, errc::properties_require_v5);
}

TEST(unsuback, v5_one_reason_code_per_filter_in_order) {
  const std::vector<reason_code> codes = {
      reason_code::success, reason_code::no_subscription_existed, reason_code::unspecified_error,
      reason_code::implementation_specific_error, reason_code::not_authorized,
      reason_code::topic_filter_invalid, reason_code::packet_identifier_in_use};
  const unsuback u = make_unsuback(codes);
  expect_wire_form(u, v5, "b0 0a 000b 00 00 11 80 83 87 8f 91");
  const decoded d = decode_hex("b0 0a 000b 00 00 11 80 83 87 8f 91", v5);
  ASSERT_TRUE(d.as<unsuback>());
  EXPECT_TRUE(d.as<unsuback>()->codes.from_wire());
}

TEST(unsuback, v5_code_not_allowed_in_unsuback_is_refused) {
  for (unsigned b = 0; b < 256; ++b) {
    const auto code = static_cast<reason_code>(b);
    if (is_allowed(code, packet_type::unsuback)) continue;
    SCOPED_TRACE(b);
    expect_decode_error("b0 04 000b 00 " + byte_hex(b), v5, errc::invalid_reason_code);
    const std::vector<reason_code> codes = {code};
    expect_encode_error(make_unsuback(codes), v5, errc::invalid_reason_code);
  }
}

TEST(unsuback, v5_empty_code_list_is_refused) {
  expect_encode_error(make_unsuback({}), v5, errc::empty_subscription_list);
  expect_decode_error("b0 03 000b 00", v5, errc::empty_subscription_list);
}

TEST(unsuback, v5_reason_string_and_user_property) {
  const std::vector<reason_code> codes = {reason_code::no_subscription_existed};
  const user_property ups[] = {{"k", "v"}};
  unsuback u = make_unsuback(codes);
  u.props.reason_string = "r";
  u.props.user_properties = ups;
  expect_wire_form(u, v5, "b0 0f 000b 0b 1f0001 72 260001 6b 0001 76 11");
}

TEST(unsuback, packet_id_zero_is_refused) {
  expect_decode_error("b0 02 0000", v311, errc::packet_id_zero);
  const std::vector<reason_code> none;
  unsuback u = make_unsuback(none);
  u.packet_id = 0;
  expect_encode_error(u, v311, errc::packet_id_zero);
}

}  // namespace
}  // namespace mqttws::test
