// mqttws — a value or an error, for calls that return something and cannot throw.
#pragma once

#include <cassert>
#include <system_error>
#include <utility>

namespace mqttws {

template <class T>
class result {
 public:
  result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  result(std::error_code ec) : ec_(ec) { assert(ec); }  // NOLINT
  template <class E, class = std::enable_if_t<std::is_error_code_enum_v<E>>>
  result(E e) : result(std::error_code(e)) {}  // NOLINT

  bool has_value() const { return !ec_; }
  explicit operator bool() const { return has_value(); }
  /// The value; only meaningful when has_value().
  const T& value() const { return value_; }
  const T& operator*() const { return value_; }
  std::error_code error() const { return ec_; }

 private:
  T value_{};
  std::error_code ec_;
};

}  // namespace mqttws
