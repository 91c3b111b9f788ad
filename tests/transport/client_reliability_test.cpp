// Reliability: a backlog published at once arrives whole — QoS 1 none lost, QoS 2 exactly
// once — while the publisher's link is cut every 300..3000 bytes (tests/support fault_proxy),
// over mqtt:// and ws://; with MQTTWS_RELIABILITY_CUT_SUBSCRIBER=1 the subscriber's as well.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "client_test_util.hpp"
#include "fault_proxy.hpp"

namespace mqttws::test {
namespace {

constexpr int messages = 500;

struct case_param {
  listener l;
  qos q;
};

std::string name_of(const case_param& c) {
  return std::string(to_string(c.l)) + "_qos" + std::to_string(static_cast<int>(c.q));
}

class client_reliability : public broker_suite, public ::testing::WithParamInterface<case_param> {
 protected:
  // The broker's URL with the proxy's port.
  std::string through(const fault_proxy& p) const {
    const std::string scheme = GetParam().l == listener::ws ? "ws://" : "mqtt://";
    return scheme + "127.0.0.1:" + std::to_string(p.port()) +
           (GetParam().l == listener::ws ? "/" : "");
  }
  client_options flaky(const fault_proxy& p, const std::string& id) const {
    client_options o = options_for(broker(), GetParam().l);
    o.endpoints = {through(p)};
    o.client_id = unique_id(id);
    o.session_expiry_interval = 600;  // resumed after every cut
    o.connect_timeout = 2s;
    o.backoff.initial_delay = 10ms;
    o.backoff.max_delay = 200ms;
    o.max_queued = messages;
    return o;
  }

  static bool subscriber_link_cut() {
    const char* v = std::getenv("MQTTWS_RELIABILITY_CUT_SUBSCRIBER");
    return v && std::string(v) == "1";
  }

  // One run: `seed` seeds the publisher's link, seed + 1 the subscriber's; `duplicates` gets
  // the QoS 1 duplicates the subscriber saw.
  void run_once(std::uint64_t seed, bool report, int& duplicates, std::size_t& arrived) {
    const qos q = GetParam().q;
    fault_plan plan;
    plan.cut_min = 300;
    plan.cut_max = 3000;
    plan.seed = seed;
    fault_proxy pub_link(broker().port(GetParam().l), plan);
    // The subscriber's link is cut too only when asked (scripts/reliability.sh does): on the
    // receive side mqttws makes progress where MQTT.js does not, but not on every seed yet
    // (RELIABILITY.md), so the suite's gate is the publisher's backlog.
    plan.seed = seed + 1;
    if (!subscriber_link_cut()) plan = fault_plan{};
    fault_proxy sub_link(broker().port(GetParam().l), plan);
    const std::string topic = "reliability/" + unique_id(name_of(GetParam()));

    std::map<std::string, int> copies;
    client sub(io.get_executor(), flaky(sub_link, "reliability-sub"));
    sub.async_connect([](error_code, const connect_result&) {});
    outcome<subscribe_result> subscribed;
    sub.async_subscribe(topic, q, [&](const message& m) {
      copies[std::string(m.view().payload.substr(0, 8))]++;
    }, subscribed.handler());
    ASSERT_TRUE(run_until(io, [&] { return subscribed.done; }, 60s));
    ASSERT_FALSE(subscribed.ec) << subscribed.ec.message();

    client pub(io.get_executor(), flaky(pub_link, "reliability-pub"));
    std::vector<reconnecting_event> reconnects;
    pub.on_reconnecting([&](const reconnecting_event& e) { reconnects.push_back(e); });
    pub.async_connect([](error_code, const connect_result&) {});
    int completed = 0, failed = 0;
    for (int i = 0; i < messages; ++i) {
      std::string payload = "m" + std::to_string(i);
      payload.resize(64, '.');
      pub.async_publish(topic, payload, q, false, [&](error_code ec, const publish_result&) {
        ++completed;
        if (ec) ++failed;
      });
    }
    EXPECT_TRUE(run_until(io, [&] { return completed == messages; }, 150s))
        << completed << " of " << messages << " publishes completed";
    EXPECT_TRUE(run_until(io, [&] { return copies.size() == messages; }, 60s))
        << copies.size() << " of " << messages << " distinct messages arrived";
    EXPECT_EQ(failed, 0);
    duplicates = 0;
    arrived = copies.size();
    for (const auto& [payload, n] : copies) duplicates += n - 1;
    const fault_stats ps = pub_link.stats(), ss = sub_link.stats();
    EXPECT_GT(ps.cuts, 5u);  // the link really kept failing
    // One reconnection per lost connection at most (never hammering), none beyond max_delay.
    EXPECT_FALSE(reconnects.empty());
    EXPECT_LE(reconnects.size(), ps.connections);
    for (const reconnecting_event& e : reconnects) EXPECT_LE(e.delay, 200ms);
    if (q == qos::exactly_once) {
      EXPECT_EQ(duplicates, 0);
    }
    EXPECT_LE(duplicates, 20 * static_cast<int>(ps.connections + ss.connections));
    if (report) std::printf("[ reliability ] native %s: %d/%d, publisher %llu connections (%llu cut), "
                "subscriber %llu (%llu cut), %d duplicates\n",
                name_of(GetParam()).c_str(), static_cast<int>(copies.size()), messages,
                static_cast<unsigned long long>(ps.connections),
                static_cast<unsigned long long>(ps.cuts),
                static_cast<unsigned long long>(ss.connections),
                static_cast<unsigned long long>(ss.cuts), duplicates);
    pub.async_disconnect([](error_code) {});
    sub.async_disconnect([](error_code) {});
    run_for(io, 100ms);
  }
};

TEST_P(client_reliability, BacklogArrivesWholeThroughLinksCutEvery300To3000Bytes) {
  // MQTTWS_RELIABILITY_SEEDS=n sweeps n seeds (scripts/reliability.sh); one by default.
  const char* env = std::getenv("MQTTWS_RELIABILITY_SEEDS");
  const int seeds = env ? std::max(1, std::atoi(env)) : 1;
  int worst = 0, short_runs = 0;
  std::size_t fewest = messages;
  for (int i = 0; i < seeds; ++i) {
    SCOPED_TRACE("seed " + std::to_string(11 + 2 * i));
    int duplicates = 0;
    std::size_t arrived = 0;
    run_once(11 + 2 * static_cast<std::uint64_t>(i), seeds == 1, duplicates, arrived);
    worst = std::max(worst, duplicates);
    if (arrived < static_cast<std::size_t>(messages)) ++short_runs;
    fewest = std::min(fewest, arrived);
  }
  if (seeds > 1) {
    std::printf("[ reliability ] native %s sweep: %d seeds%s, %d short of 500 in the time "
                "allowed (fewest %zu), at most %d duplicates in one run\n",
                name_of(GetParam()).c_str(), seeds,
                subscriber_link_cut() ? " (subscriber's link cut too)" : "", short_runs, fewest,
                worst);
  }
}

INSTANTIATE_TEST_SUITE_P(all, client_reliability,
                         ::testing::Values(case_param{listener::mqtt, qos::at_least_once},
                                           case_param{listener::mqtt, qos::exactly_once},
                                           case_param{listener::ws, qos::at_least_once},
                                           case_param{listener::ws, qos::exactly_once}),
                         [](const auto& param_info) { return name_of(param_info.param); });

}  // namespace
}  // namespace mqttws::test
