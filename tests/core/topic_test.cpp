// Topic names, topic filters, matching and shared subscriptions (MQTT 5.0 sections 4.7, 4.8.2;
// MQTT 3.1.1 section 4.7).
#include "mqttws/topic.hpp"

#include <gtest/gtest.h>

#include <string>

#include "codec_helpers.hpp"

namespace mqttws::test {
namespace {

struct validity_case {
  std::string_view text;
  std::error_code want;  // clear: valid
};

const validity_case topic_names[] = {
    {"a", {}},
    {"/", {}},
    {"a/b", {}},
    {"a//b", {}},
    {"/finance", {}},
    {"sport/tennis/player1", {}},
    {"Accounts payable", {}},
    {"$SYS/monitor/Clients", {}},
    {"caf\xc3\xa9/\xf0\x9f\x8c\xa1", {}},  // café/🌡
    {"", errc::invalid_topic_name},
    {"+", errc::invalid_topic_name},
    {"#", errc::invalid_topic_name},
    {"a/+", errc::invalid_topic_name},
    {"a/#", errc::invalid_topic_name},
    {"a+b", errc::invalid_topic_name},
    {"a#", errc::invalid_topic_name},
    {std::string_view("a\0b", 3), errc::null_character},
    {"\xc0\xaf", errc::invalid_utf8},
    {"\xed\xa0\x80", errc::invalid_utf8},
};

const validity_case topic_filters[] = {
    {"#", {}},
    {"+", {}},
    {"/", {}},
    {"a/#", {}},
    {"a/+/b", {}},
    {"+/+", {}},
    {"/+", {}},
    {"+/tennis/#", {}},
    {"sport/tennis/player1/#", {}},
    {"a/b/", {}},
    {"$SYS/#", {}},
    {"$share", {}},        // no slash: an ordinary filter
    {"$sharegroup/a", {}}, // not the "$share/" prefix
    {"$share/g/a", {}},
    {"$share/g/#", {}},
    {"$share/g/+/b", {}},
    {"$share/g/a/b/", {}},
    {"", errc::invalid_topic_filter},
    {"sport/tennis#", errc::invalid_topic_filter},
    {"sport/tennis/#/ranking", errc::invalid_topic_filter},
    {"sport+", errc::invalid_topic_filter},
    {"+a", errc::invalid_topic_filter},
    {"a/#b", errc::invalid_topic_filter},
    {"#/", errc::invalid_topic_filter},
    {"##", errc::invalid_topic_filter},
    {"++", errc::invalid_topic_filter},
    {"$share/", errc::invalid_topic_filter},
    {"$share/g", errc::invalid_topic_filter},
    {"$share/g/", errc::invalid_topic_filter},
    {"$share//a", errc::invalid_topic_filter},
    {"$share/g+/a", errc::invalid_topic_filter},
    {"$share/+/a", errc::invalid_topic_filter},
    {"$share/g#/a", errc::invalid_topic_filter},
    {"$share/g/a#", errc::invalid_topic_filter},
    {std::string_view("a/\0", 3), errc::null_character},
    {"a/\xff", errc::invalid_utf8},
};

TEST(topic, validate_topic_name_table) {
  for (const validity_case& c : topic_names) {
    EXPECT_EQ(validate_topic_name(c.text), c.want) << '"' << c.text << '"';
  }
}

TEST(topic, validate_topic_filter_table) {
  for (const validity_case& c : topic_filters) {
    EXPECT_EQ(validate_topic_filter(c.text), c.want) << '"' << c.text << '"';
  }
}

TEST(topic, length_limit_is_65535_bytes) {
  const std::string max(65535, 'a');
  const std::string over(65536, 'a');
  EXPECT_FALSE(validate_topic_name(max));
  EXPECT_FALSE(validate_topic_filter(max));
  EXPECT_TRUE(is_error(validate_topic_name(over), errc::string_too_long));
  EXPECT_TRUE(is_error(validate_topic_filter(over), errc::string_too_long));
}

// Validation scans long ASCII runs in blocks; a bad byte must be found wherever it sits.
TEST(topic, validation_finds_a_bad_byte_at_any_position) {
  struct bad_byte {
    std::string_view bytes;
    std::error_code name_error;
    std::error_code filter_error;
  };
  const bad_byte bads[] = {
      {std::string_view("\0", 1), errc::null_character, errc::null_character},
      {"\x80", errc::invalid_utf8, errc::invalid_utf8},
      {"\xff", errc::invalid_utf8, errc::invalid_utf8},
      {"\xe2\x82", errc::invalid_utf8, errc::invalid_utf8},  // cut 3-byte sequence
      {"x+", errc::invalid_topic_name, errc::invalid_topic_filter},
      {"#x", errc::invalid_topic_name, errc::invalid_topic_filter},
      {"\xc3\xa9", {}, {}},  // valid: U+00E9
  };
  for (std::size_t len = 1; len <= 40; ++len) {
    for (std::size_t pos = 0; pos < len; ++pos) {
      for (const bad_byte& b : bads) {
        std::string text(len, 'a');
        text.replace(pos, 1, b.bytes);
        SCOPED_TRACE(::testing::Message() << "length " << len << " position " << pos);
        EXPECT_EQ(validate_topic_name(text), b.name_error);
        EXPECT_EQ(validate_topic_filter(text), b.filter_error);
      }
    }
  }
}

struct match_case {
  const char* filter;
  const char* name;
  bool matches;
};

// The examples of section 4.7.1 and 4.7.2, then the corners between them.
const match_case matches[] = {
    // 4.7.1.2 multi-level wildcard
    {"sport/tennis/player1/#", "sport/tennis/player1", true},
    {"sport/tennis/player1/#", "sport/tennis/player1/ranking", true},
    {"sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true},
    {"sport/#", "sport", true},
    {"sport/tennis/player1/#", "sport/tennis/player2", false},
    {"sport/tennis/player1/#", "sport/tennis", false},
    // 4.7.1.3 single-level wildcard
    {"sport/tennis/+", "sport/tennis/player1", true},
    {"sport/tennis/+", "sport/tennis/player2", true},
    {"sport/tennis/+", "sport/tennis/player1/ranking", false},
    {"sport/+", "sport", false},
    {"sport/+", "sport/", true},
    {"+/+", "/finance", true},
    {"/+", "/finance", true},
    {"+", "/finance", false},
    {"+/tennis/#", "sport/tennis/player1", true},
    {"+/tennis/#", "sport/tennis", true},
    // 4.7.2 topics beginning with $
    {"#", "$SYS/monitor/Clients", false},
    {"+/monitor/Clients", "$SYS/monitor/Clients", false},
    {"$SYS/#", "$SYS/monitor/Clients", true},
    {"$SYS/monitor/+", "$SYS/monitor/Clients", true},
    {"+", "$SYS", false},
    {"a/+", "a/$SYS", true},  // only the first level is special
    // 4.7.3 case sensitive, spaces allowed
    {"ACCOUNTS", "Accounts", false},
    {"Accounts payable", "Accounts payable", true},
    // corners
    {"#", "a", true},
    {"#", "a/b/c", true},
    {"#", "/", true},
    {"+", "a", true},
    {"+", "a/b", false},
    {"a/b", "a/b", true},
    {"a/b", "a/b/c", false},
    {"a/b", "a", false},
    {"a/b/c", "a/b", false},
    {"a/+/c", "a/b/c", true},
    {"a/+/c", "a//c", true},
    {"a/+/c", "a/b/d", false},
    {"a/#", "a/", true},
    {"a/#", "ab", false},
    {"a/+", "a/b/", false},
    {"a/b/", "a/b/", true},
    {"a/b/", "a/b", false},
    {"+/+/+", "a/b/c", true},
    {"+/+/+", "a/b", false},
    {"/", "/", true},
    {"//", "/", false},
    // shared subscriptions match what their inner filter matches
    {"$share/g/sport/#", "sport/tennis", true},
    {"$share/g/sport/#", "news", false},
    {"$share/g/+", "$SYS", false},
    {"$share/g/$SYS/#", "$SYS/x", true},
    {"$share/group/a/b", "a/b", true},
    {"$share/group/a/b", "group/a/b", false},
};

TEST(topic, topic_matches_table) {
  for (const match_case& c : matches) {
    EXPECT_EQ(topic_matches(c.filter, c.name), c.matches)
        << "filter \"" << c.filter << "\" name \"" << c.name << '"';
  }
}

TEST(topic, invalid_arguments_never_match) {
  const match_case invalid[] = {
      {"", "", false},     {"", "a", false},         {"a", "", false},
      {"a+", "a+", false}, {"sport/tennis#", "sport/tennis#", false},
      {"+", "a+", false},  {"#", "a/#", false},      {"$share/g", "a", false},
      {"a/#/b", "a/x/b", false},
  };
  for (const match_case& c : invalid) {
    EXPECT_FALSE(topic_matches(c.filter, c.name))
        << "filter \"" << c.filter << "\" name \"" << c.name << '"';
  }
}

TEST(topic, parse_shared_subscription_splits_group_and_filter) {
  struct split_case {
    const char* filter;
    const char* group;
    const char* inner;
  };
  const split_case cases[] = {
      {"$share/g/a", "g", "a"},
      {"$share/consumers/sport/+/score", "consumers", "sport/+/score"},
      {"$share/g/#", "g", "#"},
      {"$share/g//", "g", "/"},
  };
  for (const split_case& c : cases) {
    const auto s = parse_shared_subscription(c.filter);
    ASSERT_TRUE(s) << c.filter;
    EXPECT_EQ(s->group, c.group);
    EXPECT_EQ(s->filter, c.inner);
  }
}

TEST(topic, parse_shared_subscription_ignores_other_filters) {
  for (const char* f : {"a/b", "#", "$share", "$SYS/#", "$sharegroup/a", "share/g/a", "$Share/g/a"}) {
    EXPECT_FALSE(parse_shared_subscription(f)) << f;
  }
}

}  // namespace
}  // namespace mqttws::test
