// Internal: the topic aliases the session sets for its own PUBLISHes on this connection
// (MQTT 5, 3.3.2.3.4; session_options::auto_topic_alias): up to the broker's Topic Alias
// Maximum topics get an alias, and when every alias is taken the least recently used topic
// gives its alias up.
//
// The recency order is a doubly linked list threaded through a vector by alias (no node per
// topic, no std::list in the wasm); an ordered map from topic to alias finds a topic in
// O(log n) of at most the Topic Alias Maximum topics. It was a hash table: the wasm's only
// other one is the topic trie's own (level_table.hpp), and libc++'s hash tables cost 1.6 KB of
// the npm download for tables this small.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <map>
#include <vector>

namespace mqttws {

class alias_out {
 public:
  /// A new connection (or none): no alias exists; `maximum` may be assigned (0: aliases off).
  void reset(std::uint16_t maximum);

  bool enabled() const { return maximum_ > 0; }

  /// The alias to send `topic` with (enabled() only). `known`: the broker already has it, so
  /// the PUBLISH may leave the topic out; otherwise the alias is (re)assigned to `topic` and
  /// the PUBLISH must carry both.
  std::uint16_t use(std::string_view topic, bool& known);

 private:
  struct link {
    std::uint16_t newer, older;  // neighbours in recency order; 0: none
  };
  void unlink(std::uint16_t a);
  void push_newest(std::uint16_t a);

  std::uint16_t maximum_ = 0;
  // By alias; index 0 unused. Two vectors rather than one of structs: the links are trivially
  // copyable, which keeps the code a vector of them needs small.
  std::vector<std::string> topics_;
  std::vector<link> links_;
  std::map<std::string, std::uint16_t, std::less<>> alias_of_;
  std::uint16_t newest_ = 0, oldest_ = 0;
};

}  // namespace mqttws
