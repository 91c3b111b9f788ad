// session_options (views) into session_config (owned): the one conversion.
#include "mqttws/session_config.hpp"

#include "mqttws/error.hpp"

namespace mqttws {
namespace {

std::optional<std::string> own(const std::optional<std::string_view>& v) {
  if (!v) return std::nullopt;
  return std::string(*v);
}

std::vector<string_pair> own(const user_property_list& list) {
  std::vector<string_pair> out;
  for (const user_property& up : list) out.emplace_back(std::string(up.name), std::string(up.value));
  return out;
}

// Why `rest` (what is left of some properties once those a packet can carry are taken out)
// cannot be converted: the same error the codec gives for them, or properties_require_v5 on
// 3.1.1, where validate() would have refused any property with that error.
std::error_code leftover(const properties& rest, protocol_version v) {
  if (rest.empty()) return {};
  return v == protocol_version::v5 ? make_error_code(errc::property_not_allowed)
                                   : make_error_code(errc::properties_require_v5);
}

}  // namespace

std::error_code set_connect_properties(const properties& p, session_config& out) {
  properties rest = p;
  rest.session_expiry_interval.reset();
  rest.receive_maximum.reset();
  rest.maximum_packet_size.reset();
  rest.topic_alias_maximum.reset();
  rest.request_response_information.reset();
  rest.request_problem_information.reset();
  rest.authentication_method.reset();
  rest.authentication_data.reset();
  rest.user_properties = {};
  if (std::error_code ec = leftover(rest, out.version)) return ec;
  out.session_expiry_interval = p.session_expiry_interval;
  out.receive_maximum = p.receive_maximum;
  out.maximum_packet_size = p.maximum_packet_size;
  out.topic_alias_maximum = p.topic_alias_maximum;
  out.request_response_information = p.request_response_information;
  out.request_problem_information = p.request_problem_information;
  out.authentication_method = own(p.authentication_method);
  out.authentication_data = own(p.authentication_data);
  out.user_properties = own(p.user_properties);
  return {};
}

std::error_code set_will_properties(const properties& p, protocol_version v, will_options& out) {
  properties rest = p;
  rest.will_delay_interval.reset();
  rest.message_expiry_interval.reset();
  rest.payload_format_indicator.reset();
  rest.content_type.reset();
  rest.response_topic.reset();
  rest.correlation_data.reset();
  rest.user_properties = {};
  if (std::error_code ec = leftover(rest, v)) return ec;
  out.delay_interval = p.will_delay_interval;
  out.message_expiry_interval = p.message_expiry_interval;
  out.payload_format_indicator = p.payload_format_indicator;
  out.content_type = own(p.content_type);
  out.response_topic = own(p.response_topic);
  out.correlation_data = own(p.correlation_data);
  out.user_properties = own(p.user_properties);
  return {};
}

std::error_code to_session_config(const session_options& o, session_config& out) {
  session_config c;
  c.version = o.version;
  c.client_id = std::string(o.client_id);
  c.clean_start = o.clean_start;
  c.keep_alive = o.keep_alive;
  c.username = own(o.username);
  c.password = own(o.password);
  std::error_code ec = set_connect_properties(o.connect_properties, c);
  if (o.will) {
    will_options& w = c.will.emplace();
    w.topic = std::string(o.will->topic);
    w.payload = std::string(o.will->payload);
    w.qos = o.will->qos;
    w.retain = o.will->retain;
    const std::error_code will_ec = set_will_properties(o.will->props, o.version, w);
    if (!ec) ec = will_ec;
  }
  c.endpoints.assign(o.endpoints.begin(), o.endpoints.end());
  c.connect_timeout = o.connect_timeout;
  c.ping_timeout = o.ping_timeout;
  c.reconnect = o.reconnect;
  c.reconnect_after_refusal = o.reconnect_after_refusal;
  c.backoff = o.backoff;
  c.max_queued = o.max_queued;
  c.max_queued_bytes = o.max_queued_bytes;
  c.when_queue_full = o.when_queue_full;
  c.queue_qos0_offline = o.queue_qos0_offline;
  c.auto_topic_alias = o.auto_topic_alias;
  c.initial_send_window = o.initial_send_window;
  c.max_transmit_bytes = o.max_transmit_bytes;
  c.adaptive_receive_maximum = o.adaptive_receive_maximum;
  c.auto_subscription_identifiers = o.auto_subscription_identifiers;
  c.response_topic_prefix = std::string(o.response_topic_prefix);
  out = std::move(c);
  return ec;
}

}  // namespace mqttws
