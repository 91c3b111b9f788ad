#include "cli_args.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "cli_flags.hpp"

#include "mqttws/endpoint_url.hpp"
#include "mqttws/topic.hpp"

namespace mqttws::cli {
namespace {

// Reads the command line through the flag table (cli_flags.cpp), then checks what only the
// whole command line can tell (a flag that needs another, -L against -h).
class parser {
 public:
  explicit parser(const std::vector<std::string>& args) : args_(args) {}

  parsed_args run() {
    if (args_.empty()) return usage("missing subcommand (pub, sub or bench); see mqttws --help");
    const std::string& sub = args_[0];
    // Only --help: -h is the broker's host, as in mosquitto_pub.
    if (sub == "--help" || sub == "help") {
      out().result = parsed_args::outcome::help;
      out().text = general_help();
      return out();
    }
    if (sub == "pub") out().cmd = command::pub;
    else if (sub == "sub") out().cmd = command::sub;
    else if (sub == "bench") out().cmd = command::bench;
    else return usage("unknown subcommand '" + sub + "' (pub, sub or bench)");

    for (i_ = 1; i_ < args_.size(); ++i_) {
      if (!option()) return out();  // usage error already recorded
      if (out().result == parsed_args::outcome::help) {
        out().text = help_text(out().cmd);
        return out();
      }
    }
    if (!check()) return out();
    out().result = parsed_args::outcome::run;
    return out();
  }

 private:
  parsed_args& out() { return state_.out; }
  const char* sub_name() { return command_name(out().cmd); }

  parsed_args usage(const std::string& why) {
    out().result = parsed_args::outcome::usage_error;
    out().text = why;
    return out();
  }
  bool fail(const std::string& why) {
    usage(why);
    return false;
  }

  bool option() {
    const std::string& a = args_[i_];
    const flag_spec* f = find_flag(out().cmd, a);
    if (f == nullptr) {
      if (const unsigned takers = commands_taking(a)) {
        return fail("option " + a + " does not apply to " + sub_name() + " (only to " +
                    commands_text(takers) + ")");
      }
      if (!a.empty() && a[0] == '-') return fail("unknown option '" + a + "' for " + sub_name());
      return fail("unexpected argument '" + a + "' for " + sub_name());
    }
    flag_context c(state_, args_, i_);
    if (!f->handle(c)) return fail(c.error());
    return true;
  }

  bool check() {
    return check_broker() && check_credentials() && check_session() && check_tls() &&
           check_command();
  }

  // -L, or -h/-p (which make one mqtt:// or, with any TLS flag, mqtts:// URL).
  bool check_broker() {
    connection_args& c = out().conn;
    if (state_.host || state_.port) {
      if (!c.urls.empty()) return fail("-L and -h/-p: give one");
      const bool tls = !c.cafile.empty() || !c.capath.empty() || c.tls_min || !c.cert.empty() ||
                       c.insecure;
      std::string host = state_.host.value_or("localhost");
      if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
      const std::uint16_t port = state_.port.value_or(tls ? 8883 : 1883);
      const std::string url = (tls ? "mqtts://" : "mqtt://") + host + ":" + std::to_string(port);
      endpoint_url u;
      if (std::error_code ec = parse_url(url, u)) {
        return fail("-h '" + host + "': " + ec.message());
      }
      c.urls.push_back(url);
    }
    if (c.urls.empty()) {
      return fail("missing -L URL or -h HOST (e.g. -L wss://broker.example/mqtt, -h localhost)");
    }
    return true;
  }

  // The login: from the -L URL, or -u; the password: the URL, -P (which `ps` shows), else
  // --password-file, else $MQTTWS_PASSWORD.
  bool check_credentials() {
    connection_args& c = out().conn;
    if (state_.url_user) {
      if (c.username || c.password || !state_.password_file.empty()) {
        return fail("a user in -L URL and -u/-P/--password-file: give one");
      }
      c.username = state_.url_user;
      c.password = state_.url_password;
    }
    if (!state_.password_file.empty()) {
      if (c.password) return fail("-P and --password-file: give one");
      std::ifstream in(state_.password_file, std::ios::binary);
      std::string pw;
      if (!in || !std::getline(in, pw)) {
        return fail("--password-file: cannot read '" + state_.password_file + "'");
      }
      if (!pw.empty() && pw.back() == '\r') pw.pop_back();
      c.password = pw;
    } else if (!c.password) {
      if (const char* env = std::getenv("MQTTWS_PASSWORD")) c.password = std::string(env);
    }
    return true;
  }

