// command_flow: SUBSCRIBE/UNSUBSCRIBE commands waiting in the order made, sent ones by packet
// identifier until answered, and back in line in the order made when the connection is lost.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "command_flow.hpp"

namespace mqttws {
namespace {

sub_command make(operation_id op, operation_kind kind = operation_kind::subscribe,
                 std::size_t filters = 1, bool replay = false) {
  sub_command c;
  c.op = op;
  c.kind = kind;
  c.replay = replay;
  for (std::size_t i = 0; i < filters; ++i) c.filters.push_back("f/" + std::to_string(i));
  return c;
}

std::vector<operation_id> drain(command_flow& f) {
  std::vector<operation_id> ops;
  while (f.has_waiting()) ops.push_back(f.next().op);
  return ops;
}

TEST(command_flow, waiting_commands_come_out_in_the_order_made) {
  command_flow f;
  EXPECT_FALSE(f.has_waiting());
  f.wait(make(1));
  f.wait(make(2, operation_kind::unsubscribe));
  f.wait(make(3));
  EXPECT_EQ(drain(f), (std::vector<operation_id>{1, 2, 3}));
}

TEST(command_flow, an_acknowledgement_takes_out_the_command_sent_on_its_identifier) {
  command_flow f;
  f.sent(7, make(1, operation_kind::subscribe, 2));
  std::optional<sub_command> c;
  EXPECT_EQ(f.take_answered(7, operation_kind::subscribe, 2, c), command_flow::answer::ours);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->op, 1u);
  EXPECT_EQ(c->filters.size(), 2u);
  std::optional<sub_command> again;
  EXPECT_EQ(f.take_answered(7, operation_kind::subscribe, 2, again),
            command_flow::answer::unknown);  // answered once: a duplicate is not ours
  EXPECT_FALSE(again);
}

TEST(command_flow, an_acknowledgement_on_an_identifier_never_sent_is_unknown) {
  command_flow f;
  f.sent(7, make(1));
  std::optional<sub_command> c;
  EXPECT_EQ(f.take_answered(8, operation_kind::subscribe, 1, c), command_flow::answer::unknown);
  EXPECT_FALSE(c);
}

TEST(command_flow, an_acknowledgement_of_the_other_kind_contradicts_and_leaves_the_command) {
  command_flow f;
  f.sent(7, make(1, operation_kind::subscribe));
  std::optional<sub_command> c;
  EXPECT_EQ(f.take_answered(7, operation_kind::unsubscribe, 1, c),
            command_flow::answer::contradicts);
  EXPECT_FALSE(c);
  EXPECT_EQ(f.take_answered(7, operation_kind::subscribe, 1, c), command_flow::answer::ours);
}

TEST(command_flow, an_acknowledgement_with_another_count_of_codes_contradicts) {
  command_flow f;
  f.sent(7, make(1, operation_kind::subscribe, 2));
  std::optional<sub_command> c;
  EXPECT_EQ(f.take_answered(7, operation_kind::subscribe, 1, c),
            command_flow::answer::contradicts);
  // No codes to count (a 3.1.1 UNSUBACK): only the kind is checked.
  f.sent(8, make(2, operation_kind::unsubscribe, 3));
  EXPECT_EQ(f.take_answered(8, operation_kind::unsubscribe, std::nullopt, c),
            command_flow::answer::ours);
}

TEST(command_flow, unanswered_commands_wait_again_ahead_of_the_others_in_the_order_made) {
  command_flow f;
  // Identifiers wrapped: the SUBSCRIBE on 65535 was made before the UNSUBSCRIBE on 1.
  f.sent(65535, make(10, operation_kind::subscribe));
  f.sent(1, make(11, operation_kind::unsubscribe));
  f.wait(make(12));
  std::vector<std::uint16_t> released;
  f.unanswered_wait_again(released);
  EXPECT_EQ(released, (std::vector<std::uint16_t>{1, 65535}));
  EXPECT_EQ(drain(f), (std::vector<operation_id>{10, 11, 12}));
  std::optional<sub_command> c;
  EXPECT_EQ(f.take_answered(1, operation_kind::unsubscribe, 1, c), command_flow::answer::unknown);
}

TEST(command_flow, an_unanswered_replay_does_not_wait_again_but_frees_its_identifier) {
  command_flow f;
  f.sent(3, make(5, operation_kind::subscribe, 1, /*replay=*/true));
  std::vector<std::uint16_t> released;
  f.unanswered_wait_again(released);
  EXPECT_EQ(released, (std::vector<std::uint16_t>{3}));
  EXPECT_FALSE(f.has_waiting());
}

TEST(command_flow, take_all_empties_it_waiting_ones_first_then_sent_by_identifier) {
  command_flow f;
  f.sent(9, make(1));
  f.sent(2, make(2));
  f.wait(make(3));
  f.wait(make(4));
  std::vector<operation_id> ops;
  for (const sub_command& c : f.take_all()) ops.push_back(c.op);
  EXPECT_EQ(ops, (std::vector<operation_id>{3, 4, 2, 1}));
  EXPECT_FALSE(f.has_waiting());
  EXPECT_TRUE(f.take_all().empty());
}

}  // namespace
}  // namespace mqttws
