// `mqttws bench`, the built binary run as bench/run runs it: each mode's one JSON line and its
// fields, over TCP and WebSocket — throughput and latency against the fixture's mosquitto,
// publish and receive against bench_peer (the client-only peer of bench/, when it is built) —
// and the usage errors (exit code 2) of mode-specific flags.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "mosquitto_fixture.hpp"
#include "mosquitto_suite.hpp"

namespace mqttws::test {
namespace {

using std::chrono::seconds;

const std::string mqttws_binary = MQTTWS_CLI_BINARY;
#ifdef MQTTWS_BENCH_PEER_BINARY
const std::string bench_peer_binary = MQTTWS_BENCH_PEER_BINARY;
#else
const std::string bench_peer_binary;
#endif

process_result run(const std::vector<std::string>& a) {
  return run_process(mqttws_binary, a, {}, seconds(60));
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// The single JSON line of a successful run.
nlohmann::json json_line(const process_result& r) {
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  return nlohmann::json::parse(r.out);
}

// The fields every mode prints, with the values this run must have.
void expect_common_fields(const nlohmann::json& j, const std::string& mode,
                          const std::string& transport, int qos, int bytes, int publishers,
                          int n) {
  EXPECT_EQ(j.at("client"), "mqttws");
  EXPECT_EQ(j.at("mode"), mode);
  EXPECT_EQ(j.at("transport"), transport);
  EXPECT_EQ(j.at("qos"), qos);
  EXPECT_EQ(j.at("bytes"), bytes);
  EXPECT_EQ(j.at("publishers"), publishers);
  EXPECT_EQ(j.at("clients"), publishers);
  EXPECT_EQ(j.at("n"), n);
  EXPECT_GT(j.at("seconds").get<double>(), 0.0);
  EXPECT_GT(j.at("msgs_per_s").get<double>(), 0.0);
}

// ---- usage errors: no connection is attempted (the URL's port is closed) -----------------------

TEST(CliBenchUsage, RateWithoutLatencyExitsTwo) {
  const process_result r = run({"bench", "-L", "mqtt://127.0.0.1:1", "--rate", "10"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(first_line(r.err),
            "mqttws: --rate only applies to --mode latency, not to --mode throughput");
  EXPECT_TRUE(r.out.empty());
}

TEST(CliBenchUsage, SeveralPublishersWithOneConnectionModeExitsTwo) {
  const process_result r =
      run({"bench", "-L", "mqtt://127.0.0.1:1", "--mode", "receive", "-c", "3"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(first_line(r.err), "mqttws: -c (publishers) only applies to --mode throughput; "
                               "--mode receive uses one connection");
}

TEST(CliBenchUsage, UnknownModeExitsTwo) {
  const process_result r = run({"bench", "-L", "mqtt://127.0.0.1:1", "--mode", "storm"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(first_line(r.err),
            "mqttws: --mode needs throughput, publish, receive or latency, not 'storm'");
}

TEST(CliBenchUsage, HelpDescribesEveryMode) {
  const process_result r = run({"bench", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* s : {"--mode MODE", "--rate R", "bench/sink", "bench/source/MESSAGES/",
                        "p99_us", "1000 publishes"}) {
    EXPECT_NE(r.out.find(s), std::string::npos) << s;
  }
}

TEST(CliBenchUsage, UnreachablePeerExitsOneWithAReason) {
  const std::uint16_t closed = free_loopback_port();
  const std::string url = "mqtt://127.0.0.1:" + std::to_string(closed);
  const process_result r = run({"bench", "--mode", "publish", "-L", url, "-W", "10"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "mqttws: cannot connect to " + url + ": Connection refused\n");
  EXPECT_TRUE(r.out.empty());
}

// ---- throughput and latency through mosquitto --------------------------------------------------

class CliBenchBroker : public mosquitto_suite {
 protected:
  static std::vector<std::string> bench(listener l, std::vector<std::string> flags) {
    std::vector<std::string> a = {"bench", "-L", broker().url(l), "-u", mosquitto_fixture::user,
                                  "-P", mosquitto_fixture::password, "-W", "30"};
    a.insert(a.end(), flags.begin(), flags.end());
    return a;
  }

};

TEST_F(CliBenchBroker, ThroughputOverTcpCountsEveryMessageAtQos1) {
  const process_result r =
      run(bench(listener::mqtt, {"--mode", "throughput", "-n", "3000", "-q", "1", "-s", "16",
                                 "-c", "3"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = json_line(r);
  expect_common_fields(j, "throughput", "tcp", 1, 16, 3, 3000);
  EXPECT_EQ(j.at("received"), 3000);
  EXPECT_FALSE(j.contains("p50_us"));
}

TEST_F(CliBenchBroker, ThroughputIsTheDefaultModeOverWebSocket) {
  const process_result r = run(bench(listener::ws, {"-n", "2000", "-q", "2"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = json_line(r);
  expect_common_fields(j, "throughput", "ws", 2, 64, 1, 2000);
  EXPECT_EQ(j.at("received"), 2000);
}

TEST_F(CliBenchBroker, LatencyOverTcpIsPacedAtTheRate) {
  const process_result r = run(
      bench(listener::mqtt, {"--mode", "latency", "-n", "200", "--rate", "1000", "-q", "1"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = json_line(r);
  expect_common_fields(j, "latency", "tcp", 1, 64, 1, 200);
  EXPECT_EQ(j.at("received"), 200);
  EXPECT_EQ(j.at("rate"), 1000);
  // Message 199 is due 199 ms after the first: the run cannot be shorter.
  EXPECT_GE(j.at("seconds").get<double>(), 0.199);
  const double p50 = j.at("p50_us"), p99 = j.at("p99_us"), max = j.at("max_us");
  EXPECT_GT(p50, 0.0);
  EXPECT_LE(p50, p99);
  EXPECT_LE(p99, max);
}

TEST_F(CliBenchBroker, LatencyOverWebSocketAtQos0WithTheSmallestPayload) {
  const process_result r = run(bench(
      listener::ws, {"--mode", "latency", "-n", "100", "--rate", "2000", "-q", "0", "-s", "4"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = json_line(r);
  expect_common_fields(j, "latency", "ws", 0, 4, 1, 100);
  EXPECT_GT(j.at("received").get<int>(), 0);
  EXPECT_LE(j.at("received").get<int>(), 100);
  EXPECT_LE(j.at("p50_us").get<double>(), j.at("max_us").get<double>());
}

// ---- publish and receive against bench_peer ------------------------------------------------------

class CliBenchPeer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (bench_peer_binary.empty()) return;
    peer_ = new child_process(bench_peer_binary, {});
    if (!peer_->wait_for_stdout("}\n", seconds(10))) return;
    const nlohmann::json ports = nlohmann::json::parse(peer_->stdout_so_far());
    tcp_port_ = ports.at("tcp_port");
    ws_port_ = ports.at("ws_port");
  }
  static void TearDownTestSuite() {
    delete peer_;  // kills it
    peer_ = nullptr;
  }

  void SetUp() override {
    if (bench_peer_binary.empty()) GTEST_SKIP() << "bench/bench_peer.cpp is not built";
    ASSERT_NE(tcp_port_, 0) << "bench_peer did not print its ports";
  }

  static std::vector<std::string> bench(const std::string& transport,
                                        std::vector<std::string> flags) {
    const std::string url = transport == "ws"
                                ? "ws://127.0.0.1:" + std::to_string(ws_port_) + "/"
                                : "mqtt://127.0.0.1:" + std::to_string(tcp_port_);
    std::vector<std::string> a = {"bench", "-L", url, "-u", "any", "-P", "any", "-W", "30"};
    a.insert(a.end(), flags.begin(), flags.end());
    return a;
  }

  static child_process* peer_;
  static int tcp_port_, ws_port_;
};
child_process* CliBenchPeer::peer_ = nullptr;
int CliBenchPeer::tcp_port_ = 0;
int CliBenchPeer::ws_port_ = 0;

TEST_F(CliBenchPeer, PublishToTheSinkCompletesEveryPublish) {
  for (const char* transport : {"tcp", "ws"}) {
    for (const char* q : {"0", "1", "2"}) {
      const process_result r =
          run(bench(transport, {"--mode", "publish", "-n", "5000", "-q", q, "-s", "32"}));
      ASSERT_EQ(r.exit_code, 0) << transport << " QoS " << q << ": " << r.err;
      const nlohmann::json j = json_line(r);
      expect_common_fields(j, "publish", transport, std::stoi(q), 32, 1, 5000);
      EXPECT_EQ(j.at("received"), 5000) << transport << " QoS " << q;
    }
  }
}

TEST_F(CliBenchPeer, ReceiveFromTheSourceDeliversEveryMessage) {
  for (const char* transport : {"tcp", "ws"}) {
    for (const char* q : {"0", "1", "2"}) {
      const process_result r =
          run(bench(transport, {"--mode", "receive", "-n", "5000", "-q", q, "-s", "100"}));
      ASSERT_EQ(r.exit_code, 0) << transport << " QoS " << q << ": " << r.err;
      const nlohmann::json j = json_line(r);
      expect_common_fields(j, "receive", transport, std::stoi(q), 100, 1, 5000);
      EXPECT_EQ(j.at("received"), 5000) << transport << " QoS " << q;
    }
  }
}

// bench_peer routes nothing: what the client publishes to its own subscription never comes
// back, which is how a QoS 0 run with every message lost ends.
TEST_F(CliBenchPeer, LatencyAtQos0WithEveryMessageLostExitsOne) {
  const process_result r =
      run(bench("tcp", {"--mode", "latency", "-n", "50", "--rate", "500", "-q", "0"}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "mqttws: no message came back (QoS 0: all 50 lost)\n");
  EXPECT_TRUE(r.out.empty());
}

TEST_F(CliBenchPeer, ThroughputAtQos0ReportsHowFewArrived) {
  const process_result r = run(bench("ws", {"-n", "300", "-q", "0"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = json_line(r);
  EXPECT_EQ(j.at("mode"), "throughput");
  EXPECT_EQ(j.at("n"), 300);
  EXPECT_EQ(j.at("received"), 0);
  EXPECT_EQ(j.at("seconds"), 0.0);
}

}  // namespace
}  // namespace mqttws::test
