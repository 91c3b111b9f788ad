// A persistent session with a file_store survives the publishing process: QoS 1 messages that
// were in flight (sent, not acknowledged) or still queued when the client died are resent by a
// new client on the same file, and a persistent subscriber receives every one of them.
// (A "process restart" is simulated by destroying the client, the store and the io_context
// and building new ones on the same file.)
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>

#include "client_test_util.hpp"
#include "mqttws/file_store.hpp"

namespace mqttws::test {
namespace {

namespace fs = std::filesystem;

constexpr std::uint32_t one_hour = 3600;

// Collects the payloads a persistent QoS 1 subscriber receives (duplicates counted once).
struct collector {
  std::set<std::string> distinct;
  std::size_t total = 0;
  message_handler handler() {
    return [this](const message& m) {
      distinct.insert(std::string(m.view().payload));
      ++total;
    };
  }
};

std::set<std::string> numbered(int from, int to) {
  std::set<std::string> s;
  for (int i = from; i <= to; ++i) s.insert("m" + std::to_string(i));
  return s;
}

class FileStoreRestart : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_options o;
    o.persistence = true;  // the subscriber's session survives a broker restart too
    broker_ = std::make_unique<mosquitto_fixture>(o);
    broker_->start();
    store_path_ = broker_->directory() + "/publisher.store";
    topic_ = unique_id("restart/topic");
  }

  client_options publisher_options(bool clean_start) {
    client_options o = options_for(*broker_, listener::mqtt);
    o.client_id = "restart-publisher";
    o.clean_start = clean_start;
    o.session_expiry_interval = one_hour;
    return o;
  }

  // The subscriber: persistent session, QoS 1, reconnecting quickly after broker restarts.
  void start_subscriber() {
    client_options o = options_for(*broker_, listener::ws);
    o.client_id = "restart-subscriber";
    o.session_expiry_interval = one_hour;
    // mosquitto 2.0 writes a session to its database only if the connection that made it had
    // Clean Start 0, whatever the Session Expiry says.
    o.clean_start = false;
    subscriber_ = std::make_unique<client>(sub_io_.get_executor(), o);
    connect_ok(sub_io_, *subscriber_);
    const auto s = subscribe(sub_io_, *subscriber_, topic_, qos::at_least_once, got_.handler());
    ASSERT_FALSE(s.ec) << s.ec.message();
  }

  // Runs both io_contexts until the subscriber has every payload in `want`.
  bool subscriber_has(const std::set<std::string>& want, asio::io_context& pub_io) {
    const auto deadline = std::chrono::steady_clock::now() + wait_limit;
    while (std::chrono::steady_clock::now() < deadline) {
      bool all = true;
      for (const std::string& m : want) all = all && got_.distinct.count(m) != 0;
      if (all) return true;
      run_for(sub_io_, 5ms);
      run_for(pub_io, 5ms);
    }
    return false;
  }

  std::unique_ptr<mosquitto_fixture> broker_;
  std::string store_path_;
  std::string topic_;
  asio::io_context sub_io_;
  std::unique_ptr<client> subscriber_;
  collector got_;
};

TEST_F(FileStoreRestart, InFlightAndQueuedQos1MessagesAreResentByANewProcess) {
  start_subscriber();
  {
    // ---- the first publishing process -------------------------------------------------
    asio::io_context io;
    file_store store;
    ASSERT_EQ(store.open(store_path_), std::error_code());
    client_options o = publisher_options(true);
    o.store = &store;
    client pub(io.get_executor(), o);
    connect_ok(io, pub);
    for (int i = 1; i <= 5; ++i) {
      const auto r = publish(io, pub, topic_, "m" + std::to_string(i), qos::at_least_once);
      ASSERT_FALSE(r.ec) << r.ec.message();
    }
    EXPECT_EQ(store.message_count(), 0u);  // acknowledged ones are forgotten

    // The broker hangs: 25 more are published, mosquitto's Receive Maximum (20) goes out
    // unacknowledged, the other 5 wait in the queue.
    broker_->pause();
    for (int i = 6; i <= 30; ++i) {
      pub.async_publish(topic_, "m" + std::to_string(i), qos::at_least_once, false,
                        [](std::error_code, publish_result) {});
    }
    run_for(io, 300ms);
    std::vector<stored_publish> stored;
    std::vector<std::uint16_t> incoming;
    ASSERT_EQ(store.load(stored, incoming), std::error_code());
    ASSERT_EQ(stored.size(), 25u);
    std::size_t in_flight = 0;
    for (const stored_publish& m : stored) {
      in_flight += m.state == stored_publish::stage::awaiting_ack ? 1 : 0;
    }
    EXPECT_GT(in_flight, 0u);
    EXPECT_LT(in_flight, 25u);  // some still queued
    // The process dies: client, store and io_context go without a DISCONNECT.
  }
  broker_->resume();

  // ---- the second process: same file, same client id, resuming the session ------------------
  asio::io_context io;
  file_store store;
  ASSERT_EQ(store.open(store_path_), std::error_code());
  EXPECT_EQ(store.message_count(), 25u);
  client_options o = publisher_options(false);
  o.store = &store;
  client pub(io.get_executor(), o);
  connect_ok(io, pub);

  EXPECT_TRUE(subscriber_has(numbered(1, 30), io))
      << "received " << got_.distinct.size() << " of 30 distinct messages";
  EXPECT_TRUE(run_until(io, [&] { return store.message_count() == 0; }))
      << store.message_count() << " messages still unacknowledged";
  disconnect(io, pub);
}

TEST_F(FileStoreRestart, MessagesPublishedWhileTheBrokerIsDownSurviveAClientRestart) {
  start_subscriber();
  {
    asio::io_context io;
    file_store store;
    ASSERT_EQ(store.open(store_path_), std::error_code());
    client_options o = publisher_options(true);
    o.store = &store;
    client pub(io.get_executor(), o);
    connect_ok(io, pub);
    const auto r = publish(io, pub, topic_, "m1", qos::at_least_once);
    ASSERT_FALSE(r.ec) << r.ec.message();

    broker_->stop();  // persistence: the sessions are saved
    run_for(io, 200ms);  // the client notices
    for (int i = 2; i <= 10; ++i) {
      pub.async_publish(topic_, "m" + std::to_string(i), qos::at_least_once, false,
                        [](std::error_code, publish_result) {});
    }
    run_for(io, 100ms);
    EXPECT_EQ(store.message_count(), 9u);
  }
  broker_->start();  // same ports

  asio::io_context io;
  file_store store;
  ASSERT_EQ(store.open(store_path_), std::error_code());
  ASSERT_EQ(store.message_count(), 9u);
  client_options o = publisher_options(false);
  o.store = &store;
  client pub(io.get_executor(), o);
  connect_ok(io, pub);

  EXPECT_TRUE(subscriber_has(numbered(1, 10), io))
      << "received " << got_.distinct.size() << " of 10 distinct messages";
  EXPECT_TRUE(run_until(io, [&] { return store.message_count() == 0; }));
  disconnect(io, pub);
}

}  // namespace
}  // namespace mqttws::test
