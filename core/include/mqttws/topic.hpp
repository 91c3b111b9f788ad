// mqttws — topic names, topic filters and matching (MQTT 3.1.1 and 5.0, section 4.7).
#pragma once

#include <optional>
#include <string_view>
#include <system_error>

namespace mqttws {

/// A topic name as PUBLISH carries it: 1..65535 bytes of UTF-8 without U+0000, '+' or '#'.
/// Errors: invalid_topic_name, string_too_long, invalid_utf8, null_character.
std::error_code validate_topic_name(std::string_view name);

/// A topic filter as SUBSCRIBE carries it: '#' only as the last level and alone in it, '+'
/// alone in its level; a shared subscription "$share/{group}/{filter}" needs a non-empty group
/// without wildcards and a valid filter after it.
/// Errors: invalid_topic_filter, string_too_long, invalid_utf8, null_character.
std::error_code validate_topic_filter(std::string_view filter);

/// The parts of a shared subscription filter.
struct shared_subscription {
  std::string_view group;
  std::string_view filter;
};

/// Splits "$share/{group}/{filter}"; nullopt when `filter` is not a shared subscription.
/// Expects a filter that validate_topic_filter() accepted.
std::optional<shared_subscription> parse_shared_subscription(std::string_view filter);

/// True when topic `name` matches `filter`. Wildcards at the first level do not match topics
/// starting with '$' (4.7.2). A shared subscription matches what its inner filter matches.
/// Both arguments are expected to be valid; an invalid one never matches.
bool topic_matches(std::string_view filter, std::string_view name) noexcept;

}  // namespace mqttws
