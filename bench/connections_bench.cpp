// connections_bench — many native mqttws clients in one process, on one io_context.
//
// What it measures:
//   idle   the memory an idle connection costs: the process's resident set (VmRSS) before the
//          first client object exists, and again after N clients have connected (CONNACK) and
//          stayed idle for 1 s; bytes_per_connection = (after - before) / N. The connects run
//          at most 100 at a time, so that this is about memory, not about the broker's backlog.
//   storm  a connect storm: N clients created, then async_connect() called on all of them at
//          once with the DEFAULT client options (reconnection on, backoff 1 s doubling up to
//          60 s with 50 % jitter, 30 s connect timeout); the clock runs from the first connect
//          call to the Nth first CONNACK. attempts counts every connection attempt, retries
//          included (client_options::before_connect runs before each one).
//
// Run (mosquitto needs file descriptors too: start it from a shell with `ulimit -n 65536`):
//   connections_bench idle  --url mqtt://127.0.0.1:1883 -u USER -P PASS --connections 1000
//   connections_bench storm --url ws://127.0.0.1:8080/ -u USER -P PASS --connections 1000
// -u/-P default to $MQTTWS_BENCH_USER / $MQTTWS_BENCH_PASSWORD; -W SECONDS bounds the run
// (default 120). The soft RLIMIT_NOFILE is raised as far as the hard limit allows.
//
// Prints one JSON line on stdout (sizes in bytes):
//   {"client":"mqttws","mode":"idle","transport":"tcp","connections":1000,"connected":1000,
//    "rss_before":..,"rss_after":..,"bytes_per_connection":..}
//   {"client":"mqttws","mode":"storm","transport":"tcp","connections":1000,"connected":1000,
//    "seconds":..,"attempts":..}
// transport is tcp, ws, mqtts or wss (from the URL's scheme). Exit 0; on a failure (refused,
// unreachable, timed out) a one-line reason on stderr and exit 1; a bad command line, exit 2.
#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mqttws/client.hpp"
#include "mqttws/endpoint_url.hpp"

namespace {

using steady = std::chrono::steady_clock;

constexpr int exit_failure = 1;
constexpr int exit_usage = 2;

struct config {
  std::string mode;  // "idle" or "storm"
  std::string url;
  std::optional<std::string> username, password;
  std::uint32_t connections = 0;
  double wait_seconds = 120.0;
};

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "connections_bench: " << why << "\n"
            << "usage: connections_bench idle|storm --url URL [-u USER] [-P PASS] "
               "--connections N [-W SECONDS]\n";
  std::exit(exit_usage);
}

config parse(int argc, char** argv) {
  config c;
  if (argc < 2) usage("missing mode (idle or storm)");
  c.mode = argv[1];
  if (c.mode == "--help" || c.mode == "-h") {
    std::cout << "usage: connections_bench idle|storm --url URL [-u USER] [-P PASS] "
                 "--connections N [-W SECONDS]\n"
                 "  idle   N connections, then the resident memory they cost\n"
                 "  storm  N connects at once (default client options), time to the Nth "
                 "CONNACK\n"
                 "  -u/-P default to $MQTTWS_BENCH_USER / $MQTTWS_BENCH_PASSWORD; -W "
                 "defaults to 120\n";
    std::exit(0);
  }
  if (c.mode != "idle" && c.mode != "storm") usage("unknown mode '" + c.mode + "' (idle or storm)");
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage("option " + a + " needs a value");
      return argv[++i];
    };
    if (a == "--url" || a == "-L") {
      c.url = value();
      mqttws::endpoint_url u;
      if (std::error_code ec = mqttws::parse_url(c.url, u)) {
        usage("bad URL '" + c.url + "': " + ec.message());
      }
    } else if (a == "-u" || a == "--username") {
      c.username = value();
    } else if (a == "-P" || a == "--password") {
      c.password = value();
    } else if (a == "--connections" || a == "-N") {
      const std::string v = value();
      char* end = nullptr;
      const unsigned long n = std::strtoul(v.c_str(), &end, 10);
      if (v.empty() || v[0] == '-' || *end != '\0' || n == 0 || n > 100000) {
        usage("--connections needs a number in 1..100000, not '" + v + "'");
      }
      c.connections = static_cast<std::uint32_t>(n);
    } else if (a == "-W") {
      const std::string v = value();
      char* end = nullptr;
      const double w = std::strtod(v.c_str(), &end);
      if (v.empty() || *end != '\0' || !(w > 0) || w > 86400) {
        usage("-W needs a positive number of seconds, not '" + v + "'");
      }
      c.wait_seconds = w;
    } else {
      usage("unknown option '" + a + "'");
    }
  }
  if (c.url.empty()) usage("missing --url URL");
  if (c.connections == 0) usage("missing --connections N");
  if (!c.username) {
    if (const char* e = std::getenv("MQTTWS_BENCH_USER")) c.username = std::string(e);
  }
  if (!c.password) {
    if (const char* e = std::getenv("MQTTWS_BENCH_PASSWORD")) c.password = std::string(e);
  }
  return c;
}

