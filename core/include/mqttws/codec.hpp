// mqttws — encoding and decoding of single MQTT control packets.
//
// Free functions, no I/O, no exceptions, no allocation except growth of the caller's output
// vector. Every check the spec makes of a well-formed packet is made on both paths: encode()
// refuses to produce a packet that decode() would reject, and decode() never reads outside
// the bytes it is given.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <system_error>
#include <vector>

#include "mqttws/packets.hpp"

namespace mqttws {

/// Appends the encoding of `p` for protocol `v` to `out`. On error `out` is left unchanged.
/// Errors: string_too_long, value_out_of_range, packet_id_zero, invalid_qos, invalid_topic_name,
/// invalid_topic_filter, invalid_utf8, null_character, empty_subscription_list,
/// invalid_subscribe_options, invalid_reason_code, property_not_allowed,
/// invalid_property_value, properties_require_v5, invalid_connect_flags.
/// For CONNECT the version written is `p.version`; `v` must equal it.
std::error_code encode(const packet& p, protocol_version v, std::vector<std::uint8_t>& out);

// Typed overloads: the same as above without first building a `packet`.
std::error_code encode(const connect& p, protocol_version v, std::vector<std::uint8_t>& out);
std::error_code encode(const connack& p, protocol_version v, std::vector<std::uint8_t>& out);
std::error_code encode(const publish& p, protocol_version v, std::vector<std::uint8_t>& out);
std::error_code encode(const puback& p, protocol_version v, std::vector<std::uint8_t>& out);
std::error_code encode(const pubrec& p, protocol_version v, std::vector<std::uint8_t>& out);
std::error_code encode(const pubrel& p, protocol_version v, std::vector<std::uint8_t>& out);
std::error_code encode(const pubcomp& p, protocol_version v, std::vector<std::uint8_t>& out);
std::error_code encode(const subscribe& p, protocol_version v, std::vector<std::uint8_t>& out);
std::error_code encode(const suback& p, protocol_version v, std::vector<std::uint8_t>& out);
std::error_code encode(const unsubscribe& p, protocol_version v, std::vector<std::uint8_t>& out);
std::error_code encode(const unsuback& p, protocol_version v, std::vector<std::uint8_t>& out);
std::error_code encode(const pingreq& p, protocol_version v, std::vector<std::uint8_t>& out);
std::error_code encode(const pingresp& p, protocol_version v, std::vector<std::uint8_t>& out);
std::error_code encode(const disconnect& p, protocol_version v, std::vector<std::uint8_t>& out);
std::error_code encode(const auth& p, protocol_version v, std::vector<std::uint8_t>& out);

/// Sets `size` to the number of bytes encode() would append (fixed header included).
/// Same errors as encode().
std::error_code encoded_size(const packet& p, protocol_version v, std::size_t& size);

// Typed overloads: the same without first building a `packet` (and, for a program that sends
// only some packet types, without the code that sizes the others).
std::error_code encoded_size(const connect& p, protocol_version v, std::size_t& size);
std::error_code encoded_size(const connack& p, protocol_version v, std::size_t& size);
std::error_code encoded_size(const publish& p, protocol_version v, std::size_t& size);
std::error_code encoded_size(const puback& p, protocol_version v, std::size_t& size);
std::error_code encoded_size(const pubrec& p, protocol_version v, std::size_t& size);
std::error_code encoded_size(const pubrel& p, protocol_version v, std::size_t& size);
std::error_code encoded_size(const pubcomp& p, protocol_version v, std::size_t& size);
std::error_code encoded_size(const subscribe& p, protocol_version v, std::size_t& size);
std::error_code encoded_size(const suback& p, protocol_version v, std::size_t& size);
std::error_code encoded_size(const unsubscribe& p, protocol_version v, std::size_t& size);
std::error_code encoded_size(const unsuback& p, protocol_version v, std::size_t& size);
std::error_code encoded_size(const pingreq& p, protocol_version v, std::size_t& size);
std::error_code encoded_size(const pingresp& p, protocol_version v, std::size_t& size);
std::error_code encoded_size(const disconnect& p, protocol_version v, std::size_t& size);
std::error_code encoded_size(const auth& p, protocol_version v, std::size_t& size);

/// The fixed header at the start of a packet.
struct fixed_header {
  packet_type type = packet_type::connect;
  std::uint8_t flags = 0;              ///< Low four bits of the first byte.
  std::uint32_t remaining_length = 0;
  std::uint8_t size = 0;               ///< Bytes taken by the fixed header (2..5).
  std::size_t packet_size() const { return size + static_cast<std::size_t>(remaining_length); }
};

/// Reads the fixed header at the start of `bytes`.
/// Returns success with `complete == false` when more bytes are needed to know the length.
/// Errors: invalid_packet_type (type 0), malformed_remaining_length. The flags are checked by
/// decode(), which knows the protocol version.
std::error_code parse_fixed_header(std::string_view bytes, fixed_header& out, bool& complete);

/// Decodes exactly one whole packet (fixed header included); `bytes` must hold nothing else.
/// The decoded packet's views point into `bytes`. A CONNECT is decoded with the version it
/// names, whatever `v` is. On error `out` is unspecified.
/// Errors: everything named in errc under framing, fields and properties.
std::error_code decode(std::string_view bytes, protocol_version v, packet& out);

/// decode() for a PUBLISH alone, straight into `out` (no packet variant on the way).
/// Errors: those of decode(); invalid_packet_type for any other packet type.
std::error_code decode_publish(std::string_view bytes, protocol_version v, publish& out);

/// Decodes a property block exactly as a packet of context `ctx` carries it (Property Length,
/// then the properties) from the whole of `bytes`, with the checks decode() makes (allowed in
/// `ctx`, no duplicates, valid values and UTF-8). Empty `bytes` is an empty block. The views in
/// `out` point into `bytes`. Errors: those of decode() for properties, trailing_bytes.
std::error_code decode_properties(std::string_view bytes, property_context ctx,
                                  properties& out);

inline std::string_view as_chars(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace mqttws
