#include "wire_out.hpp"

#include "wire.hpp"

namespace mqttws {

void wire_out::put_encoded(const std::vector<std::uint8_t>& bytes) {
  detail::append(bytes_, bytes.data(), bytes.size());
  mark_packet_end();
}

void wire_out::complete_when_taken(operation_id op) {
  marks_.push_back({base_ + bytes_.size(), op});
}

bool wire_out::take(std::vector<std::uint8_t>& out, std::size_t limit,
                    std::vector<operation_id>& completed) {
  if (packets_ == 0) return false;
  const std::uint64_t start = base_ + head_;
  // Whole packets while they fit (the first always goes), and with them every operation
  // marked before the first packet that stays: its position is at most `stop` (a packet is
  // never empty, so marks after that packet's end lie beyond `stop`).
  std::uint64_t stop = start;
  bool first = true;
  std::size_t i = marks_head_;
  for (; i < marks_.size(); ++i) {
    const mark& m = marks_[i];
    if (m.op != 0) {
      completed.push_back(m.op);
      continue;
    }
    if (!first && limit != 0 && m.at - start > limit) break;
    first = false;
    stop = m.at;
    --packets_;
  }
  marks_head_ = i;
  const auto to = static_cast<std::size_t>(stop - base_);
  detail::append(out, bytes_.data() + head_, to - head_);
  head_ = static_cast<std::size_t>(stop - base_);
  compact();
  return true;
}

void wire_out::clear(std::vector<operation_id>& orphaned) {
  for (std::size_t i = marks_head_; i < marks_.size(); ++i) {
    if (marks_[i].op != 0) orphaned.push_back(marks_[i].op);
  }
  marks_.clear();
  marks_head_ = 0;
  packets_ = 0;
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
  if (marks_head_ == marks_.size()) {
    marks_.clear();
    marks_head_ = 0;
  } else if (marks_head_ >= 256 && marks_head_ * 2 >= marks_.size()) {
    marks_.erase(marks_.begin(), marks_.begin() + static_cast<std::ptrdiff_t>(marks_head_));
    marks_head_ = 0;
  }
}

}  // namespace mqttws
