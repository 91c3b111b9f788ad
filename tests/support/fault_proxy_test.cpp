// The fault-injecting proxy, against an echo server of the test's own: it passes bytes
// unchanged, cuts after exactly the planned count (both directions), replays a seed, stalls
// without closing, delays, splits, and cuts on demand.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "fault_proxy.hpp"

namespace mqttws::test {
namespace {

using namespace std::chrono_literals;

// Echoes every byte back, on every connection, until the peer closes.
class echo_server {
 public:
  echo_server() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] {
      for (;;) {
        const int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        std::thread([c] {
          char buf[4096];
          for (ssize_t n; (n = ::read(c, buf, sizeof buf)) > 0;) {
            if (::send(c, buf, static_cast<std::size_t>(n), MSG_NOSIGNAL) != n) break;
          }
          ::close(c);
        }).detach();
      }
    });
  }
  ~echo_server() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

int connect_to(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  return fd;
}

void send_all(int fd, const std::string& s) {
  ASSERT_EQ(::send(fd, s.data(), s.size(), MSG_NOSIGNAL), static_cast<ssize_t>(s.size()));
}

struct read_result {
  std::string bytes;
  bool closed = false;  // EOF or reset, rather than the time running out
};

// Reads until `want` bytes arrived, the connection ended, or `limit` passed.
read_result read_some(int fd, std::size_t want, std::chrono::milliseconds limit = 3000ms) {
  read_result r;
  const auto end = std::chrono::steady_clock::now() + limit;
  while (r.bytes.size() < want) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
    if (left <= 0ms) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buf[4096];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) {
      r.closed = true;
      break;
    }
    r.bytes.append(buf, static_cast<std::size_t>(n));
  }
  return r;
}

TEST(FaultProxy, PassesBytesBothWaysUnchanged) {
  echo_server echo;
  fault_proxy proxy(echo.port(), {});
  const int fd = connect_to(proxy.port());
  const std::string msg(10000, 'x');
  send_all(fd, msg);
  EXPECT_EQ(read_some(fd, msg.size()).bytes, msg);
  ::close(fd);
  EXPECT_EQ(proxy.stats().connections, 1u);
  EXPECT_EQ(proxy.stats().bytes_up, 10000u);
  EXPECT_EQ(proxy.stats().bytes_down, 10000u);
}

TEST(FaultProxy, CutsAfterExactlyTheBudgetCountingBothDirections) {
  echo_server echo;
  fault_plan plan;
  plan.cut_min = plan.cut_max = 100;
  fault_proxy proxy(echo.port(), plan);
  const int fd = connect_to(proxy.port());
  send_all(fd, std::string(60, 'a'));  // 60 up, then the echo: 40 of its 60 come down
  const read_result r = read_some(fd, 1000);
  EXPECT_EQ(r.bytes, std::string(40, 'a'));
  EXPECT_TRUE(r.closed);
  ::close(fd);
  EXPECT_EQ(proxy.stats().cuts, 1u);
  EXPECT_EQ(proxy.stats().bytes_up + proxy.stats().bytes_down, 100u);
}

std::vector<std::size_t> cut_points(std::uint64_t seed) {
  echo_server echo;
  fault_plan plan;
  plan.seed = seed;
  plan.cut_min = 10;
  plan.cut_max = 500;
  fault_proxy proxy(echo.port(), plan);
  std::vector<std::size_t> got;
  std::uint64_t before = 0;
  for (int i = 0; i < 5; ++i) {
    const int fd = connect_to(proxy.port());
    send_all(fd, std::string(1000, 'b'));  // more than any budget: it is all spent going up
    EXPECT_TRUE(read_some(fd, 2000).closed);
    ::close(fd);
    const std::uint64_t up = proxy.stats().bytes_up;
    got.push_back(static_cast<std::size_t>(up - before));
    before = up;
  }
  return got;
}

TEST(FaultProxy, TheSameSeedCutsAtTheSamePoints) {
  const std::vector<std::size_t> a = cut_points(7), b = cut_points(7), c = cut_points(8);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  for (std::size_t n : a) {
    EXPECT_GE(n, 10u);
    EXPECT_LE(n, 500u);
  }
}

TEST(FaultProxy, StallPassesNothingMoreButKeepsTheConnectionOpen) {
  echo_server echo;
  fault_plan plan;
  plan.stall_after = 30;
  fault_proxy proxy(echo.port(), plan);
  const int fd = connect_to(proxy.port());
  send_all(fd, std::string(20, 'c'));
  EXPECT_EQ(read_some(fd, 10).bytes.size(), 10u);  // 20 up + 10 down = 30, then silence
  send_all(fd, "more");
  const read_result later = read_some(fd, 1, 300ms);
  EXPECT_TRUE(later.bytes.empty());
  EXPECT_FALSE(later.closed) << "a stalled link looks alive: no FIN, no RST";
  ::close(fd);
}

TEST(FaultProxy, StallOnDemandAndResume) {
  echo_server echo;
  fault_proxy proxy(echo.port(), {});
  const int fd = connect_to(proxy.port());
  send_all(fd, "one");
  EXPECT_EQ(read_some(fd, 3).bytes, "one");
  proxy.set_stalled(true);
  std::this_thread::sleep_for(50ms);
  send_all(fd, "two");
  EXPECT_TRUE(read_some(fd, 3, 300ms).bytes.empty());
  proxy.set_stalled(false);
  EXPECT_EQ(read_some(fd, 3).bytes, "two");
  ::close(fd);
}

TEST(FaultProxy, DelayHoldsEveryChunk) {
  echo_server echo;
  fault_plan plan;
  plan.delay = 150ms;
  fault_proxy proxy(echo.port(), plan);
  const int fd = connect_to(proxy.port());
  const auto start = std::chrono::steady_clock::now();
  send_all(fd, "ping");
  EXPECT_EQ(read_some(fd, 4).bytes, "ping");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);  // held on the way up and down
  ::close(fd);
}

TEST(FaultProxy, SplitDeliversEverythingInOrderOneByteAtATime) {
  echo_server echo;
  fault_plan plan;
  plan.split = true;
  fault_proxy proxy(echo.port(), plan);
  const int fd = connect_to(proxy.port());
  std::string msg;
  for (int i = 0; i < 600; ++i) msg += static_cast<char>('a' + i % 26);
  send_all(fd, msg);
  EXPECT_EQ(read_some(fd, msg.size(), 10000ms).bytes, msg);
  ::close(fd);
}

TEST(FaultProxy, CutAllResetsEveryOpenConnection) {
  echo_server echo;
  fault_proxy proxy(echo.port(), {});
  const int a = connect_to(proxy.port());
  const int b = connect_to(proxy.port());
  send_all(a, "x");
  send_all(b, "y");
  EXPECT_EQ(read_some(a, 1).bytes, "x");
  EXPECT_EQ(read_some(b, 1).bytes, "y");
  proxy.cut_all();
  EXPECT_TRUE(read_some(a, 1).closed);
  EXPECT_TRUE(read_some(b, 1).closed);
  ::close(a);
  ::close(b);
  EXPECT_EQ(proxy.stats().cuts, 2u);
}

}  // namespace
}  // namespace mqttws::test