std::string transport_name(const std::string& url) {
  mqttws::endpoint_url u;
  mqttws::parse_url(url, u);  // checked by parse()
  switch (u.scheme) {
    case mqttws::url_scheme::ws: return "ws";
    case mqttws::url_scheme::wss: return "wss";
    case mqttws::url_scheme::mqtt: return "tcp";
    case mqttws::url_scheme::mqtts: return "mqtts";
  }
  return "unknown";
}

// The resident set of this process, in bytes (VmRSS of /proc/self/status), or -1.
long long resident_bytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atoll(line.c_str() + 6) * 1024;
  }
  return -1;
}

// Every connection is a socket (plus, briefly, a resolver's): N of them need more than the
// usual soft limit of 1024. False when even the hard limit is too low.
bool raise_fd_limit(std::uint32_t connections, std::string& why) {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) {
    why = "getrlimit(RLIMIT_NOFILE) failed";
    return false;
  }
  const rlim_t needed = static_cast<rlim_t>(connections) + 64;
  if (rl.rlim_cur >= needed) return true;
  if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < needed) {
    why = std::to_string(connections) + " connections need " + std::to_string(needed) +
          " file descriptors; the hard limit (ulimit -Hn) is " + std::to_string(rl.rlim_max);
    return false;
  }
  rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? needed : rl.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &rl) != 0) {
    why = "setrlimit(RLIMIT_NOFILE) failed";
    return false;
  }
  return true;
}

class connections {
 public:
  explicit connections(const config& c)
      : cfg_(c), deadline_(io_), settle_(io_), hard_stop_(io_) {}

