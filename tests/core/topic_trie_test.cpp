// Subscription routing: the trie must route exactly as topic_matches() decides, prune what it
// no longer needs, and never look at filters that cannot match.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "mqttws/topic.hpp"
#include "mqttws/topic_trie.hpp"

namespace mqttws {
namespace {

using token = topic_trie::token;
using tokens = std::vector<token>;

tokens matches(const topic_trie& t, std::string_view name) {
  tokens out;
  t.collect(name, out);
  std::sort(out.begin(), out.end());
  return out;
}

// Every combination of `alphabet` up to `max_levels` levels, joined by '/'.
std::vector<std::string> combinations(const std::vector<std::string>& alphabet, int max_levels) {
  std::vector<std::string> all;
  std::vector<std::string> layer = {""};
  for (int depth = 1; depth <= max_levels; ++depth) {
    std::vector<std::string> next;
    for (const std::string& prefix : layer) {
      for (const std::string& level : alphabet) {
        next.push_back(depth == 1 ? level : prefix + "/" + level);
      }
    }
    all.insert(all.end(), next.begin(), next.end());
    layer = std::move(next);
  }
  return all;
}

// -- MQTT 4.7 examples --------------------------------------------------------------------

TEST(topic_trie, multi_level_wildcard_spec_examples) {
  // 4.7.1.2
  topic_trie t;
  t.insert("sport/tennis/player1/#", 1);
  t.insert("sport/#", 2);
  t.insert("#", 3);
  EXPECT_EQ(matches(t, "sport/tennis/player1"), (tokens{1, 2, 3}));
  EXPECT_EQ(matches(t, "sport/tennis/player1/ranking"), (tokens{1, 2, 3}));
  EXPECT_EQ(matches(t, "sport/tennis/player1/score/wimbledon"), (tokens{1, 2, 3}));
  EXPECT_EQ(matches(t, "sport"), (tokens{2, 3}));  // '#' includes the parent level
  EXPECT_EQ(matches(t, "sport/tennis"), (tokens{2, 3}));
  EXPECT_EQ(matches(t, "news"), (tokens{3}));
}

TEST(topic_trie, single_level_wildcard_spec_examples) {
  // 4.7.1.3
  topic_trie t;
  t.insert("sport/tennis/+", 1);
  t.insert("sport/+", 2);
  t.insert("+/+", 3);
  t.insert("/+", 4);
  t.insert("+", 5);
  EXPECT_EQ(matches(t, "sport/tennis/player1"), (tokens{1}));
  EXPECT_EQ(matches(t, "sport/tennis/player2"), (tokens{1}));
  EXPECT_EQ(matches(t, "sport/tennis/player1/ranking"), (tokens{}));
  EXPECT_EQ(matches(t, "sport"), (tokens{5}));        // "sport/+" needs a second level
  EXPECT_EQ(matches(t, "sport/"), (tokens{2, 3}));    // ... which may be empty
  EXPECT_EQ(matches(t, "/finance"), (tokens{3, 4}));  // "+" alone: one level only
}

TEST(topic_trie, dollar_topics_spec_examples) {
  // 4.7.2
  topic_trie t;
  t.insert("#", 1);
  t.insert("+/monitor/Clients", 2);
  t.insert("$SYS/#", 3);
  t.insert("$SYS/monitor/+", 4);
  t.insert("+", 5);
  EXPECT_EQ(matches(t, "$SYS/monitor/Clients"), (tokens{3, 4}));
  EXPECT_EQ(matches(t, "$SYS"), (tokens{3}));
  EXPECT_EQ(matches(t, "home/monitor/Clients"), (tokens{1, 2}));
}

TEST(topic_trie, dollar_rule_applies_to_first_level_only) {
  topic_trie t;
  t.insert("a/+", 1);
  t.insert("a/#", 2);
  EXPECT_EQ(matches(t, "a/$s"), (tokens{1, 2}));
}

TEST(topic_trie, empty_levels_are_levels) {
  topic_trie t;
  t.insert("+/+", 1);
  t.insert("a//b", 2);
  t.insert("a/+/b", 3);
  EXPECT_EQ(matches(t, "/"), (tokens{1}));
  EXPECT_EQ(matches(t, "a//b"), (tokens{2, 3}));
}

TEST(topic_trie, invalid_names_match_nothing) {
  topic_trie t;
  t.insert("#", 1);
  t.insert("+", 2);
  t.insert("a/+", 3);
  EXPECT_EQ(matches(t, ""), (tokens{}));
  EXPECT_EQ(matches(t, "a/+"), (tokens{}));
  EXPECT_EQ(matches(t, "a/#"), (tokens{}));
}

// -- Agreement with topic_matches() --------------------------------------------------------

TEST(topic_trie, agrees_with_topic_matches_on_every_small_filter_and_topic) {
  const std::vector<std::string> topic_levels = {"a", "b", "", "$s"};
  const std::vector<std::string> filter_levels = {"a", "b", "", "$s", "+"};
  std::vector<std::string> topics = combinations(topic_levels, 4);
  topics.erase(std::remove(topics.begin(), topics.end(), std::string()), topics.end());
  std::vector<std::string> filters = combinations(filter_levels, 4);
  filters.push_back("#");
  for (const std::string& prefix : combinations(filter_levels, 3)) filters.push_back(prefix + "/#");

  topic_trie t;
  for (std::size_t i = 0; i < filters.size(); ++i) t.insert(filters[i], i);
  ASSERT_EQ(t.size(), filters.size());

  std::size_t checked = 0, matched = 0;
  for (const std::string& name : topics) {
    tokens want;
    for (std::size_t i = 0; i < filters.size(); ++i) {
      if (topic_matches(filters[i], name)) want.push_back(i);
    }
    const tokens got = matches(t, name);
    if (got != want) {
      // Name the disagreeing filters, not just the token numbers.
      std::string diff;
      for (std::size_t i = 0; i < filters.size(); ++i) {
        const bool w = std::binary_search(want.begin(), want.end(), i);
        const bool g = std::binary_search(got.begin(), got.end(), i);
        if (w != g) diff += " '" + filters[i] + "'" + (w ? "(missed)" : "(extra)");
      }
      ADD_FAILURE() << "topic '" << name << "':" << diff;
    }
    checked += filters.size();
    matched += want.size();
  }
  // The table is what it claims to be: 339 topics x 936 filters, with plenty of matches.
  EXPECT_EQ(topics.size(), 339u);
  EXPECT_EQ(filters.size(), 936u);
  EXPECT_EQ(checked, 339u * 936u);
  EXPECT_GT(matched, 1000u);
}

// -- Shared subscriptions ------------------------------------------------------------------

TEST(topic_trie, shared_subscription_routes_as_inner_filter) {
  topic_trie t;
  t.insert("$share/group/sensors/+/temp", 7);
  EXPECT_EQ(matches(t, "sensors/kitchen/temp"), (tokens{7}));
  EXPECT_EQ(matches(t, "$share/group/sensors/kitchen/temp"), (tokens{}));
}

TEST(topic_trie, shared_subscription_is_erased_by_its_full_filter) {
  topic_trie t;
  t.insert("$share/group/a/#", 7);
  EXPECT_TRUE(t.erase("$share/group/a/#", 7));
  EXPECT_EQ(matches(t, "a/b"), (tokens{}));
  EXPECT_TRUE(t.empty());
}

TEST(topic_trie, shared_hash_does_not_match_dollar_topics) {
  topic_trie t;
  t.insert("$share/g/#", 1);
  EXPECT_EQ(matches(t, "$SYS/x"), (tokens{}));
  EXPECT_EQ(matches(t, "x"), (tokens{1}));
}

TEST(topic_trie, same_token_in_two_groups_of_one_filter_is_one_pair) {
  topic_trie t;
  t.insert("$share/g1/a", 1);
  t.insert("$share/g2/a", 1);
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(matches(t, "a"), (tokens{1}));
}

// -- Tokens --------------------------------------------------------------------------------

TEST(topic_trie, filter_holds_several_tokens) {
  topic_trie t;
  t.insert("a/b", 1);
  t.insert("a/b", 2);
  t.insert("a/b", 3);
  EXPECT_EQ(t.size(), 3u);
  EXPECT_EQ(matches(t, "a/b"), (tokens{1, 2, 3}));
}

TEST(topic_trie, token_in_several_matching_filters_is_reported_once_per_filter) {
  topic_trie t;
  t.insert("a/+", 9);
  t.insert("a/#", 9);
  t.insert("a/b", 9);
  t.insert("c", 9);
  EXPECT_EQ(t.size(), 4u);
  EXPECT_EQ(matches(t, "a/b"), (tokens{9, 9, 9}));
}

TEST(topic_trie, inserting_an_existing_pair_changes_nothing) {
  topic_trie t;
  t.insert("a/#", 1);
  t.insert("a/#", 1);
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(matches(t, "a"), (tokens{1}));
}

TEST(topic_trie, match_calls_function_for_each_token) {
  topic_trie t;
  t.insert("a", 4);
  t.insert("+", 5);
  tokens seen;
  t.match("a", [&](token x) { seen.push_back(x); });
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (tokens{4, 5}));
}

TEST(topic_trie, collect_appends_to_existing_contents) {
  topic_trie t;
  t.insert("a", 4);
  tokens out = {100};
  t.collect("a", out);
  EXPECT_EQ(out, (tokens{100, 4}));
}

// -- Erasing -------------------------------------------------------------------------------

TEST(topic_trie, erase_removes_only_that_token) {
  topic_trie t;
  t.insert("a/+", 1);
  t.insert("a/+", 2);
  EXPECT_TRUE(t.erase("a/+", 1));
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(matches(t, "a/x"), (tokens{2}));
}

TEST(topic_trie, erase_of_absent_pair_returns_false) {
  topic_trie t;
  t.insert("a/b", 1);
  EXPECT_FALSE(t.erase("a/b", 2));   // other token
  EXPECT_FALSE(t.erase("a/c", 1));   // other filter
  EXPECT_FALSE(t.erase("a", 1));     // a prefix of the filter
  EXPECT_FALSE(t.erase("a/#", 1));   // the wildcard form of a prefix
  EXPECT_FALSE(t.erase("a/+", 1));
  EXPECT_EQ(t.size(), 1u);
}

TEST(topic_trie, erase_on_empty_trie_returns_false) {
  topic_trie t;
  EXPECT_FALSE(t.erase("a", 1));
  EXPECT_EQ(t.erase_all("a"), 0u);
}

TEST(topic_trie, erase_below_removes_only_the_tokens_under_the_bound) {
  topic_trie t;
  t.insert("a/#", 1);
  t.insert("a/#", 5);
  t.insert("a/#", 9);
  t.insert("a/+", 2);
  EXPECT_EQ(t.erase_below("a/#", 6), 2u);
  std::vector<topic_trie::token> got;
  t.collect("a/b", got);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<topic_trie::token>{2, 9}));
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(t.erase_below("a/#", 10), 1u);
  EXPECT_EQ(t.erase_below("a/#", 10), 0u);
  EXPECT_EQ(t.size(), 1u);
}

