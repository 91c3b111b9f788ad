#include "cli_args.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string_view>

#include "mqttws/endpoint_url.hpp"
#include "mqttws/topic.hpp"

namespace mqttws::cli {
namespace {

// The properties -D accepts, per packet (mosquitto's names). Which of them the tool can put
// in its packets is decided here so that an unsupported one is a usage error, not a surprise.
const std::set<std::string>& properties_of(const std::string& cmd) {
  static const std::set<std::string> none;
  static const std::set<std::string> connect = {
      "user-property", "session-expiry-interval", "receive-maximum", "maximum-packet-size",
      "topic-alias-maximum", "request-response-information", "request-problem-information"};
  static const std::set<std::string> publish = {
      "user-property", "content-type", "response-topic", "correlation-data",
      "message-expiry-interval", "payload-format-indicator"};
  static const std::set<std::string> will = {
      "user-property", "content-type", "response-topic", "correlation-data",
      "message-expiry-interval", "payload-format-indicator", "will-delay-interval"};
  static const std::set<std::string> subscribe = {"user-property"};
  static const std::set<std::string> unsubscribe = {"user-property"};
  static const std::set<std::string> disconnect = {"user-property"};
  if (cmd == "connect") return connect;
  if (cmd == "publish") return publish;
  if (cmd == "will") return will;
  if (cmd == "subscribe") return subscribe;
  if (cmd == "unsubscribe") return unsubscribe;
  if (cmd == "disconnect") return disconnect;
  return none;
}

bool is_packet_name(const std::string& s) {
  return s == "connect" || s == "publish" || s == "will" || s == "subscribe" ||
         s == "unsubscribe" || s == "disconnect";
}

template <class T>
bool parse_unsigned(std::string_view s, T max, T& out) {
  if (s.empty() || s.front() == '+' || s.front() == '-') return false;
  unsigned long long v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v > max) return false;
  out = static_cast<T>(v);
  return true;
}

bool parse_qos(std::string_view s, qos& out) {
  if (s == "0") out = qos::at_most_once;
  else if (s == "1") out = qos::at_least_once;
  else if (s == "2") out = qos::exactly_once;
  else return false;
  return true;
}

bool parse_seconds(const std::string& s, double& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v) || v <= 0 || v > 86400.0 * 365) {
    return false;
  }
  out = v;
  return true;
}

// "-1", "4294967295" and "∞" all mean a session that never expires (as in mosquitto).
bool parse_expiry(const std::string& s, std::uint32_t& out) {
  if (s == "-1" || s == "\xE2\x88\x9E") {
    out = 0xFFFFFFFFU;
    return true;
  }
  return parse_unsigned<std::uint32_t>(s, 0xFFFFFFFFU, out);
}

// Checks a -D value for the property's type.
bool valid_property_value(const property_arg& p) {
  const std::string& n = p.name;
  if (n == "session-expiry-interval" || n == "maximum-packet-size" ||
      n == "message-expiry-interval" || n == "will-delay-interval") {
    std::uint32_t v = 0;
    return parse_unsigned<std::uint32_t>(p.value, 0xFFFFFFFFU, v) &&
           (n != "maximum-packet-size" || v > 0);
  }
  if (n == "receive-maximum" || n == "topic-alias-maximum") {
    std::uint16_t v = 0;
    return parse_unsigned<std::uint16_t>(p.value, 0xFFFF, v) && (n != "receive-maximum" || v > 0);
  }
  if (n == "request-response-information" || n == "request-problem-information" ||
      n == "payload-format-indicator") {
    return p.value == "0" || p.value == "1";
  }
  return true;  // strings and binary
}

class parser {
 public:
  explicit parser(const std::vector<std::string>& args) : args_(args) {}

  parsed_args run() {
    if (args_.empty()) return usage("missing subcommand (pub, sub or bench); see mqttws --help");
    const std::string& sub = args_[0];
    if (sub == "--help" || sub == "-h" || sub == "help") {
      out_.result = parsed_args::outcome::help;
      out_.text = general_help();
      return out_;
    }
    if (sub == "pub") out_.cmd = command::pub;
    else if (sub == "sub") out_.cmd = command::sub;
    else if (sub == "bench") out_.cmd = command::bench;
    else return usage("unknown subcommand '" + sub + "' (pub, sub or bench)");

    for (i_ = 1; i_ < args_.size(); ++i_) {
      const std::string& a = args_[i_];
      if (a == "--help") {
        out_.result = parsed_args::outcome::help;
        out_.text = help_text(out_.cmd);
        return out_;
      }
      if (!option(a)) return out_;  // usage error already recorded
    }
    if (!check()) return out_;
    out_.result = parsed_args::outcome::run;
    return out_;
  }

