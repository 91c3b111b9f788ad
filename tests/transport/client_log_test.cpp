// client_options::log: the lifecycle lines, in order, without credentials, and nothing at all
// without a hook.
#include "client_test_util.hpp"

#include <algorithm>

namespace mqttws::test {
namespace {

class client_log_hook : public broker_suite {};

struct log_line {
  log_level level;
  std::string text;
};

// Collects what the hook is given (on the executor: the test's one thread).
struct captured {
  std::vector<log_line> lines;
  log_handler hook() {
    return [this](log_level l, std::string_view text) { lines.push_back({l, std::string(text)}); };
  }
  // Index of the first line at or after `from` that contains `part`, or npos.
  std::size_t find(std::string_view part, std::size_t from = 0) const {
    for (std::size_t i = from; i < lines.size(); ++i) {
      if (lines[i].text.find(part) != std::string::npos) return i;
    }
    return std::string::npos;
  }
  std::string all() const {
    std::string out;
    for (const log_line& l : lines) out += std::string(to_string(l.level)) + ": " + l.text + "\n";
    return out;
  }
};

TEST_F(client_log_hook, SeesTheConnectThenTheCloseInOrder) {
  captured log;
  client_options o = options_for(broker(), listener::ws);
  o.log = log.hook();
  client c(io.get_executor(), o);
  connect_ok(io, c);
  disconnect(io, c);

  const std::size_t opening = log.find("transport opening: ws://");
  const std::size_t open = log.find("transport open", opening + 1);
  const std::size_t connect = log.find("CONNECT sent", open);
  const std::size_t connack = log.find("CONNACK: Success (0x00)", connect);
  const std::size_t disconnecting = log.find("disconnecting", connack);
  const std::size_t closed = log.find("transport closed", disconnecting);
  const std::size_t disconnected = log.find("disconnected", closed);
  ASSERT_NE(opening, std::string::npos) << log.all();
  ASSERT_NE(open, std::string::npos) << log.all();
  ASSERT_NE(connect, std::string::npos) << log.all();
  ASSERT_NE(connack, std::string::npos) << log.all();
  ASSERT_NE(disconnecting, std::string::npos) << log.all();
  ASSERT_NE(closed, std::string::npos) << log.all();
  EXPECT_NE(disconnected, std::string::npos) << log.all();
  EXPECT_EQ(log.lines[connack].level, log_level::info);
}

TEST_F(client_log_hook, ARefusalAndItsReconnectionAreLoggedWithoutThePassword) {
  // A password no line could contain by chance, refused, then retried with the backoff.
  const std::string secret = "pw-" + unique_id("never-logged");
  const std::string user = "user-" + unique_id("never-logged");
  captured log;
  client_options o = options_for(broker(), listener::mqtt, user, secret);
  o.reconnect_after_refusal = true;
  o.log = log.hook();
  client c(io.get_executor(), o);
  c.async_connect([](std::error_code, connect_result) {});
  ASSERT_TRUE(run_until(io, [&] { return log.find("reconnect 1 scheduled in") != std::string::npos; }))
      << log.all();
  const std::size_t refused = log.find("CONNACK: connection refused: Not authorized (0x87)");
  EXPECT_NE(refused, std::string::npos) << log.all();
  EXPECT_EQ(log.lines[refused].level, log_level::error);
  c.async_disconnect([](std::error_code) {});
  run_for(io, 100ms);
  for (const log_line& l : log.lines) {
    EXPECT_EQ(l.text.find(secret), std::string::npos) << l.text;
    EXPECT_EQ(l.text.find(user), std::string::npos) << l.text;
  }
}

TEST_F(client_log_hook, TheRightPasswordIsNotLoggedEither) {
  captured log;
  client_options o = options_for(broker(), listener::mqtts);
  o.log = log.hook();
  client c(io.get_executor(), o);
  connect_ok(io, c);
  ASSERT_FALSE(publish(io, c, "log/t", "payload-not-logged", qos::at_least_once).ec);
  disconnect(io, c);
  ASSERT_NE(log.find("CONNACK"), std::string::npos) << log.all();
  for (const log_line& l : log.lines) {
    EXPECT_EQ(l.text.find(mosquitto_fixture::password), std::string::npos) << l.text;
    EXPECT_EQ(l.text.find("payload-not-logged"), std::string::npos) << l.text;
  }
}

TEST_F(client_log_hook, NoHookNothingHappens) {
  client_options o = options_for(broker(), listener::mqtt);
  EXPECT_FALSE(o.log);  // off by default
  client c(io.get_executor(), o);
  connect_ok(io, c);
  EXPECT_FALSE(subscribe(io, c, "log/#", qos::at_most_once).ec);
  disconnect(io, c);
  EXPECT_EQ(c.state(), session_state::closed);
}

// A store whose save() always fails: the publish is refused, and the hook hears why.
class failing_store final : public session_store {
 public:
  std::error_code save(const stored_publish&) override {
    return std::make_error_code(std::errc::no_space_on_device);
  }
  std::error_code remove(std::uint64_t) override { return {}; }
  std::error_code save_incoming(std::uint16_t) override { return {}; }
  std::error_code remove_incoming(std::uint16_t) override { return {}; }
  std::error_code load(std::vector<stored_publish>& m, std::vector<std::uint16_t>& i) override {
    m.clear();
    i.clear();
    return {};
  }
  std::error_code clear() override { return {}; }
};

TEST_F(client_log_hook, StoreErrorsAreLogged) {
  captured log;
  failing_store store;
  client_options o = options_for(broker(), listener::mqtt);
  o.store = &store;
  o.log = log.hook();
  client c(io.get_executor(), o);
  connect_ok(io, c);
  EXPECT_TRUE(publish(io, c, "log/t", "x", qos::at_least_once).ec);
  const std::size_t i = log.find("store save failed");
  ASSERT_NE(i, std::string::npos) << log.all();
  EXPECT_EQ(log.lines[i].level, log_level::error);
  disconnect(io, c);
}

}  // namespace
}  // namespace mqttws::test
