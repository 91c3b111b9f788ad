// fifo: the session's first-in first-out queues (one vector and the index of its front).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "fifo.hpp"

namespace mqttws {
namespace {

std::vector<int> contents(const fifo<int>& q) { return std::vector<int>(q.begin(), q.end()); }

TEST(fifo, elements_come_out_in_the_order_they_went_in) {
  fifo<int> q;
  for (int i = 1; i <= 5; ++i) q.push_back(int{i});
  std::vector<int> out;
  while (!q.empty()) {
    out.push_back(q.front());
    q.pop_front();
  }
  EXPECT_EQ(out, (std::vector<int>{1, 2, 3, 4, 5}));
  EXPECT_EQ(q.size(), 0u);
}

TEST(fifo, size_counts_only_the_elements_not_taken) {
  fifo<int> q;
  for (int i = 0; i < 10; ++i) q.push_back(int{i});
  q.pop_front();
  q.pop_front();
  EXPECT_EQ(q.size(), 8u);
  EXPECT_EQ(q.front(), 2);
  EXPECT_EQ(q.back(), 9);
}

TEST(fifo, push_front_puts_an_element_back_ahead_of_the_others) {
  fifo<int> q;
  q.push_back(1);
  q.push_back(2);
  q.pop_front();  // the taken slot is reused
  q.push_front(7);
  q.push_front(8);  // no slot before the head: inserted at the vector's start
  EXPECT_EQ(contents(q), (std::vector<int>{8, 7, 2}));
}

TEST(fifo, insert_in_the_middle_keeps_the_order_around_it) {
  fifo<int> q;
  q.push_back(1);
  q.push_back(3);
  auto at = q.insert(q.begin() + 1, 2);
  EXPECT_EQ(*at, 2);
  EXPECT_EQ(contents(q), (std::vector<int>{1, 2, 3}));
}

TEST(fifo, insert_at_the_front_after_a_take_returns_the_new_front) {
  fifo<int> q;
  q.push_back(1);
  q.push_back(2);
  q.pop_front();
  auto at = q.insert(q.begin(), 0);
  EXPECT_EQ(at, q.begin());
  EXPECT_EQ(contents(q), (std::vector<int>{0, 2}));
}

TEST(fifo, erase_returns_the_position_of_the_next_element) {
  fifo<int> q;
  for (int i = 1; i <= 4; ++i) q.push_back(int{i});
  auto next = q.erase(q.begin() + 1);  // the middle
  EXPECT_EQ(*next, 3);
  next = q.erase(q.begin());  // the front
  EXPECT_EQ(*next, 3);
  EXPECT_EQ(contents(q), (std::vector<int>{3, 4}));
}

TEST(fifo, erasing_every_element_while_walking_it_ends_at_end) {
  fifo<int> q;
  for (int i = 0; i < 100; ++i) q.push_back(int{i});
  int seen = 0;
  for (auto it = q.begin(); it != q.end();) {
    EXPECT_EQ(*it, seen);
    ++seen;
    it = q.erase(it);
  }
  EXPECT_EQ(seen, 100);
  EXPECT_TRUE(q.empty());
}

TEST(fifo, a_long_run_of_takes_with_one_always_left_keeps_order_and_count) {
  // The producer stays one ahead: the queue never empties, so taken slots must be reclaimed
  // by moving the live elements down, not by clearing.
  fifo<std::string> q;
  q.push_back("0");
  for (int i = 1; i <= 1000; ++i) {
    q.push_back(std::to_string(i));
    ASSERT_EQ(q.front(), std::to_string(i - 1));
    q.pop_front();
    ASSERT_EQ(q.size(), 1u);
  }
  EXPECT_EQ(q.front(), "1000");
}

TEST(fifo, move_only_elements_survive_the_live_ones_moving_down) {
  fifo<std::unique_ptr<int>> q;
  for (int i = 0; i < 100; ++i) q.push_back(std::make_unique<int>(i));
  for (int i = 0; i < 60; ++i) q.pop_front();  // past half: the 40 left move to the start
  ASSERT_EQ(q.size(), 40u);
  int expected = 60;
  for (const auto& p : q) {
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(*p, expected++);
  }
}

TEST(fifo, emplace_back_constructs_in_place_and_clear_empties) {
  fifo<std::string> q;
  q.emplace_back(3, 'x');
  EXPECT_EQ(q.back(), "xxx");
  for (int i = 0; i < 200; ++i) q.emplace_back("y");
  q.clear();
  EXPECT_TRUE(q.empty());
  q.push_back("after");
  EXPECT_EQ(q.front(), "after");
  EXPECT_EQ(q.size(), 1u);
}

}  // namespace
}  // namespace mqttws
