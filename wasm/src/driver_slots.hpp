// mqttws — the drivers alive in the module, named to JavaScript by handles.
//
// A handle is a number (exact in a double): the slot's index and a generation drawn from one
// counter, so a handle kept after destroy() names no driver — never a later one in the same
// slot — and the bindings refuse it instead of touching freed memory. Once the last driver
// is gone the table frees its own memory. Single-threaded, like the module.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "driver.hpp"

namespace mqttws::wasm {

class driver_slots {
 public:
  /// Takes `d` and returns its handle (never 0).
  double add(std::unique_ptr<driver> d);
  /// The driver named by `handle`, or nullptr when there is none (destroyed, or never made).
  driver* find(double handle) const;
  /// Destroys the driver named by `handle` (nothing when there is none).
  void remove(double handle);

 private:
  struct slot {
    std::uint32_t generation = 0;
    std::unique_ptr<driver> d;
  };
  std::vector<slot> slots_;
  std::vector<std::uint32_t> free_;  // indices of empty slots
  std::uint32_t next_generation_ = 0;
  std::size_t live_ = 0;
};

}  // namespace mqttws::wasm
