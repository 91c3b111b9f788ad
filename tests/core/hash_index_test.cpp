// hash_index: open addressing with backward-shift erase, as the topic trie (children by level
// name) and the subscription book (Subscription Identifiers) use it. Many entries, so that
// probe chains wrap around the end of the slots and erasing moves entries back.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hash_index.hpp"

namespace {

struct node {
  std::string level;
  int value = 0;
  struct by_level {
    using key_type = std::string_view;
    static std::string_view key(const node& n) { return n.level; }
    static std::uint32_t hash(std::string_view s) { return mqttws::detail::hash_bytes(s); }
  };
};
using table = mqttws::hash_index<node, node::by_level>;

struct numbered {
  std::uint32_t id = 0;
  struct by_id {
    using key_type = std::uint32_t;
    static std::uint32_t key(const numbered& n) { return n.id; }
    static std::uint32_t hash(std::uint32_t id) { return mqttws::detail::mix_hash(id); }
  };
};

std::unique_ptr<node> make(std::string level, int value = 0) {
  auto n = std::make_unique<node>();
  n->level = std::move(level);
  n->value = value;
  return n;
}

TEST(hash_index, an_empty_table_finds_and_erases_nothing) {
  table t;
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.find("a"), nullptr);
  EXPECT_EQ(t.erase("a"), nullptr);
  EXPECT_EQ(t.size(), 0u);
}

TEST(hash_index, finds_each_child_by_its_level_and_keeps_its_address) {
  table t;
  node* a = t.insert(make("a", 1));
  node* empty = t.insert(make("", 2));  // "a//b" has an empty level
  node* b = t.insert(make("b", 3));
  EXPECT_EQ(t.size(), 3u);
  EXPECT_EQ(t.find("a"), a);
  EXPECT_EQ(t.find(""), empty);
  EXPECT_EQ(t.find("b"), b);
  EXPECT_EQ(t.find("c"), nullptr);
  EXPECT_EQ(t.find("ab"), nullptr);
  for (int i = 0; i < 1000; ++i) t.insert(make("x" + std::to_string(i)));  // grows many times
  EXPECT_EQ(t.find("a"), a);  // nodes do not move when the slots do
  EXPECT_EQ(t.find("a")->value, 1);
  EXPECT_EQ(t.find("b")->value, 3);
}

TEST(hash_index, erase_returns_the_child_and_leaves_the_others_reachable) {
  table t;
  for (int i = 0; i < 5000; ++i) t.insert(make(std::to_string(i), i));
  std::vector<int> order(5000);
  for (int i = 0; i < 5000; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937(7));
  // Erase a random half; every remaining one must still be found (backward shift kept the
  // probe chains whole), every erased one must not.
  for (int k = 0; k < 2500; ++k) {
    std::unique_ptr<node> out = t.erase(std::to_string(order[k]));
    ASSERT_NE(out, nullptr);
    EXPECT_EQ(out->value, order[k]);
  }
  EXPECT_EQ(t.size(), 2500u);
  for (int k = 0; k < 5000; ++k) {
    node* n = t.find(std::to_string(order[k]));
    if (k < 2500) {
      EXPECT_EQ(n, nullptr) << order[k];
    } else {
      ASSERT_NE(n, nullptr) << order[k];
      EXPECT_EQ(n->value, order[k]);
    }
  }
  EXPECT_EQ(t.erase("5000"), nullptr);  // never there
  EXPECT_EQ(t.erase(std::to_string(order[0])), nullptr);  // already gone
}

TEST(hash_index, a_table_emptied_by_erase_takes_children_again) {
  table t;
  for (int i = 0; i < 100; ++i) t.insert(make(std::to_string(i)));
  for (int i = 0; i < 100; ++i) ASSERT_NE(t.erase(std::to_string(i)), nullptr);
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.find("1"), nullptr);
  node* n = t.insert(make("1", 9));
  EXPECT_EQ(t.find("1"), n);
  EXPECT_EQ(t.size(), 1u);
}

TEST(hash_index, erase_and_insert_interleaved_agree_with_a_reference) {
  table t;
  std::vector<bool> in(3000, false);
  std::mt19937 rng(11);
  std::size_t count = 0;
  for (int step = 0; step < 60000; ++step) {
    const int k = static_cast<int>(rng() % 3000);
    const std::string level = "l" + std::to_string(k);
    if (in[k]) {
      ASSERT_NE(t.erase(level), nullptr);
      in[k] = false;
      --count;
    } else {
      ASSERT_EQ(t.find(level), nullptr);
      t.insert(make(level, k));
      in[k] = true;
      ++count;
    }
  }
  EXPECT_EQ(t.size(), count);
  for (int k = 0; k < 3000; ++k) {
    node* n = t.find("l" + std::to_string(k));
    EXPECT_EQ(n != nullptr, in[k]) << k;
    if (n) EXPECT_EQ(n->value, k);
  }
}

TEST(hash_index, take_all_moves_every_child_out_and_empties_the_table) {
  table t;
  for (int i = 0; i < 37; ++i) t.insert(make(std::to_string(i), i));
  std::vector<std::unique_ptr<node>> out;
  out.push_back(make("kept"));
  t.take_all(out);
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.find("3"), nullptr);
  ASSERT_EQ(out.size(), 38u);
  std::vector<int> values;
  for (std::size_t i = 1; i < out.size(); ++i) values.push_back(out[i]->value);
  std::sort(values.begin(), values.end());
  for (int i = 0; i < 37; ++i) EXPECT_EQ(values[i], i);
}

TEST(hash_index, clear_destroys_every_entry) {
  table t;
  for (int i = 0; i < 50; ++i) t.insert(make(std::to_string(i)));
  t.clear();
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.find("7"), nullptr);
  EXPECT_NE(t.insert(make("7")), nullptr);
  EXPECT_EQ(t.size(), 1u);
}

TEST(hash_index, integer_keys_in_sequence_and_scattered) {
  // Subscription Identifiers: the session's own count up from 1, a user's may be anything up
  // to 268,435,455.
  mqttws::hash_index<numbered, numbered::by_id> t;
  for (std::uint32_t id = 1; id <= 20000; ++id) {
    auto n = std::make_unique<numbered>();
    n->id = id;
    t.insert(std::move(n));
  }
  for (std::uint32_t id : {268'435'455u, 65536u, 1u << 20}) {
    auto n = std::make_unique<numbered>();
    n->id = id;
    t.insert(std::move(n));
  }
  EXPECT_EQ(t.size(), 20003u);
  for (std::uint32_t id = 2; id <= 20000; id += 2) ASSERT_NE(t.erase(id), nullptr) << id;
  for (std::uint32_t id = 1; id <= 20001; ++id) {
    EXPECT_EQ(t.find(id) != nullptr, id % 2 == 1 && id <= 20000) << id;
  }
  EXPECT_EQ(t.find(268'435'455u)->id, 268'435'455u);
  EXPECT_EQ(t.find(1u << 20)->id, 1u << 20);
  EXPECT_EQ(t.find(0), nullptr);
}

}  // namespace