TEST(topic_trie, erase_all_removes_every_token_of_the_filter) {
  topic_trie t;
  t.insert("a/#", 1);
  t.insert("a/#", 2);
  t.insert("a/#", 3);
  t.insert("a/b", 1);
  EXPECT_EQ(t.erase_all("a/#"), 3u);
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(matches(t, "a/b"), (tokens{1}));
  EXPECT_EQ(t.erase_all("a/#"), 0u);
}

TEST(topic_trie, erase_prunes_the_whole_path) {
  topic_trie t;
  t.insert("x", 1);  // allocates the root
  const std::size_t base = t.node_count();
  t.insert("a/+/c/d", 2);
  EXPECT_EQ(t.node_count(), base + 4);
  EXPECT_TRUE(t.erase("a/+/c/d", 2));
  EXPECT_EQ(t.node_count(), base);
}

TEST(topic_trie, erase_keeps_nodes_still_used_by_longer_filters) {
  topic_trie t;
  t.insert("a", 1);
  t.insert("a/b", 2);
  t.insert("a/#", 3);
  const std::size_t nodes = t.node_count();
  EXPECT_TRUE(t.erase("a", 1));
  EXPECT_TRUE(t.erase("a/#", 3));
  EXPECT_EQ(t.node_count(), nodes);
  EXPECT_EQ(matches(t, "a/b"), (tokens{2}));
}

