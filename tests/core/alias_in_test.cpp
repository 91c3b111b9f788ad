// alias_in: the topic aliases the broker sets on a connection (MQTT 5, 3.3.2.3.4).
#include <gtest/gtest.h>

#include "alias_in.hpp"

namespace mqttws {
namespace {

TEST(alias_in, a_topic_sets_the_alias_and_stays_as_it_is) {
  alias_in a(4);
  a.reset();
  std::string_view topic = "t/1";
  EXPECT_EQ(a.resolve(2, topic), alias_in::outcome::ok);
  EXPECT_EQ(topic, "t/1");
}

TEST(alias_in, an_empty_topic_takes_the_topic_the_alias_was_set_to) {
  alias_in a(4);
  a.reset();
  std::string_view topic = "t/1";
  a.resolve(2, topic);
  std::string_view empty;
  EXPECT_EQ(a.resolve(2, empty), alias_in::outcome::ok);
  EXPECT_EQ(empty, "t/1");
}

TEST(alias_in, a_later_topic_replaces_what_the_alias_stands_for) {
  alias_in a(4);
  a.reset();
  std::string_view first = "t/1", second = "t/2", empty;
  a.resolve(1, first);
  a.resolve(1, second);
  EXPECT_EQ(a.resolve(1, empty), alias_in::outcome::ok);
  EXPECT_EQ(empty, "t/2");
}

TEST(alias_in, zero_and_aliases_above_the_maximum_are_out_of_range) {
  alias_in a(4);
  a.reset();
  std::string_view topic = "t";
  EXPECT_EQ(a.resolve(0, topic), alias_in::outcome::out_of_range);
  EXPECT_EQ(a.resolve(5, topic), alias_in::outcome::out_of_range);
  EXPECT_EQ(a.resolve(4, topic), alias_in::outcome::ok);
}

TEST(alias_in, with_maximum_zero_every_alias_is_out_of_range) {
  alias_in a(0);
  a.reset();
  std::string_view topic = "t";
  EXPECT_EQ(a.resolve(1, topic), alias_in::outcome::out_of_range);
}

TEST(alias_in, an_alias_used_before_it_was_set_is_unknown) {
  alias_in a(4);
  a.reset();
  std::string_view empty;
  EXPECT_EQ(a.resolve(3, empty), alias_in::outcome::unknown);
}

TEST(alias_in, a_reset_forgets_every_alias) {
  alias_in a(4);
  a.reset();
  std::string_view topic = "t/1", empty;
  a.resolve(1, topic);
  a.reset();
  EXPECT_EQ(a.resolve(1, empty), alias_in::outcome::unknown);
}

}  // namespace
}  // namespace mqttws
