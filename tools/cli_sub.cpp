// mqttws sub: connect, subscribe to every -t filter, unsubscribe from every -U filter, print
// each message (as mosquitto_sub) but those -T filters out, until -C messages arrived, -W
// passed, -E (subscribed), --retained-only (a fresh message), or a signal.
#include <cstdio>
#include <iostream>

#include "cli_commands.hpp"
#include "cli_output.hpp"
#include "cli_runner.hpp"
#include "mqttws/topic.hpp"

namespace mqttws::cli {
namespace {

class subscriber {
 public:
  subscriber(const parsed_args& args, runner& r)
      : args_(args), sub_(args.sub), run_(r), session_(r, "sub"), client_(session_.get()) {
    print_.verbose = sub_.verbose;
    print_.no_eol = sub_.no_eol;
    print_.format = sub_.format;
    props_ = packet_properties(args.conn, "subscribe", user_storage_);
    unsub_props_ = packet_properties(args.conn, "unsubscribe", unsub_user_storage_);
    run_.on_deadline([this] {
      if (sub_.count == 0) return run_.finish(exit_ok);  // -W alone: the end of listening
      run_.finish(exit_failure, "timed out after " + seconds_text(*args_.conn.wait_seconds) +
                                    ": received " + std::to_string(count_) + " of " +
                                    std::to_string(sub_.count) + " messages");
    });
    run_.on_signal([this] { run_.finish(exit_ok); });
    // Every PUBLISH, not only those of this run's subscriptions: with -c the broker sends
    // what it queued for the session right after CONNACK, before our SUBSCRIBE is answered
    // (or without any, with -U alone), and mosquitto_sub prints those too.
    client_.on_message([this](const message& m) { on_message(m); });
  }

  void start() {
    session_.connect([this] {
      // As mosquitto_sub: subscriptions first, then the unsubscriptions.
      if (sub_.filters.empty()) return unsubscribe();
      subscribe();
    });
  }

 private:
  void subscribe() {
    std::vector<subscription> subs;
    for (const std::string& f : sub_.filters) subs.push_back({f, subscribe_options{sub_.q}});
    client_.async_subscribe(
        subscription_list(subs.data(), subs.size()), props_,
        [](const message&) {},  // printed by on_message() above, once per PUBLISH
        [this](std::error_code ec, const subscribe_result& r) {
          if (ec) return run_.finish(exit_failure, "subscribe failed: " + failure_text(ec));
          for (std::size_t i = 0; i < r.codes.size() && i < sub_.filters.size(); ++i) {
            if (static_cast<unsigned>(r.codes[i]) >= 0x80) {
              return run_.finish(exit_failure,
                                 "subscription to '" + sub_.filters[i] + "' refused: " +
                                     reason_text(r.codes[i], packet_type::suback));
            }
          }
          if (args_.conn.debug) {
            std::cerr << "mqttws: sub subscribed to " << sub_.filters.size() << " filter(s)"
                      << std::endl;
          }
          unsubscribe();
        });
  }

  // -U, once subscribed (or at once without -t). The UNSUBACK's codes are not errors: a
  // filter that had no subscription (0x11) is already what the user asked for.
  void unsubscribe() {
    if (sub_.unsubscribe.empty()) return subscribed();
    unsub_views_.assign(sub_.unsubscribe.begin(), sub_.unsubscribe.end());
    client_.async_unsubscribe(
        topic_filter_list(unsub_views_.data(), unsub_views_.size()), unsub_props_,
        [this](std::error_code ec, const unsubscribe_result&) {
          if (ec) return run_.finish(exit_failure, "unsubscribe failed: " + failure_text(ec));
          if (args_.conn.debug) {
            std::cerr << "mqttws: sub unsubscribed from " << sub_.unsubscribe.size()
                      << " filter(s)" << std::endl;
          }
          subscribed();
        });
  }

  // Every SUBSCRIBE and UNSUBSCRIBE acknowledged: -E, or -U alone (nothing to listen to),
  // ends here.
  void subscribed() {
    if (sub_.exit_after_subscribe || sub_.filters.empty()) run_.finish(exit_ok);
  }

  bool filtered_out(std::string_view topic) const {
    for (const std::string& f : sub_.filter_out) {
      if (topic_matches(f, topic)) return true;
    }
    return false;
  }

  void on_message(const message& m) {
    if (run_.finishing()) return;
    const publish& p = m.view();
    if (sub_.no_retained && p.retain) return;  // -R: stale, not printed, not counted
    if (filtered_out(p.topic)) return;           // -T: neither printed nor counted
    // --retained-only: the retained messages come first, so a fresh one means they are done.
    if (sub_.retained_only && !p.retain) return run_.finish(exit_ok);
    const std::string text = format_message(p, print_, std::chrono::system_clock::now());
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() ||
        std::fflush(stdout) != 0) {
      return run_.finish(exit_failure, "cannot write to stdout");
    }
    ++count_;
    if (sub_.count != 0 && count_ >= sub_.count) run_.finish(exit_ok);
  }

  const parsed_args& args_;
  const sub_args& sub_;
  runner& run_;
  reconnecting_client session_;  // mosquitto_sub keeps subscriptions across lost connections
  client& client_;
  print_options print_;
  std::vector<user_property> user_storage_;
  properties props_;
  std::vector<user_property> unsub_user_storage_;
  properties unsub_props_;
  std::vector<std::string_view> unsub_views_;
  std::uint64_t count_ = 0;
};

}  // namespace

int run_sub(const parsed_args& args) {
  if (!usable(reconnecting_client_options(args.conn, "sub"))) return exit_usage;
  runner r(args.conn);
  subscriber s(args, r);
  r.start_deadline();
  s.start();
  return r.run();
}

}  // namespace mqttws::cli
