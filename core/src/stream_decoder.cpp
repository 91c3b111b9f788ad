#include "mqttws/stream_decoder.hpp"

#include "mqttws/error.hpp"
#include "wire.hpp"

namespace mqttws {

stream_decoder::stream_decoder(protocol_version v, std::uint32_t maximum_packet_size)
    : version_(v), max_size_(maximum_packet_size) {}

void stream_decoder::feed(const void* data, std::size_t n) {
  // Compact first: packets handed out earlier are documented as invalid after feed(), so the
  // unread tail can move to the front and the buffer never grows beyond one packet plus a read.
  if (consumed_ == buffer_.size()) {
    buffer_.clear();
  } else if (consumed_ > 0) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(consumed_));
  }
  consumed_ = 0;
  last_size_ = 0;
  if (n == 0) return;
  detail::append(buffer_, data, n);
}

bool stream_decoder::next(packet& out, std::error_code& ec) {
  ec = failure_;
  if (failure_) return false;

  const std::string_view unread = as_chars(buffer_.data() + consumed_, buffer_.size() - consumed_);
  fixed_header h;
  bool complete = false;
  ec = parse_fixed_header(unread, h, complete);
  if (!ec && complete && h.packet_size() > max_size_) ec = errc::packet_too_large;
  if (!ec && (!complete || unread.size() < h.packet_size())) return false;  // need more bytes
  if (!ec) ec = decode(unread.substr(0, h.packet_size()), version_, out);
  if (ec) {
    failure_ = ec;
    return false;
  }
  consumed_ += h.packet_size();
  last_size_ = h.packet_size();
  if (auto* c = std::get_if<connect>(&out)) version_ = c->version;
  return true;
}

void stream_decoder::reset() {
  buffer_.clear();
  consumed_ = 0;
  last_size_ = 0;
  failure_.clear();
}

}  // namespace mqttws
