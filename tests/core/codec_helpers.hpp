// Assertions shared by the codec tests: encode to exact bytes, decode exact bytes, round trips,
// precise error codes, and element-by-element list comparison.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>
#include <vector>

#include "mqttws/codec.hpp"
#include "mqttws/error.hpp"
#include "mqttws/packets.hpp"
#include "test_util.hpp"

// Readable gtest output for the value types the tests compare (found by ADL).
namespace mqttws {

inline bool operator==(const user_property& a, const user_property& b) {
  return a.name == b.name && a.value == b.value;
}
inline bool operator==(const subscribe_options& a, const subscribe_options& b) {
  return a.max_qos == b.max_qos && a.no_local == b.no_local &&
         a.retain_as_published == b.retain_as_published && a.retain_handling == b.retain_handling;
}
inline bool operator==(const subscription& a, const subscription& b) {
  return a.filter == b.filter && a.options == b.options;
}

inline void PrintTo(errc e, std::ostream* os) { *os << make_error_code(e).message(); }
inline void PrintTo(reason_code c, std::ostream* os) {
  *os << "0x" << std::hex << static_cast<int>(c) << std::dec << " (" << to_string(c) << ")";
}
inline void PrintTo(qos q, std::ostream* os) { *os << "QoS " << static_cast<int>(q); }
inline void PrintTo(protocol_version v, std::ostream* os) { *os << "level " << static_cast<int>(v); }
inline void PrintTo(const user_property& p, std::ostream* os) {
  *os << "{" << p.name << "=" << p.value << "}";
}
inline void PrintTo(const subscription& s, std::ostream* os) {
  *os << "{" << s.filter << " qos=" << static_cast<int>(s.options.max_qos)
      << " nl=" << s.options.no_local << " rap=" << s.options.retain_as_published
      << " rh=" << static_cast<int>(s.options.retain_handling) << "}";
}

}  // namespace mqttws

namespace mqttws::test {

inline constexpr protocol_version v31 = protocol_version::v31;
inline constexpr protocol_version v311 = protocol_version::v311;
inline constexpr protocol_version v5 = protocol_version::v5;

/// One byte as two hex digits, for building hex strings.
inline std::string byte_hex(unsigned b) {
  static const char digits[] = "0123456789abcdef";
  return {digits[(b >> 4) & 15], digits[b & 15]};
}

/// Success when `ec` is exactly `want`; otherwise says what came instead.
inline ::testing::AssertionResult is_error(std::error_code ec, errc want) {
  if (ec == want) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "got \"" << (ec ? ec.message() : "success")
                                       << "\", want \"" << make_error_code(want).message()
                                       << "\"";
}

/// Success when `ec` is clear.
inline ::testing::AssertionResult ok(std::error_code ec) {
  if (!ec) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "unexpected error \"" << ec.message() << "\"";
}

/// The elements of a wire_list, in order.
template <class List>
std::vector<typename List::value_type> items(const List& list) {
  return {list.begin(), list.end()};
}

/// Every property of `got` equals the one of `want` (lists element by element).
inline void expect_same_properties(const properties& want, const properties& got) {
#define MQTTWS_EXPECT_SAME(field) EXPECT_EQ(want.field, got.field) << #field
  MQTTWS_EXPECT_SAME(payload_format_indicator);
  MQTTWS_EXPECT_SAME(message_expiry_interval);
  MQTTWS_EXPECT_SAME(content_type);
  MQTTWS_EXPECT_SAME(response_topic);
  MQTTWS_EXPECT_SAME(correlation_data);
  MQTTWS_EXPECT_SAME(session_expiry_interval);
  MQTTWS_EXPECT_SAME(assigned_client_identifier);
  MQTTWS_EXPECT_SAME(server_keep_alive);
  MQTTWS_EXPECT_SAME(authentication_method);
  MQTTWS_EXPECT_SAME(authentication_data);
  MQTTWS_EXPECT_SAME(request_problem_information);
  MQTTWS_EXPECT_SAME(will_delay_interval);
  MQTTWS_EXPECT_SAME(request_response_information);
  MQTTWS_EXPECT_SAME(response_information);
  MQTTWS_EXPECT_SAME(server_reference);
  MQTTWS_EXPECT_SAME(reason_string);
  MQTTWS_EXPECT_SAME(receive_maximum);
  MQTTWS_EXPECT_SAME(topic_alias_maximum);
  MQTTWS_EXPECT_SAME(topic_alias);
  MQTTWS_EXPECT_SAME(maximum_qos);
  MQTTWS_EXPECT_SAME(retain_available);
  MQTTWS_EXPECT_SAME(maximum_packet_size);
  MQTTWS_EXPECT_SAME(wildcard_subscription_available);
  MQTTWS_EXPECT_SAME(subscription_identifier_available);
  MQTTWS_EXPECT_SAME(shared_subscription_available);
#undef MQTTWS_EXPECT_SAME
  EXPECT_EQ(items(want.user_properties), items(got.user_properties)) << "user_properties";
  EXPECT_EQ(items(want.subscription_identifiers), items(got.subscription_identifiers))
      << "subscription_identifiers";
}

/// Bytes together with the packet decoded from them (whose views point into `bytes`).
/// Returned by value: moving the vector keeps its buffer, so the views stay valid.
/// Not copyable: a copy's views would still point into the original's bytes.
struct decoded {
  std::vector<std::uint8_t> bytes;
  packet pkt;
  std::error_code ec;

