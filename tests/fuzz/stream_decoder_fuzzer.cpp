// libFuzzer target for the stream decoder.
//
// Input layout: the first byte chooses the protocol version (bits 0-1: 3.1, 3.1.1, 5, 5) and
// how the rest is cut into reads (bits 2-7: chunk size 1..64); the rest is the byte stream.
//
// Beyond "no crash, no out-of-bounds read" (ASan/UBSan), every packet the decoder accepts must
// survive a round trip: it encodes without error, and decoding that encoding and encoding it
// again yields the same bytes. That catches any disagreement between decoder and encoder.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "mqttws/codec.hpp"
#include "mqttws/stream_decoder.hpp"

namespace {

using namespace mqttws;

[[noreturn]] void fail(const char* what, const packet& p, std::error_code ec) {
  std::fprintf(stderr, "round trip broke (%s) for %s: %s\n", what,
               std::string(to_string(type_of(p))).c_str(), ec.message().c_str());
  std::abort();
}

void check_round_trip(const packet& p, protocol_version v) {
  std::vector<std::uint8_t> first;
  if (auto ec = encode(p, v, first)) fail("re-encode", p, ec);
  std::size_t size = 0;
  if (auto ec = encoded_size(p, v, size); ec || size != first.size()) fail("encoded_size", p, ec);

  packet again;
  if (auto ec = decode(as_chars(first.data(), first.size()), v, again)) fail("decode", p, ec);
  if (again.index() != p.index()) fail("type changed", p, {});
  std::vector<std::uint8_t> second;
  if (auto ec = encode(again, v, second)) fail("second encode", again, ec);
  if (first != second) fail("bytes differ", again, {});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static constexpr protocol_version versions[] = {protocol_version::v31, protocol_version::v311,
                                                  protocol_version::v5, protocol_version::v5};
  const std::uint8_t control = data[0];
  const std::size_t chunk = 1 + (control >> 2);
  ++data;
  --size;

  // A modest maximum packet size keeps the fuzzer from buffering huge declared lengths.
  stream_decoder decoder(versions[control & 3], 64 * 1024);
  packet p;
  for (std::size_t off = 0; off < size; off += chunk) {
    decoder.feed(data + off, std::min(chunk, size - off));
    for (;;) {
      const protocol_version before = decoder.version();
      std::error_code ec;
      if (!decoder.next(p, ec)) {
        if (ec) return 0;  // malformed: rejected cleanly, which is all we ask
        break;
      }
      const auto* c = std::get_if<connect>(&p);
      check_round_trip(p, c ? c->version : before);
    }
  }
  return 0;
}
