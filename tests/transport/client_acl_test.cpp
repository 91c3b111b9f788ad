// What the broker's ACL does to a client: a denied publish is reported with its reason code,
// a denied subscription (granted by mosquitto) delivers nothing.
#include "client_test_util.hpp"

namespace mqttws::test {
namespace {

class client_acl : public broker_suite {};

TEST_F(client_acl, DeniedQos1PublishFailsWithNotAuthorized) {
  client c(io.get_executor(), options_for(broker(), listener::mqtt, mosquitto_fixture::limited_user,
                                          mosquitto_fixture::limited_password));
  connect_ok(io, c);
  outcome<publish_result> denied = publish(io, c, "forbidden/x", "x", qos::at_least_once);
  EXPECT_EQ(denied.ec, errc::operation_failed);
  EXPECT_EQ(denied.value.code, reason_code::not_authorized);
  outcome<publish_result> allowed = publish(io, c, "allowed/x", "x", qos::at_least_once);
  EXPECT_FALSE(allowed.ec);
  EXPECT_TRUE(is_success(allowed.value.code));
  disconnect(io, c);
}

TEST_F(client_acl, DeniedQos2PublishFailsAtPubrec) {
  client c(io.get_executor(), options_for(broker(), listener::ws, mosquitto_fixture::limited_user,
                                          mosquitto_fixture::limited_password));
  connect_ok(io, c);
  outcome<publish_result> denied = publish(io, c, "forbidden/y", "y", qos::exactly_once);
  EXPECT_EQ(denied.ec, errc::operation_failed);
  EXPECT_EQ(denied.value.code, reason_code::not_authorized);
  EXPECT_EQ(c.stats().session.inflight_outgoing, 0u);
  disconnect(io, c);
}

TEST_F(client_acl, DeniedSubscriptionIsGrantedButDeliversNothing) {
  const std::string secret = unique_id("secret/t");
  const std::string open = "allowed/" + unique_id("t");
  client limited(io.get_executor(),
                 options_for(broker(), listener::mqtt, mosquitto_fixture::limited_user,
                             mosquitto_fixture::limited_password));
  client full(io.get_executor(), options_for(broker(), listener::mqtt));
  connect_ok(io, limited);
  connect_ok(io, full);
  std::vector<std::string> got;
  limited.on_message([&](const message& m) { got.emplace_back(m.view().topic); });
  outcome<subscribe_result> s = subscribe(io, limited, secret, qos::at_least_once);
  ASSERT_FALSE(s.ec);
  // mosquitto 2.0 does not refuse the SUBSCRIBE: it filters what it delivers.
  EXPECT_EQ(s.value.codes, std::vector<reason_code>{reason_code::granted_qos_1});
  ASSERT_FALSE(subscribe(io, limited, open, qos::at_least_once).ec);

  ASSERT_FALSE(publish(io, full, secret, "hidden", qos::at_least_once).ec);
  ASSERT_FALSE(publish(io, full, open, "sentinel", qos::at_least_once).ec);
  ASSERT_TRUE(run_until(io, [&] { return !got.empty(); }));
  run_for(io, 200ms);
  EXPECT_EQ(got, std::vector<std::string>{open});  // the sentinel, never the secret
  disconnect(io, limited);
  disconnect(io, full);
}

}  // namespace
}  // namespace mqttws::test
