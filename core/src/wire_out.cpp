#include "wire_out.hpp"

namespace mqttws {

void wire_out::put_encoded(const std::vector<std::uint8_t>& bytes) {
  bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
  ends_.push_back(base_ + bytes_.size());
}

void wire_out::complete_when_taken(operation_id op) {
  completions_.emplace_back(base_ + bytes_.size(), op);
}

bool wire_out::take(std::vector<std::uint8_t>& out, std::size_t limit,
                    std::vector<operation_id>& completed) {
  if (ends_.empty()) return false;
  const std::uint64_t start = base_ + head_;
  std::uint64_t stop = ends_.front();
  ends_.pop_front();
  while (!ends_.empty() && (limit == 0 || ends_.front() - start <= limit)) {
    stop = ends_.front();
    ends_.pop_front();
  }
  const auto from = static_cast<std::ptrdiff_t>(head_);
  const auto to = static_cast<std::ptrdiff_t>(stop - base_);
  out.insert(out.end(), bytes_.begin() + from, bytes_.begin() + to);
  head_ = static_cast<std::size_t>(stop - base_);
  while (!completions_.empty() && completions_.front().first <= stop) {
    completed.push_back(completions_.front().second);
    completions_.pop_front();
  }
  compact();
  return true;
}

void wire_out::clear(std::vector<operation_id>& orphaned) {
  for (const auto& c : completions_) orphaned.push_back(c.second);
  completions_.clear();
  ends_.clear();
  base_ += bytes_.size();
  bytes_.clear();
  head_ = 0;
}

void wire_out::compact() {
  // Erasing the taken prefix on every take would make draining a large queue quadratic;
  // erase it once it is the larger half.
  if (head_ == bytes_.size()) {
    base_ += bytes_.size();
    bytes_.clear();
    head_ = 0;
  } else if (head_ >= 4096 && head_ * 2 >= bytes_.size()) {
    bytes_.erase(bytes_.begin(), bytes_.begin() + static_cast<std::ptrdiff_t>(head_));
    base_ += head_;
    head_ = 0;
  }
}

}  // namespace mqttws
