// The built `mqttws` binary, run as a user would, against a real mosquitto: pub -> sub round
// trips on every transport, -C, -W, -l, -n, -r/-R, -D, bench's JSON, and the exit codes
// (0 ok, 1 connection/protocol failure, 2 usage) with their one-line reasons.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <memory>
#include <set>
#include <thread>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "cli_flags.hpp"
#include "fault_proxy.hpp"
#include "mosquitto_fixture.hpp"
#include "mosquitto_suite.hpp"

namespace mqttws::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const std::string mqttws_binary = MQTTWS_CLI_BINARY;

// One broker for the whole suite: starting one per test would dominate the run time. Tests use
// their own topics.
class Cli : public mosquitto_suite {
 protected:
  // -L for `l`, with the login and, for TLS, the CA.
  static std::vector<std::string> connection(listener l = listener::mqtt) {
    std::vector<std::string> a = {"-L", broker().url(l), "-u", mosquitto_fixture::user, "-P",
                                  mosquitto_fixture::password};
    if (l == listener::mqtts || l == listener::wss) {
      a.insert(a.end(), {"--cafile", broker().ca_file()});
    }
    return a;
  }

  static std::vector<std::string> args(std::vector<std::string> head,
                                       const std::vector<std::string>& conn,
                                       std::vector<std::string> tail = {}) {
    head.insert(head.end(), conn.begin(), conn.end());
    head.insert(head.end(), tail.begin(), tail.end());
    return head;
  }

  static process_result run(const std::vector<std::string>& a, const std::string& input = {}) {
    return run_process(mqttws_binary, a, input, seconds(20));
  }

  // A subscriber started in the background, returned once its subscription is in place
  // (it prints "subscribed" on stderr with -d).
  static std::unique_ptr<child_process> start_sub(std::vector<std::string> a) {
    a.insert(a.begin(), "sub");
    a.push_back("-d");
    auto p = std::make_unique<child_process>(mqttws_binary, a);
    EXPECT_TRUE(p->wait_for_stderr("subscribed", seconds(10))) << "the subscriber never subscribed";
    return p;
  }

};

TEST_F(Cli, HelpExitsZeroForEverySubcommand) {
  for (const char* sub : {"pub", "sub", "bench"}) {
    const process_result r = run({sub, "--help"});
    EXPECT_EQ(r.exit_code, 0) << sub;
    EXPECT_NE(r.out.find("Usage: mqttws " + std::string(sub)), std::string::npos) << r.out;
  }
  EXPECT_EQ(run({"--help"}).exit_code, 0);
}