TEST(topic_trie, erase_prunes_up_to_the_first_node_in_use) {
  topic_trie t;
  t.insert("a/b", 1);
  const std::size_t nodes = t.node_count();  // root, a, b
  t.insert("a/b/c/d", 2);
  EXPECT_TRUE(t.erase("a/b/c/d", 2));
  EXPECT_EQ(t.node_count(), nodes);
  EXPECT_EQ(matches(t, "a/b"), (tokens{1}));
}

TEST(topic_trie, subscribe_unsubscribe_churn_does_not_grow_the_trie) {
  topic_trie t;
  t.insert("keep/+/this", 0);
  const std::size_t nodes = t.node_count();
  for (token i = 1; i <= 5'000; ++i) {
    const std::string n = std::to_string(i % 97);
    const std::string filters[] = {"a/" + n + "/#", "+/" + n, "$share/g" + n + "/b/" + n,
                                   "keep/+/this", "keep/" + n + "/this/+"};
    for (const std::string& f : filters) t.insert(f, i);
    for (const std::string& f : filters) ASSERT_TRUE(t.erase(f, i)) << f;
    ASSERT_EQ(t.size(), 1u);
  }
  EXPECT_EQ(t.node_count(), nodes);
  EXPECT_EQ(matches(t, "keep/x/this"), (tokens{0}));
}

