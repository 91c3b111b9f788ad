// Owned packets and properties: the encoded bytes are the value, and every view points into
// the bytes of the object that hands it out, through copies and moves alike.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "codec_helpers.hpp"
#include "mqttws/codec.hpp"
#include "mqttws/owned.hpp"

namespace mqttws {
namespace {

using namespace std::string_view_literals;
using test::hex;
using test::is_error;
using test::ok;
using test::to_hex;

// True when `v` lies entirely within `bytes` (an empty view has nothing to dangle).
bool inside(std::string_view v, const std::vector<std::uint8_t>& bytes) {
  if (v.empty()) return true;
  const auto* b = reinterpret_cast<const char*>(bytes.data());
  return v.data() >= b && v.data() + v.size() <= b + bytes.size();
}

// Every string and binary view in `p`, list elements included.
std::vector<std::string_view> views_of(const properties& p) {
  std::vector<std::string_view> out;
  for (const auto* s : {&p.content_type, &p.response_topic, &p.correlation_data,
                        &p.assigned_client_identifier, &p.authentication_method,
                        &p.authentication_data, &p.response_information, &p.server_reference,
                        &p.reason_string}) {
    if (*s) out.push_back(**s);
  }
  for (const user_property& up : p.user_properties) {
    out.push_back(up.name);
    out.push_back(up.value);
  }
  return out;
}

::testing::AssertionResult views_inside(const publish& p, const std::vector<std::uint8_t>& b) {
  std::vector<std::string_view> all = views_of(p.props);
  all.push_back(p.topic);
  all.push_back(p.payload);
  for (std::string_view v : all) {
    if (!inside(v, b)) return ::testing::AssertionFailure() << "'" << v << "' is outside";
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult views_inside(const properties& p, const std::vector<std::uint8_t>& b) {
  for (std::string_view v : views_of(p)) {
    if (!inside(v, b)) return ::testing::AssertionFailure() << "'" << v << "' is outside";
  }
  return ::testing::AssertionSuccess();
}

template <class L>
auto to_vector(const L& list) {
  return std::vector<typename L::value_type>(list.begin(), list.end());
}

// A QoS 1 MQTT 5 PUBLISH with views into strings owned by the fixture, which the tests
// destroy or overwrite to prove the owned copy does not depend on them.
struct sample {
  std::string topic = "home/kitchen/temperature";
  std::string payload = std::string("21.5\0C", 6);
  std::string content_type = "text/plain";
  std::string correlation = std::string("\x00\x01\xff", 3);
  std::vector<user_property> users = {{"unit", "C"}, {"sensor", "t1"}, {"unit", "K"}};
  std::vector<std::uint32_t> sids = {7, 268'435'455};

  publish packet() const {
    publish p;
    p.topic = topic;
    p.payload = payload;
    p.qos = qos::at_least_once;
    p.packet_id = 1;
    p.retain = true;
    p.props.content_type = content_type;
    p.props.correlation_data = correlation;
    p.props.message_expiry_interval = 3600;
    p.props.user_properties = users;
    p.props.subscription_identifiers = sids;
    return p;
  }
};

std::vector<std::uint8_t> encoded(const publish& p, protocol_version v) {
  std::vector<std::uint8_t> out;
  EXPECT_TRUE(ok(encode(p, v, out)));
  return out;
}

void expect_sample_view(const publish& p) {
  EXPECT_EQ(p.topic, "home/kitchen/temperature");
  EXPECT_EQ(p.payload, std::string_view("21.5\0C", 6));
  EXPECT_EQ(p.qos, qos::at_least_once);
  EXPECT_EQ(p.packet_id, 1u);
  EXPECT_TRUE(p.retain);
  EXPECT_FALSE(p.dup);
  EXPECT_EQ(p.props.content_type, "text/plain"sv);
  EXPECT_EQ(p.props.correlation_data, std::string_view("\x00\x01\xff", 3));
  EXPECT_EQ(p.props.message_expiry_interval, 3600u);
  EXPECT_EQ(to_vector(p.props.user_properties),
            (std::vector<user_property>{{"unit", "C"}, {"sensor", "t1"}, {"unit", "K"}}));
  EXPECT_EQ(to_vector(p.props.subscription_identifiers),
            (std::vector<std::uint32_t>{7, 268'435'455}));
}

owned_publish make_sample() {
  sample s;
  owned_publish o;
  EXPECT_TRUE(ok(owned_publish::make(s.packet(), protocol_version::v5, o)));
  return o;  // `s` dies here: the result must not need it
}

// -- owned_publish: construction -------------------------------------------------------------

TEST(owned_publish, default_is_empty) {
  owned_publish o;
  EXPECT_TRUE(o.empty());
  EXPECT_TRUE(o.bytes().empty());
  EXPECT_EQ(o.view().topic, "");
}

TEST(owned_publish, make_stores_exactly_what_encode_produces) {
  sample s;
  owned_publish o;
  ASSERT_TRUE(ok(owned_publish::make(s.packet(), protocol_version::v5, o)));
  EXPECT_EQ(to_hex(o.bytes()), to_hex(encoded(s.packet(), protocol_version::v5)));
  EXPECT_EQ(o.version(), protocol_version::v5);
  EXPECT_FALSE(o.empty());
}

TEST(owned_publish, make_view_outlives_the_source_strings) {
  const owned_publish o = make_sample();
  expect_sample_view(o.view());
  EXPECT_TRUE(views_inside(o.view(), o.bytes()));
}

TEST(owned_publish, make_for_v311_has_no_properties) {
  publish p;
  p.topic = "a/b";
  p.payload = "x";
  p.qos = qos::exactly_once;
  p.packet_id = 513;
  owned_publish o;
  ASSERT_TRUE(ok(owned_publish::make(p, protocol_version::v311, o)));
  // Fixed header 34 08; topic 00 03 "a/b"; packet id 02 01; payload "x".
  EXPECT_EQ(to_hex(o.bytes()), "34080003612f62020178");
  EXPECT_EQ(o.version(), protocol_version::v311);
  EXPECT_EQ(o.view().packet_id, 513u);
  EXPECT_EQ(o.view().qos, qos::exactly_once);
}

TEST(owned_publish, make_error_is_encode_error_and_leaves_out_unchanged) {
  owned_publish o = make_sample();
  const std::vector<std::uint8_t> before = o.bytes();
  publish bad;
  bad.topic = "a";
  bad.qos = qos::at_least_once;  // packet_id 0
  EXPECT_TRUE(is_error(owned_publish::make(bad, protocol_version::v5, o), errc::packet_id_zero));
  EXPECT_EQ(o.bytes(), before);
  expect_sample_view(o.view());
}

TEST(owned_publish, make_rejects_properties_for_v311) {
  sample s;
  owned_publish o;
  EXPECT_TRUE(is_error(owned_publish::make(s.packet(), protocol_version::v311, o),
                       errc::properties_require_v5));
  EXPECT_TRUE(o.empty());
}

TEST(owned_publish, adopt_decodes_the_given_bytes) {
  sample s;
  std::vector<std::uint8_t> bytes = encoded(s.packet(), protocol_version::v5);
  const std::vector<std::uint8_t> copy = bytes;
  owned_publish o;
  ASSERT_TRUE(ok(owned_publish::adopt(std::move(bytes), protocol_version::v5, o)));
  EXPECT_EQ(o.bytes(), copy);
  expect_sample_view(o.view());
  EXPECT_TRUE(views_inside(o.view(), o.bytes()));
}

TEST(owned_publish, adopt_refuses_another_packet_type) {
  owned_publish o;
  EXPECT_TRUE(is_error(owned_publish::adopt(hex("40 02 00 01"), protocol_version::v311, o),
                       errc::invalid_packet_type));  // a PUBACK
  EXPECT_TRUE(o.empty());
}

TEST(owned_publish, adopt_refuses_truncated_bytes_and_leaves_out_unchanged) {
  owned_publish o = make_sample();
  const std::vector<std::uint8_t> before = o.bytes();
  // Remaining Length 4: the topic length says 3 bytes, and only 2 follow it.
  EXPECT_TRUE(is_error(owned_publish::adopt(hex("30 04 00 03 61 62"), protocol_version::v311, o),
                       errc::truncated_packet));
  EXPECT_EQ(o.bytes(), before);
  expect_sample_view(o.view());
}

TEST(owned_publish, adopt_refuses_malformed_publish) {
  owned_publish o;
  // QoS 0 with DUP set (MQTT-3.3.1-2).
  EXPECT_TRUE(is_error(owned_publish::adopt(hex("38 03 00 01 61"), protocol_version::v311, o),
                       errc::invalid_fixed_header_flags));
}

// -- owned_publish: adopt_received ----------------------------------------------------------

// MQTT 5 QoS 1 PUBLISH, id 9, to "a/b": Subscription Identifiers 1, 500 and 7 around a
// Content Type "t", payload "hi".
std::string_view received_hex() {
  return "32 15 00 03 61 2f 62 00 09 0b 0b 01 03 00 01 74 0b f4 03 0b 07 68 69";
}

/// owned_publish::adopt_received() of the first `size` bytes of `in` (all of them by
/// default), leaving out the identifiers in `drop`.
std::error_code adopt(const std::vector<std::uint8_t>& in, protocol_version v,
                      const std::vector<std::uint32_t>& drop, owned_publish& out,
                      std::size_t size = std::numeric_limits<std::size_t>::max()) {
  return owned_publish::adopt_received(as_chars(in.data(), std::min(size, in.size())), v,
                                       drop.data(), drop.size(), out);
}

TEST(owned_publish, adopt_received_with_nothing_to_drop_takes_the_bytes_as_they_are) {
  const std::vector<std::uint8_t> in = hex(received_hex());
  owned_publish o;
  ASSERT_TRUE(ok(adopt(in, protocol_version::v5, {}, o)));
  EXPECT_EQ(to_hex(o.bytes()), to_hex(in));
  EXPECT_TRUE(views_inside(o.view(), o.bytes()));
}

TEST(owned_publish, adopt_received_leaves_out_exactly_the_identifiers_named) {
  const std::vector<std::uint8_t> in = hex(received_hex());
  owned_publish o;
  // 99 is not in the packet: nothing to leave out for it.
  ASSERT_TRUE(ok(adopt(in, protocol_version::v5, {1, 7, 99}, o)));
  // "0b 01" and "0b 07" gone: Property Length 0x0b -> 0x07, Remaining Length 0x15 -> 0x11.
  EXPECT_EQ(to_hex(o.bytes()), to_hex(hex("32 11 00 03 61 2f 62 00 09 07 03 00 01 74 0b f4 03 68 69")));
  EXPECT_EQ(std::vector<std::uint32_t>(o.view().props.subscription_identifiers.begin(),
                                       o.view().props.subscription_identifiers.end()),
            std::vector<std::uint32_t>{500});
  EXPECT_EQ(o.view().packet_id, 9);
  EXPECT_EQ(o.view().payload, "hi");
  EXPECT_TRUE(views_inside(o.view(), o.bytes()));
}

TEST(owned_publish, adopt_received_refuses_bytes_after_the_packet) {
  std::vector<std::uint8_t> in = hex(received_hex());
  in.push_back(0xc0);  // a PINGREQ's first byte after it
  owned_publish o;
  for (const std::vector<std::uint32_t>& drop : {std::vector<std::uint32_t>{},
                                                 std::vector<std::uint32_t>{1}}) {
    SCOPED_TRACE(drop.size());
    EXPECT_TRUE(is_error(adopt(in, protocol_version::v5, drop, o), errc::trailing_bytes));
    EXPECT_TRUE(o.empty());
  }
}

TEST(owned_publish, adopt_received_refuses_identifiers_to_drop_on_v311) {
  const std::vector<std::uint8_t> in = hex("30 06 00 01 61 78 79 7a");
  owned_publish o = make_sample();
  EXPECT_TRUE(is_error(adopt(in, protocol_version::v311, {1}, o), errc::properties_require_v5));
  expect_sample_view(o.view());
}

TEST(owned_publish, adopt_received_refuses_a_cut_packet_and_leaves_out_unchanged) {
  const std::vector<std::uint8_t> whole = hex(received_hex());
  owned_publish o = make_sample();
  const std::vector<std::uint8_t> before = o.bytes();
  for (std::size_t n : {std::size_t{1}, std::size_t{5}, whole.size() - 1}) {
    SCOPED_TRACE(n);
    EXPECT_TRUE(is_error(adopt(whole, protocol_version::v5, {1}, o, n), errc::truncated_packet));
    EXPECT_EQ(o.bytes(), before);
  }
}

TEST(owned_publish, adopt_received_refuses_another_packet_type) {
  const std::vector<std::uint8_t> in = hex("40 03 00 01 00");  // a PUBACK
  owned_publish o;
  EXPECT_TRUE(is_error(adopt(in, protocol_version::v5, {1}, o), errc::invalid_packet_type));
  EXPECT_TRUE(o.empty());
}

TEST(owned_publish, adopt_received_refuses_a_property_length_beyond_the_packet) {
  // Property Length 0x20 in a packet with 3 bytes after it.
  const std::vector<std::uint8_t> in = hex("30 08 00 01 61 20 0b 01 68 69");
  owned_publish o;
  EXPECT_TRUE(is_error(adopt(in, protocol_version::v5, {1}, o), errc::truncated_packet));
  EXPECT_TRUE(o.empty());
}

// -- owned_publish: copies and moves -------------------------------------------------------

TEST(owned_publish, copy_views_point_into_the_copy) {
  const owned_publish a = make_sample();
  const owned_publish b(a);
  EXPECT_EQ(b.bytes(), a.bytes());
  EXPECT_NE(b.bytes().data(), a.bytes().data());
  EXPECT_TRUE(views_inside(b.view(), b.bytes()));
  expect_sample_view(b.view());
}

TEST(owned_publish, copy_outlives_the_original) {
  auto a = std::make_unique<owned_publish>(make_sample());
  owned_publish b(*a);
  a.reset();
  expect_sample_view(b.view());
  EXPECT_TRUE(views_inside(b.view(), b.bytes()));
}

TEST(owned_publish, copy_assignment_views_point_into_the_target) {
  const owned_publish a = make_sample();
  publish other;
  other.topic = "x";
  owned_publish b;
  ASSERT_TRUE(ok(owned_publish::make(other, protocol_version::v311, b)));
  b = a;
  EXPECT_EQ(b.version(), protocol_version::v5);
  EXPECT_TRUE(views_inside(b.view(), b.bytes()));
  expect_sample_view(b.view());
}

TEST(owned_publish, self_copy_assignment_keeps_views_valid) {
  owned_publish a = make_sample();
  const owned_publish& same = a;
  a = same;
  EXPECT_TRUE(views_inside(a.view(), a.bytes()));
  expect_sample_view(a.view());
}

TEST(owned_publish, move_construction_keeps_views_valid_and_empties_source) {
  owned_publish a = make_sample();
  owned_publish b(std::move(a));
  EXPECT_TRUE(views_inside(b.view(), b.bytes()));
  expect_sample_view(b.view());
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): the moved-from state is specified
  EXPECT_EQ(a.view().topic, "");
  EXPECT_TRUE(a.view().props.user_properties.empty());
}

TEST(owned_publish, move_assignment_keeps_views_valid_and_empties_source) {
  owned_publish a = make_sample();
  owned_publish b;
  publish other;
  other.topic = "x";
  ASSERT_TRUE(ok(owned_publish::make(other, protocol_version::v5, b)));
  b = std::move(a);
  EXPECT_TRUE(views_inside(b.view(), b.bytes()));
  expect_sample_view(b.view());
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(a.view().payload, "");
}

TEST(owned_publish, self_move_assignment_keeps_the_object) {
  owned_publish a = make_sample();
  owned_publish& same = a;
  a = std::move(same);
  EXPECT_FALSE(a.empty());
  EXPECT_TRUE(views_inside(a.view(), a.bytes()));
  expect_sample_view(a.view());
}

TEST(owned_publish, moved_from_object_can_be_reused) {
  owned_publish a = make_sample();
  owned_publish b(std::move(a));
  a = b;  // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(views_inside(a.view(), a.bytes()));
  expect_sample_view(a.view());
}

TEST(owned_publish, copies_in_a_growing_vector_stay_valid) {
  // Reallocation moves the elements: every one must still view its own bytes.
  std::vector<owned_publish> v;
  for (int i = 0; i < 50; ++i) v.push_back(make_sample());
  for (const owned_publish& o : v) {
    ASSERT_TRUE(views_inside(o.view(), o.bytes()));
    expect_sample_view(o.view());
  }
}

// -- owned_publish: packet identifier and DUP ----------------------------------------------

TEST(owned_publish, set_packet_id_gives_the_bytes_encode_gives) {
  sample s;
  owned_publish o;
  ASSERT_TRUE(ok(owned_publish::make(s.packet(), protocol_version::v5, o)));
  o.set_packet_id(0xABCD);
  publish want = s.packet();
  want.packet_id = 0xABCD;
  EXPECT_EQ(to_hex(o.bytes()), to_hex(encoded(want, protocol_version::v5)));
  EXPECT_EQ(o.view().packet_id, 0xABCDu);
}

TEST(owned_publish, set_packet_id_after_long_remaining_length) {
  // A three-byte Remaining Length moves the identifier: it must be found after it.
  const std::string big(20'000, 'p');
  publish p;
  p.topic = "t/x";
  p.payload = big;
  p.qos = qos::exactly_once;
  p.packet_id = 1;
  owned_publish o;
  ASSERT_TRUE(ok(owned_publish::make(p, protocol_version::v311, o)));
  o.set_packet_id(0x0102);
  p.packet_id = 0x0102;
  EXPECT_EQ(o.bytes(), encoded(p, protocol_version::v311));
  EXPECT_EQ(o.view().payload, big);
}

TEST(owned_publish, set_packet_id_survives_a_copy) {
  owned_publish a = make_sample();
  a.set_packet_id(42);
  const owned_publish b(a);
  EXPECT_EQ(b.view().packet_id, 42u);
}

TEST(owned_publish, set_packet_id_does_nothing_for_qos0) {
  publish p;
  p.topic = "a";
  p.payload = "xy";
  owned_publish o;
  ASSERT_TRUE(ok(owned_publish::make(p, protocol_version::v5, o)));
  const std::vector<std::uint8_t> before = o.bytes();
  o.set_packet_id(7);
  EXPECT_EQ(o.bytes(), before);
  EXPECT_EQ(o.view().packet_id, 0u);
  EXPECT_EQ(o.view().payload, "xy");
}

TEST(owned_publish, set_packet_id_ignores_zero) {
  owned_publish o = make_sample();
  const std::vector<std::uint8_t> before = o.bytes();
  o.set_packet_id(0);
  EXPECT_EQ(o.bytes(), before);
  EXPECT_EQ(o.view().packet_id, 1u);
}

TEST(owned_publish, set_packet_id_on_empty_object_does_nothing) {
  owned_publish o;
  o.set_packet_id(5);
  o.set_dup(true);
  EXPECT_TRUE(o.empty());
}

TEST(owned_publish, set_dup_gives_the_bytes_encode_gives) {
  sample s;
  owned_publish o;
  ASSERT_TRUE(ok(owned_publish::make(s.packet(), protocol_version::v5, o)));
  o.set_dup(true);
  publish want = s.packet();
  want.dup = true;
  EXPECT_EQ(to_hex(o.bytes()), to_hex(encoded(want, protocol_version::v5)));
  EXPECT_TRUE(o.view().dup);
}

TEST(owned_publish, clearing_dup_gives_the_original_bytes) {
  sample s;
  owned_publish o;
  ASSERT_TRUE(ok(owned_publish::make(s.packet(), protocol_version::v5, o)));
  o.set_dup(true);
  o.set_dup(false);
  EXPECT_EQ(to_hex(o.bytes()), to_hex(encoded(s.packet(), protocol_version::v5)));
  EXPECT_FALSE(o.view().dup);
}

TEST(owned_publish, set_dup_and_packet_id_together_decode_back) {
  owned_publish o = make_sample();
  o.set_dup(true);
  o.set_packet_id(999);
  packet decoded;
  ASSERT_TRUE(ok(decode(test::view(o.bytes()), protocol_version::v5, decoded)));
  const publish& p = std::get<publish>(decoded);
  EXPECT_TRUE(p.dup);
  EXPECT_EQ(p.packet_id, 999u);
  EXPECT_TRUE(p.retain);
  EXPECT_EQ(p.qos, qos::at_least_once);
}

TEST(owned_publish, set_dup_does_nothing_for_qos0) {
  publish p;
  p.topic = "a";
  owned_publish o;
  ASSERT_TRUE(ok(owned_publish::make(p, protocol_version::v311, o)));
  o.set_dup(true);
  EXPECT_EQ(to_hex(o.bytes()), "3003000161");
  EXPECT_FALSE(o.view().dup);
}

// -- owned_properties ----------------------------------------------------------------------

TEST(owned_properties, default_is_empty) {
  owned_properties o;
  EXPECT_TRUE(o.view().empty());
  EXPECT_TRUE(o.bytes().empty());
}

TEST(owned_properties, empty_properties_are_one_zero_length_byte) {
  owned_properties o;
  ASSERT_TRUE(ok(owned_properties::make(properties{}, property_context::disconnect, o)));
  EXPECT_EQ(o.bytes(), (std::vector<std::uint8_t>{0x00}));
  EXPECT_TRUE(o.view().empty());
}

TEST(owned_properties, bytes_are_the_property_block_of_the_packet) {
  std::string reason = "bye";
  disconnect d;
  d.code = reason_code::normal_disconnection;
  d.props.reason_string = reason;
  d.props.session_expiry_interval = 10;
  owned_properties o;
  ASSERT_TRUE(ok(owned_properties::make(d.props, property_context::disconnect, o)));
  std::vector<std::uint8_t> packet_bytes;
  ASSERT_TRUE(ok(encode(d, protocol_version::v5, packet_bytes)));
  // DISCONNECT: type byte, Remaining Length, reason code, then the property block.
  const std::vector<std::uint8_t> block(packet_bytes.begin() + 3, packet_bytes.end());
  EXPECT_EQ(to_hex(o.bytes()), to_hex(block));
}

TEST(owned_properties, publish_properties_survive_with_list_order) {
  sample s;
  owned_properties o;
  {
    const publish p = s.packet();
    ASSERT_TRUE(ok(owned_properties::make(p.props, property_context::publish, o)));
  }
  s = sample{};  // overwrite the source strings
  s.content_type.assign(10, '?');
  s.users.clear();
  const properties& v = o.view();
  EXPECT_EQ(v.content_type, "text/plain"sv);
  EXPECT_EQ(v.correlation_data, std::string_view("\x00\x01\xff", 3));
  EXPECT_EQ(v.message_expiry_interval, 3600u);
  EXPECT_EQ(to_vector(v.user_properties),
            (std::vector<user_property>{{"unit", "C"}, {"sensor", "t1"}, {"unit", "K"}}));
  EXPECT_EQ(to_vector(v.subscription_identifiers), (std::vector<std::uint32_t>{7, 268'435'455}));
  EXPECT_TRUE(views_inside(v, o.bytes()));
}

TEST(owned_properties, connect_properties_survive) {
  const std::string method = "SCRAM-SHA-256", data("\x01\x00\x02", 3);
  properties p;
  p.session_expiry_interval = 0xFFFFFFFF;
  p.receive_maximum = 20;
  p.maximum_packet_size = 1'048'576;
  p.topic_alias_maximum = 10;
  p.request_response_information = true;
  p.request_problem_information = false;
  p.authentication_method = method;
  p.authentication_data = data;
  owned_properties o;
  ASSERT_TRUE(ok(owned_properties::make(p, property_context::connect, o)));
  const properties& v = o.view();
  EXPECT_EQ(v.session_expiry_interval, 0xFFFFFFFFu);
  EXPECT_EQ(v.receive_maximum, 20u);
  EXPECT_EQ(v.maximum_packet_size, 1'048'576u);
  EXPECT_EQ(v.topic_alias_maximum, 10u);
  EXPECT_EQ(v.request_response_information, true);
  EXPECT_EQ(v.request_problem_information, false);
  EXPECT_EQ(v.authentication_method, "SCRAM-SHA-256"sv);
  EXPECT_EQ(v.authentication_data, std::string_view("\x01\x00\x02", 3));
  EXPECT_TRUE(views_inside(v, o.bytes()));
}

TEST(owned_properties, connack_properties_survive) {
  const std::string id = "auto-7", info = "resp/", ref = "other:1883", why = "welcome";
  properties p;
  p.assigned_client_identifier = id;
  p.server_keep_alive = 30;
  p.response_information = info;
  p.server_reference = ref;
  p.reason_string = why;
  p.maximum_qos = qos::at_least_once;
  p.retain_available = false;
  p.wildcard_subscription_available = true;
  p.subscription_identifier_available = false;
  p.shared_subscription_available = true;
  owned_properties o;
  ASSERT_TRUE(ok(owned_properties::make(p, property_context::connack, o)));
  const properties& v = o.view();
  EXPECT_EQ(v.assigned_client_identifier, "auto-7"sv);
  EXPECT_EQ(v.server_keep_alive, 30u);
  EXPECT_EQ(v.response_information, "resp/"sv);
  EXPECT_EQ(v.server_reference, "other:1883"sv);
  EXPECT_EQ(v.reason_string, "welcome"sv);
  EXPECT_EQ(v.maximum_qos, qos::at_least_once);
  EXPECT_EQ(v.retain_available, false);
  EXPECT_EQ(v.wildcard_subscription_available, true);
  EXPECT_EQ(v.subscription_identifier_available, false);
  EXPECT_EQ(v.shared_subscription_available, true);
  EXPECT_TRUE(views_inside(v, o.bytes()));
}

TEST(owned_properties, will_properties_survive) {
  const std::string topic = "replies/1";
  properties p;
  p.will_delay_interval = 5;
  p.payload_format_indicator = 1;
  p.response_topic = topic;
  owned_properties o;
  ASSERT_TRUE(ok(owned_properties::make(p, property_context::will, o)));
  EXPECT_EQ(o.view().will_delay_interval, 5u);
  EXPECT_EQ(o.view().payload_format_indicator, 1u);
  EXPECT_EQ(o.view().response_topic, "replies/1"sv);
}

TEST(owned_properties, properties_decoded_from_a_packet_can_be_owned) {
  // The session owns properties it received: their lists read wire bytes, not arrays.
  sample s;
  const std::vector<std::uint8_t> wire = encoded(s.packet(), protocol_version::v5);
  packet decoded;
  ASSERT_TRUE(ok(decode(test::view(wire), protocol_version::v5, decoded)));
  owned_properties o;
  ASSERT_TRUE(ok(owned_properties::make(std::get<publish>(decoded).props,
                                        property_context::publish, o)));
  EXPECT_EQ(to_vector(o.view().user_properties),
            (std::vector<user_property>{{"unit", "C"}, {"sensor", "t1"}, {"unit", "K"}}));
  EXPECT_EQ(to_vector(o.view().subscription_identifiers),
            (std::vector<std::uint32_t>{7, 268'435'455}));
  EXPECT_TRUE(views_inside(o.view(), o.bytes()));
}

TEST(owned_properties, property_not_allowed_in_context_is_refused_and_out_unchanged) {
  owned_properties o;
  properties first;
  first.receive_maximum = 5;
  ASSERT_TRUE(ok(owned_properties::make(first, property_context::connect, o)));
  properties bad;
  bad.topic_alias = 3;  // PUBLISH only
  EXPECT_TRUE(is_error(owned_properties::make(bad, property_context::connect, o),
                       errc::property_not_allowed));
  EXPECT_EQ(o.view().receive_maximum, 5u);
  EXPECT_FALSE(o.view().topic_alias);
}

TEST(owned_properties, invalid_value_is_refused) {
  properties bad;
  bad.receive_maximum = 0;
  owned_properties o;
  EXPECT_TRUE(is_error(owned_properties::make(bad, property_context::connect, o),
                       errc::invalid_property_value));
  EXPECT_TRUE(o.bytes().empty());
}

TEST(owned_properties, two_subscription_identifiers_outside_publish_are_refused) {
  const std::vector<std::uint32_t> sids = {1, 2};
  properties bad;
  bad.subscription_identifiers = sids;
  owned_properties o;
  EXPECT_TRUE(is_error(owned_properties::make(bad, property_context::subscribe, o),
                       errc::duplicate_property));
}

owned_properties make_user_properties() {
  const std::vector<user_property> users = {{"a", "1"}, {"b", "2"}, {"a", "3"}};
  properties p;
  p.user_properties = users;
  p.reason_string = std::string_view("because");
  owned_properties o;
  EXPECT_TRUE(ok(owned_properties::make(p, property_context::disconnect, o)));
  return o;
}

void expect_user_properties(const properties& v) {
  EXPECT_EQ(to_vector(v.user_properties),
            (std::vector<user_property>{{"a", "1"}, {"b", "2"}, {"a", "3"}}));
  EXPECT_EQ(v.reason_string, "because"sv);
}

TEST(owned_properties, copy_views_point_into_the_copy) {
  const owned_properties a = make_user_properties();
  const owned_properties b(a);
  EXPECT_EQ(b.bytes(), a.bytes());
  EXPECT_NE(b.bytes().data(), a.bytes().data());
  EXPECT_TRUE(views_inside(b.view(), b.bytes()));
  expect_user_properties(b.view());
}

TEST(owned_properties, copy_outlives_the_original) {
  auto a = std::make_unique<owned_properties>(make_user_properties());
  const owned_properties b(*a);
  a.reset();
  expect_user_properties(b.view());
  EXPECT_TRUE(views_inside(b.view(), b.bytes()));
}

TEST(owned_properties, copy_assignment_views_point_into_the_target) {
  const owned_properties a = make_user_properties();
  owned_properties b;
  properties other;
  other.receive_maximum = 1;
  ASSERT_TRUE(ok(owned_properties::make(other, property_context::connect, b)));
  b = a;
  EXPECT_TRUE(views_inside(b.view(), b.bytes()));
  expect_user_properties(b.view());
  EXPECT_FALSE(b.view().receive_maximum);
}

TEST(owned_properties, self_copy_assignment_keeps_views_valid) {
  owned_properties a = make_user_properties();
  const owned_properties& same = a;
  a = same;
  EXPECT_TRUE(views_inside(a.view(), a.bytes()));
  expect_user_properties(a.view());
}

TEST(owned_properties, move_construction_keeps_views_valid_and_empties_source) {
  owned_properties a = make_user_properties();
  owned_properties b(std::move(a));
  EXPECT_TRUE(views_inside(b.view(), b.bytes()));
  expect_user_properties(b.view());
  EXPECT_TRUE(a.bytes().empty());  // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(a.view().empty());
}

TEST(owned_properties, move_assignment_keeps_views_valid_and_empties_source) {
  owned_properties a = make_user_properties();
  owned_properties b;
  b = std::move(a);
  EXPECT_TRUE(views_inside(b.view(), b.bytes()));
  expect_user_properties(b.view());
  EXPECT_TRUE(a.bytes().empty());  // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(a.view().empty());
}

TEST(owned_properties, self_move_assignment_keeps_the_object) {
  owned_properties a = make_user_properties();
  owned_properties& same = a;
  a = std::move(same);
  EXPECT_TRUE(views_inside(a.view(), a.bytes()));
  expect_user_properties(a.view());
}

TEST(owned_properties, copy_of_default_is_empty) {
  const owned_properties a;
  const owned_properties b(a);
  EXPECT_TRUE(b.bytes().empty());
  EXPECT_TRUE(b.view().empty());
}

}  // namespace
}  // namespace mqttws
