// stream_decoder: whole packets out of a byte stream cut anywhere.
#include "mqttws/stream_decoder.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "codec_helpers.hpp"

namespace mqttws::test {
namespace {

using bytes_t = std::vector<std::uint8_t>;

template <class P>
bytes_t encoded(const P& p, protocol_version v = v5) {
  bytes_t out;
  EXPECT_TRUE(ok(encode(p, v, out)));
  return out;
}

// A v5 stream of varied packets, one of them with a two-byte Remaining Length.
struct sample_stream {
  std::string big_payload = std::string(300, 'p');
  user_property ups[1] = {{"k", "v"}};
  reason_code suback_codes[2] = {reason_code::granted_qos_1, reason_code::unspecified_error};
  std::vector<bytes_t> packets;
  bytes_t all;

  sample_stream() {
    connack ack;
    ack.session_present = true;
    ack.props.receive_maximum = 10;
    packets.push_back(encoded(ack));
    publish p1;
    p1.topic = "a/b";
    p1.payload = "hi";
    p1.qos = qos::at_least_once;
    p1.packet_id = 7;
    p1.props.user_properties = ups;
    packets.push_back(encoded(p1));
    publish big;
    big.topic = "big";
    big.payload = big_payload;
    packets.push_back(encoded(big));
    packets.push_back(encoded(puback{7, reason_code::success, {}}));
    packets.push_back(encoded(suback{2, suback_codes, {}}));
    packets.push_back(encoded(pingresp{}));
    publish alias;
    alias.qos = qos::exactly_once;
    alias.packet_id = 9;
    alias.props.topic_alias = 3;
    packets.push_back(encoded(alias));
    packets.push_back(encoded(disconnect{reason_code::server_shutting_down, {}}));
    for (const bytes_t& p : packets) all.insert(all.end(), p.begin(), p.end());
  }

