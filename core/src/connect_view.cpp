#include "connect_view.hpp"

namespace mqttws {
namespace {

std::optional<std::string_view> view(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  return std::string_view(*s);
}

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
  packet.username = view(c.username);
  packet.password = view(c.password);
  if (c.will) {
    const will_options& w = *c.will;
    will_message m;
    m.topic = w.topic;
    m.payload = w.payload;
    m.qos = w.qos;
    m.retain = w.retain;
    m.props.will_delay_interval = w.delay_interval;
    m.props.message_expiry_interval = w.message_expiry_interval;
    m.props.payload_format_indicator = w.payload_format_indicator;
    m.props.content_type = view(w.content_type);
    m.props.response_topic = view(w.response_topic);
    m.props.correlation_data = view(w.correlation_data);
    view(w.user_properties, will_users_);
    m.props.user_properties = will_users_;
    packet.will = m;
  }
  properties& p = packet.props;
  p.session_expiry_interval = c.session_expiry_interval;
  p.receive_maximum = c.receive_maximum;
  p.maximum_packet_size = c.maximum_packet_size;
  p.topic_alias_maximum = c.topic_alias_maximum;
  p.request_response_information = c.request_response_information;
  p.request_problem_information = c.request_problem_information;
  p.authentication_method = view(c.authentication_method);
  p.authentication_data = view(c.authentication_data);
  view(c.user_properties, users_);
  p.user_properties = users_;
}

}  // namespace mqttws