 private:
  parsed_args usage(const std::string& why) {
    out_.result = parsed_args::outcome::usage_error;
    out_.text = why;
    return out_;
  }
  bool fail(const std::string& why) {
    usage(why);
    return false;
  }

  // The value after option `a`, or a usage error.
  bool value(const std::string& a, std::string& v) {
    if (i_ + 1 >= args_.size()) return fail("option " + a + " needs a value");
    v = args_[++i_];
    return true;
  }

  bool option(const std::string& a) {
    connection_args& c = out_.conn;
    std::string v;
    // ---- per subcommand (bench reuses -c -n -s -t with its own meaning, as emqtt-bench) ----
    if (out_.cmd == command::bench) {
      if (a == "-n" || a == "--count") {
        if (!value(a, v)) return false;
        if (!parse_unsigned<std::uint64_t>(v, 100000000ULL, out_.bench.messages) ||
            out_.bench.messages == 0) {
          return fail("-n needs a message count in 1..100000000, not '" + v + "'");
        }
        return true;
      }
      if (a == "-s" || a == "--size") {
        if (!value(a, v)) return false;
        if (!parse_unsigned<std::size_t>(v, 64U * 1024 * 1024, out_.bench.payload_bytes)) {
          return fail("-s needs a payload size in bytes (0..67108864), not '" + v + "'");
        }
        return true;
      }
      if (a == "-c" || a == "--clients") {
        if (!value(a, v)) return false;
        if (!parse_unsigned<std::uint32_t>(v, 1000, out_.bench.clients) ||
            out_.bench.clients == 0) {
          return fail("-c needs a number of publishers in 1..1000, not '" + v + "'");
        }
        return true;
      }
      if (a == "-t" || a == "--topic") {
        if (!value(a, v)) return false;
        out_.bench.topic = v;
        bench_topic_given_ = true;
        return true;
      }
      if (a == "-q" || a == "--qos") {
        if (!value(a, v)) return false;
        if (!parse_qos(v, out_.bench.q)) return fail("-q needs 0, 1 or 2, not '" + v + "'");
        return true;
      }
      if (a == "--mode") {
        if (!value(a, v)) return false;
        if (v == "throughput") out_.bench.mode = bench_mode::throughput;
        else if (v == "publish") out_.bench.mode = bench_mode::publish;
        else if (v == "receive") out_.bench.mode = bench_mode::receive;
        else if (v == "latency") out_.bench.mode = bench_mode::latency;
        else return fail("--mode needs throughput, publish, receive or latency, not '" + v + "'");
        return true;
      }
      if (a == "--rate") {
        if (!value(a, v)) return false;
        std::uint32_t r = 0;
        if (!parse_unsigned<std::uint32_t>(v, 1000000, r) || r == 0) {
          return fail("--rate needs messages per second in 1..1000000, not '" + v + "'");
        }
        out_.bench.rate = r;
        return true;
      }
    }
    if (out_.cmd == command::pub) {
      pub_args& p = out_.pub;
      if (a == "-t" || a == "--topic") return value(a, p.topic);
      if (a == "-m" || a == "--message") {
        if (!source(a, pub_args::source::message)) return false;
        return value(a, p.message);
      }
      if (a == "-f" || a == "--file") {
        if (!source(a, pub_args::source::file)) return false;
        return value(a, p.file);
      }
      if (a == "-l" || a == "--stdin-line") return source(a, pub_args::source::stdin_lines);
      if (a == "-s" || a == "--stdin-file") return source(a, pub_args::source::stdin_whole);
      if (a == "-n" || a == "--null-message") return source(a, pub_args::source::null_message);
      if (a == "-r" || a == "--retain") {
        p.retain = true;
        return true;
      }
      if (a == "-q" || a == "--qos") {
        if (!value(a, v)) return false;
        if (!parse_qos(v, p.q)) return fail("-q needs 0, 1 or 2, not '" + v + "'");
        return true;
      }
    }
    if (out_.cmd == command::sub) {
      sub_args& s = out_.sub;
      if (a == "-t" || a == "--topic") {
        if (!value(a, v)) return false;
        s.filters.push_back(v);
        return true;
      }
      if (a == "-q" || a == "--qos") {
        if (!value(a, v)) return false;
        if (!parse_qos(v, s.q)) return fail("-q needs 0, 1 or 2, not '" + v + "'");
        return true;
      }
      if (a == "-C") {
        if (!value(a, v)) return false;
        if (!parse_unsigned<std::uint64_t>(v, 0xFFFFFFFFULL, s.count) || s.count == 0) {
          return fail("-C needs a message count of at least 1, not '" + v + "'");
        }
        return true;
      }
      if (a == "-v" || a == "--verbose") return flag(s.verbose);
      if (a == "-R") return flag(s.no_retained);
      if (a == "-N") return flag(s.no_eol);
      if (a == "-F") {
        if (!value(a, v)) return false;
        s.format = v;
        return true;
      }
    }
    // ---- connection flags, every subcommand ------------------------------------------------
    if (a == "-L" || a == "--url") {
      if (!value(a, v)) return false;
      endpoint_url u;
      if (std::error_code ec = parse_url(v, u)) {
        return fail("bad URL '" + v + "': " + ec.message());
      }
      c.urls.push_back(v);
      return true;
    }
    if (a == "-V" || a == "--protocol-version") {
      if (!value(a, v)) return false;
      if (v == "5" || v == "mqttv5") c.version = protocol_version::v5;
      else if (v == "311" || v == "mqttv311") c.version = protocol_version::v311;
      else return fail("-V needs 5 or 311 (mqttv5, mqttv311), not '" + v + "'");
      return true;
    }
    if (a == "-i" || a == "--id") {
      if (!value(a, c.client_id)) return false;
      if (c.client_id.empty()) return fail("-i needs a non-empty client id");
      if (c.client_id.size() > 65535) return fail("-i: client id longer than 65535 bytes");
      return true;
    }
    if (a == "-u" || a == "--username") {
      if (!value(a, v)) return false;
      c.username = v;
      return true;
    }
    if (a == "-P" || a == "--pw") {
      if (!value(a, v)) return false;
      c.password = v;
      return true;
    }
    if (a == "--password-file") {
      if (!value(a, v)) return false;
      password_file_ = v;
      return true;
    }
    if (a == "-k" || a == "--keepalive") {
      if (!value(a, v)) return false;
      if (!parse_unsigned<std::uint16_t>(v, 65535, c.keep_alive)) {
        return fail("-k needs a keepalive in seconds (0..65535), not '" + v + "'");
      }
      return true;
    }
    if ((a == "-c" || a == "--disable-clean-session") && out_.cmd != command::bench) {
      c.clean = false;
      return true;
    }
    if (a == "-x") {
      if (!value(a, v)) return false;
      std::uint32_t x = 0;
      if (!parse_expiry(v, x)) {
        return fail("-x needs a session expiry in seconds (0..4294967295, or -1), not '" + v +
                    "'");
      }
      c.session_expiry = x;
      return true;
    }
    if (a == "-D" || a == "--property") return property(a);
    if (a == "--will-topic") {
      if (!value(a, v)) return false;
      c.will_topic = v;
      return true;
    }
    if (a == "--will-payload") return value(a, c.will_payload);
    if (a == "--will-qos") {
      if (!value(a, v)) return false;
      if (!parse_qos(v, c.will_qos)) return fail("--will-qos needs 0, 1 or 2, not '" + v + "'");
      return true;
    }
    if (a == "--will-retain") return flag(c.will_retain);
    if (a == "--cafile") return value(a, c.cafile);
    if (a == "--cert") return value(a, c.cert);
    if (a == "--key") return value(a, c.key);
    if (a == "--insecure") return flag(c.insecure);
    if (a == "-H" || a == "--header") {
      if (!value(a, v)) return false;
      const std::size_t colon = v.find(':');
      std::string name = colon == std::string::npos ? "" : v.substr(0, colon);
      std::string val = colon == std::string::npos ? "" : v.substr(colon + 1);
      while (!val.empty() && (val.front() == ' ' || val.front() == '\t')) val.erase(0, 1);
      const bool bad_name =
          name.empty() || name.find_first_of(" \t\r\n") != std::string::npos ||
          val.find_first_of("\r\n") != std::string::npos;
      if (colon == std::string::npos || bad_name) {
        return fail("-H needs 'Name: value', not '" + v + "'");
      }
      c.headers.emplace_back(std::move(name), std::move(val));
      return true;
    }
    if (a == "-W") {
      if (!value(a, v)) return false;
      double w = 0;
      if (!parse_seconds(v, w))
        return fail("-W needs a positive number of seconds, not '" + v + "'");
      c.wait_seconds = w;
      return true;
    }
    if (a == "-d" || a == "--debug") return flag(c.debug);
    if (!a.empty() && a[0] == '-') return fail("unknown option '" + a + "' for " + args_[0]);
    return fail("unexpected argument '" + a + "' for " + args_[0]);
  }

