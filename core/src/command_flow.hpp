// Internal: the SUBSCRIBE and UNSUBSCRIBE commands of one session between the call that made
// them and their acknowledgement — those waiting for a connection (or a free packet
// identifier), in the order made, and those sent, by packet identifier, until answered.
//
// It decides only order and ownership: the session sends, encodes and completes. A connection
// lost puts the unanswered commands back at the front of the line in the order they were made
// (not in identifier order: identifiers wrap), since SUBSCRIBE and UNSUBSCRIBE are idempotent.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fifo.hpp"
#include "mqttws/owned.hpp"
#include "mqttws/session.hpp"

namespace mqttws {

/// One SUBSCRIBE or UNSUBSCRIBE to send, with what its acknowledgement is checked against.
struct sub_command {
  operation_id op = 0;
  operation_kind kind = operation_kind::subscribe;
  bool internal = false;  // request() subscription: no event of its own
  bool replay = false;    // resubscription of a granted subscription: no event, no new state
  bool own_id = false;    // props carry a Subscription Identifier the session assigned
  std::vector<std::string> filters;
  std::vector<subscribe_options> options;  // subscribe only, one per filter
  owned_properties props;
};

class command_flow {
 public:
  /// `c` waits, behind those already waiting.
  void wait(sub_command&& c) { waiting_.push_back(std::move(c)); }
  bool has_waiting() const { return !waiting_.empty(); }
  /// The first command waiting, taken out of the line. Only when has_waiting().
  sub_command next();

  /// `c` went out under `packet_id` (in use by no other command).
  void sent(std::uint16_t packet_id, sub_command&& c) { sent_.emplace(packet_id, std::move(c)); }

  enum class answer : std::uint8_t {
    ours,         // the command sent on that identifier, now taken out
    unknown,      // no command of ours was sent on it: nothing changes
    contradicts,  // of another kind, or with another count of codes: nothing changes
  };
  /// An acknowledgement of `kind` on `packet_id`, with `code_count` reason codes when the
  /// packet has them to count: the command it answers, into `out` when `ours`.
  answer take_answered(std::uint16_t packet_id, operation_kind kind,
                       std::optional<std::size_t> code_count, std::optional<sub_command>& out);

  /// The connection is gone: every sent command but a replay (the next resubscription makes
  /// those again) waits again, ahead of those waiting, in the order made. The identifiers the
  /// sent ones held are appended to `released`.
  void unanswered_wait_again(std::vector<std::uint16_t>& released);

  /// Every command, waiting ones first (in line), then sent ones (by identifier), taken out.
  std::vector<sub_command> take_all();

 private:
  fifo<sub_command> waiting_;
  std::map<std::uint16_t, sub_command> sent_;
};

}  // namespace mqttws
