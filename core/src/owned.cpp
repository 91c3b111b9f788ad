#include "mqttws/owned.hpp"

#include <utility>
#include <variant>

#include "mqttws/codec.hpp"
#include "property_codec.hpp"
#include "wire.hpp"

namespace mqttws {

// Ownership model: the bytes are the value; the view is derived from them. Every operation
// that gives an object new bytes (copy) decodes its own view again, so no view can point into
// another object's buffer. Moves instead hand the buffer itself over: std::vector's move
// constructor and its move assignment with std::allocator (propagating, hence noexcept, so no
// element-wise copy can happen) transfer the heap block, and views into it stay valid in the
// destination. The views never point into the vector object, only into its heap block.

namespace {

// Decodes a PUBLISH out of `bytes`; the view points into them.
std::error_code decode_publish(const std::vector<std::uint8_t>& bytes, protocol_version v,
                               publish& out) {
  return mqttws::decode_publish(as_chars(bytes.data(), bytes.size()), v, out);
}

std::error_code decode_properties(const std::vector<std::uint8_t>& bytes, property_context ctx,
                                  properties& out) {
  out = properties{};  // read_properties() wants a default-constructed target
  if (bytes.empty()) return {};
  detail::reader r(as_chars(bytes.data(), bytes.size()));
  MQTTWS_TRY(detail::read_properties(r, ctx, out));
  // The bytes are one property block and nothing else; anything after it means they were
  // not made by make().
  return r.empty() ? std::error_code() : std::error_code(errc::trailing_bytes);
}

}  // namespace

// -- owned_publish ---------------------------------------------------------------------------

owned_publish::owned_publish(const owned_publish& other)
    : bytes_(other.bytes_), version_(other.version_) {
  reparse();
}

owned_publish& owned_publish::operator=(const owned_publish& other) {
  if (this != &other) {
    bytes_ = other.bytes_;
    version_ = other.version_;
    reparse();
  }
  return *this;
}

owned_publish::owned_publish(owned_publish&& other) noexcept
    : bytes_(std::move(other.bytes_)), view_(other.view_), version_(other.version_) {
  other.bytes_.clear();  // empty() must be true, and view() shows empty_view(), in the source
}

owned_publish& owned_publish::operator=(owned_publish&& other) noexcept {
  if (this != &other) {
    bytes_ = std::move(other.bytes_);
    view_ = other.view_;
    version_ = other.version_;
    other.bytes_.clear();
  }
  return *this;
}

std::error_code owned_publish::make(const publish& p, protocol_version v, owned_publish& out) {
  owned_publish tmp;
  tmp.version_ = v;
  MQTTWS_TRY(encode(p, v, tmp.bytes_));
  // encode() refuses anything decode() would reject, so this cannot fail; checked anyway so
  // that a codec bug shows up as an error here rather than as an empty view later.
  MQTTWS_TRY(decode_publish(tmp.bytes_, v, tmp.view_));
  out = std::move(tmp);
  return {};
}

std::error_code owned_publish::adopt(std::vector<std::uint8_t> bytes, protocol_version v,
                                     owned_publish& out) {
  owned_publish tmp;
  tmp.version_ = v;
  tmp.bytes_ = std::move(bytes);
  MQTTWS_TRY(decode_publish(tmp.bytes_, v, tmp.view_));
  out = std::move(tmp);
  return {};
}

const publish& owned_publish::empty_view() {
  static const publish empty{};
  return empty;
}

void owned_publish::reparse() {
  // Only ever given bytes that decoded before (copies of a valid object), so failure would
  // be a bug; the object then becomes empty rather than holding a view of nothing.
  if (bytes_.empty() || decode_publish(bytes_, version_, view_)) {
    bytes_.clear();
    view_ = publish{};
  }
}

void owned_publish::set_packet_id(std::uint16_t id) {
  if (bytes_.empty() || view_.qos == qos::at_most_once || id == 0) return;
  fixed_header h;
  bool complete = false;
  if (parse_fixed_header(as_chars(bytes_.data(), bytes_.size()), h, complete) || !complete) {
    return;  // cannot happen: the bytes decoded
  }
  // Variable header: Topic Name (two-byte length + bytes), then the Packet Identifier.
  const std::size_t at = h.size + 2 + view_.topic.size();
  bytes_[at] = static_cast<std::uint8_t>(id >> 8);
  bytes_[at + 1] = static_cast<std::uint8_t>(id);
  view_.packet_id = id;
}

void owned_publish::set_dup(bool dup) {
  // DUP must be 0 for QoS 0 (MQTT-3.3.1-2); setting it would make bytes decode() rejects.
  if (bytes_.empty() || view_.qos == qos::at_most_once) return;
  constexpr std::uint8_t dup_bit = 0x08;
  bytes_[0] = static_cast<std::uint8_t>(dup ? (bytes_[0] | dup_bit) : (bytes_[0] & ~dup_bit));
  view_.dup = dup;
}

// -- owned_properties ------------------------------------------------------------------------

owned_properties::owned_properties(const owned_properties& other)
    : bytes_(other.bytes_), ctx_(other.ctx_) {
  reparse();
}

owned_properties& owned_properties::operator=(const owned_properties& other) {
  if (this != &other) {
    bytes_ = other.bytes_;
    ctx_ = other.ctx_;
    reparse();
  }
  return *this;
}

owned_properties::owned_properties(owned_properties&& other) noexcept
    : bytes_(std::move(other.bytes_)), ctx_(other.ctx_), view_(other.view_) {
  other.bytes_.clear();
}

owned_properties& owned_properties::operator=(owned_properties&& other) noexcept {
  if (this != &other) {
    bytes_ = std::move(other.bytes_);
    ctx_ = other.ctx_;
    view_ = other.view_;
    other.bytes_.clear();
  }
  return *this;
}

std::error_code owned_properties::make(const properties& p, property_context ctx,
                                       owned_properties& out) {
  std::size_t content = 0;
  MQTTWS_TRY(detail::validate_properties(p, ctx, content));
  // The Property Length is a Variable Byte Integer; encode() makes the same check (through
  // the packet's Remaining Length, which includes it).
  if (content > detail::max_varint) return errc::value_out_of_range;
  const auto length = static_cast<std::uint32_t>(content);

  owned_properties tmp;
  tmp.ctx_ = ctx;
  // Kept with its Property Length prefix: read_properties() decodes exactly that form, so the
  // view comes from the same code path that decodes properties off the wire.
  tmp.bytes_.resize(detail::varint_size(length) + content);
  detail::byte_writer w(tmp.bytes_.data());
  detail::write_properties(w, p, content);
  MQTTWS_TRY(decode_properties(tmp.bytes_, ctx, tmp.view_));  // cannot fail: just validated
  out = std::move(tmp);
  return {};
}

const properties& owned_properties::empty_view() {
  static const properties empty{};
  return empty;
}

void owned_properties::reparse() {
  if (decode_properties(bytes_, ctx_, view_)) {
    bytes_.clear();
    view_ = properties{};
  }
}

}  // namespace mqttws
