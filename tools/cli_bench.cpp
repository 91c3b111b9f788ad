// mqttws bench: four measurements, each printing one JSON line on stdout (see cli_help.cpp).
//   throughput  -c publishers -> one subscriber through a broker; first publish -> last message
//   publish     one client -> bench_peer's sink (`bench/sink`); first publish -> last completion
//   receive     bench_peer's source -> one client (`bench/source/<n>/<s>`); SUBACK -> nth message
//   latency     one client publishing to its own subscription at --rate; per-message latency
// Every connection is its own mqttws::client on the runner's single io_context, so the figures
// include everything the client does (session, codec, transport), nothing else.
#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <random>

#include "cli_commands.hpp"
#include "cli_runner.hpp"
#include "mqttws/endpoint_url.hpp"

namespace mqttws::cli {
namespace {

using steady = std::chrono::steady_clock;

// Publishes awaiting completion per publishing connection (QoS 0: handed to the transport;
// QoS 1: PUBACK; QoS 2: PUBCOMP): the same 1000 as the other benchmark drivers.
constexpr std::size_t window = 1000;

// What the JSON line calls the transport of the first -L URL.
std::string transport_name(const connection_args& a) {
  endpoint_url u;
  if (a.urls.empty() || parse_url(a.urls.front(), u)) return "unknown";
  switch (u.scheme) {
    case url_scheme::ws: return "ws";
    case url_scheme::wss: return "wss";
    case url_scheme::mqtt: return "tcp";
    case url_scheme::mqtts: return "mqtts";
  }
  return "unknown";
}

double seconds_between(steady::time_point a, steady::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// What every mode shares: client options, loss handling, the deadline and the JSON line.
class bench_base {
 public:
  bench_base(const parsed_args& args, runner& r)
      : conn_(args.conn), b_(args.bench), run_(r), quiet_(r.io()) {
    run_.on_deadline([this] {
      run_.finish(exit_failure, "timed out: received " + std::to_string(received_) + " of " +
                                    std::to_string(b_.messages) + " messages");
    });
  }
  virtual ~bench_base() = default;

  client_options options(const std::string& role) const {
    client_options o = make_client_options(conn_, role);
    if (!conn_.client_id.empty()) o.client_id = conn_.client_id + "-" + role;  // one id each
    o.reconnect = false;  // a lost connection ends the measurement
    o.max_queued = window + 64;
    return o;
  }

  virtual void start() = 0;

 protected:
  client& add(const std::string& role) {
    client& c = run_.add_client(options(role));
    run_.watch_events(c, role, [this](const disconnected_event& e) { lost(e); });
    return c;
  }

  // Failed connects are reported by their completions; once the first connection of the run
  // is up (watching_losses_), any loss ends the run.
  void lost(const disconnected_event& e) {
    if (watching_losses_ && !e.will_reconnect) {
      run_.finish(exit_failure,
                  "connection lost: " + failure_text(e.ec, e.reason, e.reason_string));
    }
  }

  // False (and the run finishing) when a connect failed.
  bool connected(std::error_code ec, const connect_result& r) {
    if (ec) {
      run_.finish(exit_failure, connect_failure_text(run_.args(), ec, r));
      return false;
    }
    return true;
  }

  // False (and the run finishing) when a subscribe failed or its filter was refused.
  bool subscribed(std::error_code ec, const subscribe_result& sr) {
    if (ec) {
      run_.finish(exit_failure, "subscribe failed: " + failure_text(ec));
      return false;
    }
    if (!sr.codes.empty() && static_cast<unsigned>(sr.codes[0]) >= 0x80) {
      run_.finish(exit_failure,
                  "subscription refused: " + reason_text(sr.codes[0], packet_type::suback));
      return false;
    }
    return true;
  }

  // False (and the run finishing) when a publish failed.
  bool published(std::error_code ec, const publish_result& r) {
    if (ec) {
      run_.finish(exit_failure, "publish failed: " + failure_text(ec, r.code, r.reason_string));
      return false;
    }
    return true;
  }

  // QoS 0 may lose messages: once watch_quiet() is called, a second without a message ends
  // the wait. Messages only note the time (a timer re-armed per message would cost a system
  // call each, more than the message itself); the timer checks it once a second.
  void watch_quiet() {
    if (watching_quiet_) return;
    watching_quiet_ = true;
    activity_ = steady::now();
    schedule_quiet_check();
  }
  void note_activity(steady::time_point t) { activity_ = t; }
  void schedule_quiet_check() {
    quiet_.expires_at(activity_ + quiet_period);
    quiet_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || run_.finishing()) return;
      if (steady::now() - activity_ >= quiet_period) return quiet();
      schedule_quiet_check();
    });
  }
  virtual void quiet() { report(); }

