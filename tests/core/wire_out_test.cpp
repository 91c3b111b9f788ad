// wire_out: whole packets in bounded pieces, and QoS 0 completions when their bytes are taken.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "wire_out.hpp"

namespace mqttws {
namespace {

using bytes = std::vector<std::uint8_t>;
using ops = std::vector<operation_id>;

bytes packet(std::size_t size, std::uint8_t fill) { return bytes(size, fill); }

TEST(wire_out, empty_until_a_packet_is_queued) {
  wire_out w;
  EXPECT_TRUE(w.empty());
  bytes out;
  ops done;
  EXPECT_FALSE(w.take(out, 0, done));
  w.complete_when_taken(7);  // an operation alone is not a packet
  EXPECT_TRUE(w.empty());
  EXPECT_FALSE(w.take(out, 0, done));
  EXPECT_TRUE(done.empty());
  w.put_encoded(packet(3, 1));
  EXPECT_FALSE(w.empty());
  EXPECT_TRUE(w.take(out, 0, done));
  EXPECT_EQ(out, packet(3, 1));
  EXPECT_EQ(done, ops{7});
  EXPECT_TRUE(w.empty());
}

TEST(wire_out, takes_whole_packets_that_fit_and_always_at_least_one) {
  wire_out w;
  w.put_encoded(packet(10, 1));
  w.put_encoded(packet(4, 2));
  w.put_encoded(packet(4, 3));
  w.put_encoded(packet(2, 4));
  bytes out;
  ops done;
  ASSERT_TRUE(w.take(out, 5, done));  // larger than the limit: goes alone
  EXPECT_EQ(out, packet(10, 1));
  out.clear();
  ASSERT_TRUE(w.take(out, 8, done));  // 4 + 4 fit, the third does not
  bytes expected = packet(4, 2);
  expected.insert(expected.end(), 4, 3);
  EXPECT_EQ(out, expected);
  out.clear();
  ASSERT_TRUE(w.take(out, 0, done));
  EXPECT_EQ(out, packet(2, 4));
  EXPECT_FALSE(w.take(out, 0, done));
  EXPECT_TRUE(done.empty());
}

TEST(wire_out, an_operation_completes_with_the_last_packet_queued_before_it) {
  wire_out w;
  w.put_encoded(packet(4, 1));
  w.complete_when_taken(1);
  w.complete_when_taken(2);
  w.put_encoded(packet(4, 2));
  w.complete_when_taken(3);
  w.put_encoded(packet(4, 3));
  bytes out;
  ops done;
  ASSERT_TRUE(w.take(out, 4, done));
  EXPECT_EQ(done, (ops{1, 2}));  // with the first packet, though the second did not fit
  ASSERT_TRUE(w.take(out, 4, done));
  EXPECT_EQ(done, (ops{1, 2, 3}));
  w.complete_when_taken(4);
  ASSERT_TRUE(w.take(out, 4, done));
  EXPECT_EQ(done, (ops{1, 2, 3, 4}));
  EXPECT_EQ(out.size(), 12u);
}

TEST(wire_out, clear_orphans_the_operations_still_waiting) {
  wire_out w;
  w.put_encoded(packet(4, 1));
  w.complete_when_taken(1);
  w.put_encoded(packet(4, 2));
  w.complete_when_taken(2);
  bytes out;
  ops done;
  ASSERT_TRUE(w.take(out, 4, done));
  EXPECT_EQ(done, ops{1});
  ops orphaned;
  w.clear(orphaned);
  EXPECT_EQ(orphaned, ops{2});
  EXPECT_TRUE(w.empty());
  EXPECT_FALSE(w.take(out, 0, done));
  // What is queued after a clear goes out on its own.
  w.put_encoded(packet(2, 9));
  w.complete_when_taken(3);
  out.clear();
  ASSERT_TRUE(w.take(out, 0, done));
  EXPECT_EQ(out, packet(2, 9));
  EXPECT_EQ(done, (ops{1, 3}));
}

TEST(wire_out, a_long_queue_drains_in_order_through_compaction) {
  wire_out w;
  bytes expected;
  ops expected_done;
  for (std::uint32_t i = 0; i < 5000; ++i) {
    const auto fill = static_cast<std::uint8_t>(i);
    w.put_encoded(packet(3 + i % 5, fill));
    expected.insert(expected.end(), 3 + i % 5, fill);
    if (i % 3 == 0) {
      w.complete_when_taken(i + 1);
      expected_done.push_back(i + 1);
    }
  }
  bytes out;
  ops done;
  std::size_t takes = 0;
  while (w.take(out, 100, done)) ++takes;
  EXPECT_EQ(out, expected);
  EXPECT_EQ(done, expected_done);
  EXPECT_GT(takes, 100u);
  EXPECT_TRUE(w.empty());
}

}  // namespace
}  // namespace mqttws
