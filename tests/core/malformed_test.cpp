// Malformed packets: each input must give one precise error, the same whether the packet is
// decoded whole, fed to a stream decoder in one piece, or fed one byte at a time.
#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "codec_helpers.hpp"
#include "mqttws/stream_decoder.hpp"

namespace mqttws::test {
namespace {

struct malformed_case {
  const char* name;
  const char* bytes;  // hex
  protocol_version version;
  errc want;
};

void PrintTo(const malformed_case& c, std::ostream* os) {
  *os << c.name << " [" << c.bytes << "] level " << static_cast<int>(c.version);
}

using e = errc;

const malformed_case cases[] = {
    // -- fixed header -----------------------------------------------------------------------
    {"remaining_length_of_five_bytes", "30 ff ff ff ff 01", v311, e::malformed_remaining_length},
    {"remaining_length_not_minimal_2_bytes", "c0 80 00", v311, e::malformed_remaining_length},
    {"remaining_length_not_minimal_4_bytes", "30 80 80 80 00", v5, e::malformed_remaining_length},
    {"reserved_packet_type_0", "00 00", v311, e::invalid_packet_type},
    {"reserved_packet_type_0_with_flags", "0f 00", v5, e::invalid_packet_type},
    {"auth_on_v311", "f0 00", v311, e::invalid_packet_type},
    {"auth_on_v31", "f0 02 18 00", v31, e::invalid_packet_type},

    // -- reserved fixed header flags (section 2.1.3) --------------------------------------------
    {"connect_flags_not_0", "11 0c 0004 4d515454 04 02 003c 0000", v311,
     e::invalid_fixed_header_flags},
    {"connack_flags_not_0", "28 02 00 00", v311, e::invalid_fixed_header_flags},
    {"puback_flags_not_0", "41 02 0001", v311, e::invalid_fixed_header_flags},
    {"pubrec_flags_not_0", "52 02 0001", v5, e::invalid_fixed_header_flags},
    {"pubrel_flags_0", "60 02 0001", v311, e::invalid_fixed_header_flags},
    {"pubrel_flags_3", "63 02 0001", v5, e::invalid_fixed_header_flags},
    {"pubcomp_flags_not_0", "78 02 0001", v311, e::invalid_fixed_header_flags},
    {"subscribe_flags_0", "80 06 0001 0001 61 00", v311, e::invalid_fixed_header_flags},
    {"suback_flags_not_0", "92 03 0001 00", v311, e::invalid_fixed_header_flags},
    {"unsubscribe_flags_3", "a3 05 0001 0001 61", v311, e::invalid_fixed_header_flags},
    {"unsuback_flags_not_0", "b4 02 0001", v311, e::invalid_fixed_header_flags},
    {"pingreq_flags_not_0", "c2 00", v311, e::invalid_fixed_header_flags},
    {"pingresp_flags_not_0", "d4 00", v5, e::invalid_fixed_header_flags},
    {"disconnect_flags_not_0", "e8 00", v5, e::invalid_fixed_header_flags},
    {"auth_flags_not_0", "f2 00", v5, e::invalid_fixed_header_flags},
    {"publish_dup_on_qos0", "38 03 0001 61", v311, e::invalid_fixed_header_flags},

    // -- QoS -------------------------------------------------------------------------------------
    {"publish_qos_3", "36 05 0001 61 0001", v311, e::invalid_qos},
    {"publish_qos_3_with_dup_and_retain", "3f 05 0001 61 0001", v5, e::invalid_qos},
    {"subscribe_qos_3", "82 06 0001 0001 61 03", v311, e::invalid_qos},
    {"will_qos_3", "10 12 0004 4d515454 04 1e 003c 0001 63 0001 77 0000", v311, e::invalid_qos},

    // -- UTF-8 strings (section 1.5.4) -----------------------------------------------------------
    {"utf8_overlong_nul", "30 04 0002 c080", v311, e::invalid_utf8},
    {"utf8_overlong_three_byte_slash", "30 05 0003 e080af", v311, e::invalid_utf8},
    {"utf8_overlong_four_byte", "30 06 0004 f08fbfbf", v311, e::invalid_utf8},
    {"utf8_surrogate_d800", "30 05 0003 eda080", v311, e::invalid_utf8},
    {"utf8_surrogate_dfff", "30 05 0003 edbfbf", v311, e::invalid_utf8},
    {"utf8_above_10ffff", "30 06 0004 f4908080", v311, e::invalid_utf8},
    {"utf8_lead_byte_f5", "30 06 0004 f5808080", v311, e::invalid_utf8},
    {"utf8_sequence_cut_by_string_end", "30 04 0002 e282", v311, e::invalid_utf8},
    {"utf8_sequence_cut_by_ascii", "30 05 0003 e28261", v311, e::invalid_utf8},
    {"utf8_lone_continuation_byte", "30 03 0001 80", v311, e::invalid_utf8},
    {"utf8_byte_ff", "30 03 0001 ff", v311, e::invalid_utf8},
    {"utf8_nul_in_topic", "30 04 0002 6100", v311, e::null_character},
    {"utf8_nul_in_client_id", "10 0e 0004 4d515454 04 02 003c 0002 0061", v311,
     e::null_character},
    {"utf8_invalid_in_username", "10 10 0004 4d515454 04 82 003c 0001 63 0001 ff", v311,
     e::invalid_utf8},
    {"utf8_invalid_in_topic_filter", "82 06 0001 0001 c1 00", v311, e::invalid_utf8},
    {"utf8_invalid_in_user_property", "30 0b 0001 61 07 26 0001 ff 0001 76", v5, e::invalid_utf8},
    {"utf8_nul_in_reason_string", "20 07 00 00 04 1f 0001 00", v5, e::null_character},

    // -- topics ----------------------------------------------------------------------------------
    {"publish_topic_with_plus", "30 05 0003 612f2b", v311, e::invalid_topic_name},
    {"publish_topic_with_hash", "30 03 0001 23", v311, e::invalid_topic_name},
    {"publish_empty_topic_v311", "30 02 0000", v311, e::invalid_topic_name},
    {"publish_empty_topic_without_alias", "30 03 0000 00", v5, e::invalid_topic_name},
    {"will_topic_with_wildcard", "10 12 0004 4d515454 04 06 003c 0001 63 0001 2b 0000", v311,
     e::invalid_topic_name},
    {"subscribe_filter_misplaced_plus", "82 07 0001 0002 2b2b 00", v311, e::invalid_topic_filter},
    {"subscribe_filter_hash_not_last", "82 08 0001 0003 232f61 00", v311,
     e::invalid_topic_filter},
    {"unsubscribe_empty_filter", "a2 04 0001 0000", v311, e::invalid_topic_filter},

    // -- properties ------------------------------------------------------------------------------
    {"duplicate_payload_format_indicator", "30 08 0001 61 04 0101 0101", v5,
     e::duplicate_property},
    {"duplicate_session_expiry_interval", "20 0d 00 00 0a 1100000001 1100000002", v5,
     e::duplicate_property},
    {"two_subscription_identifiers_in_subscribe", "82 0b 0001 04 0b01 0b02 0001 61 00", v5,
     e::duplicate_property},
    {"session_expiry_not_allowed_in_publish", "30 09 0001 61 05 1100000000", v5,
     e::property_not_allowed},
    {"topic_alias_not_allowed_in_subscribe", "82 0a 0001 03 230001 0001 61 00", v5,
     e::property_not_allowed},
    {"will_delay_not_allowed_in_connect", "10 12 0004 4d515454 05 02 003c 05 1800000001 0000",
     v5, e::property_not_allowed},
    {"unknown_property_0x04", "20 05 00 00 02 0400", v5, e::unknown_property},
    {"unknown_property_0", "20 05 00 00 02 0000", v5, e::unknown_property},
    {"subscription_identifier_not_minimal", "30 07 0001 61 03 0b 8100", v5,
     e::malformed_variable_byte_integer},
    {"property_length_not_minimal", "30 05 0001 61 8000", v5,
     e::malformed_variable_byte_integer},
    {"receive_maximum_0", "20 06 00 00 03 210000", v5, e::invalid_property_value},
    {"maximum_qos_2", "20 05 00 00 02 2402", v5, e::invalid_property_value},
    {"properties_in_v311_connack", "20 03 00 00 00", v311, e::trailing_bytes},

    // -- packet identifiers ------------------------------------------------------------------------
    {"puback_packet_id_0", "40 02 0000", v311, e::packet_id_zero},
    {"pubrel_packet_id_0", "62 02 0000", v5, e::packet_id_zero},
    {"publish_qos1_packet_id_0", "32 05 0001 61 0000", v311, e::packet_id_zero},
    {"publish_qos2_packet_id_0", "34 06 0001 61 0000 00", v5, e::packet_id_zero},
    {"subscribe_packet_id_0", "82 06 0000 0001 61 00", v311, e::packet_id_zero},
    {"unsubscribe_packet_id_0", "a2 05 0000 0001 61", v311, e::packet_id_zero},
    {"suback_packet_id_0", "90 03 0000 00", v311, e::packet_id_zero},

    // -- truncated fields (inside the Remaining Length) ---------------------------------------------
    {"string_length_past_end", "30 03 0005 61", v311, e::truncated_packet},
    {"string_length_cut", "30 01 00", v311, e::truncated_packet},
    {"property_length_past_end", "40 04 0001 00 05", v5, e::truncated_packet},
    {"property_value_past_block", "20 05 00 00 01 21 00", v5, e::truncated_packet},
    {"publish_missing_packet_id", "32 03 0001 61", v311, e::truncated_packet},
    {"puback_missing_packet_id", "40 01 00", v311, e::truncated_packet},
    {"connect_empty", "10 00", v311, e::truncated_packet},
    {"connect_missing_client_id", "10 0a 0004 4d515454 04 02 003c", v311, e::truncated_packet},
    {"connect_missing_will_payload", "10 10 0004 4d515454 04 06 003c 0001 63 0001 77", v311,
     e::truncated_packet},
    {"connect_missing_password", "10 10 0004 4d515454 04 c2 003c 0001 63 0001 75", v311,
     e::truncated_packet},
    {"connack_missing_return_code", "20 01 00", v311, e::truncated_packet},
    {"v5_connack_missing_property_length", "20 02 00 00", v5, e::truncated_packet},

    // -- trailing bytes (inside the Remaining Length) -------------------------------------------------
    {"pingreq_with_body", "c0 01 00", v311, e::trailing_bytes},
    {"v311_puback_with_reason_code", "40 03 0001 00", v311, e::trailing_bytes},
    {"connect_trailing_byte", "10 0d 0004 4d515454 04 02 003c 0000 00", v311, e::trailing_bytes},
    {"v5_connack_trailing_byte", "20 04 00 00 00 00", v5, e::trailing_bytes},
    {"v5_disconnect_trailing_byte", "e0 03 00 00 00", v5, e::trailing_bytes},
    {"v311_unsuback_with_payload", "b0 03 0001 00", v311, e::trailing_bytes},
    {"v311_disconnect_with_reason_code", "e0 01 00", v311, e::trailing_bytes},

    // -- CONNECT -------------------------------------------------------------------------------------
    {"bad_protocol_name", "10 0c 0004 4d515458 04 02 003c 0000", v311, e::invalid_protocol_name},
    {"empty_protocol_name", "10 08 0000 04 02 003c 0000", v311, e::invalid_protocol_name},
    {"bad_protocol_level_6", "10 0c 0004 4d515454 06 02 003c 0000", v5,
     e::unsupported_protocol_version},
    {"mqtt_with_level_3", "10 0c 0004 4d515454 03 02 003c 0000", v311,
     e::unsupported_protocol_version},
    {"reserved_connect_flag", "10 0c 0004 4d515454 04 03 003c 0000", v311,
     e::invalid_connect_flags},
    {"will_qos_without_will_flag", "10 0c 0004 4d515454 04 0a 003c 0000", v311,
     e::invalid_connect_flags},
    {"will_retain_without_will_flag", "10 0c 0004 4d515454 04 22 003c 0000", v311,
     e::invalid_connect_flags},
    {"v311_password_without_username", "10 10 0004 4d515454 04 42 003c 0001 63 0001 70", v311,
     e::invalid_connect_flags},

    // -- CONNACK ------------------------------------------------------------------------------------
    {"connack_reserved_flag", "20 02 02 00", v311, e::invalid_connack_flags},
    {"connack_session_present_with_failure", "20 02 01 04", v311, e::invalid_connack_flags},
    {"connack_v311_return_code_6", "20 02 00 06", v311, e::invalid_reason_code},
    {"connack_v5_reason_not_allowed", "20 03 00 10 00", v5, e::invalid_reason_code},

    // -- subscriptions ---------------------------------------------------------------------------------
    {"subscribe_without_filters", "82 02 0001", v311, e::empty_subscription_list},
    {"v5_subscribe_without_filters", "82 03 0001 00", v5, e::empty_subscription_list},
    {"unsubscribe_without_filters", "a2 02 0001", v311, e::empty_subscription_list},
    {"suback_without_codes", "90 02 0001", v311, e::empty_subscription_list},
    {"v5_unsuback_without_codes", "b0 03 0001 00", v5, e::empty_subscription_list},
    {"subscribe_reserved_option_bits", "82 07 0001 00 0001 61 c0", v5,
     e::invalid_subscribe_options},
    {"subscribe_retain_handling_3", "82 07 0001 00 0001 61 30", v5, e::invalid_subscribe_options},
    {"v311_subscribe_no_local_bit", "82 06 0001 0001 61 04", v311, e::invalid_subscribe_options},
    {"no_local_on_shared_subscription", "82 10 0001 00 000a 2473686172652f672f61 04", v5,
     e::invalid_subscribe_options},

    // -- reason codes ------------------------------------------------------------------------------------
    {"v311_suback_code_0x87", "90 03 0001 87", v311, e::invalid_reason_code},
    {"v5_puback_reason_0x92", "40 03 0001 92", v5, e::invalid_reason_code},
    {"v5_pubrel_reason_0x10", "62 03 0001 10", v5, e::invalid_reason_code},
    {"v5_disconnect_reason_0x88", "e0 01 88", v5, e::invalid_reason_code},
    {"v5_auth_reason_0x87", "f0 01 87", v5, e::invalid_reason_code},
};

class malformed : public ::testing::TestWithParam<malformed_case> {};

TEST_P(malformed, decode_gives_the_precise_error) {
  const malformed_case& c = GetParam();
  expect_decode_error(c.bytes, c.version, c.want);
}

TEST_P(malformed, stream_decoder_fed_at_once_gives_the_same_error) {
  const malformed_case& c = GetParam();
  const std::vector<std::uint8_t> bytes = hex(c.bytes);
  stream_decoder sd(c.version);
  sd.feed(bytes.data(), bytes.size());
  packet p;
  std::error_code ec;
  EXPECT_FALSE(sd.next(p, ec));
  EXPECT_TRUE(is_error(ec, c.want));
}

TEST_P(malformed, stream_decoder_fed_byte_by_byte_gives_the_same_error) {
  const malformed_case& c = GetParam();
  const std::vector<std::uint8_t> bytes = hex(c.bytes);
  stream_decoder sd(c.version);
  packet p;
  std::error_code ec;
  for (std::uint8_t b : bytes) {
    sd.feed(&b, 1);
    ASSERT_FALSE(sd.next(p, ec)) << "a malformed packet was returned";
    if (ec) break;
  }
  EXPECT_TRUE(is_error(ec, c.want));
  // The failure is sticky: more input does not bring the decoder back.
  const std::vector<std::uint8_t> ping = hex("c0 00");
  sd.feed(ping.data(), ping.size());
  EXPECT_FALSE(sd.next(p, ec));
  EXPECT_TRUE(is_error(ec, c.want));
}

INSTANTIATE_TEST_SUITE_P(table, malformed, ::testing::ValuesIn(cases),
                         [](const ::testing::TestParamInfo<malformed_case>& param) {
                           return std::string(param.param.name);
                         });

TEST(malformed_table, names_are_unique) {
  for (std::size_t i = 0; i < std::size(cases); ++i) {
    for (std::size_t j = i + 1; j < std::size(cases); ++j) {
      EXPECT_NE(std::string(cases[i].name), cases[j].name);
    }
  }
}

// Every hex string above is whole: its Remaining Length matches the bytes that follow it, so
// the errors come from the fields and not from the framing.
TEST(malformed_table, every_case_is_exactly_one_framed_packet) {
  for (const malformed_case& c : cases) {
    const std::vector<std::uint8_t> bytes = hex(c.bytes);
    fixed_header h;
    bool complete = false;
    const std::error_code ec = parse_fixed_header(view(bytes), h, complete);
    if (ec) continue;  // a framing case
    ASSERT_TRUE(complete) << c.name;
    EXPECT_EQ(h.packet_size(), bytes.size()) << c.name;
  }
}

TEST(errc, every_error_has_a_message_and_the_mqttws_category) {
  EXPECT_STREQ(category().name(), "mqttws");
  for (int v = static_cast<int>(errc::malformed_remaining_length);
       v <= static_cast<int>(errc::properties_require_v5); ++v) {
    const std::error_code ec = static_cast<errc>(v);
    EXPECT_EQ(&ec.category(), &category());
    EXPECT_NE(ec.message(), "unknown mqttws error " + std::to_string(v));
  }
  EXPECT_EQ(std::error_code(static_cast<errc>(999)).message(), "unknown mqttws error 999");
}

}  // namespace
}  // namespace mqttws::test
