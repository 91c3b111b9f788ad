#include "cli_flags.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <set>
#include <string_view>

#include "mqttws/endpoint_url.hpp"
#include "mqttws/topic.hpp"

namespace mqttws::cli {
namespace {

// ---- value parsers ---------------------------------------------------------------------------

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

// ---- -D ---------------------------------------------------------------------------------------

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
  static const std::set<std::string> user_only = {"user-property"};
  if (cmd == "connect") return connect;
  if (cmd == "publish") return publish;
  if (cmd == "will") return will;
  if (cmd == "subscribe" || cmd == "unsubscribe" || cmd == "disconnect") return user_only;
  return none;
}

bool is_packet_name(const std::string& s) {
  return s == "connect" || s == "publish" || s == "will" || s == "subscribe" ||
         s == "unsubscribe" || s == "disconnect";
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

// -D [PACKET] PROPERTY VALUE [VALUE2]: PACKET defaults to publish for pub and to connect
// otherwise.
bool handle_property(flag_context& c) {
  const command cmd = c.state.out.cmd;
  property_arg p;
  std::string first;
  if (!c.value(first)) return false;
  if (is_packet_name(first)) {
    p.command = first;
    if (!c.value(p.name)) return false;
  } else {
    p.command = cmd == command::pub ? "publish" : "connect";
    p.name = first;
  }
  if (properties_of(p.command).count(p.name) == 0) {
    return c.fail("-D: property '" + p.name + "' is not supported for " + p.command);
  }
  if (!c.value(p.value)) return false;
  if (p.name == "user-property" && !c.value(p.value2)) return false;
  if (!valid_property_value(p)) {
    return c.fail("-D: bad value '" + p.value + "' for " + p.command + " " + p.name);
  }
  if (p.command == "publish" && cmd != command::pub) {
    return c.fail("-D publish properties only apply to pub");
  }
  if (p.command == "subscribe" && cmd != command::sub) {
    return c.fail("-D subscribe properties only apply to sub");
  }
  c.state.out.conn.properties.push_back(std::move(p));
  return true;
}

// ---- -L ---------------------------------------------------------------------------------------

bool is_mqtt_scheme(const std::string& url) {
  const std::size_t sep = url.find("://");
  if (sep == std::string::npos) return false;
  std::string scheme = url.substr(0, sep);
  for (char& ch : scheme) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return scheme == "mqtt" || scheme == "mqtts" || scheme == "tcp" || scheme == "ssl" ||
         scheme == "tls";
}

struct mqtt_url {
  std::string broker;  // scheme://host[:port], what the library connects to
  std::string shown;   // the URL with its password masked, for messages
  std::optional<std::string> topic, user, password;
};

// mosquitto's form: mqtt(s)://[user[:password]@]host[:port][/topic]. The topic is everything
// after the first '/' after the host, so it may hold '/', '+' and '#'.
mqtt_url split_mqtt_url(const std::string& url) {
  mqtt_url r;
  const std::size_t sep = url.find("://") + 3;
  const std::size_t slash = url.find('/', sep);
  std::string authority = url.substr(sep, slash == std::string::npos ? slash : slash - sep);
  if (slash != std::string::npos && slash + 1 < url.size()) r.topic = url.substr(slash + 1);
  r.shown = url;
  const std::size_t at = authority.rfind('@');
  if (at != std::string::npos) {
    const std::string info = authority.substr(0, at);
    const std::size_t colon = info.find(':');
    r.user = info.substr(0, colon);
    if (colon != std::string::npos) {
      r.password = info.substr(colon + 1);
      r.shown = url.substr(0, sep) + *r.user + ":***" + url.substr(sep + at);
    }
    authority.erase(0, at + 1);
  }
  r.broker = url.substr(0, sep) + authority;
  return r;
}

// Several -L are one broker's addresses (failover): what they say besides the address must
// be the same, or which topic or login applied would depend on which broker answered.
bool agree(flag_context& c, std::optional<std::string>& kept,
           const std::optional<std::string>& given, const char* what) {
  if (!given) return true;
  if (kept && *kept != *given) return c.fail("-L URLs with different " + std::string(what));
  kept = given;
  return true;
}

bool handle_url(flag_context& c) {
  std::string v;
  if (!c.value(v)) return false;
  // ws:// and wss:// keep their path as the WebSocket request target.
  mqtt_url u = is_mqtt_scheme(v) ? split_mqtt_url(v) : mqtt_url{v, v, {}, {}, {}};
  endpoint_url parsed;
  if (std::error_code ec = parse_url(u.broker, parsed)) {
    return c.fail("bad URL '" + u.shown + "': " + ec.message());
  }
  parse_state& s = c.state;
  if (!agree(c, s.url_topic, u.topic, "topics") || !agree(c, s.url_user, u.user, "users") ||
      !agree(c, s.url_password, u.password, "passwords")) {
    return false;
  }
  s.out.conn.urls.push_back(u.broker);
  return true;
}

// ---- handlers -----------------------------------------------------------------------------

bool set_true(bool& b) {
  b = true;
  return true;
}

template <class T>
bool number(flag_context& c, T min, T max, T& out, const std::string& what) {
  std::string v;
  if (!c.value(v)) return false;
  if (!parse_unsigned<T>(v, max, out) || out < min) {
    return c.fail(c.spelling() + " needs " + what + ", not '" + v + "'");
  }
  return true;
}

bool optional_text(flag_context& c, std::optional<std::string>& out) {
  std::string v;
  if (!c.value(v)) return false;
  out = v;
  return true;
}

bool pub_source(flag_context& c, pub_args::source s) {
  parse_state& st = c.state;
  if (st.source_given) {
    return c.fail("only one of -m, -f, -l, -s, -n may be given (" + c.spelling() +
                  " after another)");
  }
  st.source_given = true;
  st.out.pub.from = s;
  return true;
}

bool handle_qos(flag_context& c) {
  parsed_args& o = c.state.out;
  qos& q = o.cmd == command::pub ? o.pub.q : o.cmd == command::sub ? o.sub.q : o.bench.q;
  std::string v;
  if (!c.value(v)) return false;
  if (!parse_qos(v, q)) return c.fail("-q needs 0, 1 or 2, not '" + v + "'");
  return true;
}

bool handle_help(flag_context& c) {
  c.state.out.result = parsed_args::outcome::help;
  return true;
}

bool handle_bench_mode(flag_context& c) {
  bench_mode& m = c.state.out.bench.mode;
  std::string v;
  if (!c.value(v)) return false;
  if (v == "throughput") m = bench_mode::throughput;
  else if (v == "publish") m = bench_mode::publish;
  else if (v == "receive") m = bench_mode::receive;
  else if (v == "latency") m = bench_mode::latency;
  else return c.fail("--mode needs throughput, publish, receive or latency, not '" + v + "'");
  return true;
}

bool handle_rate(flag_context& c) {
  std::uint32_t r = 0;
  if (!number<std::uint32_t>(c, 1, 1000000, r, "messages per second in 1..1000000")) {
    return false;
  }
  c.state.out.bench.rate = r;
  return true;
}

bool handle_version(flag_context& c) {
  std::string v;
  if (!c.value(v)) return false;
  protocol_version& out = c.state.out.conn.version;
  if (v == "5" || v == "mqttv5") out = protocol_version::v5;
  else if (v == "311" || v == "mqttv311") out = protocol_version::v311;
  else return c.fail("-V needs 5 or 311 (mqttv5, mqttv311), not '" + v + "'");
  return true;
}

bool handle_client_id(flag_context& c) {
  std::string& id = c.state.out.conn.client_id;
  if (!c.value(id)) return false;
  if (id.empty()) return c.fail("-i needs a non-empty client id");
  if (id.size() > 65535) return c.fail("-i: client id longer than 65535 bytes");
  return true;
}

bool handle_expiry(flag_context& c) {
  std::string v;
  if (!c.value(v)) return false;
  std::uint32_t x = 0;
  if (!parse_expiry(v, x)) {
    return c.fail("-x needs a session expiry in seconds (0..4294967295, or -1), not '" + v +
                  "'");
  }
  c.state.out.conn.session_expiry = x;
  return true;
}

bool handle_will_qos(flag_context& c) {
  std::string v;
  if (!c.value(v)) return false;
  if (!parse_qos(v, c.state.out.conn.will_qos)) {
    return c.fail("--will-qos needs 0, 1 or 2, not '" + v + "'");
  }
  return true;
}

bool handle_tls_version(flag_context& c) {
  std::string v;
  if (!c.value(v)) return false;
  // mosquitto also takes tlsv1.1; the library never goes below 1.2.
  if (v == "tlsv1.2") c.state.out.conn.tls_min = tls_version::v1_2;
  else if (v == "tlsv1.3") c.state.out.conn.tls_min = tls_version::v1_3;
  else return c.fail("--tls-version needs tlsv1.2 or tlsv1.3, not '" + v + "'");
  return true;
}

bool handle_header(flag_context& c) {
  std::string v;
  if (!c.value(v)) return false;
  const std::size_t colon = v.find(':');
  std::string name = colon == std::string::npos ? "" : v.substr(0, colon);
  std::string val = colon == std::string::npos ? "" : v.substr(colon + 1);
  while (!val.empty() && (val.front() == ' ' || val.front() == '\t')) val.erase(0, 1);
  const bool bad = colon == std::string::npos || name.empty() ||
                   name.find_first_of(" \t\r\n") != std::string::npos ||
                   val.find_first_of("\r\n") != std::string::npos;
  if (bad) return c.fail("-H needs 'Name: value', not '" + v + "'");
  c.state.out.conn.headers.emplace_back(std::move(name), std::move(val));
  return true;
}

bool handle_wait(flag_context& c) {
  std::string v;
  if (!c.value(v)) return false;
  double w = 0;
  if (!parse_seconds(v, w)) return c.fail("-W needs a positive number of seconds, not '" + v + "'");
  c.state.out.conn.wait_seconds = w;
  return true;
}

bool handle_host(flag_context& c) {
  std::string v;
  if (!c.value(v)) return false;
  if (v.empty()) return c.fail("-h needs a host name or address");
  c.state.host = v;
  return true;
}

bool handle_port(flag_context& c) {
  std::uint16_t p = 0;
  if (!number<std::uint16_t>(c, 1, 65535, p, "a port in 1..65535")) return false;
  c.state.port = p;
  return true;
}

bool handle_count(flag_context& c) {
  std::string v;
  if (!c.value(v)) return false;
  std::uint64_t& n = c.state.out.sub.count;
  if (!parse_unsigned<std::uint64_t>(v, 0xFFFFFFFFULL, n) || n == 0) {
    return c.fail("-C needs a message count of at least 1, not '" + v + "'");
  }
  return true;
}

bool push_value(flag_context& c, std::vector<std::string>& list) {
  std::string v;
  if (!c.value(v)) return false;
  list.push_back(std::move(v));
  return true;
}

// Shorthands for the table: each handler is one line there.
using ctx = flag_context;
sub_args& sub_of(ctx& c) { return c.state.out.sub; }
pub_args& pub_of(ctx& c) { return c.state.out.pub; }
bench_args& bench_of(ctx& c) { return c.state.out.bench; }
connection_args& conn_of(ctx& c) { return c.state.out.conn; }

constexpr flag_group cmd_group = flag_group::command;
constexpr flag_group conn_group = flag_group::connection;
constexpr flag_group tls_group = flag_group::tls;

// The table. Entries for one subcommand come first, in --help order; the connection and TLS
// flags every subcommand takes after them. Help lines are short enough that "-x, --long VALUE"
// plus the line fits in about 90 columns: tests look for each line verbatim in --help.
const std::vector<flag_spec> table = {
    // ---- pub -----------------------------------------------------------------------------
    {"-t", "--topic", for_pub, cmd_group, "TOPIC", "topic to publish to",
     [](ctx& c) { return c.value(pub_of(c).topic); }, "a/b"},
    {"-m", "--message", for_pub, cmd_group, "MSG", "the message",
     [](ctx& c) { return pub_source(c, pub_args::source::message) && c.value(pub_of(c).message); },
     "hello"},
    {"-f", "--file", for_pub, cmd_group, "FILE", "send the contents of FILE as one message",
     [](ctx& c) { return pub_source(c, pub_args::source::file) && c.value(pub_of(c).file); },
     "/etc/passwd"},
    {"-l", "--stdin-line", for_pub, cmd_group, "",
     "send each line of stdin as a message (newline not included)",
     [](ctx& c) { return pub_source(c, pub_args::source::stdin_lines); }, ""},
    {"-s", "--stdin-file", for_pub, cmd_group, "", "send all of stdin as one message",
     [](ctx& c) { return pub_source(c, pub_args::source::stdin_whole); }, ""},
    {"-n", "--null-message", for_pub, cmd_group, "", "send a null (zero length) message",
     [](ctx& c) { return pub_source(c, pub_args::source::null_message); }, ""},
    {"-r", "--retain", for_pub, cmd_group, "", "retain the message",
     [](ctx& c) { return set_true(pub_of(c).retain); }, ""},
    // ---- sub -----------------------------------------------------------------------------
    {"-t", "--topic", for_sub, cmd_group, "FILTER", "topic filter (repeatable; + and # wildcards)",
     [](ctx& c) { return push_value(c, sub_of(c).filters); }, "a/#"},
    {"-T", "--filter-out", for_sub, cmd_group, "FILTER",
     "do not print messages whose topic matches FILTER (repeatable)",
     [](ctx& c) { return push_value(c, sub_of(c).filter_out); }, "a/b"},
    {"-U", "--unsubscribe", for_sub, cmd_group, "FILTER",
     "unsubscribe from FILTER once subscribed (repeatable; useful with -c)",
     [](ctx& c) { return push_value(c, sub_of(c).unsubscribe); }, "old/#"},
    {"-C", "", for_sub, cmd_group, "COUNT", "exit after COUNT messages", handle_count, "3"},
    {"-E", "", for_sub, cmd_group, "", "exit once subscribed (after the SUBACK)",
     [](ctx& c) { return set_true(sub_of(c).exit_after_subscribe); }, ""},
    {"-v", "--verbose", for_sub, cmd_group, "", "print \"topic payload\" per message",
     [](ctx& c) { return set_true(sub_of(c).verbose); }, ""},
    {"-R", "", for_sub, cmd_group, "", "do not print retained messages (stale values)",
     [](ctx& c) { return set_true(sub_of(c).no_retained); }, ""},
    {"", "--retained-only", for_sub, cmd_group, "",
     "print only retained messages; exit at the first fresh one",
     [](ctx& c) { return set_true(sub_of(c).retained_only); }, ""},
    {"-N", "", for_sub, cmd_group, "", "no newline after each message",
     [](ctx& c) { return set_true(sub_of(c).no_eol); }, ""},
    {"-F", "", for_sub, cmd_group, "FORMAT", "print each message with FORMAT (see above)",
     [](ctx& c) { return optional_text(c, sub_of(c).format); }, "%t"},
    // ---- bench (-c -n -s -t with emqtt-bench's meanings) ----------------------------------
    {"", "--mode", for_bench, cmd_group, "MODE",
     "throughput, publish, receive or latency (default throughput)", handle_bench_mode,
     "latency"},
    {"-n", "--count", for_bench, cmd_group, "MESSAGES", "messages in total (default 10000)",
     [](ctx& c) {
       return number<std::uint64_t>(c, 1, 100000000ULL, bench_of(c).messages,
                                    "a message count in 1..100000000");
     },
     "500"},
    {"-s", "--size", for_bench, cmd_group, "BYTES", "payload size (default 64; latency: >= 4)",
     [](ctx& c) {
       return number<std::size_t>(c, 0, 64U * 1024 * 1024, bench_of(c).payload_bytes,
                                  "a payload size in bytes (0..67108864)");
     },
     "128"},
    {"-c", "--clients", for_bench, cmd_group, "CLIENTS", "publishers, throughput only (default 1)",
     [](ctx& c) {
       return number<std::uint32_t>(c, 1, 1000, bench_of(c).clients,
                                    "a number of publishers in 1..1000");
     },
     "4"},
    {"-t", "--topic", for_bench, cmd_group, "PREFIX",
     "topic prefix, throughput and latency (default: mqttws-bench/<random>)",
     [](ctx& c) {
       c.state.bench_topic_given = true;
       return c.value(bench_of(c).topic);
     },
     "p"},
    {"", "--rate", for_bench, cmd_group, "R", "latency only: messages per second (default 1000)",
     handle_rate, "100 --mode latency"},
    // ---- every subcommand ----------------------------------------------------------------
    {"-q", "--qos", for_all, cmd_group, "0|1|2", "quality of service (default 0)", handle_qos,
     "1"},
    {"-L", "--url", for_all, conn_group, "URL",
     "broker URL (repeatable: brokers tried in turn; see below)", handle_url, "mqtt://h"},
    {"-h", "--host", for_all, conn_group, "HOST", "broker host, instead of -L (default localhost)",
     handle_host, "localhost"},
    {"-p", "--port", for_all, conn_group, "PORT", "broker port (default 1883, with TLS 8883)",
     handle_port, "1884"},
    {"-V", "--protocol-version", for_all, conn_group, "5|311", "MQTT version (default 5)",
     handle_version, "311"},
    {"-i", "--id", for_all, conn_group, "ID", "client id (default: generated)", handle_client_id,
     "me"},
    {"-u", "--username", for_all, conn_group, "USER", "user name",
     [](ctx& c) { return optional_text(c, conn_of(c).username); }, "user"},
    {"-P", "--pw", for_all, conn_group, "PASS",
     "password (shows in `ps`: prefer --password-file or $MQTTWS_PASSWORD)",
     [](ctx& c) { return optional_text(c, conn_of(c).password); }, "pw"},
    {"", "--password-file", for_all, conn_group, "FILE", "the password is the first line of FILE",
     [](ctx& c) { return c.value(c.state.password_file); }, "/etc/passwd"},
    {"-k", "--keepalive", for_all, conn_group, "SECONDS", "keepalive (default 60, 0 disables)",
     [](ctx& c) {
       return number<std::uint16_t>(c, 0, 65535, conn_of(c).keep_alive,
                                    "a keepalive in seconds (0..65535)");
     },
     "30"},
    {"-c", "--disable-clean-session", for_pub_sub, conn_group, "",
     "persistent session: clean start off (needs -i)",
     [](ctx& c) {
       conn_of(c).clean = false;
       return true;
     },
     "-i me"},
    {"-x", "", for_all, conn_group, "SECONDS",
     "MQTT 5 session expiry interval (-1: never expires)", handle_expiry, "60"},
    {"-D", "--property", for_all, conn_group, "[PACKET] PROPERTY VALUE [VALUE2]",
     "MQTT 5 property (see below)", handle_property, "user-property k v"},
    {"", "--will-topic", for_all, conn_group, "TOPIC", "the will message's topic",
     [](ctx& c) { return optional_text(c, conn_of(c).will_topic); }, "w"},
    {"", "--will-payload", for_all, conn_group, "PAYLOAD", "the will message",
     [](ctx& c) { return c.value(conn_of(c).will_payload); }, "gone --will-topic w"},
    {"", "--will-qos", for_all, conn_group, "0|1|2", "the will's QoS (default 0)",
     handle_will_qos, "1 --will-topic w"},
    {"", "--will-retain", for_all, conn_group, "", "the broker retains the will message",
     [](ctx& c) { return set_true(conn_of(c).will_retain); }, "--will-topic w"},
    {"-H", "--header", for_all, conn_group, "'Name: value'",
     "extra WebSocket handshake header (repeatable), e.g. a bearer token", handle_header,
     "Authorization:Bearer"},
    {"-W", "", for_all, conn_group, "SECONDS", "give up after this long, whatever is pending",
     handle_wait, "2.5"},
    {"-d", "--debug", for_all, conn_group, "",
     "connection events on stderr (never passwords, tokens or payloads)",
     [](ctx& c) { return set_true(conn_of(c).debug); }, ""},
    {"", "--help", for_all, conn_group, "", "this text", handle_help, ""},
    // ---- TLS -----------------------------------------------------------------------------
    {"", "--cafile", for_all, tls_group, "FILE",
     "trust only these CAs (PEM) instead of the system store",
     [](ctx& c) { return c.value(conn_of(c).cafile); }, "ca.pem"},
    {"", "--capath", for_all, tls_group, "DIR",
     "trust the CAs of this hashed directory (openssl rehash DIR) instead",
     [](ctx& c) { return c.value(conn_of(c).capath); }, "/"},
    {"", "--cert", for_all, tls_group, "FILE", "client certificate (mutual TLS; needs --key)",
     [](ctx& c) { return c.value(conn_of(c).cert); }, "c.pem --key k.pem"},
    {"", "--key", for_all, tls_group, "FILE", "the client certificate's private key",
     [](ctx& c) { return c.value(conn_of(c).key); }, "k.pem --cert c.pem"},
    {"", "--tls-version", for_all, tls_group, "VERSION",
     "lowest TLS version: tlsv1.2 (default) or tlsv1.3", handle_tls_version, "tlsv1.3"},
    {"", "--insecure", for_all, tls_group, "",
     "do not verify the server certificate (tests only)",
     [](ctx& c) { return set_true(conn_of(c).insecure); }, ""},
};

}  // namespace

unsigned mask_of(command c) {
  switch (c) {
    case command::pub: return for_pub;
    case command::sub: return for_sub;
    case command::bench: return for_bench;
  }
  return 0;
}

const char* command_name(command c) {
  switch (c) {
    case command::pub: return "pub";
    case command::sub: return "sub";
    case command::bench: return "bench";
  }
  return "";
}

std::string commands_text(unsigned mask) {
  std::vector<std::string> names;
  for (command c : {command::pub, command::sub, command::bench}) {
    if (mask & mask_of(c)) names.emplace_back(command_name(c));
  }
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " and " : ", ";
    out += names[i];
  }
  return out;
}

