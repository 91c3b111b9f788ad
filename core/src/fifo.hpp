// Internal: a first-in first-out queue over one std::vector, where the session used std::deque.
//
// Taken from the front, added at the back (now and then put back at the front, or in the
// middle), and usually drained to empty: a vector and the index of its first live element do
// all of that. The point is size: in the npm package's wasm each std::deque instantiation
// brought its map of blocks (__split_buffer, push_front/push_back of block pointers, block
// iterators, __add_back_capacity), about 1 KB of gzipped download for four queues; a vector's
// code is mostly shared with the vectors the session has anyway.
//
// Elements taken from the front stay in the vector, moved from, until the queue empties (then
// the vector is cleared, and its buffer released if it grew large) or until they are half of it
// (then the live ones move down). Iterators are the vector's: insert() and erase() invalidate
// them, as std::deque's do.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace mqttws {

template <class T>
class fifo {
 public:
  using iterator = typename std::vector<T>::iterator;
  using const_iterator = typename std::vector<T>::const_iterator;

  bool empty() const { return head_ == items_.size(); }
  std::size_t size() const { return items_.size() - head_; }

  iterator begin() { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
  iterator end() { return items_.end(); }
  const_iterator begin() const { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
  const_iterator end() const { return items_.end(); }
  const_iterator cbegin() const { return begin(); }
  const_iterator cend() const { return end(); }

  T& front() { return items_[head_]; }
  const T& back() const { return items_.back(); }

  void push_back(T&& v) { items_.push_back(std::move(v)); }
  template <class... Args>
  void emplace_back(Args&&... args) {
    items_.emplace_back(std::forward<Args>(args)...);
  }
  void push_front(T&& v) {
    if (head_ > 0) {
      items_[--head_] = std::move(v);
    } else {
      items_.insert(items_.begin(), std::move(v));
    }
  }
  /// Inserts before `at`; returns the new element's position.
  iterator insert(iterator at, T&& v) {
    if (at == begin() && head_ > 0) {
      items_[--head_] = std::move(v);
      return begin();
    }
    return items_.insert(at, std::move(v));
  }

  void pop_front() {
    ++head_;
    settle();
  }
  /// Removes the element at `at`; returns the position of the one after it.
  iterator erase(iterator at) {
    if (at == begin()) {
      pop_front();
      return begin();
    }
    return items_.erase(at);
  }

  void clear() {
    // Large buffers go (a burst must not stay allocated), small ones are kept for the next use.
    if (items_.capacity() > keep_capacity) {
      std::vector<T>().swap(items_);
    } else {
      items_.clear();
    }
    head_ = 0;
  }

 private:
  static constexpr std::size_t keep_capacity = 64;

  // After the front moved: empty starts over; taken elements that are half the vector make
  // room (the live ones are moved to a vector of their own, so T needs only move construction).
  void settle() {
    if (empty()) {
      clear();
    } else if (head_ >= 32 && head_ * 2 >= items_.size()) {
      std::vector<T> live;
      live.reserve(size());
      for (auto it = begin(); it != end(); ++it) live.push_back(std::move(*it));
      items_.swap(live);
      head_ = 0;
    }
  }

  std::vector<T> items_;
  std::size_t head_ = 0;  // index of the front element
};

}  // namespace mqttws
