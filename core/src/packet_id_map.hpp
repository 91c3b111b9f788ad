// packet_id_map: a value per MQTT packet identifier (1..65535), O(1) both ways, with memory
// proportional to the identifiers in use rather than to the identifier space.
//
// Why not a flat array: 65535 eight-byte slots are 512 KiB per session, all of it resident once
// zeroed, which made an idle native connection cost ~600 KB. Why not a hash map: a node
// allocation per publish on the hottest path. Identifiers are handed out round robin, so the
// ones in flight at any time sit in a few neighbouring pages of 256: pages are allocated when
// first written and freed when their last identifier is erased, and so is the table of pages
// (2 KiB), so a session with nothing in flight holds one null pointer.
#pragma once

#include <array>
#include <cstdint>
#include <memory>

namespace mqttws {

template <typename T>
class packet_id_map {
 public:
  /// The value stored for `id`, or `T{}` if none.
  T get(std::uint16_t id) const noexcept {
    if (!pages_) return T{};
    const page* p = (*pages_)[id >> 8].get();
    return p ? p->values[id & 0xff] : T{};
  }

  /// Stores `value` (not `T{}`: that is "none") for `id`, replacing any previous one.
  void put(std::uint16_t id, T value) {
    if (!pages_) pages_ = std::make_unique<page_table>();
    std::unique_ptr<page>& p = (*pages_)[id >> 8];
    if (!p) {
      p = std::make_unique<page>();
      ++pages_used_;
    }
    T& slot = p->values[id & 0xff];
    if (slot == T{}) ++p->used;
    slot = value;
  }

  /// Forgets `id`'s value; frees its page when that was the page's last one.
  void erase(std::uint16_t id) noexcept {
    if (!pages_) return;
    std::unique_ptr<page>& p = (*pages_)[id >> 8];
    if (!p) return;
    T& slot = p->values[id & 0xff];
    if (slot == T{}) return;
    slot = T{};
    if (--p->used != 0) return;
    p.reset();
    if (--pages_used_ == 0) pages_.reset();
  }

  void clear() noexcept {
    pages_.reset();
    pages_used_ = 0;
  }

 private:
  struct page {
    std::array<T, 256> values{};
    std::uint16_t used = 0;
  };
  using page_table = std::array<std::unique_ptr<page>, 256>;
  std::unique_ptr<page_table> pages_;
  std::uint16_t pages_used_ = 0;
};

}  // namespace mqttws
