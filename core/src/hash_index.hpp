// Internal: a hash table of our own, for the core's two lookups that must not grow with the
// number of subscriptions: a topic_trie node's children by level name, and the session's
// Subscription Identifiers (subscription_book). Both were std::unordered_map.
//
// Why not libc++'s: its bucket machinery (prime sizes through __next_prime, rehash policy,
// node handles) was 1.6 KB of the npm package's gzipped download. This is open addressing
// over one vector of owning pointers: slots are a power of two, at most half full (linear
// probing); erasing shifts the entries that follow back into place (no tombstones), and a
// table left empty releases its slots. Entries are heap objects that never move while they
// are in the table (only the owning pointers do), so pointers to them stay valid and a key
// may be a view of the entry's own data.
//
// Traits give an entry's key and a key's hash:
//   using key_type = ...;
//   static key_type key(const Entry&);
//   static std::uint32_t hash(key_type);
// Keys are compared with ==. Not thread-safe; no iteration order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

namespace mqttws {

template <class Entry, class Traits>
class hash_index {
 public:
  using key_type = typename Traits::key_type;

  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }

  /// The entry with key `k`, or nullptr.
  Entry* find(key_type k) const {
    if (slots_.empty()) return nullptr;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = Traits::hash(k) & mask;; i = (i + 1) & mask) {
      Entry* e = slots_[i].get();
      if (!e || Traits::key(*e) == k) return e;
    }
  }

  /// Adds `e`, whose key no entry here has yet; returns it.
  Entry* insert(std::unique_ptr<Entry> e) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    Entry* added = e.get();
    place(std::move(e));
    ++size_;
    return added;
  }

  /// Takes the entry with key `k` out (nullptr when there is none). `k` may view the entry
  /// itself: it is not used once the entry is found.
  std::unique_ptr<Entry> erase(key_type k) {
    if (slots_.empty()) return nullptr;
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = Traits::hash(k) & mask;
    while (slots_[i] && !(Traits::key(*slots_[i]) == k)) i = (i + 1) & mask;
    std::unique_ptr<Entry> out = std::move(slots_[i]);
    if (!out) return nullptr;
    --size_;
    // Entries after the hole that probed past it move back into it, so that every entry stays
    // reachable from its home slot without gaps.
    for (std::size_t j = (i + 1) & mask; slots_[j]; j = (j + 1) & mask) {
      const std::size_t home = Traits::hash(Traits::key(*slots_[j])) & mask;
      // The entry at j stays when its home lies cyclically in (i, j].
      const bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (stays) continue;
      slots_[i] = std::move(slots_[j]);
      i = j;
    }
    if (size_ == 0) std::vector<std::unique_ptr<Entry>>().swap(slots_);
    return out;
  }

  /// Moves every entry into `out` and leaves the table empty (topic_trie::clear()'s
  /// iterative teardown).
  void take_all(std::vector<std::unique_ptr<Entry>>& out) {
    for (std::unique_ptr<Entry>& s : slots_) {
      if (s) out.push_back(std::move(s));
    }
    clear();
  }

  /// Destroys every entry.
  void clear() {
    std::vector<std::unique_ptr<Entry>>().swap(slots_);
    size_ = 0;
  }

 private:
  void place(std::unique_ptr<Entry> e) {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = Traits::hash(Traits::key(*e)) & mask;
    while (slots_[i]) i = (i + 1) & mask;
    slots_[i] = std::move(e);
  }

  void grow() {
    std::vector<std::unique_ptr<Entry>> old = std::move(slots_);
    slots_ = std::vector<std::unique_ptr<Entry>>(old.empty() ? 4 : old.size() * 2);
    for (std::unique_ptr<Entry>& s : old) {
      if (s) place(std::move(s));
    }
  }

  std::vector<std::unique_ptr<Entry>> slots_;  // empty, or a power of two
  std::size_t size_ = 0;
};

namespace detail {

/// The mixing step of both hashes: the table uses the low bits, and keys such as "0" ...
/// "99999" or 1, 2, 3 differ only in theirs.
inline std::uint32_t mix_hash(std::uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  return h;
}

/// FNV-1a over the bytes of `s`, mixed (strings such as topic levels are short).
inline std::uint32_t hash_bytes(std::string_view s) {
  std::uint32_t h = 2166136261u;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  return mix_hash(h);
}

}  // namespace detail

}  // namespace mqttws
