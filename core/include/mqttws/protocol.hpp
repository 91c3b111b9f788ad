// mqttws — protocol-level vocabulary shared by the codec and the session.
#pragma once

#include <cstdint>
#include <string_view>

namespace mqttws {

/// The protocol level carried in CONNECT. 3.1 ("MQIsdp") is decoded for interoperability;
/// it behaves as 3.1.1 everywhere except in the CONNECT protocol name.
enum class protocol_version : std::uint8_t { v31 = 3, v311 = 4, v5 = 5 };

/// Quality of service of a PUBLISH or the maximum QoS of a subscription.
enum class qos : std::uint8_t { at_most_once = 0, at_least_once = 1, exactly_once = 2 };

/// The control packet types; the value is the type field of the fixed header.
enum class packet_type : std::uint8_t {
  connect = 1,
  connack = 2,
  publish = 3,
  puback = 4,
  pubrec = 5,
  pubrel = 6,
  pubcomp = 7,
  subscribe = 8,
  suback = 9,
  unsubscribe = 10,
  unsuback = 11,
  pingreq = 12,
  pingresp = 13,
  disconnect = 14,
  auth = 15,
};

/// Upper-case name of a packet type ("PUBLISH"), or "RESERVED" for an unknown value.
std::string_view to_string(packet_type t) noexcept;

/// Largest Remaining Length a fixed header can carry (four-byte Variable Byte Integer).
inline constexpr std::uint32_t max_remaining_length = 268'435'455;

/// Largest whole packet: one type byte, four length bytes and the maximum remaining length.
inline constexpr std::uint32_t max_packet_size = 1 + 4 + max_remaining_length;

}  // namespace mqttws