  // The JSON line: the fields every mode has, then `extra` (",\"k\":v..." or empty).
  void report(const std::string& extra = {}) {
    if (run_.finishing()) return;
    const double seconds = received_ == 0 ? 0.0 : seconds_between(start_, last_);
    const double rate = seconds > 0 ? static_cast<double>(received_) / seconds : 0.0;
    const unsigned publishers = b_.mode == bench_mode::throughput ? b_.clients : 1U;
    std::printf(
        "{\"client\":\"mqttws\",\"mode\":\"%s\",\"transport\":\"%s\",\"qos\":%d,\"bytes\":%zu,"
        "\"publishers\":%u,\"clients\":%u,\"n\":%llu,\"received\":%llu,\"seconds\":%.6f,"
        "\"msgs_per_s\":%.1f%s}\n",
        to_string(b_.mode), transport_name(conn_).c_str(), static_cast<int>(b_.q),
        b_.payload_bytes, publishers, publishers, static_cast<unsigned long long>(b_.messages),
        static_cast<unsigned long long>(received_), seconds, rate, extra.c_str());
    std::fflush(stdout);
    run_.finish(exit_ok);
  }

  const connection_args& conn_;
  const bench_args& b_;
  runner& run_;
  static constexpr std::chrono::seconds quiet_period{1};
  boost::asio::steady_timer quiet_;
  bool watching_quiet_ = false;
  steady::time_point activity_{};  // the last message (or the moment watch_quiet() started)
  bool watching_losses_ = false;
  std::uint64_t received_ = 0;    // what the mode counts (messages, or completed publishes)
  steady::time_point start_{}, last_{};
};

// A prefix of our own, so concurrent runs on one broker do not see each other's messages.
std::string topic_prefix(const bench_args& b) {
  if (!b.topic.empty()) return b.topic;
  std::random_device rd;
  return "mqttws-bench/" + std::to_string(rd());
}

// One publishing connection keeping at most `window` publishes outstanding.
struct publisher {
  client* c = nullptr;
  std::string topic;
  std::uint64_t share = 0, sent = 0;
  std::size_t outstanding = 0;
};

// ---- throughput: P publishers -> broker -> 1 subscriber ---------------------------------------
class throughput_bench final : public bench_base {
 public:
  throughput_bench(const parsed_args& args, runner& r)
      : bench_base(args, r), payload_(b_.payload_bytes, 'x'), prefix_(topic_prefix(b_)) {
    subscriber_ = &add("bench-sub");
    for (std::uint32_t i = 0; i < b_.clients; ++i) {
      publisher p;
      p.c = &add("bench-pub-" + std::to_string(i));
      p.topic = prefix_ + "/" + std::to_string(i);
      p.share = b_.messages / b_.clients + (i < b_.messages % b_.clients ? 1 : 0);
      publishers_.push_back(std::move(p));
    }
  }

  void start() override {
    subscriber_->async_connect([this](std::error_code ec, const connect_result& r) {
      if (!connected(ec, r)) return;
      watching_losses_ = true;
      subscriber_->async_subscribe(
          prefix_ + "/#", b_.q, [this](const message&) { on_message(); },
          [this](std::error_code sec, const subscribe_result& sr) {
            if (subscribed(sec, sr)) connect_publishers();
          });
    });
  }

 private:
  void connect_publishers() {
    for (publisher& p : publishers_) {
      p.c->async_connect([this](std::error_code ec, const connect_result& r) {
        if (!connected(ec, r)) return;
        if (++connected_ == publishers_.size()) {
          start_ = steady::now();
          for (publisher& q : publishers_) pump(q);
        }
      });
    }
  }