  bool check_session() {
    connection_args& c = out().conn;
    const bool v5 = c.version == protocol_version::v5;
    if (!v5 && !c.properties.empty()) return fail("-D needs MQTT 5 (-V 5)");
    if (!v5 && c.session_expiry) return fail("-x needs MQTT 5 (-V 5)");
    if (c.client_id.empty() && !c.clean) {
      return fail("-c (persistent session) needs a client id (-i)");
    }
    if (c.will_topic) {
      if (std::error_code ec = validate_topic_name(*c.will_topic)) {
        return fail("--will-topic '" + *c.will_topic + "': " + ec.message());
      }
    } else if (!c.will_payload.empty() || c.will_retain || c.will_qos != qos::at_most_once) {
      return fail("--will-payload, --will-qos and --will-retain need --will-topic");
    }
    for (const property_arg& p : c.properties) {
      if (p.command == "will" && !c.will_topic) return fail("-D will ... needs --will-topic");
    }
    return true;
  }

  bool check_tls() {
    const connection_args& c = out().conn;
    if (c.cert.empty() != c.key.empty()) return fail("--cert and --key go together");
    // OpenSSL would take any string and fail only while verifying, as "untrusted server".
    struct stat st {};
    if (!c.capath.empty() && (::stat(c.capath.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))) {
      return fail("--capath: '" + c.capath + "' is not a directory");
    }
    return true;
  }

  bool check_command() {
    switch (out().cmd) {
      case command::pub: return check_pub();
      case command::sub: return check_sub();
      case command::bench: return check_bench();
    }
    return true;
  }

  bool check_pub() {
    pub_args& p = out().pub;
    if (state_.url_topic) {
      if (!p.topic.empty() && p.topic != *state_.url_topic) {
        return fail("-t '" + p.topic + "' and the topic '" + *state_.url_topic +
                    "' of -L differ: give one");
      }
      p.topic = *state_.url_topic;
    }
    if (p.topic.empty()) return fail("missing -t TOPIC");
    if (std::error_code ec = validate_topic_name(p.topic)) {
      return fail("-t '" + p.topic + "': " + ec.message());
    }
    if (!state_.source_given) return fail("missing message: give one of -m, -f, -l, -s, -n");
    return true;
  }

  // A filter list (-t, -T, -U) of valid filters.
  bool valid_filters(const std::vector<std::string>& filters, const char* flag) {
    for (const std::string& f : filters) {
      if (std::error_code ec = validate_topic_filter(f)) {
        return fail(std::string(flag) + " '" + f + "': " + ec.message());
      }
    }
    return true;
  }

  bool check_sub() {
    sub_args& s = out().sub;
    // As mosquitto_sub: the URL's topic is one more filter, besides any -t.
    if (state_.url_topic &&
        std::find(s.filters.begin(), s.filters.end(), *state_.url_topic) == s.filters.end()) {
      s.filters.push_back(*state_.url_topic);
    }
    if (s.filters.empty() && s.unsubscribe.empty()) return fail("missing -t FILTER");
    if (s.no_retained && s.retained_only) return fail("-R and --retained-only: give one");
    return valid_filters(s.filters, "-t") && valid_filters(s.filter_out, "-T") &&
           valid_filters(s.unsubscribe, "-U");
  }

  bool check_bench() {
    const bench_args& b = out().bench;
    const std::string mode = std::string("--mode ") + to_string(b.mode);
    if (state_.url_topic) return fail("bench takes no topic in -L URL (-t PREFIX sets one)");
    if (b.rate && b.mode != bench_mode::latency) {
      return fail("--rate only applies to --mode latency, not to " + mode);
    }
    if (b.clients > 1 && b.mode != bench_mode::throughput) {
      return fail("-c (publishers) only applies to --mode throughput; " + mode +
                  " uses one connection");
    }
    // The peer's contract fixes these topics: -t would silently measure nothing.
    if (state_.bench_topic_given && b.mode == bench_mode::publish) {
      return fail("-t does not apply to --mode publish (it publishes to bench/sink)");
    }
    if (state_.bench_topic_given && b.mode == bench_mode::receive) {
      return fail("-t does not apply to --mode receive (it subscribes to "
                  "bench/source/<n>/<s>)");
    }
    // Each latency payload carries its sequence number, so that a lost QoS 0 message
    // cannot shift every later measurement.
    if (b.mode == bench_mode::latency && b.payload_bytes < 4) {
      return fail("--mode latency needs -s of at least 4 (the payload carries the "
                  "message's sequence number)");
    }
    if (b.topic.find_first_of("+#") != std::string::npos) {
      return fail("-t: the bench topic prefix cannot contain + or #");
    }
    return true;
  }

  const std::vector<std::string>& args_;
  std::size_t i_ = 0;
  parse_state state_;
};

}  // namespace

const char* to_string(bench_mode m) {
  switch (m) {
    case bench_mode::throughput: return "throughput";
    case bench_mode::publish: return "publish";
    case bench_mode::receive: return "receive";
    case bench_mode::latency: return "latency";
  }
  return "throughput";
}

parsed_args parse_args(const std::vector<std::string>& args) { return parser(args).run(); }

}  // namespace mqttws::cli
