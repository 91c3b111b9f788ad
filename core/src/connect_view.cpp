#include "connect_view.hpp"

#include "config_properties.hpp"

namespace mqttws {
namespace {

void view(const std::vector<string_pair>& in, std::vector<user_property>& out) {
  out.reserve(in.size());
  for (const string_pair& p : in) out.push_back({p.first, p.second});
}

}  // namespace

connect_view::connect_view(const session_config& c, bool clean_start) {
  packet.version = c.version;
  packet.clean_start = clean_start;
  packet.keep_alive = c.keep_alive;
  packet.client_id = c.client_id;
  packet.username = detail::viewed_value(c.username);
  packet.password = detail::viewed_value(c.password);
  if (c.will) {
    const will_options& w = *c.will;
    will_message m;
    m.topic = w.topic;
    m.payload = w.payload;
    m.qos = w.qos;
    m.retain = w.retain;
    detail::for_each_will_property(w, m.props, [](const auto& mine, auto& theirs) {
      theirs = detail::viewed_value(mine);
    });
    view(w.user_properties, will_users_);
    m.props.user_properties = will_users_;
    packet.will = m;
  }
  properties& p = packet.props;
  detail::for_each_connect_property(c, p, [](const auto& mine, auto& theirs) {
    theirs = detail::viewed_value(mine);
  });
  view(c.user_properties, users_);
  p.user_properties = users_;
}

}  // namespace mqttws