bool flag_context::value(std::string& v) {
  if (index_ + 1 >= args_.size()) return fail("option " + spelling() + " needs a value");
  v = args_[++index_];
  return true;
}

bool flag_context::fail(std::string why) {
  error_ = std::move(why);
  return false;
}

const std::vector<flag_spec>& flag_table() { return table; }

const flag_spec* find_flag(command c, const std::string& spelling) {
  for (const flag_spec& f : table) {
    if ((f.commands & mask_of(c)) && (spelling == f.short_name || spelling == f.long_name)) {
      return &f;
    }
  }
  return nullptr;
}

unsigned commands_taking(const std::string& spelling) {
  unsigned mask = 0;
  if (spelling.empty()) return mask;
  for (const flag_spec& f : table) {
    if (spelling == f.short_name || spelling == f.long_name) mask |= f.commands;
  }
  return mask;
}

std::string flag_usage(const flag_spec& f) {
  std::string s = f.short_name;
  if (*f.long_name) s += (s.empty() ? "" : ", ") + std::string(f.long_name);
  if (*f.value_name) s += " " + std::string(f.value_name);
  return s;
}

std::string flag_help(command c, flag_group g) {
  constexpr std::size_t column = 26;  // where the help lines start
  std::string out;
  for (const flag_spec& f : table) {
    if (!(f.commands & mask_of(c)) || f.group != g) continue;
    std::string left = "  " + flag_usage(f);
    // A long left column gets a line of its own, so that the help lines stay aligned.
    if (left.size() + 1 >= column) left += "\n" + std::string(column, ' ');
    else left.resize(column, ' ');
    out += left + f.help + "\n";
  }
  return out;
}

}  // namespace mqttws::cli
