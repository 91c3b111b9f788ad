// Reason codes (MQTT 5.0 section 2.4, table 2-6, and the per-packet lists of chapter 3), and
// the MQTT 3.1.1 CONNACK return codes.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "codec_helpers.hpp"

namespace mqttws::test {
namespace {

using rc = reason_code;
using pt = packet_type;

// Table 2-6, row by row: the code, its name, and the packets that may carry it.
struct spec_code {
  std::uint8_t value;
  const char* name;
  std::vector<pt> packets;
};

const std::vector<spec_code>& spec_codes() {
  static const std::vector<spec_code> t = {
      {0x01, "Granted QoS 1", {pt::suback}},
      {0x02, "Granted QoS 2", {pt::suback}},
      {0x04, "Disconnect with Will Message", {pt::disconnect}},
      {0x10, "No matching subscribers", {pt::puback, pt::pubrec}},
      {0x11, "No subscription existed", {pt::unsuback}},
      {0x18, "Continue authentication", {pt::auth}},
      {0x19, "Re-authenticate", {pt::auth}},
      {0x80, "Unspecified error",
       {pt::connack, pt::puback, pt::pubrec, pt::suback, pt::unsuback, pt::disconnect}},
      {0x81, "Malformed Packet", {pt::connack, pt::disconnect}},
      {0x82, "Protocol Error", {pt::connack, pt::disconnect}},
      {0x83, "Implementation specific error",
       {pt::connack, pt::puback, pt::pubrec, pt::suback, pt::unsuback, pt::disconnect}},
      {0x84, "Unsupported Protocol Version", {pt::connack}},
      {0x85, "Client Identifier not valid", {pt::connack}},
      {0x86, "Bad User Name or Password", {pt::connack}},
      {0x87, "Not authorized",
       {pt::connack, pt::puback, pt::pubrec, pt::suback, pt::unsuback, pt::disconnect}},
      {0x88, "Server unavailable", {pt::connack}},
      {0x89, "Server busy", {pt::connack, pt::disconnect}},
      {0x8A, "Banned", {pt::connack}},
      {0x8B, "Server shutting down", {pt::disconnect}},
      {0x8C, "Bad authentication method", {pt::connack, pt::disconnect}},
      {0x8D, "Keep Alive timeout", {pt::disconnect}},
      {0x8E, "Session taken over", {pt::disconnect}},
      {0x8F, "Topic Filter invalid", {pt::suback, pt::unsuback, pt::disconnect}},
      {0x90, "Topic Name invalid", {pt::connack, pt::puback, pt::pubrec, pt::disconnect}},
      {0x91, "Packet Identifier in use", {pt::puback, pt::pubrec, pt::suback, pt::unsuback}},
      {0x92, "Packet Identifier not found", {pt::pubrel, pt::pubcomp}},
      {0x93, "Receive Maximum exceeded", {pt::disconnect}},
      {0x94, "Topic Alias invalid", {pt::disconnect}},
      {0x95, "Packet too large", {pt::connack, pt::disconnect}},
      {0x96, "Message rate too high", {pt::disconnect}},
      {0x97, "Quota exceeded",
       {pt::connack, pt::puback, pt::pubrec, pt::suback, pt::disconnect}},
      {0x98, "Administrative action", {pt::disconnect}},
      {0x99, "Payload format invalid", {pt::connack, pt::puback, pt::pubrec, pt::disconnect}},
      {0x9A, "Retain not supported", {pt::connack, pt::disconnect}},
      {0x9B, "QoS not supported", {pt::connack, pt::disconnect}},
      {0x9C, "Use another server", {pt::connack, pt::disconnect}},
      {0x9D, "Server moved", {pt::connack, pt::disconnect}},
      {0x9E, "Shared Subscriptions not supported", {pt::suback, pt::disconnect}},
      {0x9F, "Connection rate exceeded", {pt::connack, pt::disconnect}},
      {0xA0, "Maximum connect time", {pt::disconnect}},
      {0xA1, "Subscription Identifiers not supported", {pt::suback, pt::disconnect}},
      {0xA2, "Wildcard Subscriptions not supported", {pt::suback, pt::disconnect}},
  };
  return t;
}

// 0x00 is Success / Normal disconnection / Granted QoS 0 in every packet with reason codes.
const pt packets_with_reason_codes[] = {pt::connack, pt::puback,   pt::pubrec,     pt::pubrel,
                                        pt::pubcomp, pt::suback,   pt::unsuback,   pt::disconnect,
                                        pt::auth};

bool allowed_by_spec(unsigned value, pt t) {
  if (value == 0) {
    return std::find(std::begin(packets_with_reason_codes), std::end(packets_with_reason_codes),
                     t) != std::end(packets_with_reason_codes);
  }
  for (const spec_code& c : spec_codes()) {
    if (c.value == value) return std::find(c.packets.begin(), c.packets.end(), t) != c.packets.end();
  }
  return false;
}

TEST(reason_code, is_allowed_follows_the_spec_for_every_byte_and_packet_type) {
  for (unsigned value = 0; value < 256; ++value) {
    for (unsigned type = 0; type < 16; ++type) {
      EXPECT_EQ(is_allowed(static_cast<rc>(value), static_cast<pt>(type)),
                allowed_by_spec(value, static_cast<pt>(type)))
          << "code 0x" << std::hex << value << " in " << to_string(static_cast<pt>(type));
    }
  }
}

TEST(reason_code, to_string_gives_the_spec_names) {
  for (const spec_code& c : spec_codes()) {
    EXPECT_EQ(to_string(static_cast<rc>(c.value), c.packets.front()), c.name);
    EXPECT_EQ(to_string(static_cast<rc>(c.value)), c.name) << "default packet type";
  }
}

TEST(reason_code, zero_is_named_after_the_packet) {
  EXPECT_EQ(to_string(rc::success), "Success");
  EXPECT_EQ(to_string(rc::success, pt::connack), "Success");
  EXPECT_EQ(to_string(rc::success, pt::puback), "Success");
  EXPECT_EQ(to_string(rc::success, pt::auth), "Success");
  EXPECT_EQ(to_string(rc::granted_qos_0, pt::suback), "Granted QoS 0");
  EXPECT_EQ(to_string(rc::normal_disconnection, pt::disconnect), "Normal disconnection");
}

TEST(reason_code, undefined_bytes_are_unknown) {
  for (unsigned value = 0; value < 256; ++value) {
    const bool defined = value == 0 || std::any_of(spec_codes().begin(), spec_codes().end(),
                                                   [&](const spec_code& c) { return c.value == value; });
    if (defined) continue;
    EXPECT_EQ(to_string(static_cast<rc>(value)), "Unknown reason code") << value;
  }
}

TEST(reason_code, is_success_below_0x80) {
  for (unsigned value = 0; value < 256; ++value) {
    EXPECT_EQ(is_success(static_cast<rc>(value)), value < 0x80) << value;
  }
}

TEST(reason_code, v311_connack_return_codes_map_both_ways) {
  const rc mapped[] = {rc::success, rc::unsupported_protocol_version,
                       rc::client_identifier_not_valid, rc::server_unavailable,
                       rc::bad_user_name_or_password, rc::not_authorized};
  for (std::uint8_t b = 0; b < 6; ++b) {
    rc code = rc::banned;
    ASSERT_TRUE(from_v311_connack(b, code)) << int{b};
    EXPECT_EQ(code, mapped[b]);
    std::uint8_t back = 0xFF;
    ASSERT_TRUE(to_v311_connack(mapped[b], back));
    EXPECT_EQ(back, b);
  }
}

TEST(reason_code, v311_connack_has_no_other_return_codes) {
  rc code = rc::banned;
  for (unsigned b = 6; b < 256; ++b) {
    EXPECT_FALSE(from_v311_connack(static_cast<std::uint8_t>(b), code)) << b;
  }
  EXPECT_EQ(code, rc::banned) << "output untouched on failure";
  for (unsigned value = 0; value < 256; ++value) {
    const auto c = static_cast<rc>(value);
    std::uint8_t out = 0;
    const bool expressible = c == rc::success || c == rc::unsupported_protocol_version ||
                             c == rc::client_identifier_not_valid ||
                             c == rc::server_unavailable || c == rc::bad_user_name_or_password ||
                             c == rc::not_authorized;
    EXPECT_EQ(to_v311_connack(c, out), expressible) << value;
  }
}

TEST(packet_type, to_string_gives_upper_case_names) {
  const char* names[] = {"RESERVED",    "CONNECT", "CONNACK", "PUBLISH",    "PUBACK",
                         "PUBREC",      "PUBREL",  "PUBCOMP", "SUBSCRIBE",  "SUBACK",
                         "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT",
                         "AUTH"};
  for (unsigned t = 0; t < 16; ++t) EXPECT_EQ(to_string(static_cast<pt>(t)), names[t]);
}

}  // namespace
}  // namespace mqttws::test
