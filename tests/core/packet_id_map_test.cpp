// packet_id_map: a value per packet identifier, memory only for the pages in use.
#include <gtest/gtest.h>

#include <cstdint>

#include "packet_id_map.hpp"

namespace mqttws {
namespace {

TEST(packet_id_map, an_identifier_never_put_reads_as_none) {
  packet_id_map<std::uint64_t> m;
  EXPECT_EQ(m.get(1), 0u);
  EXPECT_EQ(m.get(65535), 0u);
}

TEST(packet_id_map, reads_back_what_was_put_for_each_identifier) {
  packet_id_map<std::uint64_t> m;
  m.put(1, 10);
  m.put(256, 20);
  m.put(65535, 30);
  EXPECT_EQ(m.get(1), 10u);
  EXPECT_EQ(m.get(256), 20u);
  EXPECT_EQ(m.get(65535), 30u);
  EXPECT_EQ(m.get(2), 0u);
  EXPECT_EQ(m.get(257), 0u);
}

TEST(packet_id_map, put_replaces_the_previous_value) {
  packet_id_map<std::uint64_t> m;
  m.put(7, 1);
  m.put(7, 2);
  EXPECT_EQ(m.get(7), 2u);
  m.erase(7);
  EXPECT_EQ(m.get(7), 0u);  // one erase forgets it: replacing did not count it twice
}

TEST(packet_id_map, erase_forgets_one_identifier_and_keeps_its_page_neighbours) {
  packet_id_map<std::uint64_t> m;
  m.put(300, 1);
  m.put(301, 2);
  m.erase(300);
  EXPECT_EQ(m.get(300), 0u);
  EXPECT_EQ(m.get(301), 2u);
  m.erase(301);
  EXPECT_EQ(m.get(301), 0u);
  m.put(302, 3);  // the page, freed with its last identifier, comes back on the next put
  EXPECT_EQ(m.get(302), 3u);
}

TEST(packet_id_map, erasing_an_identifier_not_present_changes_nothing) {
  packet_id_map<std::uint64_t> m;
  m.erase(5);
  m.put(6, 1);
  m.erase(5);
  EXPECT_EQ(m.get(6), 1u);
}

TEST(packet_id_map, clear_forgets_everything) {
  packet_id_map<std::uint64_t> m;
  for (std::uint32_t id = 1; id <= 65535; id += 97) m.put(static_cast<std::uint16_t>(id), id);
  m.clear();
  for (std::uint32_t id = 1; id <= 65535; id += 97) {
    EXPECT_EQ(m.get(static_cast<std::uint16_t>(id)), 0u);
  }
}

TEST(packet_id_map, holds_every_identifier_at_once) {
  packet_id_map<std::uint64_t> m;
  for (std::uint32_t id = 1; id <= 65535; ++id) m.put(static_cast<std::uint16_t>(id), id + 1);
  for (std::uint32_t id = 1; id <= 65535; ++id) {
    ASSERT_EQ(m.get(static_cast<std::uint16_t>(id)), id + 1);
  }
}

}  // namespace
}  // namespace mqttws
