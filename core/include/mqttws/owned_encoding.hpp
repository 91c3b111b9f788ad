// mqttws — the one ownership mechanism behind owned_publish and owned_properties: encoded
// bytes, and a view decoded from them.
//
// The bytes are the value; the view is derived from them. Every operation that gives an
// object new bytes (a copy) decodes its own view again, so no view can point into another
// object's buffer. Bytes and view live together in one heap entry, handed over as a pointer
// when an object moves: a view (a PUBLISH's is 400 bytes of fields and optionals on 64-bit
// platforms, 360 of them its properties) is never copied by a move, and events and queued
// messages move several times on their way out (the session's queues, the event variant,
// the driver). An empty object owns no entry at all, so making one costs nothing either (an
// operation event carries two that usually stay empty).
#pragma once

#include <cstdint>
#include <memory>
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

  owned_encoding(const owned_encoding& other) : ctx_(other.ctx_) {
    if (other.entry_) reparse(other.entry_->bytes);
  }
  owned_encoding& operator=(const owned_encoding& other) {
    if (this != &other) {
      ctx_ = other.ctx_;
      if (other.entry_) {
        reparse(other.entry_->bytes);
      } else {
        entry_.reset();
      }
    }
    return *this;
  }
  // The entry is handed over; the source is empty from now on.
  owned_encoding(owned_encoding&& other) noexcept = default;
  owned_encoding& operator=(owned_encoding&& other) noexcept = default;

  /// Takes `bytes`, which must decode in `ctx`. Errors: those of Decode; *this is unchanged
  /// then.
  std::error_code assign(std::vector<std::uint8_t> bytes, Context ctx) {
    auto e = std::make_unique<entry>();
    e->bytes = std::move(bytes);
    if (std::error_code ec = Decode(chars(e->bytes), ctx, e->view)) return ec;
    // Bytes that decode while empty make an empty object, as an empty object's bytes are.
    if (e->bytes.empty()) e.reset();
    entry_ = std::move(e);
    ctx_ = ctx;
    return {};
  }

  /// An empty (or moved-from) object shows an empty View.
  const View& view() const { return entry_ ? entry_->view : empty_view(); }
  const std::vector<std::uint8_t>& bytes() const {
    return entry_ ? entry_->bytes : empty_bytes();
  }
  Context context() const { return ctx_; }
  bool empty() const { return !entry_; }

  /// Changes bytes and view in place, together: `f(bytes, view)` must leave the bytes
  /// decoding to the view. Not called on an empty object (there is nothing to change).
  template <class F>
  void edit(F&& f) {
    if (entry_) std::forward<F>(f)(entry_->bytes, entry_->view);
  }

 private:
  struct entry {
    std::vector<std::uint8_t> bytes;
    View view;
  };
  static std::string_view chars(const std::vector<std::uint8_t>& b) {
    return as_chars(b.data(), b.size());
  }
  void reparse(const std::vector<std::uint8_t>& from) {
    // Only ever given bytes that decoded before (copies of a valid object), so failure would
    // be a bug; the object then becomes empty rather than holding a view of nothing.
    auto e = std::make_unique<entry>();
    e->bytes = from;
    if (Decode(chars(e->bytes), ctx_, e->view)) {
      entry_.reset();
    } else {
      entry_ = std::move(e);
    }
  }
  static const View& empty_view() {
    static const View empty{};
    return empty;
  }
  static const std::vector<std::uint8_t>& empty_bytes() {
    static const std::vector<std::uint8_t> empty;
    return empty;
  }

  std::unique_ptr<entry> entry_;
  Context ctx_;
};

}  // namespace mqttws::detail