  static bool flag(bool& f) {
    f = true;
    return true;
  }

  bool source(const std::string& a, pub_args::source s) {
    if (source_given_) {
      return fail("only one of -m, -f, -l, -s, -n may be given (" + a + " after another)");
    }
    source_given_ = true;
    out_.pub.from = s;
    return true;
  }

  // -D [COMMAND] PROPERTY VALUE [VALUE2]: COMMAND defaults to publish for pub and to
  // connect otherwise.
  bool property(const std::string& a) {
    property_arg p;
    std::string first;
    if (!value(a, first)) return false;
    if (is_packet_name(first)) {
      p.command = first;
      if (!value(a, p.name)) return false;
    } else {
      p.command = out_.cmd == command::pub ? "publish" : "connect";
      p.name = first;
    }
    if (properties_of(p.command).count(p.name) == 0) {
      return fail("-D: property '" + p.name + "' is not supported for " + p.command);
    }
    if (!value(a, p.value)) return false;
    if (p.name == "user-property" && !value(a, p.value2)) return false;
    if (!valid_property_value(p)) {
      return fail("-D: bad value '" + p.value + "' for " + p.command + " " + p.name);
    }
    if (p.command == "publish" && out_.cmd != command::pub) {
      return fail("-D publish properties only apply to pub");
    }
    if (p.command == "subscribe" && out_.cmd != command::sub) {
      return fail("-D subscribe properties only apply to sub");
    }
    out_.conn.properties.push_back(std::move(p));
    return true;
  }

