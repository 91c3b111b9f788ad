// mqttws — the one ownership mechanism behind owned_publish and owned_properties: encoded
// bytes, and a view decoded from them.
//
// The bytes are the value; the view is derived from them. Every operation that gives an
// object new bytes (a copy) decodes its own view again, so no view can point into another
// object's buffer. Moves instead hand the buffer itself over: std::vector's move constructor
// and its move assignment with std::allocator (propagating, hence noexcept, so no
// element-wise copy can happen) transfer the heap block, and views into it stay valid in the
// destination. The views never point into the vector object, only into its heap block.
#pragma once

#include <cstdint>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "mqttws/codec.hpp"

namespace mqttws::detail {

/// `Decode` reads a View out of the whole of its bytes for `Context` (a protocol version, a
/// property context), its views pointing into those bytes: the codec's decode_publish() and
/// decode_properties().
template <class View, class Context,
          std::error_code (*Decode)(std::string_view, Context, View&)>
class owned_encoding {
 public:
  /// Empty, with the context an empty object reports (as the owning class documents it).
  explicit owned_encoding(Context ctx) : ctx_(ctx) {}

  owned_encoding(const owned_encoding& other) : bytes_(other.bytes_), ctx_(other.ctx_) {
    reparse();
  }
  owned_encoding& operator=(const owned_encoding& other) {
    if (this != &other) {
      bytes_ = other.bytes_;
      ctx_ = other.ctx_;
      reparse();
    }
    return *this;
  }
  // The view is copied once and the source's left alone (events are moved several times on
  // their way out); the source shows empty_view() from now on, as its bytes are gone.
  owned_encoding(owned_encoding&& other) noexcept
      : bytes_(std::move(other.bytes_)), view_(other.view_), ctx_(other.ctx_) {
    other.bytes_.clear();
  }
  owned_encoding& operator=(owned_encoding&& other) noexcept {
    if (this != &other) {
      bytes_ = std::move(other.bytes_);
      view_ = other.view_;
      ctx_ = other.ctx_;
      other.bytes_.clear();
    }
    return *this;
  }

  /// Takes `bytes`, which must decode in `ctx`. Errors: those of Decode; *this is unchanged
  /// then.
  std::error_code assign(std::vector<std::uint8_t> bytes, Context ctx) {
    owned_encoding tmp(ctx);
    tmp.bytes_ = std::move(bytes);
    if (std::error_code ec = Decode(tmp.chars(), ctx, tmp.view_)) return ec;
    *this = std::move(tmp);
    return {};
  }

  /// A moved-from or empty object shows an empty View instead of its stale view_.
  const View& view() const { return bytes_.empty() ? empty_view() : view_; }
  const std::vector<std::uint8_t>& bytes() const { return bytes_; }
  Context context() const { return ctx_; }
  bool empty() const { return bytes_.empty(); }

  /// Changes bytes and view in place, together: `f(bytes, view)` must leave the bytes
  /// decoding to the view. Not called on an empty object (there is nothing to change).
  template <class F>
  void edit(F&& f) {
    if (!bytes_.empty()) std::forward<F>(f)(bytes_, view_);
  }

 private:
  std::string_view chars() const { return as_chars(bytes_.data(), bytes_.size()); }
  void reparse() {
    // Only ever given bytes that decoded before (copies of a valid object), so failure would
    // be a bug; the object then becomes empty rather than holding a view of nothing.
    if (bytes_.empty() || Decode(chars(), ctx_, view_)) {
      bytes_.clear();
      view_ = View{};
    }
  }
  static const View& empty_view() {
    static const View empty{};
    return empty;
  }

  std::vector<std::uint8_t> bytes_;
  View view_;
  Context ctx_;
};

}  // namespace mqttws::detail