TEST_F(Cli, BadFlagExitsTwoWithAOneLineReason) {
  const process_result r = run({"sub", "-L", broker().url(listener::mqtt), "-t", "a", "--nope"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.substr(0, r.err.find('\n')), "mqttws: unknown option '--nope' for sub");
  EXPECT_TRUE(r.out.empty());
}

TEST_F(Cli, NoArgumentsExitsTwo) { EXPECT_EQ(run({}).exit_code, 2); }

TEST_F(Cli, EveryFlagOfTheTableExitsTwoForTheSubcommandsThatDoNotTakeIt) {
  using namespace mqttws::cli;
  std::size_t refused = 0;
  for (const flag_spec& f : flag_table()) {
    for (command c : {command::pub, command::sub, command::bench}) {
      for (const char* sp : {f.short_name, f.long_name}) {
        if (!*sp || find_flag(c, sp) != nullptr) continue;
        // The flag is refused as it is read: nothing else on the line matters.
        const process_result r = run({command_name(c), sp, "value"});
        EXPECT_EQ(r.exit_code, 2) << command_name(c) << " " << sp;
        EXPECT_EQ(r.err.substr(0, r.err.find('\n')),
                  std::string("mqttws: option ") + sp + " does not apply to " +
                      command_name(c) + " (only to " + commands_text(commands_taking(sp)) + ")");
        ++refused;
      }
    }
  }
  EXPECT_GT(refused, 20u);  // the table has flags of one subcommand only
}

TEST_F(Cli, MalformedUrlExitsTwoNamingTheUrl) {
  const process_result r = run({"pub", "-L", "htp:/nowhere", "-t", "a", "-m", "x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad URL 'htp:/nowhere'"), std::string::npos) << r.err;
}

TEST_F(Cli, UnreachableBrokerExitsOneWithAReason) {
  const std::uint16_t closed = free_loopback_port();
  const process_result r =
      run({"pub", "-L", "mqtt://127.0.0.1:" + std::to_string(closed), "-t", "a", "-m", "x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "mqttws: cannot connect to mqtt://127.0.0.1:" + std::to_string(closed) +
                       ": Connection refused\n");
}

TEST_F(Cli, WrongPasswordExitsOneWithNotAuthorized) {
  const process_result r = run({"pub", "-L", broker().url(listener::mqtt), "-u",
                                mosquitto_fixture::user, "-P", "wrong", "-t", "a", "-m", "x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "mqttws: connection refused: not authorized (0x87)\n");
}

TEST_F(Cli, WrongPasswordOnMqtt311ExitsOneWithTheReturnCode) {
  const process_result r =
      run({"sub", "-L", broker().url(listener::mqtt), "-V", "311", "-u", mosquitto_fixture::user,
           "-P", "wrong", "-t", "a"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("mqttws: connection refused: ", 0), 0u) << r.err;
}

TEST_F(Cli, InvalidTopicFilterExitsTwoBeforeConnecting) {
  const process_result r = run({"sub", "-L", "mqtt://127.0.0.1:1", "-t", "a/#/b"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.substr(0, r.err.find('\n')), "mqttws: -t 'a/#/b': invalid topic filter");
}

TEST_F(Cli, UnreadableMessageFileExitsOne) {
  const process_result r = run(args({"pub", "-t", "a", "-f", "/nonexistent/file"}, connection()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "mqttws: cannot read /nonexistent/file: No such file or directory\n");
}

TEST_F(Cli, MessageFromAFileIsSentWhole) {
  const std::string path = broker().directory() + "/cli-message.txt";
  {
    std::ofstream(path) << "line one\nline two";
  }
  auto sub = start_sub(args({"-t", "cli/file", "-C", "1", "-W", "15"}, connection()));
  const process_result p =
      run(args({"pub", "-t", "cli/file", "-f", path, "-q", "1"}, connection()));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const process_result r = sub->wait(seconds(15));
  EXPECT_EQ(r.out, "line one\nline two\n");
}

TEST_F(Cli, PubToSubRoundTripPrintsTopicAndPayloadLines) {
  auto sub = start_sub(args({"-t", "cli/rt/#", "-C", "3", "-v", "-W", "15"}, connection()));
  for (const char* m : {"one", "two", "three"}) {
    const process_result p = run(args({"pub", "-t", "cli/rt/x", "-m", m, "-q", "1"}, connection()));
    ASSERT_EQ(p.exit_code, 0) << p.err;
  }
  const process_result r = sub->wait(seconds(15));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "cli/rt/x one\ncli/rt/x two\ncli/rt/x three\n");
}

class CliTransport : public Cli, public ::testing::WithParamInterface<listener> {};

TEST_P(CliTransport, RoundTripOverThisTransport) {
  const std::string topic = std::string("cli/transport/") + to_string(GetParam());
  auto sub =
      start_sub(args({"-t", topic, "-C", "1", "-q", "2", "-W", "15"}, connection(GetParam())));
  const process_result p =
      run(args({"pub", "-t", topic, "-m", "over the wire", "-q", "2"}, connection(GetParam())));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const process_result r = sub->wait(seconds(15));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "over the wire\n");
}

INSTANTIATE_TEST_SUITE_P(Listeners, CliTransport,
                         ::testing::Values(listener::mqtt, listener::mqtts, listener::ws,
                                           listener::wss),
                         [](const auto& p) { return std::string(to_string(p.param)); });

TEST_F(Cli, CountStopsTheSubscriberAfterThatManyMessages) {
  auto sub = start_sub(args({"-t", "cli/count", "-C", "2", "-W", "15"}, connection()));
  const process_result p =
      run(args({"pub", "-t", "cli/count", "-l", "-q", "1"}, connection()), "a\nb\nc\nd\ne\n");
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const process_result r = sub->wait(seconds(15));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "a\nb\n");
}

TEST_F(Cli, LinesFromStdinAreOneMessageEach) {
  auto sub = start_sub(args({"-t", "cli/lines", "-C", "3", "-W", "15"}, connection()));
  // The last line has no newline: it is still a message.
  const process_result p =
      run(args({"pub", "-t", "cli/lines", "-l", "-q", "1"}, connection()), "first\nsecond\nthird");
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const process_result r = sub->wait(seconds(15));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "first\nsecond\nthird\n");
}

TEST_F(Cli, ThousandsOfStdinLinesAreAllPublished) {
  std::string input;
  for (int i = 1; i <= 3000; ++i) input += std::to_string(i) + "\n";
  auto sub = start_sub(args({"-t", "cli/many", "-q", "1", "-C", "3000", "-W", "30"}, connection()));
  const process_result p =
      run(args({"pub", "-t", "cli/many", "-l", "-q", "1", "-W", "30"}, connection()), input);
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const process_result r = sub->wait(seconds(30));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, input);  // all of them, in order
}

TEST_F(Cli, SigintEndsTheSubscriberWithExitZero) {
  auto sub = start_sub(args({"-t", "cli/sigint"}, connection()));
  sub->signal(SIGINT);
  const process_result r = sub->wait(seconds(10));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(r.timed_out);
}

TEST_F(Cli, PublishToAHungBrokerIsBoundedByW) {
  mosquitto_fixture hung;
  hung.start();
  hung.pause();
  const auto start = std::chrono::steady_clock::now();
  const process_result r =
      run({"pub", "-L", hung.url(listener::mqtt), "-u", mosquitto_fixture::user, "-P",
           mosquitto_fixture::password, "-t", "a", "-m", "x", "-q", "1", "-W", "0.5"});
  hung.resume();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_FALSE(r.timed_out);
  EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(10));
}

TEST_F(Cli, WaitTimeoutWithCountNotReachedExitsOne) {
  const auto start = std::chrono::steady_clock::now();
  const process_result r =
      run(args({"sub", "-t", "cli/silent", "-C", "1", "-W", "0.5"}, connection()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("timed out after 0.5 s: received 0 of 1 messages"), std::string::npos)
      << r.err;
  EXPECT_FALSE(r.timed_out);  // it ended itself
  EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(10));
}

TEST_F(Cli, WaitTimeoutWithoutCountEndsListeningWithExitZero) {
  const process_result r = run(args({"sub", "-t", "cli/silent", "-W", "0.3"}, connection()));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST_F(Cli, WaitBoundsAConnectionThatNeverAnswers) {
  // A listening socket that never accepts into MQTT: the TCP handshake completes, CONNACK
  // never comes.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const process_result r =
      run({"sub", "-L", "mqtt://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)), "-t", "a", "-C",
           "1", "-W", "0.5"});
  ::close(fd);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_FALSE(r.timed_out);
}

TEST_F(Cli, NullMessageArrivesEmpty) {
  auto sub = start_sub(args({"-t", "cli/null", "-C", "1", "-v", "-W", "15"}, connection()));
  const process_result p = run(args({"pub", "-t", "cli/null", "-n", "-q", "1"}, connection()));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const process_result r = sub->wait(seconds(15));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "cli/null (null)\n");
}

TEST_F(Cli, RetainedMessageIsPrintedUnlessR) {
  const process_result p =
      run(args({"pub", "-t", "cli/retained", "-m", "stale", "-r", "-q", "1"}, connection()));
  ASSERT_EQ(p.exit_code, 0) << p.err;

  const process_result with = run(
      args({"sub", "-t", "cli/retained", "-C", "1", "-F", "%t %p %r", "-W", "10"}, connection()));
  EXPECT_EQ(with.exit_code, 0) << with.err;
  EXPECT_EQ(with.out, "cli/retained stale 1\n");

  const process_result without =
      run(args({"sub", "-t", "cli/retained", "-R", "-W", "1"}, connection()));
  EXPECT_EQ(without.exit_code, 0) << without.err;
  EXPECT_EQ(without.out, "");

  // Clean up: an empty retained message deletes it.
  run(args({"pub", "-t", "cli/retained", "-n", "-r", "-q", "1"}, connection()));
}

TEST_F(Cli, V5UserPropertyReachesTheSubscriber) {
  auto sub =
      start_sub(args({"-t", "cli/props", "-C", "1", "-F", "%P|%C|%p", "-W", "15"}, connection()));
  const process_result p =
      run(args({"pub", "-t", "cli/props", "-m", "21", "-q", "1", "-D", "user-property", "unit",
                "celsius", "-D", "publish", "content-type", "text/plain"},
               connection()));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const process_result r = sub->wait(seconds(15));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "unit:celsius|text/plain|21\n");
}

