// receive_window: the Receive Maximum the next CONNECT asks for, adapted to how the last
// connection ended.
#include <gtest/gtest.h>

#include "receive_window.hpp"

namespace mqttws {
namespace {

using std::chrono::seconds;

time_point at(int s) { return time_point(seconds(s)); }

void connection(receive_window& w, int from, int to, int messages) {
  w.connected(at(from));
  for (int i = 0; i < messages; ++i) w.received();
  w.lost(at(to));
}

TEST(receive_window, asks_for_the_configured_value_at_first) {
  receive_window w(65535, true);
  EXPECT_EQ(w.advertised(), 65535);
  EXPECT_FALSE(w.reduced());
}

TEST(receive_window, a_connection_that_dies_young_while_receiving_halves_what_arrived) {
  receive_window w(65535, true);
  connection(w, 0, 2, 7);  // 7 arrived before the cut
  EXPECT_EQ(w.advertised(), 3);
  EXPECT_TRUE(w.reduced());
  connection(w, 10, 11, 3);
  EXPECT_EQ(w.advertised(), 1);
  connection(w, 20, 21, 1);
  EXPECT_EQ(w.advertised(), 1);  // never 0
}

TEST(receive_window, what_arrived_counts_only_up_to_what_was_asked_for) {
  receive_window w(65535, true);
  connection(w, 0, 1, 8);
  ASSERT_EQ(w.advertised(), 4);
  connection(w, 5, 6, 100);  // a broker resending more than 4: counted as 4
  EXPECT_EQ(w.advertised(), 2);
}

TEST(receive_window, a_connection_that_lasts_doubles_it_back_up_to_the_configured_value) {
  receive_window w(20, true);
  connection(w, 0, 1, 8);
  ASSERT_EQ(w.advertised(), 4);
  connection(w, 10, 10 + 10, 0);  // lived receive_window::short_lived
  EXPECT_EQ(w.advertised(), 8);
  connection(w, 30, 60, 500);
  EXPECT_EQ(w.advertised(), 16);
  connection(w, 70, 100, 500);
  EXPECT_EQ(w.advertised(), 20);
  EXPECT_FALSE(w.reduced());
}

TEST(receive_window, a_young_connection_that_received_nothing_changes_nothing) {
  receive_window w(100, true);
  connection(w, 0, 1, 8);
  ASSERT_EQ(w.advertised(), 4);
  connection(w, 5, 6, 0);  // refused, or idle: says nothing about the burst
  EXPECT_EQ(w.advertised(), 4);
}

TEST(receive_window, not_adaptive_always_asks_for_the_configured_value) {
  receive_window w(50, false);
  connection(w, 0, 1, 40);
  EXPECT_EQ(w.advertised(), 50);
  EXPECT_FALSE(w.reduced());
}

}  // namespace
}  // namespace mqttws
