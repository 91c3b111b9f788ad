// request_table: MQTT 5 requests waiting for their response, and their response filters.
#include <gtest/gtest.h>

#include "request_table.hpp"

namespace mqttws {
namespace {

using namespace std::chrono_literals;
const time_point t0{};

TEST(request_table, numbers_count_up_from_one) {
  request_table r;
  EXPECT_EQ(r.next_number(), "1");
  EXPECT_EQ(r.next_number(), "2");
}

TEST(request_table, peek_number_shows_the_next_number_without_taking_it) {
  request_table r;
  EXPECT_EQ(r.peek_number(), "1");
  EXPECT_EQ(r.peek_number(), "1");
  EXPECT_EQ(r.next_number(), "1");
  EXPECT_EQ(r.peek_number(), "2");
}

TEST(request_table, a_reply_on_the_response_topic_with_the_correlation_answers_once) {
  request_table r;
  r.add("c1", 7, "resp/1", t0 + 5s);
  EXPECT_TRUE(r.waiting("c1"));
  EXPECT_EQ(r.answer("c1", "resp/1"), 7u);
  EXPECT_FALSE(r.waiting("c1"));
  EXPECT_EQ(r.answer("c1", "resp/1"), 0u);
}

TEST(request_table, a_reply_on_another_topic_answers_nothing) {
  request_table r;
  r.add("c1", 7, "resp/1", t0 + 5s);
  EXPECT_EQ(r.answer("c1", "resp/2"), 0u);
  EXPECT_EQ(r.answer("c2", "resp/1"), 0u);
  EXPECT_TRUE(r.waiting("c1"));
}

TEST(request_table, expire_takes_the_requests_whose_deadline_came) {
  request_table r;
  r.add("a", 1, "t", t0 + 5s);
  r.add("b", 2, "t", t0 + 3s);
  r.add("c", 3, "t", t0 + 9s);
  EXPECT_EQ(r.deadline(), t0 + 3s);
  std::vector<operation_id> expired;
  r.expire(t0 + 5s, expired);
  EXPECT_EQ(expired, (std::vector<operation_id>{1, 2}));
  EXPECT_EQ(r.deadline(), t0 + 9s);
}

TEST(request_table, remove_forgets_one_request_by_operation) {
  request_table r;
  r.add("a", 1, "t", t0 + 5s);
  EXPECT_TRUE(r.remove(1));
  EXPECT_FALSE(r.remove(1));
  EXPECT_EQ(r.deadline(), std::nullopt);
}

TEST(request_table, take_all_empties_the_table_in_correlation_order) {
  request_table r;
  r.add("b", 2, "t", t0 + 5s);
  r.add("a", 1, "t", t0 + 5s);
  std::vector<operation_id> ops;
  r.take_all(ops);
  EXPECT_EQ(ops, (std::vector<operation_id>{1, 2}));
  EXPECT_FALSE(r.waiting("a"));
}

TEST(request_table, a_response_filter_is_subscribed_until_unsubscribed) {
  request_table r;
  EXPECT_FALSE(r.subscribed("p/+"));
  r.subscribing("p/+");
  r.subscribing("q/+");
  EXPECT_TRUE(r.subscribed("p/+"));
  r.unsubscribed("p/+");
  EXPECT_FALSE(r.subscribed("p/+"));
  EXPECT_TRUE(r.subscribed("q/+"));
}

}  // namespace
}  // namespace mqttws
