// The mosquitto fixture's own tests: the broker it starts is reachable on every listener,
// requires the generated passwords, and survives stop/kill/restart on the same ports.
#include "mosquitto_fixture.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace mqttws::test {
namespace {

constexpr listener all_listeners[] = {listener::mqtt, listener::mqtts, listener::ws,
                                      listener::wss, listener::mqtts_mutual};

// A minimal MQTT 3.1.1 CONNECT over plain TCP; returns the CONNACK's 4 bytes (empty on error).
std::vector<std::uint8_t> raw_connect(std::uint16_t port, const std::string& user,
                                      const std::string& pass, int timeout_ms = 5000) {
  std::vector<std::uint8_t> body = {0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0xC2, 0x00, 0x0A};
  auto put_string = [&](const std::string& s) {
    body.push_back(static_cast<std::uint8_t>(s.size() >> 8));
    body.push_back(static_cast<std::uint8_t>(s.size() & 0xFF));
    body.insert(body.end(), s.begin(), s.end());
  };
  put_string("fixture-test");
  put_string(user);
  put_string(pass);
  std::vector<std::uint8_t> packet = {0x10, static_cast<std::uint8_t>(body.size())};
  packet.insert(packet.end(), body.begin(), body.end());

  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return {};
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};  // never hang on a silent broker
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  std::vector<std::uint8_t> reply;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::send(fd, packet.data(), packet.size(), 0) == static_cast<ssize_t>(packet.size())) {
    std::uint8_t buf[4];
    std::size_t got = 0;
    while (got < sizeof buf) {
      const ssize_t n = ::recv(fd, buf + got, sizeof buf - got, 0);
      if (n <= 0) break;
      got += static_cast<std::size_t>(n);
    }
    reply.assign(buf, buf + got);
  }
  ::close(fd);
  return reply;
}

TEST(MosquittoFixture, EveryListenerAcceptsTcpConnections) {
  mosquitto_fixture broker;
  broker.start();
  ASSERT_TRUE(broker.running());
  for (listener l : all_listeners) {
    EXPECT_NE(broker.port(l), 0) << to_string(l);
    EXPECT_TRUE(loopback_port_accepts(broker.port(l))) << to_string(l);
  }
}

TEST(MosquittoFixture, ListenersHaveDistinctPorts) {
  mosquitto_fixture broker;
  broker.start();
  for (std::size_t i = 0; i < listener_count; ++i) {
    for (std::size_t j = i + 1; j < listener_count; ++j) {
      EXPECT_NE(broker.port(all_listeners[i]), broker.port(all_listeners[j]));
    }
  }
}

TEST(MosquittoFixture, UrlsNameSchemeHostAndPort) {
  mosquitto_fixture broker;
  broker.start();
  const std::string ws = std::to_string(broker.port(listener::ws));
  EXPECT_EQ(broker.url(listener::ws), "ws://127.0.0.1:" + ws + "/");
  EXPECT_EQ(broker.url(listener::wss),
            "wss://127.0.0.1:" + std::to_string(broker.port(listener::wss)) + "/");
  EXPECT_EQ(broker.url(listener::mqtt),
            "mqtt://127.0.0.1:" + std::to_string(broker.port(listener::mqtt)));
  EXPECT_EQ(broker.url(listener::mqtts),
            "mqtts://127.0.0.1:" + std::to_string(broker.port(listener::mqtts)));
  EXPECT_EQ(broker.url(listener::mqtts_mutual, "localhost"),
            "mqtts://localhost:" + std::to_string(broker.port(listener::mqtts_mutual)));
}

TEST(MosquittoFixture, GeneratedPasswordIsAccepted) {
  mosquitto_fixture broker;
  broker.start();
  EXPECT_EQ(raw_connect(broker.port(listener::mqtt), mosquitto_fixture::user,
                        mosquitto_fixture::password),
            (std::vector<std::uint8_t>{0x20, 0x02, 0x00, 0x00}));
  EXPECT_EQ(raw_connect(broker.port(listener::mqtt), mosquitto_fixture::limited_user,
                        mosquitto_fixture::limited_password),
            (std::vector<std::uint8_t>{0x20, 0x02, 0x00, 0x00}));
}

TEST(MosquittoFixture, WrongPasswordIsRefusedWithReturnCode5) {
  mosquitto_fixture broker;
  broker.start();
  EXPECT_EQ(raw_connect(broker.port(listener::mqtt), mosquitto_fixture::user, "wrong"),
            (std::vector<std::uint8_t>{0x20, 0x02, 0x00, 0x05}));
}

TEST(MosquittoFixture, StopClosesThePortsAndRestartReusesThem) {
  mosquitto_fixture broker;
  broker.start();
  const std::uint16_t port = broker.port(listener::ws);
  broker.stop();
  EXPECT_FALSE(broker.running());
  EXPECT_FALSE(loopback_port_accepts(port));
  broker.restart();
  EXPECT_TRUE(broker.running());
  EXPECT_EQ(broker.port(listener::ws), port);
  EXPECT_TRUE(loopback_port_accepts(port));
}

