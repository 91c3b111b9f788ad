// subscription_book alone: a subscription's filters from add() to their end, routing by topic
// and by Subscription Identifier, and what a lost session subscribes again.
#include "subscription_book.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mqttws {
namespace {

subscription_book::subscription sub(std::vector<std::string> filters,
                                    std::vector<std::uint32_t> ids = {}, bool own = false) {
  subscription_book::subscription s;
  for (std::string& f : filters) s.filters.push_back({std::move(f), subscribe_options{}, false});
  properties p;
  p.subscription_identifiers = subscription_id_list(ids.data(), ids.size());
  EXPECT_FALSE(owned_properties::make(p, property_context::subscribe, s.props));
  s.own_id = own;
  return s;
}

std::vector<operation_id> route(const subscription_book& book, std::string_view topic,
                                std::vector<std::uint32_t> ids = {}) {
  std::vector<operation_id> out;
  book.route(topic, subscription_id_list(ids.data(), ids.size()), out);
  return out;
}

TEST(SubscriptionBook, filters_route_from_add_on_in_ascending_operation_order) {
  subscription_book book;
  book.add(7, sub({"a/+"}));
  book.add(3, sub({"a/#", "a/b"}));
  EXPECT_EQ(route(book, "a/b"), (std::vector<operation_id>{3, 7}));
  EXPECT_EQ(route(book, "b"), std::vector<operation_id>{});
}

TEST(SubscriptionBook, an_identifier_narrows_routing_to_the_subscriptions_it_names) {
  subscription_book book;
  book.add(1, sub({"a/#"}, {11}));
  book.add(2, sub({"a/b"}, {12}));
  EXPECT_EQ(route(book, "a/b", {12}), std::vector<operation_id>{2});
  EXPECT_EQ(route(book, "a/b", {99}), (std::vector<operation_id>{1, 2}));  // unknown: topic only
}

TEST(SubscriptionBook, own_identifiers_are_handed_out_in_order_and_known_as_own) {
  subscription_book book;
  EXPECT_EQ(book.next_own_id(), 1u);
  book.add(1, sub({"a"}, {1}, true));
  EXPECT_EQ(book.next_own_id(), 2u);
  book.add(2, sub({"b"}, {500}));
  EXPECT_TRUE(book.own_id(1));
  EXPECT_FALSE(book.own_id(500));
  EXPECT_TRUE(book.known_id(500));
}

TEST(SubscriptionBook, the_last_filter_to_end_forgets_the_subscriptions_identifiers) {
  subscription_book book(true);
  book.add(1, sub({"a"}, {5}));
  subscription_book::ended_list out;
  book.unsubscribed("a", 2, reason_code::success, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].last);
  EXPECT_FALSE(book.known_id(5));
  EXPECT_FALSE(book.holds(1));
}

TEST(SubscriptionBook, a_filter_named_twice_is_answered_entry_by_entry_and_ends_once) {
  subscription_book book(true);
  book.add(1, sub({"a", "a"}));
  subscription_book::ended_list out;
  book.answered(1, {"a", "a"}, {reason_code::granted_qos_0, reason_code::not_authorized}, out);
  EXPECT_TRUE(out.empty());  // one entry of "a" was granted: the filter still routes
  EXPECT_EQ(route(book, "a"), std::vector<operation_id>{1});
  book.unsubscribed("a", 2, reason_code::success, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].filter, "a");
  EXPECT_TRUE(out[0].last);
}

TEST(SubscriptionBook, only_granted_filters_are_subscribed_again_in_the_order_made) {
  subscription_book book;
  book.add(4, sub({"x", "y"}));
  book.add(2, sub({"w"}));
  book.add(9, sub({"z"}));  // no SUBACK yet: not granted
  subscription_book::ended_list out;
  book.answered(4, {"x", "y"}, {reason_code::granted_qos_0, reason_code::granted_qos_1}, out);
  book.answered(2, {"w"}, {reason_code::granted_qos_0}, out);
  std::vector<std::string> again;
  book.each_granted([&](operation_id op, const subscription_book::subscription&,
                        const std::vector<const subscription_book::filter_entry*>& granted) {
    for (const auto* e : granted) again.push_back(std::to_string(op) + ":" + e->filter);
  });
  EXPECT_EQ(again, (std::vector<std::string>{"2:w", "4:x", "4:y"}));
}

TEST(SubscriptionBook, close_ends_everything_and_routes_nothing) {
  subscription_book book(true);
  book.add(1, sub({"a", "b"}, {3}));
  book.add(2, sub({"c"}));
  subscription_book::ended_list out;
  book.close(out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[2].subscription, 2u);
  EXPECT_EQ(book.size(), 0u);
  EXPECT_EQ(route(book, "a"), std::vector<operation_id>{});
  EXPECT_FALSE(book.known_id(3));
}

TEST(SubscriptionBook, without_reporting_nothing_is_listed_but_filters_still_end) {
  subscription_book book(false);
  book.add(1, sub({"a"}));
  subscription_book::ended_list out;
  book.unsubscribed("a", 2, reason_code::success, out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(route(book, "a"), std::vector<operation_id>{});
}

TEST(SubscriptionBook, an_internal_subscription_has_no_route_and_no_report) {
  subscription_book book(true);
  subscription_book::subscription s = sub({"reply/+"});
  s.internal = true;
  book.add(1, std::move(s));
  EXPECT_EQ(route(book, "reply/1"), std::vector<operation_id>{});
  subscription_book::ended_list out;
  book.close(out);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace mqttws
