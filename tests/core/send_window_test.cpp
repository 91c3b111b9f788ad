// send_window: the acknowledgement-clocked window under the broker's Receive Maximum.
#include <gtest/gtest.h>

#include "send_window.hpp"

namespace mqttws {
namespace {

TEST(send_window, starts_at_the_initial_window) {
  send_window w(4);
  w.start(65535);
  EXPECT_EQ(w.limit(), 4u);
}

TEST(send_window, each_acknowledgement_opens_it_by_one_up_to_the_receive_maximum) {
  send_window w(2);
  w.start(5);
  for (std::size_t expected : {3u, 4u, 5u, 5u, 5u}) {
    w.acknowledged();
    EXPECT_EQ(w.limit(), expected);
  }
}

TEST(send_window, never_starts_above_the_receive_maximum) {
  send_window w(10);
  w.start(3);
  EXPECT_EQ(w.limit(), 3u);
}

TEST(send_window, every_connection_starts_again) {
  send_window w(2);
  w.start(100);
  for (int i = 0; i < 50; ++i) w.acknowledged();
  EXPECT_EQ(w.limit(), 52u);
  w.start(100);
  EXPECT_EQ(w.limit(), 2u);
}

TEST(send_window, initial_0_is_the_whole_receive_maximum) {
  send_window w(0);
  w.start(20);
  EXPECT_EQ(w.limit(), 20u);
  w.start(65535);
  EXPECT_EQ(w.limit(), 65535u);
}

}  // namespace
}  // namespace mqttws
