#include "subscription_book.hpp"

#include <algorithm>

#include "mqttws/topic.hpp"

namespace mqttws {

namespace {

// What a filter routes as: a shared subscription's inner filter ("$share/g/a/+" is "a/+"),
// the key topic_trie files it under.
std::string_view routed_as(std::string_view filter) {
  if (auto shared = parse_shared_subscription(filter)) return shared->filter;
  return filter;
}

// Sorts and removes duplicates. A heap sort: O(n log n) like std::sort, in a fraction of its
// code, and the usual one or two operations cost nothing.
void sort_unique(std::vector<operation_id>& v) {
  if (v.size() < 2) return;
  std::make_heap(v.begin(), v.end());
  std::sort_heap(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

}  // namespace

void subscription_book::add(operation_id op, subscription s) {
  if (s.own_id) last_own_id_ = next_own_id();
  for (std::uint32_t id : s.props.view().subscription_identifiers) {
    id_use* use = ids_.find(id);
    if (!use) {
      auto fresh = std::make_unique<id_use>();
      fresh->id = id;
      use = ids_.insert(std::move(fresh));
    }
    use->ops.push_back(op);
    if (s.own_id && id == last_own_id_) use->own = true;
  }
  for (const filter_entry& e : s.filters) {
    index(op, e.filter);
    if (!s.internal) routes_.insert(e.filter, op);
  }
  subs_.emplace(op, std::move(s));
}

void subscription_book::answered(operation_id op, const std::vector<std::string>& sent,
                                 const std::vector<reason_code>& codes, ended_list& out) {
  auto it = subs_.find(op);
  if (it == subs_.end()) return;  // unsubscribed meanwhile: nothing of it is left to answer
  std::vector<filter_entry>& filters = it->second.filters;
  // Each code answers the next entry of its filter not answered yet (a filter may be named
  // twice, and a resubscription sends only the granted ones).
  std::vector<bool> answered_now(filters.size(), false);
  ending drop(filters.size());
  bool any_refused = false;
  for (std::size_t i = 0; i < sent.size() && i < codes.size(); ++i) {
    for (std::size_t j = 0; j < filters.size(); ++j) {
      if (answered_now[j] || filters[j].filter != sent[i]) continue;
      answered_now[j] = true;
      if (is_success(codes[i])) {
        filters[j].granted = true;
      } else {
        drop[j] = codes[i];
        any_refused = true;
      }
      break;
    }
  }
  if (any_refused) end_filters(it, drop, subscription_end::refused, out);
}

void subscription_book::not_sent(operation_id op, const std::vector<std::string>& sent,
                                 ended_list& out) {
  auto it = subs_.find(op);
  if (it == subs_.end()) return;
  ending drop(it->second.filters.size());
  for (std::size_t j = 0; j < drop.size(); ++j) {
    const std::string& f = it->second.filters[j].filter;
    if (std::find(sent.begin(), sent.end(), f) != sent.end()) drop[j] = reason_code::packet_too_large;
  }
  end_filters(it, drop, subscription_end::not_sent, out);
}

void subscription_book::unsubscribed(std::string_view filter, operation_id before,
                                     reason_code code, ended_list& out) {
  auto held = by_filter_.find(filter);
  if (held == by_filter_.end()) return;
  std::vector<operation_id> ops;  // copied: end_filters() changes the index
  for (operation_id op : held->second) {
    if (op < before) ops.push_back(op);
  }
  for (operation_id op : ops) {
    auto it = subs_.find(op);
    if (it == subs_.end()) continue;
    ending drop(it->second.filters.size());
    for (std::size_t j = 0; j < drop.size(); ++j) {
      if (it->second.filters[j].filter == filter) drop[j] = code;
    }
    end_filters(it, drop, subscription_end::unsubscribed, out);
  }
}

void subscription_book::close(ended_list& out) {
  while (!subs_.empty()) {
    auto it = subs_.begin();
    end_filters(it, ending(it->second.filters.size(), reason_code::success),
                subscription_end::session_closed, out);
  }
  by_filter_.clear();
  routes_.clear();
  ids_.clear();
}

void subscription_book::end_filters(sub_map::iterator it, const ending& drop,
                                    subscription_end reason, ended_list& out) {
  const operation_id op = it->first;
  subscription& s = it->second;
  // The distinct filters that leave, each with the code of its first entry.
  std::vector<std::pair<std::string, reason_code>> ended;
  std::vector<filter_entry> kept;
  for (std::size_t j = 0; j < s.filters.size(); ++j) {
    std::string& f = s.filters[j].filter;
    if (!drop[j]) {
      kept.push_back(std::move(s.filters[j]));
    } else if (std::none_of(ended.begin(), ended.end(),
                            [&](const auto& e) { return e.first == f; })) {
      ended.emplace_back(std::move(f), *drop[j]);
    }
  }
  s.filters = std::move(kept);
  // A filter the subscription still names in another entry has not ended.
  ended.erase(std::remove_if(ended.begin(), ended.end(),
                             [&](const auto& e) {
                               return std::any_of(s.filters.begin(), s.filters.end(),
                                                  [&](const filter_entry& k) {
                                                    return k.filter == e.first;
                                                  });
                             }),
              ended.end());
  for (const auto& [f, code] : ended) {
    auto still = [&](std::string_view as) {
      return std::any_of(s.filters.begin(), s.filters.end(),
                         [&](const filter_entry& e) { return routed_as(e.filter) == as; });
    };
    // "$share/g1/a" and "$share/g2/a" are one route: it stays while either remains.
    if (!s.internal && !still(routed_as(f))) routes_.erase(f, op);
    unindex(op, f);
  }
  const bool last = s.filters.empty();
  const bool internal = s.internal;
  if (last) {
    forget_ids(op, s);
    subs_.erase(it);
  }
  if (!report_ || internal) return;
  for (std::size_t i = 0; i < ended.size(); ++i) {
    subscription_ended_event e;
    e.subscription = op;
    e.filter = std::move(ended[i].first);
    e.reason = reason;
    e.code = ended[i].second;
    e.last = last && i + 1 == ended.size();
    out.push_back(std::move(e));
  }
}

void subscription_book::index(operation_id op, const std::string& filter) {
  std::vector<operation_id>& holders = by_filter_[filter];
  // A filter named twice in one SUBSCRIBE is indexed once; operations arrive in order.
  if (holders.empty() || holders.back() != op) holders.push_back(op);
}

void subscription_book::unindex(operation_id op, const std::string& filter) {
  auto it = by_filter_.find(filter);
  if (it == by_filter_.end()) return;
  std::vector<operation_id>& holders = it->second;
  holders.erase(std::remove(holders.begin(), holders.end(), op), holders.end());
  if (holders.empty()) by_filter_.erase(it);
}

void subscription_book::forget_ids(operation_id op, const subscription& s) {
  // add() filed `op` under exactly these identifiers: no walk over every identifier in use.
  for (std::uint32_t id : s.props.view().subscription_identifiers) {
    id_use* use = ids_.find(id);
    if (!use) continue;
    std::vector<operation_id>& ops = use->ops;
    ops.erase(std::remove(ops.begin(), ops.end(), op), ops.end());
    if (ops.empty()) ids_.erase(id);
  }
}

void subscription_book::route(std::string_view topic, subscription_id_list ids,
                              std::vector<operation_id>& out) const {
  routes_.collect(topic, out);
  sort_unique(out);
  // A copy that names Subscription Identifiers was delivered for those subscriptions only:
  // report it for them, so overlapping subscriptions do not each see every copy.
  // Identifiers nobody here knows change nothing.
  std::vector<operation_id> named;
  for (std::uint32_t id : ids) {
    const id_use* use = ids_.find(id);
    if (!use) continue;
    for (operation_id op : use->ops) {
      if (std::binary_search(out.begin(), out.end(), op)) named.push_back(op);
    }
  }
  if (!named.empty()) {
    sort_unique(named);
    out = std::move(named);
  }
}

}  // namespace mqttws
