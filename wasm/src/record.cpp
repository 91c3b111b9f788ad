#include "record.hpp"

#include <cstring>

#include "mqttws/codec.hpp"  // decode_properties: the npm package sends properties in wire form
#include "mqttws/error.hpp"
#include "mqttws/owned.hpp"

namespace mqttws::wasm {
namespace {

const char* errc_name(errc e) {
  // No default: a new errc must be named here (-Wswitch).
  switch (e) {
    case errc::malformed_remaining_length: return "malformed_remaining_length";
    case errc::packet_too_large: return "packet_too_large";
    case errc::invalid_packet_type: return "invalid_packet_type";
    case errc::invalid_fixed_header_flags: return "invalid_fixed_header_flags";
    case errc::truncated_packet: return "truncated_packet";
    case errc::trailing_bytes: return "trailing_bytes";
    case errc::invalid_utf8: return "invalid_utf8";
    case errc::null_character: return "null_character";
    case errc::string_too_long: return "string_too_long";
    case errc::invalid_qos: return "invalid_qos";
    case errc::packet_id_zero: return "packet_id_zero";
    case errc::invalid_protocol_name: return "invalid_protocol_name";
    case errc::unsupported_protocol_version: return "unsupported_protocol_version";
    case errc::invalid_connect_flags: return "invalid_connect_flags";
    case errc::invalid_connack_flags: return "invalid_connack_flags";
    case errc::invalid_reason_code: return "invalid_reason_code";
    case errc::invalid_subscribe_options: return "invalid_subscribe_options";
    case errc::empty_subscription_list: return "empty_subscription_list";
    case errc::invalid_topic_name: return "invalid_topic_name";
    case errc::invalid_topic_filter: return "invalid_topic_filter";
    case errc::malformed_variable_byte_integer: return "malformed_variable_byte_integer";
    case errc::value_out_of_range: return "value_out_of_range";
    case errc::unknown_property: return "unknown_property";
    case errc::duplicate_property: return "duplicate_property";
    case errc::property_not_allowed: return "property_not_allowed";
    case errc::invalid_property_value: return "invalid_property_value";
    case errc::properties_require_v5: return "properties_require_v5";
    case errc::invalid_options: return "invalid_options";
    case errc::invalid_state: return "invalid_state";
    case errc::connect_timeout: return "connect_timeout";
    case errc::keep_alive_timeout: return "keep_alive_timeout";
    case errc::connection_refused: return "connection_refused";
    case errc::server_disconnected: return "server_disconnected";
    case errc::transport_closed: return "transport_closed";
    case errc::protocol_violation: return "protocol_violation";
    case errc::receive_maximum_exceeded: return "receive_maximum_exceeded";
    case errc::topic_alias_invalid: return "topic_alias_invalid";
    case errc::qos_not_supported: return "qos_not_supported";
    case errc::retain_not_supported: return "retain_not_supported";
    case errc::queue_full: return "queue_full";
    case errc::dropped_from_queue: return "dropped_from_queue";
    case errc::message_expired: return "message_expired";
    case errc::session_closed: return "session_closed";
    case errc::request_timeout: return "request_timeout";
    case errc::operation_failed: return "operation_failed";
  }
  return "unknown_error";
}

class socket_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mqttws.socket"; }
  std::string message(int ev) const override {
    switch (static_cast<socket_errc>(ev)) {
      case socket_errc::connection_refused: return "Connection refused";
      case socket_errc::connection_reset: return "Connection reset by peer";
      case socket_errc::invalid_argument: return "Invalid argument";
    }
    return "Transport error";
  }
};

}  // namespace

std::error_code make_error_code(socket_errc e) {
  static const socket_category_impl category;
  return {static_cast<int>(e), category};
}

void record_writer::num(double v) {
  std::uint8_t b[8];
  std::memcpy(b, &v, 8);  // wasm is little-endian
  bytes_.insert(bytes_.end(), b, b + 8);
}

void record_writer::str(std::string_view s) {
  const auto n = static_cast<std::uint32_t>(s.size());
  for (int i = 0; i < 4; ++i) u8((n >> (8 * i)) & 0xff);
  bytes_.insert(bytes_.end(), s.begin(), s.end());
}

void record_writer::props(const properties& p, property_context ctx) {
  owned_properties o;
  // Properties the core handed out were valid in their context, so this cannot fail.
  (void)owned_properties::make(p, ctx, o);
  const std::vector<std::uint8_t>& b = o.bytes();
  str(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}

void record_writer::error(std::error_code ec) {
  u8(ec ? 1 : 0);
  if (!ec) return;
  if (ec.category() == category()) {
    str(errc_name(static_cast<errc>(ec.value())));
    str(ec.message());
    return;
  }
  // Transport errors (browser socket): the POSIX name and musl's strerror() text.
  static const char* const names[] = {"transport_error", "ECONNREFUSED", "ECONNRESET", "EINVAL"};
  const int v = ec.value();
  str(names[v >= 1 && v <= 3 ? v : 0]);
  str(ec.message());
}

unsigned record_reader::u8() { return p_ < end_ ? *p_++ : 0; }

double record_reader::num() {
  double v = 0;
  if (end_ - p_ >= 8) {
    std::memcpy(&v, p_, 8);
    p_ += 8;
  }
  return v;
}

std::string_view record_reader::str() {
  std::uint32_t n = 0;
  for (int i = 0; i < 4; ++i) n |= std::uint32_t{u8()} << (8 * i);
  if (static_cast<std::size_t>(end_ - p_) < n) n = static_cast<std::uint32_t>(end_ - p_);
  std::string_view s(reinterpret_cast<const char*>(p_), n);
  p_ += n;
  return s;
}

std::error_code record_reader::props(property_context ctx, properties& out) {
  return decode_properties(str(), ctx, out);
}

}  // namespace mqttws::wasm
