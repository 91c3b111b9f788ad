// mqttws — routing of incoming topics to subscriptions.
//
// A trie of topic filter levels. Matching walks the topic's levels once, visiting only the
// branches that can match ('+' and '#' children and the literal level), so the cost depends on
// the topic's depth and the number of matching filters, not on how many filters exist.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mqttws {

class topic_trie {
 public:
  using token = std::uint64_t;

  topic_trie();
  ~topic_trie();
  topic_trie(topic_trie&&) noexcept;
  topic_trie& operator=(topic_trie&&) noexcept;

  /// Adds `t` under `filter` (a valid topic filter; "$share/{group}/" is stripped, so a shared
  /// subscription routes as its inner filter). The same token may be added to several filters.
  /// Pairs are keyed by the inner filter: adding a pair that is already there changes nothing
  /// ("$share/g1/a" and "$share/g2/a" with the same token are one pair).
  void insert(std::string_view filter, token t);
  /// Removes `t` from `filter`; false if it was not there.
  bool erase(std::string_view filter, token t);
  /// Removes every token under `filter`; returns how many.
  std::size_t erase_all(std::string_view filter);
  /// Removes the tokens under `filter` that are less than `bound`; returns how many. (The
  /// session's tokens are operation ids, which only grow: an UNSUBACK ends the subscriptions
  /// made before its UNSUBSCRIBE, not one made while it was on its way.)
  std::size_t erase_below(std::string_view filter, token bound);
  /// Calls f(token) for every token whose filter matches topic `name` (4.7 rules, including
  /// '$' topics not matched by a leading wildcard). Order: unspecified; each (filter, token)
  /// pair at most once. Like topic_matches(), an invalid name (empty, or with '+' or '#')
  /// matches nothing.
  template <class F>
  void match(std::string_view name, F&& f) const {
    std::vector<token> out;
    collect(name, out);
    for (token t : out) f(t);
  }
  /// Appends the matching tokens to `out` (same rules as match()).
  void collect(std::string_view name, std::vector<token>& out) const;

  std::size_t size() const { return size_; }  ///< (filter, token) pairs.
  bool empty() const { return size_ == 0; }
  /// Trie nodes currently allocated, root included (0 or 1 when empty): erase() prunes the
  /// nodes it leaves without tokens or children, so this tracks the filters, not their history.
  std::size_t node_count() const { return nodes_; }
  void clear();

 private:
  struct node;
  // Removes `*only` (or, when null, every token below `bound`) from `filter`, pruning emptied
  // nodes.
  std::size_t erase_tokens(std::string_view filter, const token* only, token bound);
  std::unique_ptr<node> root_;
  std::size_t size_ = 0;
  std::size_t nodes_ = 0;
};

}  // namespace mqttws
