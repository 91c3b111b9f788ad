// Element readers of the lists in SUBSCRIBE, SUBACK, UNSUBSCRIBE and UNSUBACK payloads. The
// decoder has validated the bytes, so these only walk them.
#include "mqttws/packets.hpp"
#include "wire.hpp"

namespace mqttws::detail {

void subscription_traits::next(const char*& p, const char* end, subscription& out) {
  reader r(p, end);
  std::uint8_t options = 0;
  (void)r.binary(out.filter);
  (void)r.u8(options);
  out.options.max_qos = static_cast<qos>(options & 0x03);
  out.options.no_local = (options & 0x04) != 0;
  out.options.retain_as_published = (options & 0x08) != 0;
  out.options.retain_handling = static_cast<retain_handling>((options >> 4) & 0x03);
  p = r.pos();
}

void topic_filter_traits::next(const char*& p, const char* end, std::string_view& out) {
  reader r(p, end);
  (void)r.binary(out);
  p = r.pos();
}

void reason_code_traits::next(const char*& p, const char*, reason_code& out) {
  out = static_cast<reason_code>(static_cast<std::uint8_t>(*p++));
}

}  // namespace mqttws::detail