  // Cross-flag checks, once everything is read.
  bool check() {
    connection_args& c = out_.conn;
    if (c.urls.empty()) return fail("missing -L URL (e.g. -L wss://broker.example/mqtt)");
    // The password: -P (which `ps` shows), else --password-file, else $MQTTWS_PASSWORD.
    if (!password_file_.empty()) {
      if (c.password) return fail("-P and --password-file: give one");
      std::ifstream in(password_file_, std::ios::binary);
      std::string pw;
      if (!in || !std::getline(in, pw)) {
        return fail("--password-file: cannot read '" + password_file_ + "'");
      }
      if (!pw.empty() && pw.back() == '\r') pw.pop_back();
      c.password = pw;
    } else if (!c.password) {
      if (const char* env = std::getenv("MQTTWS_PASSWORD")) c.password = std::string(env);
    }
    const bool v5 = c.version == protocol_version::v5;
    if (!v5 && !c.properties.empty()) return fail("-D needs MQTT 5 (-V 5)");
    if (!v5 && c.session_expiry) return fail("-x needs MQTT 5 (-V 5)");
    if (c.client_id.empty() && !c.clean) {
      return fail("-c (persistent session) needs a client id (-i)");
    }
    if (c.cert.empty() != c.key.empty()) return fail("--cert and --key go together");
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
    switch (out_.cmd) {
      case command::pub:
        if (out_.pub.topic.empty()) return fail("missing -t TOPIC");
        if (std::error_code ec = validate_topic_name(out_.pub.topic)) {
          return fail("-t '" + out_.pub.topic + "': " + ec.message());
        }
        if (!source_given_) return fail("missing message: give one of -m, -f, -l, -s, -n");
        break;
      case command::sub:
        if (out_.sub.filters.empty()) return fail("missing -t FILTER");
        for (const std::string& f : out_.sub.filters) {
          if (std::error_code ec = validate_topic_filter(f)) {
            return fail("-t '" + f + "': " + ec.message());
          }
        }
        break;
      case command::bench: {
        const bench_args& b = out_.bench;
        const std::string mode = std::string("--mode ") + to_string(b.mode);
        if (b.rate && b.mode != bench_mode::latency) {
          return fail("--rate only applies to --mode latency, not to " + mode);
        }
        if (b.clients > 1 && b.mode != bench_mode::throughput) {
          return fail("-c (publishers) only applies to --mode throughput; " + mode +
                      " uses one connection");
        }
        // The peer's contract fixes these topics: -t would silently measure nothing.
        if (bench_topic_given_ && b.mode == bench_mode::publish) {
          return fail("-t does not apply to --mode publish (it publishes to bench/sink)");
        }
        if (bench_topic_given_ && b.mode == bench_mode::receive) {
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
        break;
      }
    }
    return true;
  }

  const std::vector<std::string>& args_;
  std::size_t i_ = 0;
  parsed_args out_;
  bool source_given_ = false;
  bool bench_topic_given_ = false;
  std::string password_file_;
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