  decoded() = default;
  decoded(decoded&&) = default;
  decoded(const decoded&) = delete;
  decoded& operator=(const decoded&) = delete;

  /// The packet as P, or nullptr (with a test failure) when decoding failed or gave another type.
  template <class P>
  const P* as() const {
    EXPECT_TRUE(ok(ec));
    const P* p = std::get_if<P>(&pkt);
    if (!ec) {
      EXPECT_NE(p, nullptr) << "decoded a " << to_string(type_of(pkt));
    }
    return ec ? nullptr : p;
  }
};

/// Decodes `bytes` (kept in the result), or the bytes written as hex.
inline decoded decode_bytes(std::vector<std::uint8_t> bytes, protocol_version v) {
  decoded d;
  d.bytes = std::move(bytes);
  d.ec = decode(view(d.bytes), v, d.pkt);
  return d;
}
inline decoded decode_hex(std::string_view hex_bytes, protocol_version v) {
  return decode_bytes(hex(hex_bytes), v);
}

/// Encodes `p` and checks the exact bytes, and that encoded_size() agrees: the `packet`
/// overload and the one of p's own type.
template <class P>
void expect_encodes(const P& p, protocol_version v, std::string_view expected_hex) {
  std::vector<std::uint8_t> out;
  ASSERT_TRUE(ok(encode(p, v, out)));
  EXPECT_EQ(to_hex(out), to_hex(hex(expected_hex)));
  std::size_t size = 0;
  ASSERT_TRUE(ok(encoded_size(packet(p), v, size)));
  EXPECT_EQ(size, out.size());
  std::size_t typed = 0;
  ASSERT_TRUE(ok(encoded_size(p, v, typed)));
  EXPECT_EQ(typed, out.size());
}

/// Encoding `p` fails with `want`, leaves the output untouched, and both encoded_size()
/// overloads agree.
template <class P>
void expect_encode_error(const P& p, protocol_version v, errc want) {
  std::vector<std::uint8_t> out = {0xAB};
  EXPECT_TRUE(is_error(encode(p, v, out), want));
  EXPECT_EQ(out, std::vector<std::uint8_t>{0xAB}) << "output changed on error";
  std::size_t size = 0;
  EXPECT_TRUE(is_error(encoded_size(packet(p), v, size), want));
  EXPECT_TRUE(is_error(encoded_size(p, v, size), want));
}

/// Decoding the hex bytes fails with exactly `want`.
inline void expect_decode_error(std::string_view hex_bytes, protocol_version v, errc want) {
  EXPECT_TRUE(is_error(decode_hex(hex_bytes, v).ec, want)) << "bytes: " << hex_bytes;
}

/// Encodes `p`, decodes the result, and checks that encoding the decoded packet (whose lists
/// now read wire bytes) gives the same bytes again.
template <class P>
decoded round_trip(const P& p, protocol_version v) {
  std::vector<std::uint8_t> bytes;
  std::error_code ec = encode(p, v, bytes);
  EXPECT_TRUE(ok(ec));
  decoded d = decode_bytes(std::move(bytes), v);
  if (!ec && !d.ec) {
    std::vector<std::uint8_t> again;
    EXPECT_TRUE(ok(encode(d.pkt, v, again)));
    EXPECT_EQ(to_hex(again), to_hex(d.bytes)) << "re-encoding the decoded packet differs";
  } else if (!ec) {
    ADD_FAILURE() << "decode failed: " << d.ec.message() << " bytes " << to_hex(d.bytes);
  }
  return d;
}

}  // namespace mqttws::test