TEST(MosquittoFixture, KillEndsTheProcessAndKillAndRestartComesBack) {
  mosquitto_fixture broker;
  broker.start();
  const std::uint16_t port = broker.port(listener::mqtt);
  broker.kill();
  EXPECT_FALSE(broker.running());
  EXPECT_EQ(broker.pid(), -1);
  EXPECT_FALSE(loopback_port_accepts(port));
  broker.kill_and_restart();
  EXPECT_TRUE(broker.running());
  EXPECT_EQ(raw_connect(port, mosquitto_fixture::user, mosquitto_fixture::password),
            (std::vector<std::uint8_t>{0x20, 0x02, 0x00, 0x00}));
}

TEST(MosquittoFixture, PausedBrokerAnswersNothingUntilResumed) {
  mosquitto_fixture broker;
  broker.start();
  broker.pause();
  EXPECT_TRUE(broker.running());
  // The kernel still completes the TCP handshake, but no CONNACK comes.
  EXPECT_TRUE(raw_connect(broker.port(listener::mqtt), mosquitto_fixture::user,
                          mosquitto_fixture::password, 300)
                  .empty());
  broker.resume();
  EXPECT_EQ(raw_connect(broker.port(listener::mqtt), mosquitto_fixture::user,
                        mosquitto_fixture::password),
            (std::vector<std::uint8_t>{0x20, 0x02, 0x00, 0x00}));
}

TEST(MosquittoFixture, PausedBrokerStops) {
  mosquitto_fixture broker;
  broker.start();
  broker.pause();
  broker.stop();
  EXPECT_FALSE(broker.running());
}

TEST(MosquittoFixture, TwoBrokersRunIndependently) {
  mosquitto_fixture a;
  mosquitto_fixture b;
  a.start();
  b.start();
  EXPECT_NE(a.port(listener::mqtt), b.port(listener::mqtt));
  EXPECT_NE(a.directory(), b.directory());
  a.kill();
  EXPECT_TRUE(b.running());
  EXPECT_TRUE(loopback_port_accepts(b.port(listener::mqtt)));
}

TEST(MosquittoFixture, StartTwiceThrows) {
  mosquitto_fixture broker;
  broker.start();
  EXPECT_THROW(broker.start(), std::runtime_error);
}

TEST(MosquittoFixture, PersistentBrokerWritesItsDatabaseOnStop) {
  mosquitto_fixture broker(broker_options{true, "", std::chrono::milliseconds(10000)});
  broker.start();
  broker.stop();
  EXPECT_TRUE(std::filesystem::exists(broker.directory() + "/data/mosquitto.db"))
      << broker.log_tail();
}

TEST(MosquittoFixture, LogRecordsTheStartedBroker) {
  mosquitto_fixture broker;
  broker.start();
  EXPECT_NE(broker.log().find("running"), std::string::npos) << broker.log();
}

// mosquitto_pub (from mosquitto-clients) checks the TLS listeners end to end; `timeout` bounds it.
int mosquitto_pub(const mosquitto_fixture& broker, listener l, const std::string& tls_args) {
  const std::string cmd = "timeout 10 mosquitto_pub -h 127.0.0.1 -p " +
                          std::to_string(broker.port(l)) + " -u " + mosquitto_fixture::user +
                          " -P " + mosquitto_fixture::password + " -t fixture/test -m hello " +
                          tls_args + " >/dev/null 2>&1";
  return std::system(cmd.c_str());
}

TEST(MosquittoFixture, TlsListenerVerifiesWithTheGeneratedCa) {
  mosquitto_fixture broker;
  broker.start();
  EXPECT_EQ(mosquitto_pub(broker, listener::mqtts, "--cafile " + broker.ca_file()), 0);
}

TEST(MosquittoFixture, TlsListenerFailsVerificationWithTheWrongCa) {
  mosquitto_fixture broker;
  broker.start();
  EXPECT_NE(mosquitto_pub(broker, listener::mqtts, "--cafile " + broker.wrong_ca_file()), 0);
}

TEST(MosquittoFixture, MutualTlsListenerAcceptsTheClientCertificate) {
  mosquitto_fixture broker;
  broker.start();
  EXPECT_EQ(mosquitto_pub(broker, listener::mqtts_mutual,
                          "--cafile " + broker.ca_file() + " --cert " + broker.client_cert() +
                              " --key " + broker.client_key()),
            0);
}

TEST(MosquittoFixture, MutualTlsListenerRefusesAClientWithoutCertificate) {
  mosquitto_fixture broker;
  broker.start();
  EXPECT_NE(mosquitto_pub(broker, listener::mqtts_mutual, "--cafile " + broker.ca_file()), 0);
}

TEST(MosquittoFixturePki, ServerCertificateVerifiesAgainstCaOnly) {
  const test_pki& k = pki();
  const std::string verify = "openssl verify -CAfile ";
  EXPECT_EQ(std::system((verify + k.ca_file + " " + k.server_cert + " >/dev/null 2>&1").c_str()),
            0);
  EXPECT_EQ(std::system((verify + k.ca_file + " " + k.client_cert + " >/dev/null 2>&1").c_str()),
            0);
  EXPECT_NE(
      std::system((verify + k.wrong_ca_file + " " + k.server_cert + " >/dev/null 2>&1").c_str()),
      0);
}

TEST(MosquittoFixturePki, IsGeneratedOncePerProcess) {
  EXPECT_EQ(&pki(), &pki());
  mosquitto_fixture a;
  mosquitto_fixture b;
  EXPECT_EQ(a.ca_file(), b.ca_file());
}

}  // namespace
}  // namespace mqttws::test
