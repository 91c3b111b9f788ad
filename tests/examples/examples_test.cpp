// The examples do what their comments say, against a real mosquitto, configured the way a
// user would run them (MQTTWS_URL, MQTTWS_USERNAME, MQTTWS_PASSWORD, MQTTWS_CA_FILE).
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "mosquitto_fixture.hpp"

namespace mqttws::test {
namespace {

using namespace std::chrono_literals;

class examples : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    broker_ = new mosquitto_fixture;
    broker_->start();
  }
  static void TearDownTestSuite() {
    delete broker_;
    broker_ = nullptr;
  }

  // The environment the examples read, for this listener.
  static void use(listener l) {
    ::setenv("MQTTWS_URL", broker_->url(l).c_str(), 1);
    ::setenv("MQTTWS_USERNAME", mosquitto_fixture::user, 1);
    ::setenv("MQTTWS_PASSWORD", mosquitto_fixture::password, 1);
    ::setenv("MQTTWS_CA_FILE", broker_->ca_file().c_str(), 1);
  }

  static mosquitto_fixture* broker_;
};
mosquitto_fixture* examples::broker_ = nullptr;

TEST_F(examples, CallbacksReceivesItsOwnMessageOverWss) {
  use(listener::wss);
  const process_result r = run_process(MQTTWS_EXAMPLE_CALLBACKS, {});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("connected\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("published: acknowledged (reason 0x0)\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("received examples/callbacks/greeting: hello\n"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("disconnected\n"), std::string::npos) << r.out;
}

TEST_F(examples, CallbacksReportsRefusedCredentialsAndFails) {
  use(listener::mqtt);
  ::setenv("MQTTWS_PASSWORD", "wrong", 1);
  const process_result r = run_process(MQTTWS_EXAMPLE_CALLBACKS, {});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("connect: connection refused"), std::string::npos) << r.err;
}

TEST_F(examples, FutureRoundTripsQos2OverWs) {
  use(listener::ws);
  const process_result r = run_process(MQTTWS_EXAMPLE_FUTURE, {});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "connected\npublished (reason 0x0)\nreceived 21.5\ndisconnected\n");
}

TEST_F(examples, FutureThrowsOnRefusedCredentials) {
  use(listener::ws);
  ::setenv("MQTTWS_PASSWORD", "wrong", 1);
  const process_result r = run_process(MQTTWS_EXAMPLE_FUTURE, {});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("failed: connection refused"), std::string::npos) << r.err;
}

TEST_F(examples, CoroutineRoundTripsOverMqtts) {
  use(listener::mqtts);
  const process_result r = run_process(MQTTWS_EXAMPLE_COROUTINE, {});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "connected\npublished\nreceived online\ndisconnected\n");
}

TEST_F(examples, CoroutineFailsWhenTheCaIsWrong) {
  use(listener::mqtts);
  ::setenv("MQTTWS_CA_FILE", broker_->wrong_ca_file().c_str(), 1);
  const process_result r = run_process(MQTTWS_EXAMPLE_COROUTINE, {});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("failed: "), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("connected"), std::string::npos) << r.out;
}

// The messages of a run that could not reach the broker are delivered by the next run.
TEST_F(examples, PersistentSessionDeliversWhatAnOfflineRunAccepted) {
  char dir[] = "/tmp/mqttws-example-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string store = std::string(dir) + "/session";

  // Broker unreachable: a port nothing listens on (the broker's, while it is stopped).
  broker_->stop();
  use(listener::mqtt);
  ::setenv("MQTTWS_WAIT_MS", "300", 1);
  const process_result offline = run_process(MQTTWS_EXAMPLE_PERSISTENT_SESSION, {store, "3"});
  broker_->start();
  EXPECT_EQ(offline.exit_code, 0) << offline.err;
  EXPECT_NE(offline.out.find("store holds 0 messages\n"), std::string::npos) << offline.out;
  EXPECT_NE(offline.out.find("store holds 3 messages\n"), std::string::npos) << offline.out;

  // A persistent subscription, taken while nothing is published: the broker keeps the
  // messages for it until it comes back.
  const std::vector<std::string> sub = {
      "-h", "127.0.0.1", "-p", std::to_string(broker_->port(listener::mqtt)), "-u",
      mosquitto_fixture::user, "-P", mosquitto_fixture::password, "-q", "1", "-c", "-i",
      "example-persistent-reader", "-t", "examples/persistent/readings"};
  std::vector<std::string> subscribe_only = sub;
  subscribe_only.push_back("-E");
  ASSERT_EQ(run_process("/usr/bin/mosquitto_sub", subscribe_only).exit_code, 0);

  ::setenv("MQTTWS_WAIT_MS", "10000", 1);
  const process_result online = run_process(MQTTWS_EXAMPLE_PERSISTENT_SESSION, {store, "0"});
  EXPECT_EQ(online.exit_code, 0) << online.err;
  EXPECT_EQ(online.out, "store holds 3 messages\nconnected\nstore holds 0 messages\n");
  std::vector<std::string> read = sub;
  for (const char* a : {"-C", "3", "-W", "10"}) read.push_back(a);
  const process_result got = run_process("/usr/bin/mosquitto_sub", read);
  EXPECT_EQ(got.out, "reading 0\nreading 1\nreading 2\n");
  ::unsetenv("MQTTWS_WAIT_MS");
  std::remove(store.c_str());
  ::rmdir(dir);
}

}  // namespace
}  // namespace mqttws::test
