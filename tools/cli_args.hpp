// mqttws CLI — the command line, parsed and checked. Flags follow mosquitto_pub/mosquitto_sub
// so their users feel at home; everything is validated here, before any connection, so that a
// bad command line is always a usage error (exit code 2) with a one-line reason.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mqttws/client_options.hpp"
#include "mqttws/protocol.hpp"

namespace mqttws::cli {

/// Exit codes of the tool.
enum exit_code : int {
  exit_ok = 0,
  exit_failure = 1,  ///< Connection or protocol failure, timeout.
  exit_usage = 2,    ///< Bad command line.
};

enum class command { pub, sub, bench };

/// One `-D COMMAND PROPERTY VALUE [VALUE2]` (MQTT 5). `command` is connect, publish,
/// subscribe, unsubscribe, disconnect or will; `name` a property name as mosquitto spells it
/// ("user-property", "content-type", ...). Only user-property has `value2`.
struct property_arg {
  std::string command;
  std::string name;
  std::string value;
  std::string value2;
};

/// Flags shared by every subcommand (see cli_flags.cpp for the table of every flag).
struct connection_args {
  /// -L, repeatable: tried in order (failover); or the one URL -h/-p make. mqtt(s) URLs
  /// without their user info and topic (which went to username/password and -t).
  std::vector<std::string> urls;
  protocol_version version = protocol_version::v5;  ///< -V 5|311
  std::string client_id;                            ///< -i; generated when empty
  std::optional<std::string> username;              ///< -u
  std::optional<std::string> password;              ///< -P
  std::uint16_t keep_alive = 60;                    ///< -k
  bool clean = true;                                ///< -c makes it false
  std::optional<std::uint32_t> session_expiry;      ///< -x (v5)
  std::vector<property_arg> properties;             ///< -D
  std::optional<std::string> will_topic;
  std::string will_payload;
  qos will_qos = qos::at_most_once;
  bool will_retain = false;
  std::string cafile, cert, key;  ///< --cafile --cert --key
  std::string capath;             ///< --capath: a hashed CA directory
  std::optional<tls_version> tls_min;  ///< --tls-version
  bool insecure = false;          ///< --insecure
  std::vector<std::pair<std::string, std::string>> headers;  ///< -H 'Name: value'
  std::optional<double> wait_seconds;                        ///< -W: bounds the whole run
  bool debug = false;                                        ///< -d: events on stderr
};

struct pub_args {
  enum class source { message, file, stdin_lines, stdin_whole, null_message };
  std::string topic;  ///< -t
  source from = source::message;
  std::string message;  ///< -m
  std::string file;     ///< -f
  qos q = qos::at_most_once;
  bool retain = false;  ///< -r
};

struct sub_args {
  std::vector<std::string> filters;  ///< -t, repeatable
  qos q = qos::at_most_once;
  std::uint64_t count = 0;  ///< -C; 0: no limit
  bool verbose = false;     ///< -v: "topic payload"
  bool no_retained = false; ///< -R: do not print retained messages
  bool no_eol = false;      ///< -N
  std::optional<std::string> format;  ///< -F
  std::vector<std::string> unsubscribe;  ///< -U: UNSUBSCRIBE these after the SUBSCRIBE
  std::vector<std::string> filter_out;   ///< -T: messages on matching topics not printed
  bool exit_after_subscribe = false;     ///< -E: end once SUBACK (and UNSUBACK) came
  bool retained_only = false;  ///< --retained-only: print retained, end at the first fresh
};

/// What `mqttws bench` measures (see cli_help.cpp for each mode's clock).
enum class bench_mode {
  throughput,  ///< -c publishers -> one subscriber, through a broker
  publish,     ///< one client publishing to `bench/sink` (bench_peer's sink, no broker)
  receive,     ///< one client subscribed to `bench/source/<n>/<s>` (bench_peer's source)
  latency,     ///< one client publishing to its own subscription at --rate
};

/// "throughput", "publish", "receive", "latency".
const char* to_string(bench_mode m);

struct bench_args {
  bench_mode mode = bench_mode::throughput;  ///< --mode
  std::uint64_t messages = 10000;  ///< -n
  qos q = qos::at_most_once;       ///< -q
  std::size_t payload_bytes = 64;  ///< -s
  std::uint32_t clients = 1;       ///< -c: publishers (throughput only)
  std::string topic;               ///< -t: topic prefix; generated when empty
  /// --rate: messages per second of --mode latency; unset: 1000. Only latency takes it.
  std::optional<std::uint32_t> rate;
};

struct parsed_args {
  enum class outcome { run, help, usage_error };
  outcome result = outcome::usage_error;
  command cmd = command::pub;
  /// outcome::help: the text for stdout; outcome::usage_error: the one-line reason.
  std::string text;
  connection_args conn;
  pub_args pub;
  sub_args sub;
  bench_args bench;
};

/// Parses the arguments after the program name ("pub", "-L", ...). Never throws.
parsed_args parse_args(const std::vector<std::string>& args);

/// The --help text of a subcommand, and of the tool itself.
std::string help_text(command c);
std::string general_help();

}  // namespace mqttws::cli
