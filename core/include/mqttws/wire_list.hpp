// mqttws — a read-only list that is either borrowed from the caller or read off the wire.
//
// Packets hold lists (subscriptions, reason codes, user properties, ...). To decode without
// allocating, a decoded list is a view over the validated bytes of the packet and parses its
// elements while iterating. To encode, the caller points the same list type at an array of
// its own. Either way the list owns nothing: the bytes or the array must outlive it.
#pragma once

#include <cstddef>
#include <iterator>
#include <string_view>
#include <type_traits>

namespace mqttws {

/// `Traits` provides `static void next(const char*& p, const char* end, T& out)`, reading one
/// element from validated wire bytes (and skipping anything between elements). It is only
/// ever called as many times as the list has elements.
template <class T, class Traits>
class wire_list {
 public:
  using value_type = T;

  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = const T*;
    using reference = const T&;

    iterator() = default;
    const T& operator*() const { return items_ ? items_[index_] : current_; }
    const T* operator->() const { return &**this; }
    iterator& operator++() {
      ++index_;
      load();
      return *this;
    }
    iterator operator++(int) {
      iterator old = *this;
      ++*this;
      return old;
    }
    friend bool operator==(const iterator& a, const iterator& b) { return a.index_ == b.index_; }
    friend bool operator!=(const iterator& a, const iterator& b) { return a.index_ != b.index_; }

   private:
    friend class wire_list;
    iterator(const T* items, const char* p, const char* end, std::size_t index, std::size_t size)
        : items_(items), p_(p), end_(end), index_(index), size_(size) {
      load();
    }
    void load() {
      if (!items_ && index_ < size_) Traits::next(p_, end_, current_);
    }
    const T* items_ = nullptr;
    const char* p_ = nullptr;
    const char* end_ = nullptr;
    std::size_t index_ = 0;
    std::size_t size_ = 0;
    T current_{};
  };

  wire_list() = default;

  /// Borrows `n` elements at `items`.
  wire_list(const T* items, std::size_t n) : items_(items), size_(n) {}

  /// Borrows the elements of a contiguous container (std::vector, std::array, C array).
  template <class C, class = std::enable_if_t<
                         std::is_convertible_v<decltype(std::data(std::declval<const C&>())), const T*>>>
  wire_list(const C& c) : wire_list(std::data(c), std::size(c)) {}  // NOLINT: implicit by design

  /// A temporary container would be gone before the list is used: refused at compile time.
  template <class C, class = std::enable_if_t<
                         std::is_convertible_v<decltype(std::data(std::declval<const C&>())), const T*>>>
  wire_list(const C&& c) = delete;

  /// A list of `count` elements encoded in `wire` (already validated by the decoder).
  static wire_list from_wire(std::string_view wire, std::size_t count) {
    wire_list l;
    l.wire_ = wire;
    l.size_ = count;
    return l;
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  /// True when the list reads wire bytes; false when it borrows an array.
  bool from_wire() const { return items_ == nullptr && size_ != 0; }

  iterator begin() const {
    return iterator(items_, wire_.data(), wire_.data() + wire_.size(), 0, size_);
  }
  iterator end() const { return iterator(items_, nullptr, nullptr, size_, size_); }

 private:
  const T* items_ = nullptr;
  std::string_view wire_;
  std::size_t size_ = 0;
};

}  // namespace mqttws
