// SUBSCRIBE and SUBACK (MQTT 3.1.1 sections 3.8-3.9, MQTT 5.0 sections 3.8-3.9).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "codec_helpers.hpp"

namespace mqttws::test {
namespace {

subscribe_options opts(qos q, bool no_local = false, bool rap = false,
                       retain_handling rh = retain_handling::send_on_subscribe) {
  return subscribe_options{q, no_local, rap, rh};
}

// Encodes `p` to exactly `bytes`; decodes `bytes` back to the same packet id, subscriptions
// (element by element, read off the wire) and properties.
void expect_wire_form(const subscribe& p, protocol_version v, const std::string& bytes) {
  expect_encodes(p, v, bytes);
  const decoded d = decode_hex(bytes, v);
  const subscribe* got = d.as<subscribe>();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->packet_id, p.packet_id);
  EXPECT_TRUE(got->subscriptions.from_wire());
  EXPECT_EQ(items(got->subscriptions), items(p.subscriptions));
  expect_same_properties(p.props, got->props);
}

void expect_wire_form(const suback& p, protocol_version v, const std::string& bytes) {
  expect_encodes(p, v, bytes);
  const decoded d = decode_hex(bytes, v);
  const suback* got = d.as<suback>();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->packet_id, p.packet_id);
  EXPECT_TRUE(got->codes.from_wire());
  EXPECT_EQ(items(got->codes), items(p.codes));
  expect_same_properties(p.props, got->props);
}

// The packet borrows `subs`: keep the vector alive while the packet is used.
subscribe make_subscribe(const std::vector<subscription>& subs, std::uint16_t id = 10) {
  subscribe s;
  s.packet_id = id;
  s.subscriptions = subs;
  return s;
}

TEST(subscribe, v311_multiple_filters_in_order) {
  const std::vector<subscription> subs = {{"a/b", opts(qos::at_least_once)},
                                          {"c/#", opts(qos::exactly_once)}};
  expect_wire_form(make_subscribe(subs), v311, "82 0e 000a 0003 612f62 01 0003 632f23 02");
}

TEST(subscribe, v5_options_no_local_retain_as_published_retain_handling) {
  const std::vector<subscription> subs = {
      {"a", opts(qos::at_least_once, true, true, retain_handling::do_not_send)},
      {"b", opts(qos::at_most_once, false, false, retain_handling::send_if_new_subscription)},
      {"c", opts(qos::exactly_once, false, true, retain_handling::send_on_subscribe)}};
  // 0x2d = Retain Handling 2 << 4 | RAP 0x08 | No Local 0x04 | QoS 1; 0x10; 0x0a.
  expect_wire_form(make_subscribe(subs), v5,
                   "82 0f 000a 00 0001 61 2d 0001 62 10 0001 63 0a");
}

TEST(subscribe, v5_subscription_identifier) {
  const std::uint32_t sids[] = {5};
  const std::vector<subscription> subs = {{"a", opts(qos::at_most_once)}};
  subscribe s = make_subscribe(subs);
  s.props.subscription_identifiers = sids;
  expect_wire_form(s, v5, "82 09 000a 02 0b05 0001 61 00");
}

TEST(subscribe, v5_subscription_identifier_at_most_once) {
  const std::uint32_t sids[] = {5, 6};
  const std::vector<subscription> subs = {{"a", opts(qos::at_most_once)}};
  subscribe s = make_subscribe(subs);
  s.props.subscription_identifiers = sids;
  expect_encode_error(s, v5, errc::duplicate_property);
  expect_decode_error("82 0b 000a 04 0b05 0b06 0001 61 00", v5, errc::duplicate_property);
}

TEST(subscribe, v5_subscription_identifier_zero_is_refused) {
  const std::uint32_t sids[] = {0};
  const std::vector<subscription> subs = {{"a", opts(qos::at_most_once)}};
  subscribe s = make_subscribe(subs);
  s.props.subscription_identifiers = sids;
  expect_encode_error(s, v5, errc::invalid_property_value);
  expect_decode_error("82 09 000a 02 0b00 0001 61 00", v5, errc::invalid_property_value);
}

