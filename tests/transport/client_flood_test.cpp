// Floods: 100,000 messages into a subscriber whose handler is slow, and an application that
// publishes faster than the network takes. Memory stays bounded — inbound by TCP back-pressure
// (a handler runs on the client's executor, so while it works nothing more is read; the
// session decodes one read buffer at a time), outbound by the queue's bound (queue_full) —
// and nothing acknowledged is dropped.
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "client_test_util.hpp"

// AddressSanitizer (gcc says __SANITIZE_ADDRESS__, clang __has_feature).
#if defined(__SANITIZE_ADDRESS__)
#define MQTTWS_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MQTTWS_TEST_ASAN 1
#endif
#endif

namespace mqttws::test {
namespace {

// Resident memory of this process now, in KB (/proc/self/statm).
long resident_kb() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * (::sysconf(_SC_PAGESIZE) / 1024);
}

TEST(client_flood, HundredThousandMessagesIntoASlowHandlerKeepMemoryBounded) {
  constexpr int n = 100000;
  mosquitto_fixture broker;
  broker.start();
  const std::string topic = unique_id("flood");

  asio::io_context io;
  client sub(io.get_executor(), options_for(broker, listener::mqtt));
  connect_ok(io, sub);
  std::vector<char> seen(n, 0);
  std::atomic<int> distinct{0};
  ASSERT_FALSE(subscribe(io, sub, topic, qos::at_least_once, [&](const message& m) {
                 // ~20 µs of work per message: the handler is the bottleneck.
                 const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(20);
                 while (std::chrono::steady_clock::now() < until) {
                 }
                 const int i = std::stoi(std::string(m.view().payload.substr(0, 8)));
                 if (i >= 0 && i < n && !seen[static_cast<std::size_t>(i)]) {
                   seen[static_cast<std::size_t>(i)] = 1;
                   ++distinct;
                 }
               }).ec);

  // The publisher, on a thread of its own, as fast as its acknowledgements come back.
  std::atomic<bool> published{false};
  std::thread publisher([&] {
    asio::io_context pio;
    client pub(pio.get_executor(), options_for(broker, listener::mqtt));
    connect_ok(pio, pub);
    int next = 0, done = 0;
    std::function<void()> more = [&] {
      while (next < n && next - done < 200) {
        std::string payload = std::to_string(next++);
        payload.resize(64, ' ');
        pub.async_publish(topic, payload, qos::at_least_once, false,
                          [&](error_code, const publish_result&) {
                            ++done;
                            more();
                          });
      }
    };
    more();
    run_until(pio, [&] { return done == n; }, 120s);
    published = true;
    disconnect(pio, pub);
  });

  std::atomic<bool> sampling{true};
  std::atomic<long> peak{0};
  const long before = resident_kb();
  std::thread sampler([&] {
    while (sampling) {
      peak = std::max(peak.load(), resident_kb());
      std::this_thread::sleep_for(20ms);
    }
  });
  EXPECT_TRUE(run_until(io, [&] { return distinct == n; }, 180s)) << distinct << " of " << n;
  sampling = false;
  sampler.join();
  publisher.join();
  EXPECT_TRUE(published);
  const long growth = peak - before;
  std::printf("[ reliability ] native flood: %d/%d into a 20 us handler, peak RSS +%ld KB\n",
              distinct.load(), n, growth);
  // Both clients live in this process; a client buffering the flood would need ~10 MB+.
  // (AddressSanitizer keeps freed memory in quarantine: no bound means anything there.)
#ifndef MQTTWS_TEST_ASAN
  EXPECT_LT(growth, 16 * 1024);
#endif
  disconnect(io, sub);
}

TEST(client_flood, PublishingFasterThanTheNetworkMeetsTheQueueBound) {
  mosquitto_fixture broker;
  broker.start();
  asio::io_context io;
  client_options o = options_for(broker, listener::mqtt);
  o.max_queued = 1000;
  client c(io.get_executor(), o);
  connect_ok(io, c);
  int ok = 0, full = 0, other = 0;
  constexpr int n = 20000;
  for (int i = 0; i < n; ++i) {
    c.async_publish("flood/out", std::string(64, 'x'), qos::at_least_once, false,
                    [&](error_code ec, const publish_result&) {
                      if (!ec) ++ok;
                      else if (ec == errc::queue_full) ++full;
                      else ++other;
                    });
  }
  EXPECT_LE(c.stats().session.queued, 1000u);  // bounded, whatever the application does
  ASSERT_TRUE(run_until(io, [&] { return ok + full + other == n; }, 60s));
  EXPECT_GT(full, 0);       // told, not silently dropped
  EXPECT_GE(ok, 1000);      // what was accepted was delivered
  EXPECT_EQ(other, 0);
  std::printf("[ reliability ] native burst: %d publishes at once, %d accepted, %d queue_full\n",
              n, ok, full);
  disconnect(io, c);
}

}  // namespace
}  // namespace mqttws::test