TEST_F(Cli, Mqtt311RoundTrip) {
  auto sub = start_sub(args({"-t", "cli/v311", "-C", "1", "-V", "311", "-W", "15"}, connection()));
  const process_result p = run(
      args({"pub", "-t", "cli/v311", "-m", "old school", "-V", "311", "-q", "1"}, connection()));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const process_result r = sub->wait(seconds(15));
  EXPECT_EQ(r.out, "old school\n");
}

TEST_F(Cli, PublishDeniedByTheAclExitsOneWithTheReasonCode) {
  const process_result r =
      run({"pub", "-L", broker().url(listener::mqtt), "-u", mosquitto_fixture::limited_user, "-P",
           mosquitto_fixture::limited_password, "-t", "forbidden/x", "-m", "x", "-q", "1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "mqttws: publish failed: refused by the broker: not authorized (0x87)\n");
}

TEST_F(Cli, LinesTheBrokerRefusesAreReportedAndTheRestGoOn) {
  // pub -l: every line to a topic the ACL denies gets a v5 PUBACK 0x87; each is reported and
  // none ends the run.
  const process_result r =
      run({"pub", "-L", broker().url(listener::mqtt), "-u", mosquitto_fixture::limited_user, "-P",
           mosquitto_fixture::limited_password, "-t", "forbidden/x", "-l", "-q", "1", "-d"},
          "one\ntwo\nthree\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::size_t reports = 0;
  for (std::size_t at = 0;
       (at = r.err.find("publish failed: refused by the broker: not authorized (0x87)", at)) !=
       std::string::npos;
       ++at) {
    ++reports;
  }
  EXPECT_EQ(reports, 3u) << r.err;
  // mosquitto 2.0.11 also drops the connection after each refusal: pub reconnects and goes on.
  EXPECT_EQ(r.err.find("Success"), std::string::npos) << "an orderly end is no error: " << r.err;
}

TEST_F(Cli, WssWithoutTheTestCaFailsVerificationAndInsecureConnects) {
  const std::vector<std::string> base = {"pub", "-L", broker().url(listener::wss), "-u",
                                         mosquitto_fixture::user, "-P", mosquitto_fixture::password,
                                         "-t", "cli/tls", "-m", "x", "-W", "10"};
  const process_result verified = run(base);
  EXPECT_EQ(verified.exit_code, 1);
  std::vector<std::string> insecure = base;
  insecure.push_back("--insecure");
  const process_result r = run(insecure);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(Cli, MutualTlsNeedsTheClientCertificate) {
  std::vector<std::string> base = {"pub", "-L", broker().url(listener::mqtts_mutual), "-u",
                                   mosquitto_fixture::user, "-P", mosquitto_fixture::password,
                                   "--cafile", broker().ca_file(), "-t", "cli/mtls", "-m", "x",
                                   "-W", "10"};
  EXPECT_EQ(run(base).exit_code, 1);
  base.insert(base.end(), {"--cert", broker().client_cert(), "--key", broker().client_key()});
  const process_result r = run(base);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(Cli, WebSocketHeaderIsAccepted) {
  const process_result r = run(args({"pub", "-t", "cli/hdr", "-m", "x", "-H",
                                     "Authorization: Bearer token123"},
                                    connection(listener::ws)));
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(Cli, BenchPrintsOneJsonLineWithItsFields) {
  const process_result r =
      run(args({"bench", "-n", "200", "-q", "1", "-s", "32", "-c", "2", "-W", "30"}, connection()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("client"), "mqttws");
  EXPECT_EQ(j.at("mode"), "throughput");
  EXPECT_EQ(j.at("transport"), "tcp");
  EXPECT_EQ(j.at("publishers"), 2);
  EXPECT_EQ(j.at("qos"), 1);
  EXPECT_EQ(j.at("n"), 200);
  EXPECT_EQ(j.at("bytes"), 32);
  EXPECT_EQ(j.at("clients"), 2);
  EXPECT_EQ(j.at("received"), 200);  // QoS 1: none lost
  EXPECT_GT(j.at("seconds").get<double>(), 0.0);
  EXPECT_GT(j.at("msgs_per_s").get<double>(), 0.0);
}

TEST_F(Cli, BenchAtQos0OverWebSocketCompletes) {
  const process_result r =
      run(args({"bench", "-n", "500", "-W", "30"}, connection(listener::ws)));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("transport"), "ws");
  EXPECT_EQ(j.at("qos"), 0);
  EXPECT_LE(j.at("received").get<int>(), 500);
  EXPECT_GT(j.at("received").get<int>(), 0);
}

// ---- mosquitto's spellings: -h/-p, -L with user and topic ----------------------------------

TEST_F(Cli, HostAndPortReachTheBroker) {
  const std::string port = std::to_string(broker().port(listener::mqtt));
  const std::vector<std::string> login = {"-u", mosquitto_fixture::user, "-P",
                                          mosquitto_fixture::password};
  auto sub = start_sub(args({"-h", "127.0.0.1", "-p", port, "-t", "cli/hp", "-C", "1", "-W", "15"},
                            login));
  const process_result p =
      run(args({"pub", "-h", "localhost", "-p", port, "-t", "cli/hp", "-m", "by host", "-q", "1"},
               login));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const process_result r = sub->wait(seconds(15));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "by host\n");
}

TEST_F(Cli, HostAndPortWithATlsFlagUseMqtts) {
  const std::string port = std::to_string(broker().port(listener::mqtts));
  std::vector<std::string> a = {"pub", "-h", "localhost", "-p", port, "-u",
                                mosquitto_fixture::user, "-P", mosquitto_fixture::password,
                                "-t", "cli/hps", "-m", "x", "-W", "10"};
  // Without a TLS flag -h/-p mean mqtt://: plain MQTT to a TLS port fails.
  EXPECT_EQ(run(a).exit_code, 1);
  a.insert(a.end(), {"--cafile", broker().ca_file()});
  const process_result r = run(a);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(Cli, UrlAndHostTogetherExitTwo) {
  const process_result r =
      run({"pub", "-L", broker().url(listener::mqtt), "-h", "127.0.0.1", "-t", "a", "-m", "x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.substr(0, r.err.find('\n')), "mqttws: -L and -h/-p: give one");
}

TEST_F(Cli, MqttUrlCarriesUserPasswordAndTopic) {
  const std::string at = std::string(mosquitto_fixture::user) + ":" +
                         mosquitto_fixture::password + "@127.0.0.1:" +
                         std::to_string(broker().port(listener::mqtt));
  auto sub = start_sub({"-L", "mqtt://" + at + "/cli/url/#", "-C", "1", "-v", "-W", "15"});
  const process_result p =
      run({"pub", "-L", "mqtt://" + at + "/cli/url/x", "-m", "via the URL", "-q", "1"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const process_result r = sub->wait(seconds(15));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "cli/url/x via the URL\n");
}

TEST_F(Cli, WrongPasswordInTheUrlIsRefusedAndNotPrinted) {
  const process_result r =
      run({"pub", "-L",
           "mqtt://user:secret-wrong@127.0.0.1:" + std::to_string(broker().port(listener::mqtt)) +
               "/cli/url/y",
           "-m", "x", "-d"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not authorized (0x87)"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("secret-wrong"), std::string::npos) << r.err;
}

// ---- sub: -U -T -E --retained-only -x ------------------------------------------------------

TEST_F(Cli, ExitOnceSubscribedEndsAtTheSuback) {
  const auto start = std::chrono::steady_clock::now();
  const process_result r = run(args({"sub", "-t", "cli/E", "-E", "-d", "-W", "15"}, connection()));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("subscribed to 1 filter(s)"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
  EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(10));
}

TEST_F(Cli, UnsubscribeRemovesAFilterFromAPersistentSession) {
  const std::vector<std::string> session = {"-c", "-i", "cli-unsub", "-q", "1"};
  auto with = [&](std::vector<std::string> a) {
    a.insert(a.end(), session.begin(), session.end());
    return args(a, connection());
  };
  // The session subscribes to both, then drops cli/U/a with -U alone (which ends at the
  // UNSUBACK).
  ASSERT_EQ(run(with({"sub", "-t", "cli/U/a", "-t", "cli/U/b", "-E"})).exit_code, 0);
  const process_result u = run(with({"sub", "-U", "cli/U/a", "-d", "-W", "15"}));
  ASSERT_EQ(u.exit_code, 0) << u.err;
  EXPECT_NE(u.err.find("unsubscribed from 1 filter(s)"), std::string::npos) << u.err;
  // Offline: a is published first. Had the session kept cli/U/a, it would be queued first.
  for (const char* t : {"cli/U/a", "cli/U/b"}) {
    ASSERT_EQ(run(args({"pub", "-t", t, "-m", "queued", "-q", "1"}, connection())).exit_code, 0);
  }
  const process_result r = run(with({"sub", "-t", "cli/U/b", "-C", "1", "-v", "-W", "10"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "cli/U/b queued\n");
  run(with({"sub", "-U", "cli/U/b"}));  // leaves nothing behind
}

TEST_F(Cli, FilterOutHidesMatchingTopics) {
  auto sub = start_sub(args({"-t", "cli/T/#", "-T", "cli/T/skip/#", "-T", "cli/T/+/noise", "-C",
                             "2", "-v", "-W", "15"},
                            connection()));
  for (const char* t : {"cli/T/skip", "cli/T/skip/deeper", "cli/T/x/noise", "cli/T/keep",
                        "cli/T/x/kept"}) {
    ASSERT_EQ(run(args({"pub", "-t", t, "-m", "m", "-q", "1"}, connection())).exit_code, 0);
  }
  const process_result r = sub->wait(seconds(15));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "cli/T/keep m\ncli/T/x/kept m\n");  // -C counted only what it printed
}

TEST_F(Cli, RetainedOnlyPrintsTheRetainedAndEndsAtTheFirstFresh) {
  ASSERT_EQ(run(args({"pub", "-t", "cli/ro/a", "-m", "old", "-r", "-q", "1"}, connection()))
                .exit_code,
            0);
  auto sub = start_sub(args({"-t", "cli/ro/#", "--retained-only", "-v", "-W", "15"}, connection()));
  ASSERT_TRUE(sub->wait_for_stdout("cli/ro/a old\n", seconds(10)));
  ASSERT_EQ(run(args({"pub", "-t", "cli/ro/b", "-m", "new", "-q", "1"}, connection())).exit_code,
            0);
  const process_result r = sub->wait(seconds(10));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.out, "cli/ro/a old\n");
  run(args({"pub", "-t", "cli/ro/a", "-n", "-r", "-q", "1"}, connection()));
}

TEST_F(Cli, SessionExpiryDecidesWhetherTheSessionOutlivesTheConnection) {
  auto session = [&](const std::string& id, const std::string& expiry) {
    return run(args({"sub", "-t", "cli/x", "-c", "-i", id, "-x", expiry, "-E", "-d", "-W", "15"},
                    connection()));
  };
  ASSERT_EQ(session("cli-x-short", "1").exit_code, 0);
  ASSERT_EQ(session("cli-x-long", "60").exit_code, 0);
  std::this_thread::sleep_for(milliseconds(3000));
  const process_result short_lived = session("cli-x-short", "1");
  EXPECT_NE(short_lived.err.find("session present: no"), std::string::npos) << short_lived.err;
  const process_result long_lived = session("cli-x-long", "0");  // 0: ends with this connection
  EXPECT_NE(long_lived.err.find("session present: yes"), std::string::npos) << long_lived.err;
}

// ---- the will ------------------------------------------------------------------------------

TEST_F(Cli, WillIsPublishedWhenTheClientDiesAndRetainedWithWillRetain) {
  auto sub = start_sub(args({"-t", "cli/will", "-q", "1", "-C", "1", "-F", "%t %p %q", "-W", "15"},
                            connection()));
  std::vector<std::string> a = args({"pub", "-t", "cli/will/alive", "-l", "--will-topic",
                                     "cli/will", "--will-payload", "gone", "--will-qos", "1",
                                     "--will-retain", "-d"},
                                    connection());
  child_process pub(mqttws_binary, a);
  ASSERT_TRUE(pub.wait_for_stderr("connected", seconds(10)));
  pub.signal(SIGKILL);  // no DISCONNECT: the broker publishes the will
  pub.wait(seconds(5));
  const process_result r = sub->wait(seconds(15));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "cli/will gone 1\n");
  const process_result retained =
      run(args({"sub", "-t", "cli/will", "-C", "1", "-F", "%p %r", "-W", "10"}, connection()));
  EXPECT_EQ(retained.out, "gone 1\n");
  run(args({"pub", "-t", "cli/will", "-n", "-r", "-q", "1"}, connection()));
}

TEST_F(Cli, NoWillAfterAnOrderlyDisconnect) {
  auto sub = start_sub(args({"-t", "cli/will2", "-W", "1.5"}, connection()));
  const process_result p = run(args({"pub", "-t", "cli/will2/x", "-m", "x", "--will-topic",
                                     "cli/will2", "--will-payload", "gone"},
                                    connection()));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const process_result r = sub->wait(seconds(10));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
}

// ---- TLS: --capath, --tls-version ------------------------------------------------------------

// A directory holding `ca`, hashed by `openssl rehash` as OpenSSL's CA directories must be.
std::string hashed_ca_dir(const std::string& dir, const std::string& ca) {
  ::mkdir(dir.c_str(), 0755);
  {
    std::ifstream in(ca, std::ios::binary);
    std::ofstream(dir + "/ca.pem", std::ios::binary) << in.rdbuf();
  }
  const process_result r = run_process("/usr/bin/openssl", {"rehash", dir}, "", seconds(20));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return dir;
}

TEST_F(Cli, CaPathVerifiesTheBrokerWithAHashedDirectory) {
  const std::vector<std::string> base = {"pub", "-L", broker().url(listener::mqtts), "-u",
                                         mosquitto_fixture::user, "-P", mosquitto_fixture::password,
                                         "-t", "cli/capath", "-m", "x", "-W", "10", "--capath"};
  std::vector<std::string> good = base;
  good.push_back(hashed_ca_dir(broker().directory() + "/capath-good", broker().ca_file()));
  const process_result r = run(good);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> wrong = base;
  wrong.push_back(hashed_ca_dir(broker().directory() + "/capath-wrong", broker().wrong_ca_file()));
  const process_result w = run(wrong);
  EXPECT_EQ(w.exit_code, 1);
  EXPECT_NE(w.err.find("certificate"), std::string::npos) << w.err;
  std::vector<std::string> missing = base;
  missing.push_back("/nonexistent/capath");
  const process_result m = run(missing);
  EXPECT_EQ(m.exit_code, 2);
  EXPECT_EQ(m.err.substr(0, m.err.find('\n')),
            "mqttws: --capath: '/nonexistent/capath' is not a directory");
}

TEST_F(Cli, TlsVersion13ReachesTheBroker) {
  for (const char* v : {"tlsv1.2", "tlsv1.3"}) {
    const process_result r = run(args({"pub", "-t", "cli/tlsv", "-m", "x", "--tls-version", v,
                                       "-W", "10"},
                                      connection(listener::mqtts)));
    EXPECT_EQ(r.exit_code, 0) << v << ": " << r.err;
  }
}

TEST_F(Cli, TlsVersion13RefusesAServerThatOnlySpeaks12) {
  // openssl s_server limited to TLS 1.2 (mosquitto's test listeners all offer 1.3): it prints
  // what it receives, so a completed handshake shows as the CONNECT's "MQTT".
  const std::uint16_t port = free_loopback_port();
  auto server = [&] {
    return std::make_unique<child_process>(
        "/usr/bin/openssl",
        std::vector<std::string>{"s_server", "-quiet", "-tls1_2", "-accept",
                                 "127.0.0.1:" + std::to_string(port), "-cert",
                                 pki().server_cert, "-key", pki().server_key});
  };
  auto wait_listening = [&] {
    for (int i = 0; i < 100 && !loopback_port_accepts(port); ++i) {
      std::this_thread::sleep_for(milliseconds(50));
    }
  };
  const std::vector<std::string> base = {"pub", "-h", "127.0.0.1", "-p", std::to_string(port),
                                         "--cafile", broker().ca_file(), "-t", "a", "-m", "x",
                                         "-W", "1"};
  {
    auto s = server();
    wait_listening();
    std::vector<std::string> a = base;
    a.insert(a.end(), {"--tls-version", "tlsv1.3"});
    const process_result r = run(a);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("protocol version"), std::string::npos) << r.err;
    s->signal(SIGTERM);
    EXPECT_EQ(s->wait(seconds(5)).out.find("MQTT"), std::string::npos);
  }
  {
    auto s = server();
    wait_listening();
    std::vector<std::string> a = base;
    a.insert(a.end(), {"--tls-version", "tlsv1.2"});
    run(a);  // times out waiting for a CONNACK that never comes
    EXPECT_TRUE(s->wait_for_stdout("MQTT", seconds(5))) << "the TLS 1.2 handshake failed";
    s->signal(SIGTERM);
    s->wait(seconds(5));
  }
}

}  // namespace
}  // namespace mqttws::test

// ---- staying connected, and passwords kept out of `ps` ---------------------------------------

namespace mqttws::test {
namespace {

// The connection flags without -P.
std::vector<std::string> login_without_password(const mosquitto_fixture& b) {
  return {"-L", b.url(listener::mqtt), "-u", mosquitto_fixture::user};
}

std::set<std::string> distinct_lines(const std::string& out, std::size_t& lines) {
  std::set<std::string> seen;
  lines = 0;
  std::size_t start = 0;
  for (std::size_t nl; (nl = out.find('\n', start)) != std::string::npos; start = nl + 1) {
    seen.insert(out.substr(start, nl - start));
    ++lines;
  }
  return seen;
}

class CliStaysConnected : public ::testing::Test {
 protected:
  static process_result run(const std::vector<std::string>& a, const std::string& input = {}) {
    return run_process(mqttws_binary, a, input, seconds(60));
  }
};

TEST_F(CliStaysConnected, PasswordFromTheEnvironment) {
  mosquitto_fixture b;
  b.start();
  ::setenv("MQTTWS_PASSWORD", mosquitto_fixture::password, 1);
  std::vector<std::string> a = {"pub", "-t", "cli/env", "-m", "x", "-q", "1"};
  for (const std::string& s : login_without_password(b)) a.push_back(s);
  const process_result r = run(a);
  ::unsetenv("MQTTWS_PASSWORD");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // Without it, the same command is refused by the broker.
  EXPECT_EQ(run(a).exit_code, 1);
}

TEST_F(CliStaysConnected, PasswordFromAFile) {
  mosquitto_fixture b;
  b.start();
  const std::string file = b.directory() + "/cli-password";
  std::ofstream(file) << mosquitto_fixture::password << "\n";
  std::vector<std::string> a = {"pub", "-t", "cli/file", "-m", "x", "-q", "1",
                                "--password-file", file};
  for (const std::string& s : login_without_password(b)) a.push_back(s);
  const process_result r = run(a);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(CliStaysConnected, PasswordFileProblemsAreUsageErrors) {
  const process_result r = run({"pub", "-L", "mqtt://127.0.0.1:1", "-t", "t", "-m", "x",
                                "--password-file", "/nonexistent/pw"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--password-file: cannot read '/nonexistent/pw'"), std::string::npos) << r.err;
  const process_result both = run({"pub", "-L", "mqtt://127.0.0.1:1", "-t", "t", "-m", "x", "-P",
                                   "a", "--password-file", "/etc/hostname"});
  EXPECT_EQ(both.exit_code, 2);
}

TEST_F(CliStaysConnected, PubLinesArriveAcrossABrokerRestart) {
  // mosquitto_pub -l reconnects and delivered 100/100 here; mqttws pub used to exit at the
  // first loss. Both clients have persistent sessions (-c), the broker persistence.
  broker_options o;
  o.persistence = true;
  mosquitto_fixture b(o);
  b.start();
  auto with_login = [&](std::vector<std::string> a) {
    const std::vector<std::string> login = {"-L", b.url(listener::mqtt), "-u",
                                            mosquitto_fixture::user, "-P",
                                            mosquitto_fixture::password};
    a.insert(a.end(), login.begin(), login.end());
    return a;
  };
  child_process sub(mqttws_binary, with_login({"sub", "-t", "cli/restart", "-q", "1", "-c", "-i",
                                               "cli-restart-sub", "-d"}));
  ASSERT_TRUE(sub.wait_for_stderr("subscribed", seconds(10)));
  child_process pub(mqttws_binary, with_login({"pub", "-t", "cli/restart", "-l", "-q", "1", "-c",
                                               "-i", "cli-restart-pub", "-d"}));
  ASSERT_TRUE(pub.wait_for_stderr("connected", seconds(10)));
  std::string first, second;
  for (int i = 0; i < 50; ++i) first += "line " + std::to_string(i) + "\n";
  for (int i = 50; i < 100; ++i) second += "line " + std::to_string(i) + "\n";
  pub.write_stdin(first);
  std::this_thread::sleep_for(milliseconds(300));
  b.stop();
  b.start();
  pub.write_stdin(second);
  EXPECT_TRUE(pub.wait_for_stderr("reconnecting", seconds(10))) << "-d shows each reconnect";
  const process_result p = pub.wait(seconds(60));
  EXPECT_EQ(p.exit_code, 0) << p.err;
  ASSERT_TRUE(sub.wait_for_stderr("connected (session present: yes)", seconds(20)));
  std::this_thread::sleep_for(milliseconds(500));
  sub.signal(SIGINT);
  const process_result s = sub.wait(seconds(10));
  std::size_t lines = 0;
  const std::set<std::string> got = distinct_lines(s.out, lines);
  EXPECT_EQ(got.size(), 100u) << s.out;
  EXPECT_EQ(p.err.find(mosquitto_fixture::password), std::string::npos) << "-d printed the password";
}

class CliThroughACuttingLink : public CliStaysConnected,
                               public ::testing::WithParamInterface<int> {};

TEST_P(CliThroughACuttingLink, PubDeliversEveryLineThroughALinkCutEvery300To3000Bytes) {
  const int q = GetParam();
  mosquitto_fixture b;
  b.start();
  fault_plan plan;
  plan.cut_min = 300;
  plan.cut_max = 3000;
  plan.seed = 30 + static_cast<std::uint64_t>(q);
  fault_proxy link(b.port(listener::mqtt), plan);
  const std::vector<std::string> login = {"-u", mosquitto_fixture::user, "-P",
                                          mosquitto_fixture::password};
  auto cmd = [&](std::vector<std::string> a, const std::string& url) {
    a.push_back("-L");
    a.push_back(url);
    a.insert(a.end(), login.begin(), login.end());
    return a;
  };
  const std::string topic = "cli/cut/" + std::to_string(q);
  child_process sub(mqttws_binary,
                    cmd({"sub", "-t", topic, "-q", std::to_string(q), "-d"}, b.url(listener::mqtt)));
  ASSERT_TRUE(sub.wait_for_stderr("subscribed", seconds(10)));
  std::string input;
  for (int i = 0; i < 500; ++i) input += "line " + std::to_string(i) + " " + std::string(50, '.') + "\n";
  const std::string through = "mqtt://127.0.0.1:" + std::to_string(link.port());
  const process_result p = run(cmd({"pub", "-t", topic, "-l", "-q", std::to_string(q), "-c",
                                    "-i", "cli-cut-" + std::to_string(q), "-k", "5"},
                                   through),
                               input);
  EXPECT_EQ(p.exit_code, 0) << p.err;
  // After the last acknowledgement, one more message marks the end of the stream.
  EXPECT_EQ(run(cmd({"pub", "-t", topic, "-m", "END", "-q", "1"}, b.url(listener::mqtt))).exit_code,
            0);
  EXPECT_TRUE(sub.wait_for_stdout("END\n", seconds(30)));
  sub.signal(SIGINT);
  const process_result s = sub.wait(seconds(10));
  std::size_t lines = 0;
  std::set<std::string> got = distinct_lines(s.out, lines);
  got.erase("END");
  EXPECT_EQ(got.size(), 500u);
  if (q == 2) {
    EXPECT_EQ(lines, 501u) << "QoS 2 delivered a line twice";
  }
  EXPECT_GT(link.stats().cuts, 5u);
  std::printf("[ reliability ] cli QoS %d: %zu/500 over %llu connections (%llu cut), %zu duplicates\n",
              q, got.size(), static_cast<unsigned long long>(link.stats().connections),
              static_cast<unsigned long long>(link.stats().cuts), lines - 1 - got.size());
}

INSTANTIATE_TEST_SUITE_P(qos, CliThroughACuttingLink, ::testing::Values(1, 2));

}  // namespace
}  // namespace mqttws::test
