// mqttws — owning copies of packets and properties.
//
// Packets and properties are views. When the session must keep one beyond the call that gave
// it (a message queued for sending, a received message handed to the user, the will and the
// CONNECT properties from the options) it keeps the *encoded* form and decodes views into its
// own bytes: one ownership mechanism (detail::owned_encoding: bytes and view in one heap entry,
// moved as a pointer), and the stored form is exactly what goes on the wire.
#pragma once

#include <cstdint>
#include <system_error>
#include <vector>

#include "mqttws/codec.hpp"
#include "mqttws/owned_encoding.hpp"
#include "mqttws/packets.hpp"

namespace mqttws {

/// An owned PUBLISH packet.
class owned_publish {
 public:
  owned_publish() = default;
  owned_publish(const owned_publish& other) = default;
  owned_publish& operator=(const owned_publish& other) = default;
  owned_publish(owned_publish&& other) noexcept = default;
  owned_publish& operator=(owned_publish&& other) noexcept = default;

  /// Copies `p` (encoded for version `v`). Same errors as encode() (so QoS 1 and 2 need a
  /// non-zero packet_id: give a placeholder and set_packet_id() later). On error `out` is
  /// left unchanged.
  static std::error_code make(const publish& p, protocol_version v, owned_publish& out);
  /// Takes the bytes of a whole PUBLISH packet already encoded for version `v`.
  /// Errors: invalid_packet_type when the bytes hold another packet type; otherwise those of
  /// decode(). On error `out` is left unchanged.
  static std::error_code adopt(std::vector<std::uint8_t> bytes, protocol_version v,
                               owned_publish& out);
  /// Copies `encoded`, a whole PUBLISH as received for version `v`, leaving out each
  /// Subscription Identifier whose value is among the `n` at `drop` and changing nothing else
  /// (Remaining Length and Property Length follow; with n == 0 the bytes are taken as they
  /// are). Errors: properties_require_v5 (identifiers to drop on MQTT 3.1.1); truncated_packet,
  /// trailing_bytes and invalid_packet_type for bytes that are not one whole PUBLISH;
  /// otherwise those of decode(). On error `out` is left unchanged.
  static std::error_code adopt_received(std::string_view encoded, protocol_version v,
                                        const std::uint32_t* drop, std::size_t n,
                                        owned_publish& out);

  /// The packet; its views point into this object and live as long as it does unchanged.
  const publish& view() const { return encoding_.view(); }
  /// Its encoding (DUP and packet identifier as last set).
  const std::vector<std::uint8_t>& bytes() const { return encoding_.bytes(); }
  protocol_version version() const { return encoding_.context(); }
  bool empty() const { return encoding_.empty(); }

  /// Rewrite the packet identifier and the DUP flag in place, in bytes() and view() alike.
  /// Both do nothing for QoS 0 (which has neither) and on an empty object; set_packet_id()
  /// ignores 0, which no QoS 1 or 2 packet may carry.
  void set_packet_id(std::uint16_t id);
  void set_dup(bool dup);

 private:
  detail::owned_encoding<publish, protocol_version, &decode_publish> encoding_{
      protocol_version::v5};
};

/// Owned MQTT 5 properties for one context (CONNECT, will, DISCONNECT, ...).
class owned_properties {
 public:
  owned_properties() = default;
  owned_properties(const owned_properties& other) = default;
  owned_properties& operator=(const owned_properties& other) = default;
  owned_properties(owned_properties&& other) noexcept = default;
  owned_properties& operator=(owned_properties&& other) noexcept = default;

  /// Copies `p`, checking it is valid in `ctx`. Same errors as encoding them. On error `out`
  /// is left unchanged.
  static std::error_code make(const properties& p, property_context ctx, owned_properties& out);

  /// The properties; their views point into this object and live as long as it does unchanged.
  const properties& view() const { return encoding_.view(); }
  /// Property Length and the properties, as a packet carries them (empty when
  /// default-constructed).
  const std::vector<std::uint8_t>& bytes() const { return encoding_.bytes(); }

 private:
  // Property Length and the properties, as on the wire.
  detail::owned_encoding<properties, property_context, &decode_properties> encoding_{
      property_context::connect};
};

}  // namespace mqttws