  void pump(publisher& p) {
    while (!run_.finishing() && p.outstanding < window && p.sent < p.share) {
      ++p.sent;
      ++p.outstanding;
      p.c->async_publish(p.topic, payload_, b_.q, false,
                         [this, &p](std::error_code ec, const publish_result& r) {
                           --p.outstanding;
                           if (!published(ec, r)) return;
                           if (++published_ == b_.messages && b_.q == qos::at_most_once) {
                             watch_quiet();
                           }
                           pump(p);
                         });
    }
  }

  void on_message() {
    if (run_.finishing()) return;
    ++received_;
    last_ = steady::now();
    note_activity(last_);
    if (received_ == b_.messages) return report();
  }

  std::string payload_;
  std::string prefix_;
  client* subscriber_ = nullptr;
  std::vector<publisher> publishers_;
  std::size_t connected_ = 0;
  std::uint64_t published_ = 0;
};

// ---- publish: 1 client -> bench_peer's sink --------------------------------------------------
class publish_bench final : public bench_base {
 public:
  publish_bench(const parsed_args& args, runner& r)
      : bench_base(args, r), payload_(b_.payload_bytes, 'x') {
    p_.c = &add("bench-pub");
    p_.topic = "bench/sink";
    p_.share = b_.messages;
  }

  void start() override {
    p_.c->async_connect([this](std::error_code ec, const connect_result& r) {
      if (!connected(ec, r)) return;
      watching_losses_ = true;
      start_ = steady::now();
      pump();
    });
  }

 private:
  void pump() {
    while (!run_.finishing() && p_.outstanding < window && p_.sent < p_.share) {
      ++p_.sent;
      ++p_.outstanding;
      p_.c->async_publish(p_.topic, payload_, b_.q, false,
                          [this](std::error_code ec, const publish_result& r) {
                            --p_.outstanding;
                            if (run_.finishing() || !published(ec, r)) return;
                            // "received" counts completed publishes in this mode.
                            ++received_;
                            last_ = steady::now();
                            if (received_ == b_.messages) return report();
                            pump();
                          });
    }
  }

  std::string payload_;
  publisher p_;
};

// ---- receive: bench_peer's source -> 1 client ------------------------------------------------
class receive_bench final : public bench_base {
 public:
  receive_bench(const parsed_args& args, runner& r) : bench_base(args, r) {
    c_ = &add("bench-recv");
    topic_ = "bench/source/" + std::to_string(b_.messages) + "/" +
             std::to_string(b_.payload_bytes);
  }

  void start() override {
    c_->async_connect([this](std::error_code ec, const connect_result& r) {
      if (!connected(ec, r)) return;
      watching_losses_ = true;
      c_->async_subscribe(
          topic_, b_.q, [this](const message& m) { on_message(m); },
          [this](std::error_code sec, const subscribe_result& sr) {
            if (!subscribed(sec, sr)) return;
            // Messages read together with the SUBACK are delivered before this completion
            // (which is posted): then the clock already started at the first of them.
            if (!clock_started_) start_clock();
          });
    });
  }

 private:
  void start_clock() {
    clock_started_ = true;
    start_ = steady::now();
  }

  void on_message(const message& m) {
    if (run_.finishing()) return;
    if (!clock_started_) start_clock();
    if (m.view().payload.size() != b_.payload_bytes) {
      return run_.finish(exit_failure, "the source sent a payload of " +
                                           std::to_string(m.view().payload.size()) +
                                           " bytes instead of " +
                                           std::to_string(b_.payload_bytes));
    }
    ++received_;
    last_ = steady::now();
    note_activity(last_);
    if (received_ == b_.messages) return report();
    if (b_.q == qos::at_most_once) watch_quiet();
  }

  client* c_ = nullptr;
  std::string topic_;
  bool clock_started_ = false;
};

// ---- latency: 1 client publishing to its own subscription at a fixed rate --------------------
class latency_bench final : public bench_base {
 public:
  latency_bench(const parsed_args& args, runner& r)
      : bench_base(args, r), rate_(b_.rate.value_or(1000)), timer_(r.io()),
        topic_(topic_prefix(b_)), payload_(b_.payload_bytes, 'x') {
    c_ = &add("bench-latency");
    sent_at_.resize(b_.messages);
    seen_.resize(b_.messages, false);
    latencies_us_.reserve(b_.messages);
  }

