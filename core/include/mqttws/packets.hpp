// mqttws — the fifteen MQTT control packets, one struct each, for 3.1.1 and 5.0.
//
// A struct describes a packet independently of the protocol version; the version is given to
// encode()/decode(). Fields that only exist in MQTT 5 (properties, most reason codes) must be
// left at their defaults when encoding for 3.1.1, or encoding fails with
// errc::properties_require_v5.
//
// Lifetimes: strings, payloads and lists are views. A decoded packet points into the bytes it
// was decoded from; a packet built for encoding points into the caller's storage.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

#include "mqttws/properties.hpp"
#include "mqttws/protocol.hpp"
#include "mqttws/reason_code.hpp"
#include "mqttws/wire_list.hpp"

namespace mqttws {

/// The will message carried in CONNECT.
struct will_message {
  std::string_view topic;
  std::string_view payload;  ///< Binary.
  mqttws::qos qos = qos::at_most_once;
  bool retain = false;
  properties props;  ///< Will properties (MQTT 5).
};

struct connect {
  protocol_version version = protocol_version::v5;
  bool clean_start = true;  ///< Clean Session in 3.1.1.
  std::uint16_t keep_alive = 60;  ///< Seconds; 0 disables keepalive.
  std::string_view client_id;
  std::optional<will_message> will;
  std::optional<std::string_view> username;
  std::optional<std::string_view> password;  ///< Binary. 3.1.1 requires a username with it.
  properties props;
};

struct connack {
  bool session_present = false;
  /// For 3.1.1 the return codes 1..5 are mapped to MQTT 5 codes (see reason_code.hpp).
  reason_code code = reason_code::success;
  properties props;
};

struct publish {
  std::string_view topic;  ///< May be empty in MQTT 5 when props.topic_alias is set.
  std::string_view payload;  ///< Binary.
  mqttws::qos qos = qos::at_most_once;
  bool retain = false;
  bool dup = false;
  std::uint16_t packet_id = 0;  ///< Non-zero for QoS 1 and 2; not written for QoS 0.
  properties props;
};

/// PUBACK, PUBREC, PUBREL and PUBCOMP share one shape.
template <packet_type Type>
struct basic_pub_response {
  static constexpr packet_type type = Type;
  std::uint16_t packet_id = 0;
  reason_code code = reason_code::success;
  properties props;
};
using puback = basic_pub_response<packet_type::puback>;
using pubrec = basic_pub_response<packet_type::pubrec>;
using pubrel = basic_pub_response<packet_type::pubrel>;
using pubcomp = basic_pub_response<packet_type::pubcomp>;

enum class retain_handling : std::uint8_t {
  send_on_subscribe = 0,
  send_if_new_subscription = 1,
  do_not_send = 2,
};

struct subscribe_options {
  mqttws::qos max_qos = qos::at_most_once;
  bool no_local = false;              ///< MQTT 5.
  bool retain_as_published = false;   ///< MQTT 5.
  mqttws::retain_handling retain_handling = retain_handling::send_on_subscribe;  ///< MQTT 5.
};

struct subscription {
  std::string_view filter;
  subscribe_options options;
};

namespace detail {
// Element readers for lists decoded from a packet payload (defined in packet_lists.cpp).
struct subscription_traits {
  static void next(const char*& p, const char* end, subscription& out);
};
struct topic_filter_traits {
  static void next(const char*& p, const char* end, std::string_view& out);
};
struct reason_code_traits {
  static void next(const char*& p, const char* end, reason_code& out);
};
}  // namespace detail

using subscription_list = wire_list<subscription, detail::subscription_traits>;
using topic_filter_list = wire_list<std::string_view, detail::topic_filter_traits>;
using reason_code_list = wire_list<reason_code, detail::reason_code_traits>;

struct subscribe {
  std::uint16_t packet_id = 0;
  subscription_list subscriptions;  ///< At least one.
  properties props;
};

struct suback {
  std::uint16_t packet_id = 0;
  reason_code_list codes;  ///< One per requested subscription, in order.
  properties props;
};

struct unsubscribe {
  std::uint16_t packet_id = 0;
  topic_filter_list filters;  ///< At least one.
  properties props;
};

struct unsuback {
  std::uint16_t packet_id = 0;
  reason_code_list codes;  ///< MQTT 5 only: one per filter. Empty in 3.1.1.
  properties props;
};

struct pingreq {};
struct pingresp {};

struct disconnect {
  reason_code code = reason_code::normal_disconnection;
  properties props;
};

/// MQTT 5 only.
struct auth {
  reason_code code = reason_code::success;
  properties props;
};

/// Any control packet. `index() + 1` is its packet_type value.
using packet = std::variant<connect, connack, publish, puback, pubrec, pubrel, pubcomp, subscribe,
                            suback, unsubscribe, unsuback, pingreq, pingresp, disconnect, auth>;

inline packet_type type_of(const packet& p) noexcept {
  return static_cast<packet_type>(p.index() + 1);
}

}  // namespace mqttws
