// Internal: a session's subscriptions, from subscribe() until each filter ends — the one place
// that decides how long a subscription routes messages and says when it stops.
//
// A subscription is one subscribe operation and its filters. Its filters route incoming
// messages from subscribe() on (a retained message may arrive right after the SUBACK, before
// the driver has seen it), are marked granted by the SUBACK (what a connection that does not
// resume the session subscribes again), and end one by one: refused by a SUBACK (the first or
// a resubscription's), removed by an UNSUBACK, never sent, or the session's close. Each end
// is reported (subscription_ended_event, when reporting is on), the last one of an operation
// with `last` set, so drivers keep a handler per operation and drop it when the session says.
//
// Routing is a topic_trie of operation ids plus the Subscription Identifiers (MQTT 5) each
// operation carries, so a copy the broker delivered for one subscription is reported for that
// one only. Every lookup an incoming message or acknowledgement needs is by filter or by
// identifier, never a walk over every subscription: 100,000 of them are a normal load.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hash_index.hpp"
#include "mqttws/owned.hpp"
#include "mqttws/packets.hpp"
#include "mqttws/session_event.hpp"
#include "mqttws/topic_trie.hpp"

namespace mqttws {

class subscription_book {
 public:
  /// One filter of a subscription and how it was asked for.
  struct filter_entry {
    std::string filter;
    subscribe_options options;
    bool granted = false;  // a SUBACK granted it: resubscribed when a session is lost
  };
  struct subscription {
    std::vector<filter_entry> filters;
    owned_properties props;  // as sent (Subscription Identifiers included)
    bool own_id = false;     // props carry an identifier the session assigned
    bool internal = false;   // request()'s response filter: no routes, no events
  };
  using ended_list = std::vector<subscription_ended_event>;

  /// Whether ends are reported (session_settings::report_subscription_ends): when off, the
  /// functions below append nothing to `out`.
  explicit subscription_book(bool report = false) : report_(report) {}

  // ---- Subscription Identifiers (MQTT 5) -------------------------------------------------------
  /// The identifier the next subscribe() may take as the session's own, or 0 when none is left
  /// (268,435,455 is the largest the spec allows).
  std::uint32_t next_own_id() const {
    return last_own_id_ < 268'435'455u ? last_own_id_ + 1 : 0;
  }
  /// Whether identifier `id` was assigned by the session (removed from reported messages).
  bool own_id(std::uint32_t id) const {
    const id_use* use = ids_.find(id);
    return use && use->own;
  }
  bool known_id(std::uint32_t id) const { return ids_.find(id) != nullptr; }

  // ---- lifetime ----------------------------------------------------------------------------
  /// subscribe() accepted operation `op`: its filters route from now (unless internal), and
  /// the identifiers in `s.props` name it. `s.own_id`: the first of them is next_own_id().
  void add(operation_id op, subscription s);
  /// The broker answered `op`'s SUBSCRIBE of `sent` (in that order) with `codes`: granted
  /// filters are kept for resubscription, refused ones end (`refused`, their code).
  void answered(operation_id op, const std::vector<std::string>& sent,
                const std::vector<reason_code>& codes, ended_list& out);
  /// `op`'s SUBSCRIBE of `sent` could not be sent: those filters end (`not_sent`).
  void not_sent(operation_id op, const std::vector<std::string>& sent, ended_list& out);
  /// An UNSUBACK removed `filter` (with `code`, a success): every subscription made before
  /// the UNSUBSCRIBE (operation `before`) holding it ends for it; a subscribe() of the same
  /// filter made while the UNSUBSCRIBE was on its way stays (operation ids only grow).
  void unsubscribed(std::string_view filter, operation_id before, reason_code code,
                    ended_list& out);
  /// The session ended: every filter ends (`session_closed`), in subscription order.
  void close(ended_list& out);

  // ---- use ----------------------------------------------------------------------------------
  /// The subscriptions a message on `topic` with Subscription Identifiers `ids` is for,
  /// ascending, each once: those whose filters match the topic, narrowed to those the
  /// identifiers name when any identifier known here names one of them (a broker sends one
  /// copy per matching subscription, each naming its own).
  void route(std::string_view topic, subscription_id_list ids,
             std::vector<operation_id>& out) const;
  /// Calls f(op, subscription, granted filters) for each subscription with a granted filter,
  /// in the order they were made: what a connection that lost the session subscribes again.
  template <class F>
  void each_granted(F&& f) const {
    for (const auto& [op, s] : subs_) {
      std::vector<const filter_entry*> granted;
      for (const filter_entry& e : s.filters) {
        if (e.granted) granted.push_back(&e);
      }
      if (!granted.empty()) f(op, s, granted);
    }
  }
  std::size_t size() const { return subs_.size(); }
  bool holds(operation_id op) const { return subs_.count(op) != 0; }

 private:
  using sub_map = std::map<operation_id, subscription>;
  // The subscriptions a Subscription Identifier names.
  struct id_use {
    std::uint32_t id = 0;
    std::vector<operation_id> ops;
    bool own = false;
    struct by_id {
      using key_type = std::uint32_t;
      static std::uint32_t key(const id_use& u) { return u.id; }
      static std::uint32_t hash(std::uint32_t id) { return detail::mix_hash(id); }
    };
  };
  // Per filter entry of a subscription: the code it ends with, or nullopt: it stays.
  using ending = std::vector<std::optional<reason_code>>;
  // Removes the entries of `it` that `drop` ends, reporting each distinct filter once with
  // `reason` and the code of its first entry; erases the subscription when none is left
  // (`last`). `it` is invalid afterwards.
  void end_filters(sub_map::iterator it, const ending& drop, subscription_end reason,
                   ended_list& out);
  void index(operation_id op, const std::string& filter);
  void unindex(operation_id op, const std::string& filter);
  void forget_ids(operation_id op, const subscription& s);

  bool report_;
  sub_map subs_;  // by operation: the order subscriptions were made in
  // Filter (as given) -> the operations holding it, so an UNSUBACK touches only those. An
  // ordered map, not libc++'s hash table (1.6 KB of the npm download with its prime sizing):
  // a subscribe or an unsubscribe costs O(log n) compares. What every message needs is
  // hashed: the routes (the trie) and the identifiers.
  std::map<std::string, std::vector<operation_id>, std::less<>> by_filter_;
  topic_trie routes_;
  hash_index<id_use, id_use::by_id> ids_;
  std::uint32_t last_own_id_ = 0;
};

}  // namespace mqttws
