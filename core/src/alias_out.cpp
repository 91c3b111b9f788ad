#include "alias_out.hpp"

namespace mqttws {

void alias_out::reset(std::uint16_t maximum) {
  maximum_ = maximum;
  topics_.clear();
  links_.clear();
  alias_of_.clear();
  newest_ = oldest_ = 0;
}

std::uint16_t alias_out::use(std::string_view topic, bool& known) {
  auto found = alias_of_.find(topic);
  if (found != alias_of_.end()) {
    known = true;
    const std::uint16_t a = found->second;
    if (a != newest_) {
      unlink(a);
      push_newest(a);
    }
    return a;
  }
  known = false;
  if (topics_.empty()) {  // index 0
    topics_.emplace_back();
    links_.push_back({0, 0});
  }
  std::uint16_t a;
  if (topics_.size() <= maximum_) {
    a = static_cast<std::uint16_t>(topics_.size());
    topics_.emplace_back();
    links_.push_back({0, 0});
  } else {
    // Every alias is taken: the least recently used topic gives its alias up.
    a = oldest_;
    unlink(a);
    alias_of_.erase(topics_[a]);
  }
  topics_[a] = std::string(topic);
  alias_of_.emplace(topics_[a], a);
  push_newest(a);
  return a;
}

void alias_out::unlink(std::uint16_t a) {
  const link l = links_[a];
  if (l.newer != 0) {
    links_[l.newer].older = l.older;
  } else {
    newest_ = l.older;
  }
  if (l.older != 0) {
    links_[l.older].newer = l.newer;
  } else {
    oldest_ = l.newer;
  }
}

void alias_out::push_newest(std::uint16_t a) {
  links_[a] = {0, newest_};
  if (newest_ != 0) {
    links_[newest_].newer = a;
  } else {
    oldest_ = a;
  }
  newest_ = a;
}

}  // namespace mqttws