  void start() override {
    c_->async_connect([this](std::error_code ec, const connect_result& r) {
      if (!connected(ec, r)) return;
      watching_losses_ = true;
      c_->async_subscribe(topic_, b_.q, [this](const message& m) { on_message(m); },
                          [this](std::error_code sec, const subscribe_result& sr) {
                            if (!subscribed(sec, sr)) return;
                            t0_ = start_ = steady::now();
                            tick();
                          });
    });
  }

 private:
  // Message i is due at t0 + i / rate: publish whatever is due, then sleep until the next one.
  void tick() {
    const steady::time_point now = steady::now();
    while (!run_.finishing() && next_ < b_.messages && due(next_) <= now) publish_next();
    if (run_.finishing()) return;
    if (next_ == b_.messages) {
      if (b_.q == qos::at_most_once) watch_quiet();
      return;
    }
    timer_.expires_at(due(next_));
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) tick();
    });
  }

  steady::time_point due(std::uint64_t i) const {
    return t0_ + std::chrono::duration_cast<steady::duration>(
                     std::chrono::duration<double>(static_cast<double>(i) / rate_));
  }

  void publish_next() {
    const std::uint64_t i = next_++;
    // The sequence number, big-endian, in the first four bytes of the payload.
    for (int k = 0; k < 4; ++k) {
      payload_[static_cast<std::size_t>(k)] = static_cast<char>((i >> (8 * (3 - k))) & 0xFF);
    }
    sent_at_[i] = steady::now();
    c_->async_publish(topic_, payload_, b_.q, false,
                      [this](std::error_code ec, const publish_result& r) { published(ec, r); });
  }

  void on_message(const message& m) {
    const steady::time_point now = steady::now();
    if (run_.finishing()) return;
    const std::string_view p = m.view().payload;
    if (p.size() != b_.payload_bytes) return;  // not one of ours
    std::uint64_t i = 0;
    for (int k = 0; k < 4; ++k) i = (i << 8) | static_cast<unsigned char>(p[k]);
    if (i >= next_ || seen_[i]) return;  // a duplicate, or not one of ours
    seen_[i] = true;
    latencies_us_.push_back(std::chrono::duration<double, std::micro>(now - sent_at_[i]).count());
    ++received_;
    last_ = now;
    note_activity(now);
    if (received_ == b_.messages) return finish_report();
  }

  void quiet() override {
    if (received_ == 0) {
      return run_.finish(exit_failure, "no message came back (QoS 0: all " +
                                           std::to_string(b_.messages) + " lost)");
    }
    finish_report();
  }

  // Nearest rank: the smallest sample with at least p% of the samples at or below it.
  double percentile(double p) const {
    const std::size_t n = sorted_.size();
    std::size_t rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(n)));
    rank = std::clamp<std::size_t>(rank, 1, n);
    return sorted_[rank - 1];
  }

  void finish_report() {
    sorted_ = latencies_us_;
    std::sort(sorted_.begin(), sorted_.end());
    char extra[160];
    std::snprintf(extra, sizeof extra, ",\"rate\":%u,\"p50_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f",
                  rate_, percentile(50), percentile(99), sorted_.back());
    report(extra);
  }

  const std::uint32_t rate_;
  boost::asio::steady_timer timer_;
  std::string topic_;
  std::string payload_;
  client* c_ = nullptr;
  steady::time_point t0_{};
  std::uint64_t next_ = 0;
  std::vector<steady::time_point> sent_at_;
  std::vector<bool> seen_;
  std::vector<double> latencies_us_, sorted_;
};

std::unique_ptr<bench_base> make_bench(const parsed_args& args, runner& r) {
  switch (args.bench.mode) {
    case bench_mode::publish: return std::make_unique<publish_bench>(args, r);
    case bench_mode::receive: return std::make_unique<receive_bench>(args, r);
    case bench_mode::latency: return std::make_unique<latency_bench>(args, r);
    case bench_mode::throughput: break;
  }
  return std::make_unique<throughput_bench>(args, r);
}

}  // namespace

int run_bench(const parsed_args& args) {
  // Every wait bounded: without -W, two minutes.
  parsed_args bounded = args;
  if (!bounded.conn.wait_seconds) bounded.conn.wait_seconds = 120.0;
  bounded.conn.clean = true;
  runner r(bounded.conn);
  std::unique_ptr<bench_base> b = make_bench(bounded, r);
  if (!usable(b->options("bench"))) return exit_usage;
  r.start_deadline();
  b->start();
  return r.run();
}

}  // namespace mqttws::cli
