// Internal: encoding and decoding of a property block (Property Length + properties).
#pragma once

#include <cstddef>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

#include "mqttws/properties.hpp"
#include "property_table.hpp"
#include "wire.hpp"

namespace mqttws::detail {

/// Checks that every property set in `p` is allowed in `ctx` and has a value the spec allows,
/// and sets `content_size` to what write_property_content() will write (validation and sizing
/// share one pass because encoding needs both).
/// Errors: property_not_allowed, invalid_property_value, duplicate_property (more than one
/// subscription identifier outside PUBLISH), string_too_long, invalid_utf8, null_character,
/// invalid_topic_name (Response Topic).
std::error_code validate_properties(const properties& p, property_context ctx,
                                    std::size_t& content_size);

/// Checks of single values, shared by the encoder and the decoder.
std::error_code check_integer_property(property_id id, std::uint32_t v);
std::error_code check_string_property(property_id id, property_type type, std::string_view v);

/// Writes the properties of `p` (without the Property Length) in identifier order.
template <class W>
void write_property_content(W& w, const properties& p) {
  for_each_set(
      p,
      [&](property_id id, const auto& v) {
        w.u8(static_cast<std::uint8_t>(id));
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string_view>) {
          w.binary(v);
        } else {
          switch (info(static_cast<std::uint8_t>(id)).type) {
            case property_type::u16: w.u16(static_cast<std::uint16_t>(as_integer(v))); break;
            case property_type::u32: w.u32(as_integer(v)); break;
            default: w.u8(static_cast<std::uint8_t>(as_integer(v))); break;
          }
        }
      },
      [&](property_id id) {
        if (id == property_id::user_property) {
          for (const user_property& up : p.user_properties) {
            w.u8(static_cast<std::uint8_t>(id));
            w.binary(up.name);
            w.binary(up.value);
          }
        } else {
          for (std::uint32_t sid : p.subscription_identifiers) {
            w.u8(static_cast<std::uint8_t>(id));
            w.varint(sid);
          }
        }
      });
}

/// Writes Property Length and the properties; `content_size` from validate_properties().
template <class W>
void write_properties(W& w, const properties& p, std::size_t content_size) {
  w.varint(static_cast<std::uint32_t>(content_size));
  write_property_content(w, p);
}

/// Reads Property Length and the properties into `out` (which must be default-constructed).
/// Errors: truncated_packet, malformed_variable_byte_integer, unknown_property,
/// property_not_allowed, duplicate_property, invalid_property_value, invalid_utf8,
/// null_character, invalid_topic_name.
std::error_code read_properties(reader& r, property_context ctx, properties& out);

/// Appends the properties of `block` (a property block the decoder validated, without its
/// Property Length) to `out` as they are, leaving out each Subscription Identifier whose value
/// is among the `n` at `drop`.
void append_properties_without_ids(std::string_view block, const std::uint32_t* drop,
                                   std::size_t n, std::vector<std::uint8_t>& out);

}  // namespace mqttws::detail
