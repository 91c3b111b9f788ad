// session_options (views) into session_config (owned): the one conversion.
#include "mqttws/session_config.hpp"

#include "config_properties.hpp"
#include "mqttws/error.hpp"

namespace mqttws {
namespace {

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
  properties rest = p;  // what is left once the CONNECT properties are taken out
  detail::for_each_connect_property(out, rest, [](auto&, auto& field) { field.reset(); });
  rest.user_properties = {};
  if (std::error_code ec = leftover(rest, out.version)) return ec;
  detail::for_each_connect_property(out, p, [](auto& mine, const auto& theirs) {
    mine = detail::owned_value(theirs);
  });
  out.user_properties = own(p.user_properties);
  return {};
}

std::error_code set_will_properties(const properties& p, protocol_version v, will_options& out) {
  properties rest = p;
  detail::for_each_will_property(out, rest, [](auto&, auto& field) { field.reset(); });
  rest.user_properties = {};
  if (std::error_code ec = leftover(rest, v)) return ec;
  detail::for_each_will_property(out, p, [](auto& mine, const auto& theirs) {
    mine = detail::owned_value(theirs);
  });
  out.user_properties = own(p.user_properties);
  return {};
}

std::error_code to_session_config(const session_options& o, session_config& out) {
  session_config c;
  static_cast<session_settings&>(c) = o;  // the plain values, in one assignment
  c.client_id = std::string(o.client_id);
  c.username = detail::owned_value(o.username);
  c.password = detail::owned_value(o.password);
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
  c.response_topic_prefix = std::string(o.response_topic_prefix);
  out = std::move(c);
  return ec;
}

}  // namespace mqttws