TEST(subscribe, v5_user_properties_round_trip) {
  const user_property ups[] = {{"x", "1"}, {"x", "2"}};
  const std::vector<subscription> subs = {{"a/+", opts(qos::exactly_once)},
                                          {"#", opts(qos::at_most_once)}};
  subscribe s = make_subscribe(subs);
  s.props.user_properties = ups;
  const decoded d = round_trip(s, v5);
  ASSERT_TRUE(d.as<subscribe>());
  EXPECT_EQ(items(d.as<subscribe>()->subscriptions), items(s.subscriptions));
  expect_same_properties(s.props, d.as<subscribe>()->props);
}

TEST(subscribe, shared_subscription) {
  const std::vector<subscription> subs = {{"$share/g/a", opts(qos::at_least_once)}};
  expect_wire_form(make_subscribe(subs, 1), v5, "82 10 0001 00 000a 2473686172652f672f61 01");
}

TEST(subscribe, no_local_on_shared_subscription_is_refused) {
  // MQTT-3.8.3-4.
  const std::vector<subscription> subs = {{"$share/g/a", opts(qos::at_least_once, true)}};
  expect_encode_error(make_subscribe(subs, 1), v5, errc::invalid_subscribe_options);
  expect_decode_error("82 10 0001 00 000a 2473686172652f672f61 05", v5,
                      errc::invalid_subscribe_options);
}

TEST(subscribe, v5_reserved_option_bits_are_refused) {
  for (const char* o : {"40", "80", "c0"}) {
    expect_decode_error(std::string("82 07 000a 00 0001 61 ") + o, v5,
                        errc::invalid_subscribe_options);
  }
}

TEST(subscribe, v5_retain_handling_3_is_refused) {
  expect_decode_error("82 07 000a 00 0001 61 30", v5, errc::invalid_subscribe_options);
  const std::vector<subscription> subs = {
      {"a", opts(qos::at_most_once, false, false, static_cast<retain_handling>(3))}};
  subscribe s = make_subscribe(subs);
  expect_encode_error(s, v5, errc::invalid_subscribe_options);
}

TEST(subscribe, v311_option_bits_above_qos_are_reserved) {
  for (const char* o : {"04", "08", "10", "20", "40", "80"}) {
    expect_decode_error(std::string("82 06 000a 0001 61 ") + o, v311,
                        errc::invalid_subscribe_options);
  }
}

TEST(subscribe, v5_options_cannot_be_encoded_for_v311) {
  for (const subscribe_options& o :
       {opts(qos::at_most_once, true), opts(qos::at_most_once, false, true),
        opts(qos::at_most_once, false, false, retain_handling::do_not_send)}) {
    expect_encode_error(make_subscribe({{"a", o}}), v311, errc::invalid_subscribe_options);
  }
}

TEST(subscribe, qos3_is_refused) {
  expect_decode_error("82 06 000a 0001 61 03", v311, errc::invalid_qos);
  expect_decode_error("82 07 000a 00 0001 61 03", v5, errc::invalid_qos);
  expect_encode_error(make_subscribe({{"a", opts(static_cast<qos>(3))}}), v5, errc::invalid_qos);
}

TEST(subscribe, empty_subscription_list_is_refused) {
  expect_encode_error(make_subscribe({}), v311, errc::empty_subscription_list);
  expect_encode_error(make_subscribe({}), v5, errc::empty_subscription_list);
  expect_decode_error("82 02 000a", v311, errc::empty_subscription_list);
  expect_decode_error("82 03 000a 00", v5, errc::empty_subscription_list);
}

TEST(subscribe, invalid_topic_filter_is_refused) {
  for (std::string_view f : {"", "a/#/b", "a+", "$share/g", "$share//a"}) {
    SCOPED_TRACE(f);
    expect_encode_error(make_subscribe({{f, opts(qos::at_most_once)}}), v5,
                        errc::invalid_topic_filter);
  }
  expect_decode_error("82 09 000a 0004 612f2b2b 00", v311, errc::invalid_topic_filter);
}

