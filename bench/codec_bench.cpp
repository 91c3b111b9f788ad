// Codec micro-benchmark: encode and decode of an MQTT 5 QoS 1 PUBLISH with a 27-byte topic,
// a 64-byte payload and one user property: the packet MQTT.js's codec is measured with
// (bench/mqtt-packet-bench.js), so the two numbers compare directly.
//
// Besides ns/op, every benchmark reports allocs/op: global operator new is counted, and the
// decoder is required not to allocate per packet.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "mqttws/codec.hpp"
#include "mqttws/stream_decoder.hpp"

namespace {
std::atomic<std::size_t> allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  std::abort();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

using namespace mqttws;

const std::string topic = "home/livingroom/temperature";  // 27 bytes
const std::string payload(64, 'x');
const user_property user_props[] = {{"source", "sensor-7"}};

publish sample() {
  publish p;
  p.topic = topic;
  p.payload = payload;
  p.qos = qos::at_least_once;
  p.packet_id = 4242;
  p.props.user_properties = user_props;
  return p;
}

// Runs `body` per iteration and reports heap allocations per iteration.
template <class F>
void measure(benchmark::State& state, F&& body) {
  const std::size_t before = allocations.load();
  for (auto _ : state) body();
  state.counters["allocs/op"] = benchmark::Counter(
      static_cast<double>(allocations.load() - before), benchmark::Counter::kAvgIterations);
}

void encode_publish_v5_qos1(benchmark::State& state) {
  const publish p = sample();
  std::vector<std::uint8_t> out;
  out.reserve(256);
  measure(state, [&] {
    out.clear();
    benchmark::DoNotOptimize(encode(p, protocol_version::v5, out));
    benchmark::DoNotOptimize(out.data());
  });
}
BENCHMARK(encode_publish_v5_qos1);

std::vector<std::uint8_t> sample_bytes() {
  std::vector<std::uint8_t> b;
  if (encode(sample(), protocol_version::v5, b)) std::abort();
  return b;
}

void decode_publish_v5_qos1(benchmark::State& state) {
  const std::vector<std::uint8_t> bytes = sample_bytes();
  packet p;
  measure(state, [&] {
    benchmark::DoNotOptimize(decode(as_chars(bytes.data(), bytes.size()), protocol_version::v5, p));
    // Touch the user property so lazily parsed lists are paid for too.
    for (const user_property& up : std::get<publish>(p).props.user_properties) {
      benchmark::DoNotOptimize(up.value.data());
    }
  });
}
BENCHMARK(decode_publish_v5_qos1);

// The path a connection takes: bytes arrive in a read buffer and leave as packets.
void stream_decode_publish_v5_qos1(benchmark::State& state) {
  const std::vector<std::uint8_t> bytes = sample_bytes();
  stream_decoder d(protocol_version::v5);
  packet p;
  std::error_code ec;
  measure(state, [&] {
    d.feed(bytes.data(), bytes.size());
    benchmark::DoNotOptimize(d.next(p, ec));
  });
}
BENCHMARK(stream_decode_publish_v5_qos1);

}  // namespace

BENCHMARK_MAIN();
