// Internal: the topic aliases the broker sets on this connection (MQTT 5, 3.3.2.3.4): alias ->
// topic, for aliases 1..the Topic Alias Maximum our CONNECT announced.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mqttws {

class alias_in {
 public:
  /// `maximum`: connect_properties.topic_alias_maximum (0: the broker may set none).
  explicit alias_in(std::uint16_t maximum) : maximum_(maximum) {}

  /// A new connection: no alias is set.
  void reset() { topics_.assign(std::size_t{maximum_} + 1, std::string()); }

  enum class outcome : std::uint8_t {
    ok,
    out_of_range,  ///< 0, or above the maximum: a Protocol Error (Topic Alias invalid)
    unknown,       ///< an empty topic with an alias never set: a Protocol Error
  };
  /// A PUBLISH carried `alias` with `topic`: a topic sets the alias, an empty one uses it
  /// (`topic` then becomes the alias's topic, valid until the next reset() or set).
  outcome resolve(std::uint16_t alias, std::string_view& topic) {
    if (alias == 0 || alias > maximum_ || alias >= topics_.size()) return outcome::out_of_range;
    std::string& known = topics_[alias];
    if (!topic.empty()) {
      known.assign(topic.data(), topic.size());
    } else if (known.empty()) {
      return outcome::unknown;
    } else {
      topic = known;
    }
    return outcome::ok;
  }

 private:
  std::uint16_t maximum_;
  std::vector<std::string> topics_;  // by alias; index 0 unused
};

}  // namespace mqttws