TEST(topic_trie, tens_of_thousands_of_siblings_each_route_to_their_own_filter) {
  // One level with very many children ("site/<id>/..."), levels that are prefixes of each
  // other ("1", "10", "100"), and the growth of a level's children while views of their
  // names are its keys.
  topic_trie t;
  constexpr token count = 30'000;
  auto filter = [](token i) {
    const std::string n = std::to_string(i);
    switch (i % 3) {
      case 0: return "site/" + n + "/+/temperature";
      case 1: return "site/" + n + "/#";
      default: return "site/" + n;
    }
  };
  auto topic = [](token i) {
    const std::string n = std::to_string(i);
    return i % 3 == 2 ? "site/" + n : "site/" + n + "/hall/temperature";
  };
  const std::size_t empty_nodes = t.node_count();
  for (token i = 0; i < count; ++i) t.insert(filter(i), i);
  EXPECT_EQ(t.size(), count);
  for (token i = 0; i < count; ++i) ASSERT_EQ(matches(t, topic(i)), (tokens{i})) << topic(i);
  EXPECT_TRUE(matches(t, "site/" + std::to_string(count) + "/hall/temperature").empty());
  for (token i = 0; i < count; i += 2) ASSERT_TRUE(t.erase(filter(i), i)) << filter(i);
  for (token i = 0; i < count; ++i) {
    ASSERT_EQ(matches(t, topic(i)), i % 2 ? tokens{i} : tokens{}) << topic(i);
  }
  for (token i = 1; i < count; i += 2) ASSERT_TRUE(t.erase(filter(i), i)) << filter(i);
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.node_count(), std::max<std::size_t>(empty_nodes, 1));
}

TEST(topic_trie, erasing_everything_leaves_only_the_root) {
  topic_trie t;
  t.insert("a/b/c", 1);
  t.insert("#", 2);
  t.insert("+/+", 3);
  EXPECT_TRUE(t.erase("a/b/c", 1));
  EXPECT_TRUE(t.erase("#", 2));
  EXPECT_TRUE(t.erase("+/+", 3));
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.node_count(), 1u);
}

TEST(topic_trie, clear_removes_everything) {
  topic_trie t;
  t.insert("a/b", 1);
  t.insert("#", 2);
  t.clear();
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.node_count(), 0u);
  EXPECT_EQ(matches(t, "a/b"), (tokens{}));
  t.insert("a/b", 3);  // still usable
  EXPECT_EQ(matches(t, "a/b"), (tokens{3}));
}

// -- Moves ---------------------------------------------------------------------------------

TEST(topic_trie, move_construction_transfers_filters_and_empties_source) {
  topic_trie a;
  a.insert("a/+", 1);
  topic_trie b(std::move(a));
  EXPECT_EQ(matches(b, "a/x"), (tokens{1}));
  EXPECT_EQ(b.size(), 1u);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from must be usable
  EXPECT_EQ(a.node_count(), 0u);
  EXPECT_EQ(matches(a, "a/x"), (tokens{}));
  a.insert("z", 2);
  EXPECT_EQ(matches(a, "z"), (tokens{2}));
}

TEST(topic_trie, move_assignment_replaces_filters) {
  topic_trie a, b;
  a.insert("a", 1);
  b.insert("b", 2);
  b = std::move(a);
  EXPECT_EQ(matches(b, "a"), (tokens{1}));
  EXPECT_EQ(matches(b, "b"), (tokens{}));
  EXPECT_EQ(b.size(), 1u);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move)
}

// -- Scale ---------------------------------------------------------------------------------

TEST(topic_trie, dispatch_skips_filters_that_cannot_match) {
  // 100000 filters, none of which is a wildcard at a level where the topics differ: matching
  // walks only the branch named by each topic level. (Checked by result, not by time.)
  topic_trie t;
  for (token n = 0; n < 100'000; ++n) t.insert("x/" + std::to_string(n) + "/#", n);
  ASSERT_EQ(t.size(), 100'000u);
  EXPECT_EQ(matches(t, "y/1"), (tokens{}));
  EXPECT_EQ(matches(t, "x/5/z"), (tokens{5}));
  EXPECT_EQ(matches(t, "x/99999"), (tokens{99'999}));
  EXPECT_TRUE(t.erase("x/5/#", 5));
  EXPECT_EQ(matches(t, "x/5/z"), (tokens{}));
}

TEST(topic_trie, very_deep_filters_need_no_deep_recursion) {
  // 20000 levels: recursive matching or destruction would exhaust a WebAssembly stack.
  std::string deep = "a";
  for (int i = 1; i < 20'000; ++i) deep += "/a";
  topic_trie t;
  t.insert(deep, 1);
  t.insert(deep + "/#", 2);
  EXPECT_EQ(t.node_count(), 20'001u);
  EXPECT_EQ(matches(t, deep), (tokens{1, 2}));
  EXPECT_TRUE(t.erase(deep, 1));
  EXPECT_EQ(t.node_count(), 20'001u);  // still used by deep + "/#"
  topic_trie other;
  other.insert(deep, 3);  // destroyed at the end of the test, with its 20001 nodes
  EXPECT_EQ(matches(other, deep), (tokens{3}));
}

}  // namespace
}  // namespace mqttws