  int run() {
    rss_before_ = resident_bytes();
    clients_.reserve(cfg_.connections);
    connected_flags_.assign(cfg_.connections, false);
    for (std::uint32_t i = 0; i < cfg_.connections; ++i) {
      clients_.push_back(std::make_unique<mqttws::client>(io_.get_executor(), options(i)));
      watch(i);
    }
    deadline_.expires_after(std::chrono::duration_cast<steady::duration>(
        std::chrono::duration<double>(cfg_.wait_seconds)));
    deadline_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) {
        fail("timed out: " + std::to_string(connected_) + " of " +
             std::to_string(cfg_.connections) + " connected after " +
             std::to_string(attempts_) + " connection attempts");
      }
    });
    if (cfg_.mode == "storm") {
      start_ = steady::now();
      for (std::uint32_t i = 0; i < cfg_.connections; ++i) connect(i);
    } else {
      next_ = 0;
      while (next_ < cfg_.connections && next_ < idle_parallel) connect(next_++);
    }
    io_.run();
    return code_;
  }

 private:
  static constexpr std::uint32_t idle_parallel = 100;  // idle: connects in flight at once

  mqttws::client_options options(std::uint32_t i) {
    mqttws::client_options o;  // the defaults: reconnection, backoff, timeouts
    o.endpoints = {cfg_.url};
    o.username = cfg_.username;
    o.password = cfg_.password;
    o.client_id = "connections-bench-" + std::to_string(::getpid()) + "-" + std::to_string(i);
    o.before_connect = [this](mqttws::connect_attempt&) { ++attempts_; };
    // idle: a failed connect is a failure, not something to wait out.
    if (cfg_.mode == "idle") o.reconnect = false;
    return o;
  }

  void watch(std::uint32_t i) {
    mqttws::client& c = *clients_[i];
    c.on_connected([this, i](const mqttws::connected_event&) { on_connected(i); });
    c.on_disconnected([this, i](const mqttws::disconnected_event& e) {
      if (done_) return;
      // The session gives up only on what retrying cannot fix (refused credentials...), or
      // at once in idle mode (no reconnection).
      if (!e.will_reconnect) {
        const std::string what = mqttws::describe(e.ec, e.reason, e.reason_string);
        fail(connected_flags_[i] ? "connection lost: " + what
                                 : "cannot connect to " + cfg_.url + ": " + what);
      }
    });
  }

  void connect(std::uint32_t i) {
    // Failures come through on_disconnected (with will_reconnect); the completion adds nothing.
    clients_[i]->async_connect([](mqttws::error_code, const mqttws::connect_result&) {});
  }

  void on_connected(std::uint32_t i) {
    if (done_ || connected_flags_[i]) return;  // a reconnection after a loss: not counted
    connected_flags_[i] = true;
    ++connected_;
    if (cfg_.mode == "idle" && next_ < cfg_.connections) connect(next_++);
    if (connected_ < cfg_.connections) return;
    if (cfg_.mode == "storm") {
      const double seconds = std::chrono::duration<double>(steady::now() - start_).count();
      std::printf(
          "{\"client\":\"mqttws\",\"mode\":\"storm\",\"transport\":\"%s\",\"connections\":%u,"
          "\"connected\":%u,\"seconds\":%.6f,\"attempts\":%llu}\n",
          transport_name(cfg_.url).c_str(), cfg_.connections, connected_, seconds,
          static_cast<unsigned long long>(attempts_));
      return finish(0);
    }
    // idle: every connection up; measure after a second of nothing.
    settle_.expires_after(std::chrono::seconds(1));
    settle_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || done_) return;
      const long long after = resident_bytes();
      if (rss_before_ < 0 || after < 0) return fail("cannot read VmRSS from /proc/self/status");
      std::printf(
          "{\"client\":\"mqttws\",\"mode\":\"idle\",\"transport\":\"%s\",\"connections\":%u,"
          "\"connected\":%u,\"rss_before\":%lld,\"rss_after\":%lld,"
          "\"bytes_per_connection\":%.1f}\n",
          transport_name(cfg_.url).c_str(), cfg_.connections, connected_, rss_before_, after,
          static_cast<double>(after - rss_before_) / cfg_.connections);
      finish(0);
    });
  }

  void fail(const std::string& why) {
    if (done_) return;
    std::cerr << "connections_bench: " << why << std::endl;
    finish(exit_failure);
  }

  // Disconnects everyone (DISCONNECT where connected), bounded: the figures are printed.
  void finish(int code) {
    if (done_) return;
    done_ = true;
    code_ = code;
    std::fflush(stdout);
    deadline_.cancel();
    settle_.cancel();
    hard_stop_.expires_after(std::chrono::seconds(code == 0 ? 5 : 1));
    hard_stop_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) io_.stop();
    });
    pending_ = clients_.size();
    for (auto& c : clients_) {
      c->async_disconnect([this](mqttws::error_code) {
        if (--pending_ == 0) io_.stop();
      });
    }
  }

  const config& cfg_;
  boost::asio::io_context io_;
  boost::asio::steady_timer deadline_, settle_, hard_stop_;
  std::vector<std::unique_ptr<mqttws::client>> clients_;
  std::vector<bool> connected_flags_;
  std::uint32_t connected_ = 0;
  std::uint32_t next_ = 0;
  std::uint64_t attempts_ = 0;
  std::size_t pending_ = 0;
  long long rss_before_ = -1;
  steady::time_point start_{};
  bool done_ = false;
  int code_ = exit_failure;
};

}  // namespace

int main(int argc, char** argv) {
  const config cfg = parse(argc, argv);
  std::string why;
  if (!raise_fd_limit(cfg.connections, why)) {
    std::cerr << "connections_bench: " << why << std::endl;
    return exit_failure;
  }
  try {
    connections bench(cfg);
    return bench.run();
  } catch (const std::exception& e) {
    std::cerr << "connections_bench: " << e.what() << std::endl;
    return exit_failure;
  }
}