TEST(subscribe, packet_id_zero_is_refused) {
  expect_encode_error(make_subscribe({{"a", opts(qos::at_most_once)}}, 0), v311,
                      errc::packet_id_zero);
  expect_decode_error("82 06 0000 0001 61 00", v311, errc::packet_id_zero);
}

TEST(subscribe, missing_options_byte_is_truncation) {
  expect_decode_error("82 05 000a 0001 61", v311, errc::truncated_packet);
}

TEST(subscribe, fixed_header_flags_must_be_0010) {
  expect_decode_error("80 06 000a 0001 61 00", v311, errc::invalid_fixed_header_flags);
  expect_decode_error("83 06 000a 0001 61 00", v311, errc::invalid_fixed_header_flags);
}

TEST(subscribe, properties_on_v311_are_refused) {
  const user_property ups[] = {{"k", "v"}};
  const std::vector<subscription> subs = {{"a", opts(qos::at_most_once)}};
  subscribe s = make_subscribe(subs);
  s.props.user_properties = ups;
  expect_encode_error(s, v311, errc::properties_require_v5);
}

// ---- SUBACK ------------------------------------------------------------------------------

// The packet borrows `codes`.
suback make_suback(const std::vector<reason_code>& codes) {
  suback s;
  s.packet_id = 10;
  s.codes = codes;
  return s;
}

TEST(suback, v311_return_codes_0_1_2_and_0x80) {
  expect_wire_form(make_suback({reason_code::granted_qos_0, reason_code::granted_qos_1,
                                reason_code::granted_qos_2, reason_code::unspecified_error}),
                   v311, "90 06 000a 00 01 02 80");
}

TEST(suback, v311_other_codes_are_refused) {
  for (unsigned b = 0; b < 256; ++b) {
    if (b <= 2 || b == 0x80) continue;
    SCOPED_TRACE(b);
    expect_decode_error("90 03 000a " + byte_hex(b), v311, errc::invalid_reason_code);
  }
  expect_encode_error(make_suback({reason_code::not_authorized}), v311,
                      errc::invalid_reason_code);
}

TEST(suback, v5_every_suback_reason_code_in_order) {
  const std::vector<reason_code> codes = {
      reason_code::granted_qos_0,
      reason_code::granted_qos_1,
      reason_code::granted_qos_2,
      reason_code::unspecified_error,
      reason_code::implementation_specific_error,
      reason_code::not_authorized,
      reason_code::topic_filter_invalid,
      reason_code::packet_identifier_in_use,
      reason_code::quota_exceeded,
      reason_code::shared_subscriptions_not_supported,
      reason_code::subscription_identifiers_not_supported,
      reason_code::wildcard_subscriptions_not_supported,
  };
  expect_wire_form(make_suback(codes), v5, "90 0f 000a 00 00 01 02 80 83 87 8f 91 97 9e a1 a2");
}

TEST(suback, v5_code_not_allowed_in_suback_is_refused) {
  expect_decode_error("90 04 000a 00 04", v5, errc::invalid_reason_code);
  expect_decode_error("90 04 000a 00 11", v5, errc::invalid_reason_code);
  expect_encode_error(make_suback({reason_code::no_subscription_existed}), v5,
                      errc::invalid_reason_code);
}

TEST(suback, v5_with_reason_string) {
  const std::vector<reason_code> codes = {reason_code::granted_qos_1};
  suback s = make_suback(codes);
  s.props.reason_string = "ok";
  expect_wire_form(s, v5, "90 09 000a 05 1f0002 6f6b 01");
}

TEST(suback, empty_code_list_is_refused) {
  expect_encode_error(make_suback({}), v5, errc::empty_subscription_list);
  expect_decode_error("90 02 000a", v311, errc::empty_subscription_list);
  expect_decode_error("90 03 000a 00", v5, errc::empty_subscription_list);
}

TEST(suback, packet_id_zero_is_refused) {
  const std::vector<reason_code> codes = {reason_code::granted_qos_0};
  suback s = make_suback(codes);
  s.packet_id = 0;
  expect_encode_error(s, v311, errc::packet_id_zero);
  expect_decode_error("90 03 0000 00", v311, errc::packet_id_zero);
}

}  // namespace
}  // namespace mqttws::test