  std::vector<std::string> expected() const {
    std::vector<std::string> hexes;
    for (const bytes_t& p : packets) hexes.push_back(to_hex(p));
    return hexes;
  }
};

// Takes every whole packet out of `sd`, re-encoding each at once (its views end at feed()).
void drain(stream_decoder& sd, std::vector<std::string>& out, std::error_code& ec) {
  packet p;
  while (sd.next(p, ec)) {
    bytes_t again;
    EXPECT_TRUE(ok(encode(p, sd.version(), again)));
    out.push_back(to_hex(again));
  }
}

// Feeds `bytes` in pieces ending at `cuts` (ascending offsets) and collects the packets.
std::vector<std::string> decode_in_pieces(const bytes_t& bytes, std::vector<std::size_t> cuts) {
  cuts.push_back(bytes.size());
  stream_decoder sd(v5);
  std::vector<std::string> out;
  std::error_code ec;
  std::size_t start = 0;
  for (std::size_t cut : cuts) {
    sd.feed(bytes.data() + start, cut - start);
    start = cut;
    drain(sd, out, ec);
    EXPECT_TRUE(ok(ec));
  }
  EXPECT_EQ(sd.buffered(), 0u);
  return out;
}

TEST(stream_decoder, last_packet_is_the_whole_encoding_of_each_packet_in_turn) {
  sample_stream s;
  stream_decoder sd(v5);
  EXPECT_TRUE(sd.last_packet().empty());
  sd.feed(s.all.data(), s.all.size());
  packet p;
  std::error_code ec;
  for (const bytes_t& expected : s.packets) {
    ASSERT_TRUE(sd.next(p, ec));
    const std::string_view last = sd.last_packet();
    EXPECT_EQ(to_hex(bytes_t(last.begin(), last.end())), to_hex(expected));
  }
  EXPECT_FALSE(sd.next(p, ec));
  EXPECT_TRUE(ok(ec));
}

TEST(stream_decoder, last_packet_is_empty_after_feed_and_after_reset) {
  const bytes_t ping = encoded(pingresp{});
  stream_decoder sd(v5);
  packet p;
  std::error_code ec;
  sd.feed(ping.data(), ping.size());
  ASSERT_TRUE(sd.next(p, ec));
  EXPECT_EQ(sd.last_packet().size(), 2u);
  sd.feed(ping.data(), 1);  // half a packet: nothing returned since this feed
  EXPECT_TRUE(sd.last_packet().empty());
  EXPECT_FALSE(sd.next(p, ec));
  EXPECT_TRUE(sd.last_packet().empty());
  sd.feed(ping.data() + 1, 1);
  ASSERT_TRUE(sd.next(p, ec));
  EXPECT_EQ(sd.last_packet().size(), 2u);
  sd.reset();
  EXPECT_TRUE(sd.last_packet().empty());
}

TEST(stream_decoder, many_packets_in_one_feed) {
  const sample_stream s;
  EXPECT_EQ(decode_in_pieces(s.all, {}), s.expected());
}

TEST(stream_decoder, one_byte_at_a_time) {
  const sample_stream s;
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < s.all.size(); ++i) cuts.push_back(i);
  EXPECT_EQ(decode_in_pieces(s.all, cuts), s.expected());
}

TEST(stream_decoder, split_at_every_offset_gives_the_same_packets) {
  const sample_stream s;
  for (std::size_t i = 0; i <= s.all.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(decode_in_pieces(s.all, {i}), s.expected());
  }
}

TEST(stream_decoder, fixed_size_chunks_give_the_same_packets) {
  const sample_stream s;
  for (std::size_t chunk = 2; chunk <= 40; ++chunk) {
    SCOPED_TRACE(chunk);
    std::vector<std::size_t> cuts;
    for (std::size_t i = chunk; i < s.all.size(); i += chunk) cuts.push_back(i);
    EXPECT_EQ(decode_in_pieces(s.all, cuts), s.expected());
  }
}

TEST(stream_decoder, nothing_fed_means_nothing_to_return) {
  stream_decoder sd;
  packet p;
  std::error_code ec;
  EXPECT_FALSE(sd.next(p, ec));
  EXPECT_FALSE(ec);
  sd.feed(nullptr, 0);
  EXPECT_FALSE(sd.next(p, ec));
  EXPECT_FALSE(ec);
  EXPECT_EQ(sd.buffered(), 0u);
}

TEST(stream_decoder, packet_too_large_is_detected_from_the_fixed_header_alone) {
  stream_decoder sd(v5, 16);
  const bytes_t head = hex("30 ff 01");  // Remaining Length 255: 258 bytes in all
  packet p;
  std::error_code ec;
  sd.feed(head.data(), 2);
  EXPECT_FALSE(sd.next(p, ec));
  EXPECT_FALSE(ec) << "the length is not known yet";
  sd.feed(head.data() + 2, 1);
  EXPECT_FALSE(sd.next(p, ec));
  EXPECT_TRUE(is_error(ec, errc::packet_too_large));
}

TEST(stream_decoder, maximum_packet_size_counts_the_whole_packet) {
  const bytes_t pub = hex("30 07 0003 612f62 6869");  // 9 bytes with its fixed header
  packet p;
  std::error_code ec;
  stream_decoder fits(v311, 9);
  fits.feed(pub.data(), pub.size());
  EXPECT_TRUE(fits.next(p, ec));
  EXPECT_TRUE(ok(ec));

  stream_decoder too_big(v311, 8);
  too_big.feed(pub.data(), 2);
  EXPECT_FALSE(too_big.next(p, ec));
  EXPECT_TRUE(is_error(ec, errc::packet_too_large));
}

TEST(stream_decoder, maximum_packet_size_can_be_changed) {
  stream_decoder sd(v311);
  EXPECT_EQ(sd.maximum_packet_size(), max_packet_size);
  sd.set_maximum_packet_size(2);
  EXPECT_EQ(sd.maximum_packet_size(), 2u);
  const bytes_t two = hex("c0 00 d0 01 00");  // PINGREQ fits, the 3-byte packet does not
  sd.feed(two.data(), two.size());
  packet p;
  std::error_code ec;
  EXPECT_TRUE(sd.next(p, ec));
  EXPECT_FALSE(sd.next(p, ec));
  EXPECT_TRUE(is_error(ec, errc::packet_too_large));
}

TEST(stream_decoder, failure_is_sticky_until_reset) {
  stream_decoder sd(v311);
  const bytes_t bad = hex("c0 01 00");  // PINGREQ with a body
  const bytes_t good = hex("d0 00");
  packet p;
  std::error_code ec;
  sd.feed(bad.data(), bad.size());
  EXPECT_FALSE(sd.next(p, ec));
  EXPECT_TRUE(is_error(ec, errc::trailing_bytes));
  sd.feed(good.data(), good.size());
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(sd.next(p, ec));
    EXPECT_TRUE(is_error(ec, errc::trailing_bytes));
  }
  sd.reset();
  EXPECT_EQ(sd.buffered(), 0u);
  sd.feed(good.data(), good.size());
  EXPECT_TRUE(sd.next(p, ec));
  EXPECT_TRUE(ok(ec));
  EXPECT_TRUE(std::holds_alternative<pingresp>(p));
}

