#include "mqttws/topic_trie.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "hash_index.hpp"
#include "mqttws/topic.hpp"

namespace mqttws {

// One node per filter level. The two wildcards get their own slots instead of map entries so
// matching never looks them up by name: '+' is a child like any other but reached by every
// level, and '#' is a token list (it is always the last level, so it never has children).
struct topic_trie::node {
  // Hashed, not ordered: a level such as "site" may have 100,000 children ("site/<id>/..."),
  // and a balanced tree made each message pay ~17 string compares and as many cache misses
  // there. Each child is found by its own `level` (hash_index.hpp), so a topic level is
  // looked up as a string_view without building a string.
  struct by_level {
    using key_type = std::string_view;
    static std::string_view key(const node& n) { return n.level; }
    static std::uint32_t hash(std::string_view level) { return detail::hash_bytes(level); }
  };
  std::string level;                    // the literal level leading here (empty for root, '+')
  hash_index<node, by_level> children;  // literal levels
  std::unique_ptr<node> plus;
  std::vector<token> hash;   // filters "<path to here>/#"
  std::vector<token> exact;  // filters ending at this node

  bool prunable() const {
    return children.empty() && !plus && hash.empty() && exact.empty();
  }
};

namespace {

// Walks the levels of a filter or topic: "a//b" is "a", "", "b"; "" is one empty level.
class level_cursor {
 public:
  explicit level_cursor(std::string_view s) : s_(s) {}
  bool done() const { return pos_ > s_.size(); }
  /// The current level; advances.
  std::string_view next() {
    const std::size_t end = std::min(s_.find('/', pos_), s_.size());
    const std::string_view level = s_.substr(pos_, end - pos_);
    pos_ = end + 1;  // past the end after the last level
    return level;
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

std::string_view inner_filter(std::string_view filter) {
  if (auto shared = parse_shared_subscription(filter)) return shared->filter;
  return filter;
}

bool add_token(std::vector<topic_trie::token>& v, topic_trie::token t) {
  if (std::find(v.begin(), v.end(), t) != v.end()) return false;
  v.push_back(t);
  return true;
}

bool remove_token(std::vector<topic_trie::token>& v, topic_trie::token t) {
  auto it = std::find(v.begin(), v.end(), t);
  if (it == v.end()) return false;
  *it = v.back();  // order is unspecified: swap-and-pop
  v.pop_back();
  // Release the buffer: a node that keeps children is not pruned, and its list must not keep
  // the capacity of its busiest moment.
  if (v.empty()) std::vector<topic_trie::token>().swap(v);
  return true;
}

}  // namespace

topic_trie::topic_trie() = default;

topic_trie::~topic_trie() { clear(); }

topic_trie::topic_trie(topic_trie&& other) noexcept
    : root_(std::move(other.root_)), size_(other.size_), nodes_(other.nodes_) {
  other.size_ = 0;
  other.nodes_ = 0;
}

topic_trie& topic_trie::operator=(topic_trie&& other) noexcept {
  if (this != &other) {
    clear();
    root_ = std::move(other.root_);
    size_ = std::exchange(other.size_, 0);
    nodes_ = std::exchange(other.nodes_, 0);
  }
  return *this;
}

void topic_trie::clear() {
  // Iterative teardown: a filter may have tens of thousands of levels ("/" repeated), and the
  // implicit recursive destruction of unique_ptr chains would use a stack frame per level,
  // more than a WebAssembly stack has. Each node is destroyed after its children were moved
  // out, so every destructor call is shallow.
  std::vector<std::unique_ptr<node>> doomed;
  if (root_) doomed.push_back(std::move(root_));
  while (!doomed.empty()) {
    std::unique_ptr<node> n = std::move(doomed.back());
    doomed.pop_back();
    n->children.take_all(doomed);
    if (n->plus) doomed.push_back(std::move(n->plus));
  }
  size_ = 0;
  nodes_ = 0;
}

void topic_trie::insert(std::string_view filter, token t) {
  if (!root_) {
    root_ = std::make_unique<node>();
    ++nodes_;
  }
  node* n = root_.get();
  level_cursor levels(inner_filter(filter));
  for (;;) {
    const std::string_view level = levels.next();
    if (levels.done() && level == "#") {
      if (add_token(n->hash, t)) ++size_;
      return;
    }
    if (level == "+") {
      if (!n->plus) {
        n->plus = std::make_unique<node>();
        ++nodes_;
      }
      n = n->plus.get();
    } else {
      node* child = n->children.find(level);
      if (!child) {
        auto fresh = std::make_unique<node>();
        fresh->level = std::string(level);
        child = n->children.insert(std::move(fresh));
        ++nodes_;
      }
      n = child;
    }
    if (levels.done()) break;
  }
  if (add_token(n->exact, t)) ++size_;
}

// Finds the token list of `filter`, takes `*only` (or every token) out of it, then prunes the
// nodes of the filter's path that were left empty, deepest first.
std::size_t topic_trie::erase_tokens(std::string_view filter, const token* only, token bound) {
  if (!root_) return 0;
  // The path from the root: each step's parent and the child taken from it ('+', or a
  // literal child, erased by its own level when pruned: O(1) whatever the number of siblings).
  struct step {
    node* parent;
    node* child;
    bool plus;
  };
  std::vector<step> path;
  node* n = root_.get();
  std::vector<token>* tokens = nullptr;
  level_cursor levels(inner_filter(filter));
  while (!tokens) {
    const std::string_view level = levels.next();
    if (levels.done() && level == "#") {
      tokens = &n->hash;
      break;
    }
    const bool plus = level == "+";
    node* next = plus ? n->plus.get() : n->children.find(level);
    if (!next) return 0;
    path.push_back({n, next, plus});
    n = next;
    if (levels.done()) tokens = &n->exact;
  }

  std::size_t removed = 0;
  if (only) {
    removed = remove_token(*tokens, *only) ? 1 : 0;
  } else {
    std::size_t kept = 0;
    for (token t : *tokens) {
      if (t >= bound) (*tokens)[kept++] = t;
    }
    removed = tokens->size() - kept;
    if (kept == 0) {
      std::vector<token>().swap(*tokens);
    } else {
      tokens->resize(kept);
    }
  }
  size_ -= removed;
  for (auto it = path.rbegin(); it != path.rend(); ++it) {
    if (!it->child->prunable()) break;
    if (it->plus) {
      it->parent->plus.reset();
    } else {
      it->parent->children.erase(it->child->level);  // the node goes with the result
    }
    --nodes_;
  }
  return removed;
}

bool topic_trie::erase(std::string_view filter, token t) {
  return erase_tokens(filter, &t, 0) == 1;
}

std::size_t topic_trie::erase_all(std::string_view filter) {
  return erase_tokens(filter, nullptr, ~token{0});
}

std::size_t topic_trie::erase_below(std::string_view filter, token bound) {
  return erase_tokens(filter, nullptr, bound);
}

void topic_trie::collect(std::string_view name, std::vector<token>& out) const {
  // Agree with topic_matches() on invalid names: they match nothing.
  if (!root_ || name.empty() || name.find_first_of("+#") != std::string_view::npos) return;
  // MQTT-4.7.2-1: wildcards in the first level do not match topics starting with '$' (the
  // broker's own $SYS topics must not flood a "#" subscriber).
  const bool dollar = name.front() == '$';

  // Depth-first over the branches that can match, with an explicit stack instead of
  // recursion (topics may be very deep). A pending entry is a node and the offset of the
  // topic level it must consume next; past the end means every level was consumed. A trie
  // node is reached by one path of levels only, so each node, and each (filter, token) pair,
  // is visited at most once.
  struct pending {
    const node* n;
    std::size_t pos;
  };
  std::vector<pending> stack;
  stack.push_back({root_.get(), 0});
  while (!stack.empty()) {
    const pending p = stack.back();
    stack.pop_back();
    if (p.pos > name.size()) {
      out.insert(out.end(), p.n->exact.begin(), p.n->exact.end());
      // "sport/#" matches "sport": '#' includes the parent level.
      out.insert(out.end(), p.n->hash.begin(), p.n->hash.end());
      continue;
    }
    const bool wildcards = !(dollar && p.pos == 0);
    if (wildcards) out.insert(out.end(), p.n->hash.begin(), p.n->hash.end());
    const std::size_t end = std::min(name.find('/', p.pos), name.size());
    const std::size_t next = end + 1;
    if (const node* child = p.n->children.find(name.substr(p.pos, end - p.pos))) {
      stack.push_back({child, next});
    }
    if (wildcards && p.n->plus) stack.push_back({p.n->plus.get(), next});
  }
}

}  // namespace mqttws
