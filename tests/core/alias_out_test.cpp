// alias_out: the session's own topic aliases, least recently used replaced.
#include <gtest/gtest.h>

#include "alias_out.hpp"

namespace mqttws {
namespace {

TEST(alias_out, is_off_until_a_connection_allows_aliases) {
  alias_out a;
  EXPECT_FALSE(a.enabled());
  a.reset(0);
  EXPECT_FALSE(a.enabled());
  a.reset(3);
  EXPECT_TRUE(a.enabled());
}

TEST(alias_out, a_new_topic_gets_the_next_alias_and_must_be_sent_with_it) {
  alias_out a;
  a.reset(3);
  bool known = true;
  EXPECT_EQ(a.use("a", known), 1);
  EXPECT_FALSE(known);
  EXPECT_EQ(a.use("b", known), 2);
  EXPECT_FALSE(known);
}

TEST(alias_out, a_topic_used_again_keeps_its_alias_and_is_known) {
  alias_out a;
  a.reset(3);
  bool known = false;
  a.use("a", known);
  a.use("b", known);
  EXPECT_EQ(a.use("a", known), 1);
  EXPECT_TRUE(known);
}

TEST(alias_out, when_full_the_least_recently_used_topic_gives_its_alias_up) {
  alias_out a;
  a.reset(2);
  bool known = false;
  a.use("a", known);  // 1
  a.use("b", known);  // 2
  a.use("a", known);  // a is now the most recent: b is the oldest
  EXPECT_EQ(a.use("c", known), 2);
  EXPECT_FALSE(known);
  EXPECT_EQ(a.use("b", known), 1);  // a was the oldest then
  EXPECT_FALSE(known);
  EXPECT_EQ(a.use("c", known), 2);
  EXPECT_TRUE(known);
}

TEST(alias_out, with_one_alias_every_new_topic_takes_it_over) {
  alias_out a;
  a.reset(1);
  bool known = false;
  EXPECT_EQ(a.use("a", known), 1);
  EXPECT_EQ(a.use("b", known), 1);
  EXPECT_FALSE(known);
  EXPECT_EQ(a.use("a", known), 1);
  EXPECT_FALSE(known);
  EXPECT_EQ(a.use("a", known), 1);
  EXPECT_TRUE(known);
}

TEST(alias_out, a_reset_forgets_every_alias) {
  alias_out a;
  a.reset(2);
  bool known = false;
  a.use("a", known);
  a.use("b", known);
  a.reset(2);
  EXPECT_EQ(a.use("b", known), 1);
  EXPECT_FALSE(known);
}

TEST(alias_out, recency_holds_over_many_replacements) {
  alias_out a;
  a.reset(3);
  bool known = false;
  for (const char* t : {"a", "b", "c"}) a.use(t, known);
  // Use order now c, b, a (newest first) after touching b then c.
  a.use("b", known);
  a.use("c", known);
  EXPECT_EQ(a.use("d", known), 1);  // a's alias
  EXPECT_EQ(a.use("e", known), 2);  // then b's
  EXPECT_EQ(a.use("f", known), 3);  // then c's
  EXPECT_EQ(a.use("d", known), 1);
  EXPECT_TRUE(known);
}

}  // namespace
}  // namespace mqttws