TEST(stream_decoder, failure_stays_when_its_cause_is_lifted) {
  // The stream is already broken: raising the limit or changing the version afterwards must
  // not let the decoder resynchronise on the same bytes.
  const bytes_t pub = hex("30 07 0003 612f62 6869");
  packet p;
  std::error_code ec;
  stream_decoder limited(v311, 8);
  limited.feed(pub.data(), pub.size());
  EXPECT_FALSE(limited.next(p, ec));
  EXPECT_TRUE(is_error(ec, errc::packet_too_large));
  limited.set_maximum_packet_size(100);
  EXPECT_FALSE(limited.next(p, ec));
  EXPECT_TRUE(is_error(ec, errc::packet_too_large));

  const bytes_t auth_bytes = hex("f0 00");
  stream_decoder old(v311);
  old.feed(auth_bytes.data(), auth_bytes.size());
  EXPECT_FALSE(old.next(p, ec));
  EXPECT_TRUE(is_error(ec, errc::invalid_packet_type));
  old.set_protocol_version(v5);
  EXPECT_FALSE(old.next(p, ec));
  EXPECT_TRUE(is_error(ec, errc::invalid_packet_type));
  old.reset();
  old.feed(auth_bytes.data(), auth_bytes.size());
  EXPECT_TRUE(old.next(p, ec));
}

TEST(stream_decoder, reset_drops_a_partial_packet) {
  stream_decoder sd(v311);
  const bytes_t pub = hex("30 07 0003 612f62 6869");
  const bytes_t ping = hex("c0 00");
  sd.feed(pub.data(), 4);
  sd.reset();
  sd.feed(ping.data(), ping.size());
  packet p;
  std::error_code ec;
  ASSERT_TRUE(sd.next(p, ec));
  EXPECT_TRUE(std::holds_alternative<pingreq>(p));
}

TEST(stream_decoder, views_stay_valid_until_the_next_feed) {
  stream_decoder sd(v311);
  const bytes_t two = hex("30 07 0003 612f62 6869  30 07 0004 632f642f 7a");  // a/b hi, c/d/ z
  sd.feed(two.data(), two.size());
  packet first, second;
  std::error_code ec;
  ASSERT_TRUE(sd.next(first, ec));
  ASSERT_TRUE(sd.next(second, ec));
  // Decoding the second packet must not disturb the first one's views.
  ASSERT_TRUE(std::holds_alternative<publish>(first));
  ASSERT_TRUE(std::holds_alternative<publish>(second));
  EXPECT_EQ(std::get_if<publish>(&first)->topic, "a/b");
  EXPECT_EQ(std::get_if<publish>(&first)->payload, "hi");
  EXPECT_EQ(std::get_if<publish>(&second)->topic, "c/d/");
  EXPECT_EQ(std::get_if<publish>(&second)->payload, "z");
}

TEST(stream_decoder, buffered_counts_bytes_not_yet_returned) {
  stream_decoder sd(v311);
  const bytes_t bytes = hex("30 07 0003 612f62 6869  c0 00  30 07");
  packet p;
  std::error_code ec;
  sd.feed(bytes.data(), 4);
  EXPECT_EQ(sd.buffered(), 4u);
  EXPECT_FALSE(sd.next(p, ec));
  EXPECT_FALSE(ec);
  EXPECT_EQ(sd.buffered(), 4u);
  sd.feed(bytes.data() + 4, bytes.size() - 4);
  EXPECT_EQ(sd.buffered(), 13u);
  EXPECT_TRUE(sd.next(p, ec));
  EXPECT_EQ(sd.buffered(), 4u);
  EXPECT_TRUE(sd.next(p, ec));
  EXPECT_EQ(sd.buffered(), 2u);
  EXPECT_FALSE(sd.next(p, ec));
  EXPECT_FALSE(ec);
  EXPECT_EQ(sd.buffered(), 2u);
}

TEST(stream_decoder, connect_switches_the_decoder_to_its_version) {
  struct step {
    protocol_version start;
    const char* connect;
    protocol_version after;
  };
  const step steps[] = {
      {v5, "10 0c 0004 4d515454 04 02 003c 0000", v311},
      {v311, "10 0d 0004 4d515454 05 02 003c 00 0000", v5},
      {v5, "10 0e 0006 4d5149736470 03 02 003c 0000", v31},
  };
  for (const step& s : steps) {
    stream_decoder sd(s.start);
    EXPECT_EQ(sd.version(), s.start);
    const bytes_t bytes = hex(s.connect);
    sd.feed(bytes.data(), bytes.size());
    packet p;
    std::error_code ec;
    ASSERT_TRUE(sd.next(p, ec)) << ec.message();
    EXPECT_EQ(sd.version(), s.after);
  }
}

