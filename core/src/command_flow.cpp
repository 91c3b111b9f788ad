#include "command_flow.hpp"

#include <algorithm>
#include <utility>

namespace mqttws {

sub_command command_flow::next() {
  sub_command c = std::move(waiting_.front());
  waiting_.pop_front();
  return c;
}

command_flow::answer command_flow::take_answered(std::uint16_t packet_id, operation_kind kind,
                                                 std::optional<std::size_t> code_count,
                                                 std::optional<sub_command>& out) {
  auto it = sent_.find(packet_id);
  if (it == sent_.end()) return answer::unknown;
  if (it->second.kind != kind || (code_count && *code_count != it->second.filters.size())) {
    return answer::contradicts;
  }
  out.emplace(std::move(it->second));
  sent_.erase(it);
  return answer::ours;
}

void command_flow::unanswered_wait_again(std::vector<std::uint16_t>& released) {
  std::vector<std::pair<operation_id, std::uint16_t>> order;  // sorted, not the commands
  for (const auto& [id, c] : sent_) {
    released.push_back(id);
    if (!c.replay) order.emplace_back(c.op, id);
  }
  std::make_heap(order.begin(), order.end());  // a heap sort: little code
  std::sort_heap(order.begin(), order.end());
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    waiting_.push_front(std::move(sent_.find(it->second)->second));
  }
  sent_.clear();
}

std::vector<sub_command> command_flow::take_all() {
  std::vector<sub_command> all;
  all.reserve(waiting_.size() + sent_.size());
  for (sub_command& c : waiting_) all.push_back(std::move(c));
  for (auto& entry : sent_) all.push_back(std::move(entry.second));
  waiting_.clear();
  sent_.clear();
  return all;
}

}  // namespace mqttws
