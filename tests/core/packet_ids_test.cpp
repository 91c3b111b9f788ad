// packet_ids: identifiers handed out round robin, never one in use (MQTT-2.2.1-3).
#include <gtest/gtest.h>

#include <cstdint>

#include "packet_ids.hpp"

namespace mqttws {
namespace {

TEST(packet_ids, the_first_identifier_handed_out_is_1_and_the_next_2) {
  packet_ids ids;
  std::uint16_t id = 0;
  ASSERT_TRUE(ids.allocate(id));
  EXPECT_EQ(id, 1);
  ASSERT_TRUE(ids.allocate(id));
  EXPECT_EQ(id, 2);
  EXPECT_TRUE(ids.in_use(1));
  EXPECT_TRUE(ids.in_use(2));
  EXPECT_FALSE(ids.in_use(3));
}

TEST(packet_ids, a_released_identifier_is_not_handed_out_again_before_the_others) {
  packet_ids ids;
  std::uint16_t id = 0;
  ASSERT_TRUE(ids.allocate(id));  // 1
  ids.release(1);
  EXPECT_FALSE(ids.in_use(1));
  ASSERT_TRUE(ids.allocate(id));
  EXPECT_EQ(id, 2);  // round robin: 1 comes round again only after 65535
}

TEST(packet_ids, after_65535_comes_1_never_0) {
  packet_ids ids;
  std::uint16_t id = 0;
  for (int i = 0; i < 65535; ++i) {
    ASSERT_TRUE(ids.allocate(id));
    ids.release(id);
  }
  EXPECT_EQ(id, 65535);
  ASSERT_TRUE(ids.allocate(id));
  EXPECT_EQ(id, 1);
}

TEST(packet_ids, an_identifier_in_use_is_skipped) {
  packet_ids ids;
  ASSERT_TRUE(ids.claim(1));
  ASSERT_TRUE(ids.claim(2));
  std::uint16_t id = 0;
  ASSERT_TRUE(ids.allocate(id));
  EXPECT_EQ(id, 3);
}

TEST(packet_ids, when_all_65535_are_in_use_none_is_handed_out_and_id_is_untouched) {
  packet_ids ids;
  std::uint16_t id = 0;
  for (int i = 0; i < 65535; ++i) ASSERT_TRUE(ids.allocate(id));
  id = 7;
  EXPECT_FALSE(ids.allocate(id));
  EXPECT_EQ(id, 7);
  ids.release(40000);
  ASSERT_TRUE(ids.allocate(id));
  EXPECT_EQ(id, 40000);
}

TEST(packet_ids, claiming_an_identifier_in_use_or_0_fails_and_changes_nothing) {
  packet_ids ids;
  ASSERT_TRUE(ids.claim(9));
  EXPECT_FALSE(ids.claim(9));
  EXPECT_TRUE(ids.in_use(9));
  EXPECT_FALSE(ids.claim(0));
  EXPECT_FALSE(ids.in_use(0));
}

TEST(packet_ids, releasing_0_or_an_identifier_not_in_use_is_ignored) {
  packet_ids ids;
  ASSERT_TRUE(ids.claim(5));
  ids.release(0);
  ids.release(6);
  EXPECT_TRUE(ids.in_use(5));
  EXPECT_FALSE(ids.in_use(6));
}

}  // namespace
}  // namespace mqttws