TEST(stream_decoder, packets_after_connect_are_read_with_its_version) {
  // A 3-byte PUBACK is valid in MQTT 5 only; AUTH exists in MQTT 5 only.
  const bytes_t v311_then_puback = hex("10 0c 0004 4d515454 04 02 003c 0000  40 03 0001 10");
  stream_decoder sd(v5);
  sd.feed(v311_then_puback.data(), v311_then_puback.size());
  packet p;
  std::error_code ec;
  ASSERT_TRUE(sd.next(p, ec));
  EXPECT_FALSE(sd.next(p, ec));
  EXPECT_TRUE(is_error(ec, errc::trailing_bytes));

  const bytes_t v5_then_auth = hex("10 0d 0004 4d515454 05 02 003c 00 0000  f0 00");
  stream_decoder sd5(v311);
  sd5.feed(v5_then_auth.data(), v5_then_auth.size());
  ASSERT_TRUE(sd5.next(p, ec));
  ASSERT_TRUE(sd5.next(p, ec)) << ec.message();
  EXPECT_TRUE(std::holds_alternative<auth>(p));
}

TEST(stream_decoder, set_protocol_version_applies_to_the_next_packet) {
  const bytes_t auth_bytes = hex("f0 00");
  stream_decoder sd(v311);
  sd.set_protocol_version(v5);
  EXPECT_EQ(sd.version(), v5);
  sd.feed(auth_bytes.data(), auth_bytes.size());
  packet p;
  std::error_code ec;
  EXPECT_TRUE(sd.next(p, ec));
}

TEST(fixed_header, parse_reports_type_flags_length_and_size) {
  struct header_case {
    const char* bytes;
    bool complete;
    packet_type type;
    std::uint8_t flags;
    std::uint32_t remaining_length;
    std::uint8_t size;
  };
  const header_case cases[] = {
      {"", false, {}, 0, 0, 0},
      {"30", false, {}, 0, 0, 0},
      {"30 80", false, {}, 0, 0, 0},
      {"30 ff ff ff", false, {}, 0, 0, 0},
      {"c0 00", true, packet_type::pingreq, 0, 0, 2},
      {"3b 05 0001", true, packet_type::publish, 0x0b, 5, 2},  // only the header is needed
      {"62 80 01", true, packet_type::pubrel, 2, 128, 3},
      {"30 ff ff ff 7f", true, packet_type::publish, 0, max_remaining_length, 5},
  };
  for (const header_case& c : cases) {
    SCOPED_TRACE(c.bytes);
    const bytes_t bytes = hex(c.bytes);
    fixed_header h;
    bool complete = true;
    EXPECT_TRUE(ok(parse_fixed_header(view(bytes), h, complete)));
    EXPECT_EQ(complete, c.complete);
    if (!c.complete) continue;
    EXPECT_EQ(h.type, c.type);
    EXPECT_EQ(h.flags, c.flags);
    EXPECT_EQ(h.remaining_length, c.remaining_length);
    EXPECT_EQ(h.size, c.size);
    EXPECT_EQ(h.packet_size(), c.size + std::size_t{c.remaining_length});
  }
}

TEST(fixed_header, parse_refuses_type_0_and_overlong_lengths) {
  fixed_header h;
  bool complete = true;
  const bytes_t zero = hex("00");
  EXPECT_TRUE(is_error(parse_fixed_header(view(zero), h, complete), errc::invalid_packet_type));
  const bytes_t five = hex("30 ff ff ff ff");
  EXPECT_TRUE(
      is_error(parse_fixed_header(view(five), h, complete), errc::malformed_remaining_length));
  const bytes_t padded = hex("30 80 00");
  EXPECT_TRUE(
      is_error(parse_fixed_header(view(padded), h, complete), errc::malformed_remaining_length));
}

TEST(stream_decoder, invalid_first_byte_fails_before_the_length_arrives) {
  stream_decoder sd(v5);
  const std::uint8_t zero = 0x00;
  sd.feed(&zero, 1);
  packet p;
  std::error_code ec;
  EXPECT_FALSE(sd.next(p, ec));
  EXPECT_TRUE(is_error(ec, errc::invalid_packet_type));
}

}  // namespace
}  // namespace mqttws::test
