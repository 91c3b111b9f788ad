// mqttws bench: one subscriber and -c publishers through the broker; the clock runs from the
// first publish to the last message received. Prints one JSON line.
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <random>

#include "cli_commands.hpp"
#include "cli_runner.hpp"

namespace mqttws::cli {
namespace {

using steady = std::chrono::steady_clock;

class bench {
 public:
  bench(const parsed_args& args, runner& r)
      : conn_(args.conn), b_(args.bench), run_(r), payload_(args.bench.payload_bytes, 'x'),
        quiet_(r.io()) {
    prefix_ = b_.topic;
    if (prefix_.empty()) {
      std::random_device rd;
      prefix_ = "mqttws-bench/" + std::to_string(rd());
    }
    subscriber_ = &run_.add_client(options("bench-sub"));
    run_.watch_events(*subscriber_, "bench-sub", [this](const disconnected_event& e) {
      lost(e);
    });
    for (std::uint32_t i = 0; i < b_.clients; ++i) {
      publisher p;
      p.c = &run_.add_client(options("bench-pub-" + std::to_string(i)));
      p.topic = prefix_ + "/" + std::to_string(i);
      p.share = b_.messages / b_.clients + (i < b_.messages % b_.clients ? 1 : 0);
      run_.watch_events(*p.c, "bench-pub-" + std::to_string(i),
                        [this](const disconnected_event& e) { lost(e); });
      publishers_.push_back(std::move(p));
    }
    run_.on_deadline([this] {
      run_.finish(exit_failure, "timed out: received " + std::to_string(received_) + " of " +
                                    std::to_string(b_.messages) + " messages");
    });
  }

  client_options options(const std::string& role) const {
    client_options o = make_client_options(conn_, role);
    if (!conn_.client_id.empty()) o.client_id = conn_.client_id + "-" + role;  // one id each
    o.reconnect = false;
    o.max_queued = window + 64;
    return o;
  }

  void start() {
    subscriber_->async_connect([this](std::error_code ec, const connect_result& r) {
      if (ec) return run_.finish(exit_failure, connect_failure_text(run_.args(), ec, r));
      subscriber_->async_subscribe(
          prefix_ + "/#", b_.q, [this](const message&) { on_message(); },
          [this](std::error_code sec, const subscribe_result& sr) {
            if (sec) return run_.finish(exit_failure, "subscribe failed: " + failure_text(sec));
            if (!sr.codes.empty() && static_cast<unsigned>(sr.codes[0]) >= 0x80) {
              return run_.finish(exit_failure, "subscription refused: " +
                                                   reason_text(sr.codes[0], packet_type::suback));
            }
            connect_publishers();
          });
    });
  }

 private:
  static constexpr std::size_t window = 512;  // unacknowledged publishes per publisher

  struct publisher {
    client* c = nullptr;
    std::string topic;
    std::uint64_t share = 0, sent = 0, done = 0;
    std::size_t outstanding = 0;
  };

  void lost(const disconnected_event& e) {
    if (connected_ > 0 && !e.will_reconnect) {
      run_.finish(exit_failure,
                  "connection lost: " + failure_text(e.ec, e.reason, e.reason_string));
    }
  }

  void connect_publishers() {
    ++connected_;  // the subscriber
    for (publisher& p : publishers_) {
      p.c->async_connect([this](std::error_code ec, const connect_result& r) {
        if (ec) return run_.finish(exit_failure, connect_failure_text(run_.args(), ec, r));
        if (++connected_ == publishers_.size() + 1) {
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
                           if (ec) {
                             return run_.finish(exit_failure,
                                                "publish failed: " +
                                                    failure_text(ec, r.code, r.reason_string));
                           }
                           ++p.done;
                           ++published_;
                           if (published_ == b_.messages) all_published();
                           pump(p);
                         });
    }
  }

  // QoS 0 may lose messages: once everything is out, a quiet second ends the wait.
  void all_published() {
    if (b_.q != qos::at_most_once) return;
    arm_quiet_timer();
  }
  void arm_quiet_timer() {
    quiet_.expires_after(std::chrono::seconds(1));
    quiet_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) report();
    });
  }

  void on_message() {
    if (run_.finishing()) return;
    ++received_;
    last_ = steady::now();
    if (received_ == b_.messages) return report();
    if (published_ == b_.messages && b_.q == qos::at_most_once) arm_quiet_timer();
  }

  void report() {
    if (run_.finishing()) return;
    const double seconds =
        received_ == 0 ? 0.0 : std::chrono::duration<double>(last_ - start_).count();
    const double rate = seconds > 0 ? static_cast<double>(received_) / seconds : 0.0;
    std::printf(
        "{\"client\":\"mqttws\",\"qos\":%d,\"n\":%llu,\"bytes\":%zu,\"clients\":%u,"
        "\"received\":%llu,\"seconds\":%.6f,\"msgs_per_s\":%.1f}\n",
        static_cast<int>(b_.q), static_cast<unsigned long long>(b_.messages), b_.payload_bytes,
        b_.clients, static_cast<unsigned long long>(received_), seconds, rate);
    std::fflush(stdout);
    run_.finish(exit_ok);
  }

  const connection_args& conn_;
  const bench_args& b_;
  runner& run_;
  std::string payload_;
  std::string prefix_;
  client* subscriber_ = nullptr;
  std::vector<publisher> publishers_;
  boost::asio::steady_timer quiet_;
  std::size_t connected_ = 0;
  std::uint64_t published_ = 0;
  std::uint64_t received_ = 0;
  steady::time_point start_{}, last_{};
};

}  // namespace

int run_bench(const parsed_args& args) {
  // Every wait bounded: without -W, two minutes.
  parsed_args bounded = args;
  if (!bounded.conn.wait_seconds) bounded.conn.wait_seconds = 120.0;
  bounded.conn.clean = true;
  runner r(bounded.conn);
  bench b(bounded, r);
  if (std::error_code ec = client::validate(b.options("bench"))) {
    std::cerr << "mqttws: " << failure_text(ec) << std::endl;
    return exit_usage;
  }
  r.start_deadline();
  b.start();
  return r.run();
}

}  // namespace mqttws::cli
