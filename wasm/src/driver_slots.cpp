#include "driver_slots.hpp"

#include <cmath>

namespace mqttws::wasm {
namespace {

// handle = generation * 2^24 + index + 1: 16 million drivers at once, 2^29 generations, all
// exact in a double.
constexpr double index_span = 16777216.0;
constexpr std::uint32_t generations = 1u << 29;

}  // namespace

double driver_slots::add(std::unique_ptr<driver> d) {
  std::uint32_t index;
  if (free_.empty()) {
    index = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  } else {
    index = free_.back();
    free_.pop_back();
  }
  slot& s = slots_[index];
  s.d = std::move(d);
  // One counter for all slots, so that a handle stays unique even after the table was freed.
  s.generation = next_generation_;
  next_generation_ = (next_generation_ + 1) % generations;
  ++live_;
  return static_cast<double>(s.generation) * index_span + static_cast<double>(index) + 1;
}

// Not inlined: every binding calls it, and LTO would copy it into each.
[[gnu::noinline]] driver* driver_slots::find(double handle) const {
  if (!(handle >= 1) || std::floor(handle) != handle) return nullptr;
  const double generation = std::floor((handle - 1) / index_span);
  const double index = handle - 1 - generation * index_span;
  if (index >= static_cast<double>(slots_.size())) return nullptr;
  const slot& s = slots_[static_cast<std::size_t>(index)];
  return s.d && static_cast<double>(s.generation) == generation ? s.d.get() : nullptr;
}

void driver_slots::remove(double handle) {
  if (!find(handle)) return;
  const auto index = static_cast<std::uint32_t>(
      handle - 1 - std::floor((handle - 1) / index_span) * index_span);
  // The slot is emptied before the driver goes: its destructor calls the host (timer,
  // close), and nothing must find a driver under this handle any more.
  std::unique_ptr<driver> gone = std::move(slots_[index].d);
  free_.push_back(index);
  --live_;
  gone.reset();
  if (live_ == 0) {
    // No driver left: the table gives its memory back too (the wasm heap returns to where it
    // was before the first driver).
    std::vector<slot>().swap(slots_);
    std::vector<std::uint32_t>().swap(free_);
  }
}

}  // namespace mqttws::wasm
