#include "mqttws/topic.hpp"

#include "mqttws/error.hpp"
#include "wire.hpp"

namespace mqttws {
namespace {

constexpr std::string_view share_prefix = "$share/";

}  // namespace

std::error_code validate_topic_name(std::string_view name) {
  // MQTT-4.7.3-1: at least one character. MQTT-3.3.2-2: no wildcards.
  if (name.empty()) return errc::invalid_topic_name;
  MQTTWS_TRY(detail::check_binary(name));
  bool wildcard = false;
  MQTTWS_TRY(detail::validate_utf8(name, &wildcard));
  return wildcard ? std::error_code(errc::invalid_topic_name) : std::error_code();
}

namespace {

// Wildcard placement (4.7.1): '#' alone in the last level, '+' alone in its level.
bool wildcards_well_placed(std::string_view filter) {
  for (std::size_t i = 0; i < filter.size(); ++i) {
    const char c = filter[i];
    if (c != '+' && c != '#') continue;
    const bool starts_level = i == 0 || filter[i - 1] == '/';
    const bool ends_level = i + 1 == filter.size() || filter[i + 1] == '/';
    if (!starts_level || !ends_level) return false;
    if (c == '#' && i + 1 != filter.size()) return false;
  }
  return true;
}

}  // namespace

std::error_code validate_topic_filter(std::string_view filter) {
  if (filter.empty()) return errc::invalid_topic_filter;  // MQTT-4.7.3-1
  MQTTWS_TRY(detail::check_utf8(filter));
  if (filter.substr(0, share_prefix.size()) == share_prefix) {
    // 4.8.2: "$share/" ShareName "/" filter, ShareName at least one character without
    // '/', '+' or '#', and the filter after it a valid non-empty filter.
    const std::string_view rest = filter.substr(share_prefix.size());
    const std::size_t slash = rest.find('/');
    if (slash == std::string_view::npos || slash == 0) return errc::invalid_topic_filter;
    if (rest.substr(0, slash).find_first_of("+#") != std::string_view::npos) {
      return errc::invalid_topic_filter;
    }
    const std::string_view inner = rest.substr(slash + 1);
    if (inner.empty() || !wildcards_well_placed(inner)) return errc::invalid_topic_filter;
    return {};
  }
  if (!wildcards_well_placed(filter)) return errc::invalid_topic_filter;
  return {};
}

std::optional<shared_subscription> parse_shared_subscription(std::string_view filter) {
  if (filter.substr(0, share_prefix.size()) != share_prefix) return std::nullopt;
  const std::string_view rest = filter.substr(share_prefix.size());
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  return shared_subscription{rest.substr(0, slash), rest.substr(slash + 1)};
}

bool topic_matches(std::string_view filter, std::string_view name) noexcept {
  // The contract: an invalid filter or name never matches. Without this, "a+" would match "a+"
  // and "#" would match "a/#", since the level walk below compares levels literally.
  if (validate_topic_filter(filter) || validate_topic_name(name)) return false;
  if (auto shared = parse_shared_subscription(filter)) filter = shared->filter;
  // MQTT-4.7.2-1: a filter starting with a wildcard does not match a topic starting with '$'.
  if (name[0] == '$' && (filter[0] == '+' || filter[0] == '#')) return false;

  std::size_t f = 0, n = 0;
  for (;;) {
    const std::size_t f_end = std::min(filter.find('/', f), filter.size());
    const std::string_view f_level = filter.substr(f, f_end - f);
    if (f_level == "#") return true;  // matches the parent level and everything below it
    const std::size_t n_end = std::min(name.find('/', n), name.size());
    if (f_level != "+" && f_level != name.substr(n, n_end - n)) return false;

    const bool f_last = f_end == filter.size();
    const bool n_last = n_end == name.size();
    if (f_last || n_last) {
      if (f_last && n_last) return true;
      // "sport/#" matches "sport": the name ended and the filter's next level is a lone '#'.
      return n_last && filter.substr(f_end + 1) == "#";
    }
    f = f_end + 1;
    n = n_end + 1;
  }
}

}  // namespace mqttws
