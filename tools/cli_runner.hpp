// mqttws CLI — what every subcommand shares: client options from the connection flags, one
// io_context, the -W deadline, SIGINT/SIGTERM, and an orderly, bounded way to finish.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cli_args.hpp"
#include "mqttws/client.hpp"

namespace mqttws::cli {

/// The client options the connection flags describe. `role` ("pub", "sub", "bench-pub-1")
/// goes into a generated client id. MQTT 5 properties given with -D connect/will are applied.
client_options make_client_options(const connection_args& args, const std::string& role);

/// The MQTT 5 properties of -D `packet` ("publish", "subscribe", ...). The views point into
/// `args` and `user_storage`, which must outlive the result.
properties packet_properties(const connection_args& args, const std::string& packet,
                             std::vector<user_property>& user_storage);

/// One run of a subcommand: owns the io_context and the clients, ends with an exit code.
/// Single-threaded: everything happens in run().
class runner {
 public:
  explicit runner(const connection_args& args);

  boost::asio::io_context& io() { return io_; }
  const connection_args& args() const { return args_; }
  /// A new client with these options (kept until the runner ends, disconnected by finish()).
  client& add_client(client_options options);

  /// Called once when -W passes (if given); by default finish(exit_failure, "timed out ...").
  void on_deadline(std::function<void()> f) { on_deadline_ = std::move(f); }
  /// Called on SIGINT/SIGTERM; by default finish(exit_failure, "interrupted").
  void on_signal(std::function<void()> f) { on_signal_ = std::move(f); }
  /// Starts the -W timer now (commands call it once connected, or at once).
  void start_deadline();

  /// Ends the run with `code`: prints `message` (if any) on stderr as "mqttws: message",
  /// disconnects every client (DISCONNECT when connected), bounded by 2.5 s (0.5 s when
  /// `code` is a failure). Only the first call counts.
  void finish(int code, const std::string& message = {});
  bool finishing() const { return finishing_; }

  /// Runs everything; returns the exit code given to finish().
  int run();

  /// Sets `c`'s event handlers: with -d they print connection events on stderr; every
  /// disconnected event is also given to `on_lost` (if set).
  void watch_events(client& c, const std::string& name,
                    std::function<void(const disconnected_event&)> on_lost = {});

 private:
  void stop_after_disconnects();

  const connection_args& args_;
  boost::asio::io_context io_;
  boost::asio::steady_timer deadline_;
  boost::asio::steady_timer hard_stop_;
  boost::asio::signal_set signals_;
  std::vector<std::unique_ptr<client>> clients_;
  std::function<void()> on_deadline_;
  std::function<void()> on_signal_;
  bool finishing_ = false;
  int code_ = exit_failure;
  std::size_t pending_disconnects_ = 0;
};

/// make_client_options() with reconnecting on: the options of a reconnecting_client.
client_options reconnecting_client_options(const connection_args& args, const std::string& role);

/// The client of pub and sub, which (like mosquitto_pub and mosquitto_sub) reconnects a lost
/// connection with the library's backoff: what was published and not yet acknowledged stays in
/// the session and is sent again, subscriptions are kept. So only the first connection failing,
/// or, once connected, a session that gives up (refused credentials, say) ends the run.
class reconnecting_client {
 public:
  /// Adds the client to `r`, with r.watch_events(role).
  reconnecting_client(runner& r, const std::string& role);

  client& get() { return client_; }
  /// Connects; `on_connected` runs once the connection is up, or the run ends.
  void connect(std::function<void()> on_connected);

 private:
  runner& run_;
  client& client_;
  bool connected_ = false;
};

/// "Not authorized (0x87)": a broker's reason code as `packet` names it.
std::string reason_text(reason_code code, packet_type packet);

/// One line for a failed operation: "connection refused: not authorized (0x87)",
/// "refused by the broker: not authorized (0x87)", or the error's message.
std::string failure_text(std::error_code ec, std::optional<reason_code> reason = {},
                         const std::string& reason_string = {});
/// Why connecting failed: a refusal as failure_text(), anything else with the broker's URL
/// ("cannot connect to mqtt://127.0.0.1:1: Connection refused").
std::string connect_failure_text(const connection_args& args, std::error_code ec,
                                 const connect_result& r);

/// False, with the reason on stderr, when client::validate() finds that `options` cannot make a
/// client: the command then ends with exit_usage.
bool usable(const client_options& options);

/// "5.000 s" style text of the -W value, for messages.
std::string seconds_text(double s);

}  // namespace mqttws::cli
