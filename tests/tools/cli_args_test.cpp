// The CLI's command line: what parses, and the usage error for what does not.
#include <gtest/gtest.h>

#include <sstream>

#include "cli_args.hpp"
#include "cli_flags.hpp"

namespace mqttws::cli {
namespace {

using outcome = parsed_args::outcome;

parsed_args parse(std::vector<std::string> args) { return parse_args(args); }

// ---- every flag of the table ------------------------------------------------------------------

const command all_commands[] = {command::pub, command::sub, command::bench};

std::vector<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

bool is_one_of(const std::string& s, std::initializer_list<const char*> list) {
  for (const char* x : list) {
    if (s == x) return true;
  }
  return false;
}

// A command line that runs, with `spelling` and the table's example for it. The broker and
// pub's message are added unless the flag is itself one of those (-L -h -p; -m -f -l -s -n):
// two of them would be a usage error of their own.
std::vector<std::string> line_with(command c, const flag_spec& f, const std::string& spelling) {
  std::vector<std::string> a = {command_name(c)};
  if (!is_one_of(f.short_name, {"-L", "-h", "-p"})) a.insert(a.end(), {"-L", "mqtt://h"});
  if (c == command::pub) {
    a.insert(a.end(), {"-t", "a"});
    if (!is_one_of(f.short_name, {"-m", "-f", "-l", "-s", "-n"})) a.insert(a.end(), {"-m", "x"});
  }
  if (c == command::sub) a.insert(a.end(), {"-t", "a"});
  a.push_back(spelling);
  for (std::string& w : words(f.example)) a.push_back(std::move(w));
  return a;
}

std::vector<std::string> spellings(const flag_spec& f) {
  std::vector<std::string> s;
  if (*f.short_name) s.emplace_back(f.short_name);
  if (*f.long_name) s.emplace_back(f.long_name);
  return s;
}

TEST(CliFlags, EveryFlagParsesForItsSubcommandsInBothSpellings) {
  for (const flag_spec& f : flag_table()) {
    ASSERT_FALSE(spellings(f).empty()) << f.help;
    for (command c : all_commands) {
      if (!(f.commands & mask_of(c))) continue;
      for (const std::string& sp : spellings(f)) {
        const parsed_args p = parse_args(line_with(c, f, sp));
        const outcome want = sp == "--help" ? outcome::help : outcome::run;
        EXPECT_EQ(p.result, want) << command_name(c) << " " << sp << ": " << p.text;
      }
    }
  }
}

TEST(CliFlags, EveryFlagIsRefusedWithExitCodeTwoByTheOtherSubcommands) {
  for (const flag_spec& f : flag_table()) {
    for (command c : all_commands) {
      for (const std::string& sp : spellings(f)) {
        // Some spellings mean something else there (bench -c): that is another entry.
        if ((f.commands & mask_of(c)) || find_flag(c, sp) != nullptr) continue;
        const parsed_args p = parse_args(line_with(c, f, sp));
        EXPECT_EQ(p.result, outcome::usage_error) << command_name(c) << " " << sp;
        EXPECT_EQ(p.text, "option " + sp + " does not apply to " + command_name(c) +
                              " (only to " + commands_text(commands_taking(sp)) + ")");
      }
    }
  }
}

TEST(CliFlags, EveryFlagIsInTheHelpOfItsSubcommandsOnly) {
  for (const flag_spec& f : flag_table()) {
    const std::string line = "  " + flag_usage(f);
    for (command c : all_commands) {
      const std::string help = help_text(c);
      const bool listed = help.find(line + " ") != std::string::npos ||
                          help.find(line + "\n") != std::string::npos;
      const bool accepted = (f.commands & mask_of(c)) != 0;
      EXPECT_EQ(listed, accepted) << command_name(c) << ": " << line;
      if (accepted) {
        EXPECT_NE(help.find(f.help), std::string::npos) << f.help;
      }
    }
  }
}

TEST(CliFlags, NoSpellingHasTwoMeaningsForOneSubcommand) {
  for (const flag_spec& f : flag_table()) {
    for (command c : all_commands) {
      if (!(f.commands & mask_of(c))) continue;
      for (const std::string& sp : spellings(f)) {
        EXPECT_EQ(find_flag(c, sp), &f) << command_name(c) << " " << sp;
      }
    }
  }
}

TEST(CliFlags, RefusedFlagNamesTheSubcommandsThatTakeIt) {
  EXPECT_EQ(parse({"pub", "-L", "mqtt://h", "-t", "a", "-m", "x", "-U", "a"}).text,
            "option -U does not apply to pub (only to sub)");
  EXPECT_EQ(parse({"bench", "-L", "mqtt://h", "--retain"}).text,
            "option --retain does not apply to bench (only to pub)");
  EXPECT_EQ(parse({"sub", "-L", "mqtt://h", "-t", "a", "--rate", "5"}).text,
            "option --rate does not apply to sub (only to bench)");
  EXPECT_EQ(parse({"sub", "-L", "mqtt://h", "-t", "a", "-n"}).text,
            "option -n does not apply to sub (only to pub and bench)");
}

// ---- the command line as a whole ----------------------------------------------------------

TEST(CliArgs, NoArgumentsIsAUsageError) {
  const parsed_args p = parse({});
  EXPECT_EQ(p.result, outcome::usage_error);
  EXPECT_NE(p.text.find("missing subcommand"), std::string::npos);
}

TEST(CliArgs, UnknownSubcommandIsAUsageError) {
  const parsed_args p = parse({"publish", "-L", "mqtt://h"});
  EXPECT_EQ(p.result, outcome::usage_error);
  EXPECT_EQ(p.text, "unknown subcommand 'publish' (pub, sub or bench)");
}

TEST(CliArgs, HelpOfEachSubcommandDescribesItsFlags) {
  const parsed_args pub = parse({"pub", "--help"});
  EXPECT_EQ(pub.result, outcome::help);
  EXPECT_NE(pub.text.find("-m MSG"), std::string::npos);
  const parsed_args sub2 = parse({"sub", "--help"});
  EXPECT_EQ(sub2.result, outcome::help);
  EXPECT_NE(sub2.text.find("-C COUNT"), std::string::npos);
  const parsed_args bench = parse({"bench", "--help"});
  EXPECT_EQ(bench.result, outcome::help);
  EXPECT_NE(bench.text.find("msgs_per_s"), std::string::npos);
  EXPECT_EQ(parse({"--help"}).result, outcome::help);
}

TEST(CliArgs, UnknownFlagIsAUsageError) {
  const parsed_args p = parse({"pub", "-L", "mqtt://h", "-t", "a", "-m", "x", "--frobnicate"});
  EXPECT_EQ(p.result, outcome::usage_error);
  EXPECT_EQ(p.text, "unknown option '--frobnicate' for pub");
}

TEST(CliArgs, FlagWithoutItsValueIsAUsageError) {
  const parsed_args p = parse({"pub", "-L", "mqtt://h", "-t"});
  EXPECT_EQ(p.result, outcome::usage_error);
  EXPECT_EQ(p.text, "option -t needs a value");
}

TEST(CliArgs, PubParsesEveryFlag) {
  const parsed_args p =
      parse({"pub", "-L", "wss://b.example/mqtt", "-t", "a/b", "-m", "hi", "-q", "2", "-r", "-V",
             "311", "-i", "me", "-u", "user", "-P", "pw", "-k", "30", "-c", "--will-topic", "w",
             "--will-payload", "gone", "--will-qos", "1", "--will-retain", "--cafile", "ca.pem",
             "--cert", "c.pem", "--key", "k.pem", "--insecure", "-H", "Authorization: Bearer t",
             "-W", "2.5"});
  ASSERT_EQ(p.result, outcome::run) << p.text;
  EXPECT_EQ(p.cmd, command::pub);
  EXPECT_EQ(p.conn.urls, std::vector<std::string>{"wss://b.example/mqtt"});
  EXPECT_EQ(p.pub.topic, "a/b");
  EXPECT_EQ(p.pub.from, pub_args::source::message);
  EXPECT_EQ(p.pub.message, "hi");
  EXPECT_EQ(p.pub.q, qos::exactly_once);
  EXPECT_TRUE(p.pub.retain);
  EXPECT_EQ(p.conn.version, protocol_version::v311);
  EXPECT_EQ(p.conn.client_id, "me");
  EXPECT_EQ(p.conn.username, "user");
  EXPECT_EQ(p.conn.password, "pw");
  EXPECT_EQ(p.conn.keep_alive, 30);
  EXPECT_FALSE(p.conn.clean);
  EXPECT_EQ(p.conn.will_topic, "w");
  EXPECT_EQ(p.conn.will_payload, "gone");
  EXPECT_EQ(p.conn.will_qos, qos::at_least_once);
  EXPECT_TRUE(p.conn.will_retain);
  EXPECT_EQ(p.conn.cafile, "ca.pem");
  EXPECT_EQ(p.conn.cert, "c.pem");
  EXPECT_EQ(p.conn.key, "k.pem");
  EXPECT_TRUE(p.conn.insecure);
  ASSERT_EQ(p.conn.headers.size(), 1u);
  EXPECT_EQ(p.conn.headers[0].first, "Authorization");
  EXPECT_EQ(p.conn.headers[0].second, "Bearer t");
  EXPECT_EQ(p.conn.wait_seconds, 2.5);
}

TEST(CliArgs, PubMessageSources) {
  EXPECT_EQ(parse({"pub", "-L", "mqtt://h", "-t", "a", "-l"}).pub.from,
            pub_args::source::stdin_lines);
  EXPECT_EQ(parse({"pub", "-L", "mqtt://h", "-t", "a", "-n"}).pub.from,
            pub_args::source::null_message);
  EXPECT_EQ(parse({"pub", "-L", "mqtt://h", "-t", "a", "-s"}).pub.from,
            pub_args::source::stdin_whole);
  const parsed_args f = parse({"pub", "-L", "mqtt://h", "-t", "a", "-f", "/etc/hostname"});
  EXPECT_EQ(f.pub.from, pub_args::source::file);
  EXPECT_EQ(f.pub.file, "/etc/hostname");
}

TEST(CliArgs, PubWithTwoMessageSourcesIsAUsageError) {
  const parsed_args p = parse({"pub", "-L", "mqtt://h", "-t", "a", "-m", "x", "-n"});
  EXPECT_EQ(p.result, outcome::usage_error);
  EXPECT_NE(p.text.find("only one of -m, -f, -l, -s, -n"), std::string::npos);
}

TEST(CliArgs, PubWithoutMessageOrTopicIsAUsageError) {
  EXPECT_EQ(parse({"pub", "-L", "mqtt://h", "-t", "a"}).text,
            "missing message: give one of -m, -f, -l, -s, -n");
  EXPECT_EQ(parse({"pub", "-L", "mqtt://h", "-m", "x"}).text, "missing -t TOPIC");
}

TEST(CliArgs, PubToAWildcardTopicIsAUsageError) {
  EXPECT_EQ(parse({"pub", "-L", "mqtt://h", "-t", "a/#", "-m", "x"}).result, outcome::usage_error);
}

TEST(CliArgs, MissingUrlIsAUsageError) {
  const parsed_args p = parse({"sub", "-t", "a"});
  EXPECT_EQ(p.result, outcome::usage_error);
  EXPECT_NE(p.text.find("missing -L URL"), std::string::npos);
}

TEST(CliArgs, MalformedUrlIsAUsageErrorNamingTheUrl) {
  const parsed_args p = parse({"sub", "-L", "gopher://h", "-t", "a"});
  EXPECT_EQ(p.result, outcome::usage_error);
  EXPECT_EQ(p.text.rfind("bad URL 'gopher://h': ", 0), 0u) << p.text;
  EXPECT_EQ(parse({"sub", "-L", "mqtt://h:99999", "-t", "a"}).result, outcome::usage_error);
  EXPECT_EQ(parse({"sub", "-L", "no-scheme", "-t", "a"}).result, outcome::usage_error);
}

TEST(CliArgs, QosOtherThan012IsAUsageError) {
  EXPECT_EQ(parse({"pub", "-L", "mqtt://h", "-t", "a", "-m", "x", "-q", "3"}).text,
            "-q needs 0, 1 or 2, not '3'");
  EXPECT_EQ(parse({"sub", "-L", "mqtt://h", "-t", "a", "-q", "x"}).result, outcome::usage_error);
}

TEST(CliArgs, NumbersAreCheckedForRange) {
  EXPECT_EQ(parse({"sub", "-L", "mqtt://h", "-t", "a", "-k", "65536"}).result,
            outcome::usage_error);
  EXPECT_EQ(parse({"sub", "-L", "mqtt://h", "-t", "a", "-k", "-1"}).result,
            outcome::usage_error);
  EXPECT_EQ(parse({"sub", "-L", "mqtt://h", "-t", "a", "-C", "0"}).result, outcome::usage_error);
  EXPECT_EQ(parse({"sub", "-L", "mqtt://h", "-t", "a", "-C", "2x"}).result,
            outcome::usage_error);
  EXPECT_EQ(parse({"sub", "-L", "mqtt://h", "-t", "a", "-W", "0"}).result, outcome::usage_error);
  EXPECT_EQ(parse({"sub", "-L", "mqtt://h", "-t", "a", "-W", "nan"}).result,
            outcome::usage_error);
}

TEST(CliArgs, SubParsesItsFlags) {
  const parsed_args p = parse({"sub", "-L", "ws://h/", "-L", "ws://g/", "-t", "a/#", "-t", "b/+",
                               "-q", "1", "-C", "3", "-W", "10", "-v", "-R", "-N", "-F", "%t"});
  ASSERT_EQ(p.result, outcome::run) << p.text;
  EXPECT_EQ(p.cmd, command::sub);
  EXPECT_EQ(p.conn.urls, (std::vector<std::string>{"ws://h/", "ws://g/"}));
  EXPECT_EQ(p.sub.filters, (std::vector<std::string>{"a/#", "b/+"}));
  EXPECT_EQ(p.sub.q, qos::at_least_once);
  EXPECT_EQ(p.sub.count, 3u);
  EXPECT_TRUE(p.sub.verbose);
  EXPECT_TRUE(p.sub.no_retained);
  EXPECT_TRUE(p.sub.no_eol);
  EXPECT_EQ(p.sub.format, "%t");
}

TEST(CliArgs, BenchReadsCAsClientsAndNAsMessages) {
  const parsed_args p =
      parse({"bench", "-L", "mqtt://h", "-n", "500", "-q", "1", "-s", "128", "-c", "4"});
  ASSERT_EQ(p.result, outcome::run) << p.text;
  EXPECT_EQ(p.bench.messages, 500u);
  EXPECT_EQ(p.bench.q, qos::at_least_once);
  EXPECT_EQ(p.bench.payload_bytes, 128u);
  EXPECT_EQ(p.bench.clients, 4u);
  EXPECT_TRUE(p.conn.clean);
  EXPECT_EQ(parse({"bench", "-L", "mqtt://h", "-c", "0"}).result, outcome::usage_error);
}

TEST(CliArgs, BenchDefaultsToThroughputWithoutARate) {
  const parsed_args p = parse({"bench", "-L", "mqtt://h"});
  ASSERT_EQ(p.result, outcome::run) << p.text;
  EXPECT_EQ(p.bench.mode, bench_mode::throughput);
  EXPECT_FALSE(p.bench.rate.has_value());
  EXPECT_EQ(p.bench.messages, 10000u);
  EXPECT_EQ(p.bench.payload_bytes, 64u);
  EXPECT_EQ(p.bench.clients, 1u);
}

TEST(CliArgs, BenchReadsEveryMode) {
  const std::pair<const char*, bench_mode> modes[] = {{"throughput", bench_mode::throughput},
                                                      {"publish", bench_mode::publish},
                                                      {"receive", bench_mode::receive},
                                                      {"latency", bench_mode::latency}};
  for (const auto& [name, mode] : modes) {
    const parsed_args p = parse({"bench", "-L", "mqtt://h", "--mode", name});
    ASSERT_EQ(p.result, outcome::run) << name << ": " << p.text;
    EXPECT_EQ(p.bench.mode, mode);
    EXPECT_STREQ(to_string(mode), name);
  }
}

TEST(CliArgs, BenchLatencyReadsTheRate) {
  const parsed_args p =
      parse({"bench", "-L", "mqtt://h", "--mode", "latency", "--rate", "250", "-s", "4"});
  ASSERT_EQ(p.result, outcome::run) << p.text;
  EXPECT_EQ(p.bench.rate, 250u);
  EXPECT_EQ(p.bench.payload_bytes, 4u);
}

TEST(CliArgs, BenchUnknownModeIsAUsageError) {
  const parsed_args p = parse({"bench", "-L", "mqtt://h", "--mode", "pubsub"});
  EXPECT_EQ(p.result, outcome::usage_error);
  EXPECT_EQ(p.text, "--mode needs throughput, publish, receive or latency, not 'pubsub'");
  EXPECT_EQ(parse({"bench", "-L", "mqtt://h", "--mode"}).text, "option --mode needs a value");
}

TEST(CliArgs, BenchRateOutsideItsRangeIsAUsageError) {
  for (const char* bad : {"0", "-5", "1000001", "1.5", "fast", ""}) {
    EXPECT_EQ(parse({"bench", "-L", "mqtt://h", "--mode", "latency", "--rate", bad}).text,
              std::string("--rate needs messages per second in 1..1000000, not '") + bad + "'");
  }
}

TEST(CliArgs, BenchRateWithoutLatencyModeIsAUsageError) {
  EXPECT_EQ(parse({"bench", "-L", "mqtt://h", "--rate", "100"}).text,
            "--rate only applies to --mode latency, not to --mode throughput");
  EXPECT_EQ(parse({"bench", "-L", "mqtt://h", "--rate", "100", "--mode", "publish"}).text,
            "--rate only applies to --mode latency, not to --mode publish");
}

TEST(CliArgs, BenchSeveralPublishersOnlyForThroughput) {
  for (const char* mode : {"publish", "receive", "latency"}) {
    const parsed_args p = parse({"bench", "-L", "mqtt://h", "--mode", mode, "-c", "2"});
    EXPECT_EQ(p.result, outcome::usage_error) << mode;
    EXPECT_EQ(p.text, std::string("-c (publishers) only applies to --mode throughput; --mode ") +
                          mode + " uses one connection");
  }
  // One publisher is what these modes are anyway.
  EXPECT_EQ(parse({"bench", "-L", "mqtt://h", "--mode", "publish", "-c", "1"}).result,
            outcome::run);
}

TEST(CliArgs, BenchTopicIsFixedForThePeerModes) {
  EXPECT_EQ(parse({"bench", "-L", "mqtt://h", "--mode", "publish", "-t", "x"}).text,
            "-t does not apply to --mode publish (it publishes to bench/sink)");
  EXPECT_EQ(parse({"bench", "-L", "mqtt://h", "--mode", "receive", "-t", "x"}).text,
            "-t does not apply to --mode receive (it subscribes to bench/source/<n>/<s>)");
  EXPECT_EQ(parse({"bench", "-L", "mqtt://h", "--mode", "latency", "-t", "x"}).result,
            outcome::run);
}

TEST(CliArgs, BenchLatencyPayloadMustHoldTheSequenceNumber) {
  EXPECT_EQ(parse({"bench", "-L", "mqtt://h", "--mode", "latency", "-s", "3"}).text,
            "--mode latency needs -s of at least 4 (the payload carries the message's "
            "sequence number)");
  EXPECT_EQ(parse({"bench", "-L", "mqtt://h", "--mode", "throughput", "-s", "0"}).result,
            outcome::run);
}

TEST(CliArgs, PropertyDefaultsToThePublishPacketForPub) {
  const parsed_args p = parse({"pub", "-L", "mqtt://h", "-t", "a", "-m", "x", "-D",
                               "user-property", "unit", "celsius", "-D", "content-type", "text"});
  ASSERT_EQ(p.result, outcome::run) << p.text;
  ASSERT_EQ(p.conn.properties.size(), 2u);
  EXPECT_EQ(p.conn.properties[0].command, "publish");
  EXPECT_EQ(p.conn.properties[0].name, "user-property");
  EXPECT_EQ(p.conn.properties[0].value, "unit");
  EXPECT_EQ(p.conn.properties[0].value2, "celsius");
  EXPECT_EQ(p.conn.properties[1].value, "text");
}

TEST(CliArgs, PropertyTakesAnExplicitPacketAsMosquittoDoes) {
  const parsed_args p = parse({"sub", "-L", "mqtt://h", "-t", "a", "-D", "connect",
                               "session-expiry-interval", "60", "-D", "subscribe",
                               "user-property", "k", "v"});
  ASSERT_EQ(p.result, outcome::run) << p.text;
  EXPECT_EQ(p.conn.properties[0].command, "connect");
  EXPECT_EQ(p.conn.properties[0].value, "60");
  EXPECT_EQ(p.conn.properties[1].command, "subscribe");
}

TEST(CliArgs, BadPropertiesAreUsageErrors) {
  EXPECT_EQ(parse({"pub", "-L", "mqtt://h", "-t", "a", "-m", "x", "-D", "colour", "red"}).text,
            "-D: property 'colour' is not supported for publish");
  EXPECT_EQ(parse({"pub", "-L", "mqtt://h", "-t", "a", "-m", "x", "-D", "connect",
                   "receive-maximum", "0"})
                .result,
            outcome::usage_error);
  EXPECT_EQ(parse({"pub", "-L", "mqtt://h", "-t", "a", "-m", "x", "-V", "311", "-D",
                   "user-property", "k", "v"})
                .text,
            "-D needs MQTT 5 (-V 5)");
  EXPECT_EQ(parse({"sub", "-L", "mqtt://h", "-t", "a", "-D", "publish", "content-type", "x"})
                .text,
            "-D publish properties only apply to pub");
}

TEST(CliArgs, PersistentSessionNeedsAClientId) {
  EXPECT_EQ(parse({"sub", "-L", "mqtt://h", "-t", "a", "-c"}).text,
            "-c (persistent session) needs a client id (-i)");
}

TEST(CliArgs, SessionExpiryMinusOneNeverExpires) {
  const parsed_args p = parse({"sub", "-L", "mqtt://h", "-t", "a", "-x", "-1"});
  ASSERT_EQ(p.result, outcome::run) << p.text;
  EXPECT_EQ(p.conn.session_expiry, 0xFFFFFFFFU);
}

TEST(CliArgs, WillFlagsNeedAWillTopic) {
  EXPECT_EQ(parse({"sub", "-L", "mqtt://h", "-t", "a", "--will-payload", "x"}).text,
            "--will-payload, --will-qos and --will-retain need --will-topic");
}

TEST(CliArgs, HeaderNeedsANameAndAColon) {
  EXPECT_EQ(parse({"sub", "-L", "ws://h/", "-t", "a", "-H", "Bearer xyz"}).text,
            "-H needs 'Name: value', not 'Bearer xyz'");
  EXPECT_EQ(parse({"sub", "-L", "ws://h/", "-t", "a", "-H", ": x"}).result, outcome::usage_error);
}

TEST(CliArgs, CertificateAndKeyGoTogether) {
  EXPECT_EQ(parse({"sub", "-L", "mqtts://h", "-t", "a", "--cert", "c.pem"}).text,
            "--cert and --key go together");
}

}  // namespace
}  // namespace mqttws::cli

// ---- mosquitto's spellings -----------------------------------------------------------------

namespace mqttws::cli {
namespace {

std::vector<std::string> pub_with(std::vector<std::string> flags) {
  std::vector<std::string> a = {"pub", "-t", "a", "-m", "x"};
  a.insert(a.end(), flags.begin(), flags.end());
  return a;
}

TEST(CliArgs, HostAndPortMakeAnMqttUrl) {
  EXPECT_EQ(parse(pub_with({"-h", "b.example"})).conn.urls,
            std::vector<std::string>{"mqtt://b.example:1883"});
  EXPECT_EQ(parse(pub_with({"--host", "b.example", "--port", "1884"})).conn.urls,
            std::vector<std::string>{"mqtt://b.example:1884"});
  EXPECT_EQ(parse(pub_with({"-p", "1884"})).conn.urls,
            std::vector<std::string>{"mqtt://localhost:1884"});
  EXPECT_EQ(parse(pub_with({"-h", "::1"})).conn.urls,
            std::vector<std::string>{"mqtt://[::1]:1883"});
}

TEST(CliArgs, HostWithATlsFlagMakesAnMqttsUrl) {
  EXPECT_EQ(parse(pub_with({"-h", "b.example", "--cafile", "ca.pem"})).conn.urls,
            std::vector<std::string>{"mqtts://b.example:8883"});
  EXPECT_EQ(parse(pub_with({"-h", "b.example", "--tls-version", "tlsv1.3"})).conn.urls,
            std::vector<std::string>{"mqtts://b.example:8883"});
  EXPECT_EQ(parse(pub_with({"-h", "b.example", "--insecure", "-p", "9000"})).conn.urls,
            std::vector<std::string>{"mqtts://b.example:9000"});
}

TEST(CliArgs, HostAndPortErrors) {
  EXPECT_EQ(parse(pub_with({"-p", "0"})).text, "-p needs a port in 1..65535, not '0'");
  EXPECT_EQ(parse(pub_with({"--port", "70000"})).text,
            "--port needs a port in 1..65535, not '70000'");
  EXPECT_EQ(parse(pub_with({"-L", "mqtt://h", "-h", "g"})).text, "-L and -h/-p: give one");
  EXPECT_EQ(parse(pub_with({"-p", "1884", "-L", "mqtt://h"})).text, "-L and -h/-p: give one");
  EXPECT_EQ(parse(pub_with({})).text,
            "missing -L URL or -h HOST (e.g. -L wss://broker.example/mqtt, -h localhost)");
}

TEST(CliArgs, DashHIsNoLongerHelp) {
  EXPECT_EQ(parse({"-h"}).text, "unknown subcommand '-h' (pub, sub or bench)");
  EXPECT_EQ(parse({"sub", "-h"}).text, "option -h needs a value");
  EXPECT_EQ(parse({"sub", "--help"}).result, outcome::help);
}

TEST(CliArgs, MqttUrlGivesUserPasswordAndTopic) {
  const parsed_args p = parse({"pub", "-L", "mqtt://me:s3cret@h:1884/a/b", "-m", "x"});
  ASSERT_EQ(p.result, outcome::run) << p.text;
  EXPECT_EQ(p.conn.urls, std::vector<std::string>{"mqtt://h:1884"});
  EXPECT_EQ(p.conn.username, "me");
  EXPECT_EQ(p.conn.password, "s3cret");
  EXPECT_EQ(p.pub.topic, "a/b");
  const parsed_args s = parse({"sub", "-L", "mqtts://me@h/a/#", "-t", "c"});
  ASSERT_EQ(s.result, outcome::run) << s.text;
  EXPECT_EQ(s.conn.urls, std::vector<std::string>{"mqtts://h"});
  EXPECT_EQ(s.conn.username, "me");
  EXPECT_EQ(s.sub.filters, (std::vector<std::string>{"c", "a/#"}));  // one more filter
}

TEST(CliArgs, WebSocketUrlKeepsItsPath) {
  const parsed_args p = parse({"pub", "-L", "wss://h/mqtt", "-t", "a", "-m", "x"});
  ASSERT_EQ(p.result, outcome::run) << p.text;
  EXPECT_EQ(p.conn.urls, std::vector<std::string>{"wss://h/mqtt"});
  EXPECT_EQ(parse({"pub", "-L", "ws://h/mqtt", "-m", "x"}).text, "missing -t TOPIC");
}

TEST(CliArgs, TopicsAndUsersOfSeveralUrlsMustAgree) {
  EXPECT_EQ(parse({"sub", "-L", "mqtt://h/a", "-L", "mqtt://g/b"}).text,
            "-L URLs with different topics");
  EXPECT_EQ(parse({"sub", "-L", "mqtt://u@h/a", "-L", "mqtt://v@g/a"}).text,
            "-L URLs with different users");
  const parsed_args p = parse({"sub", "-L", "mqtt://h/a", "-L", "mqtt://g", "-L", "ws://k/"});
  ASSERT_EQ(p.result, outcome::run) << p.text;
  EXPECT_EQ(p.conn.urls, (std::vector<std::string>{"mqtt://h", "mqtt://g", "ws://k/"}));
  EXPECT_EQ(p.sub.filters, std::vector<std::string>{"a"});
}

TEST(CliArgs, UrlTopicAndUserConflicts) {
  EXPECT_EQ(parse({"pub", "-L", "mqtt://h/a", "-t", "b", "-m", "x"}).text,
            "-t 'b' and the topic 'a' of -L differ: give one");
  EXPECT_EQ(parse({"pub", "-L", "mqtt://h/a", "-t", "a", "-m", "x"}).result, outcome::run);
  EXPECT_EQ(parse({"pub", "-L", "mqtt://u:p@h/a", "-u", "v", "-m", "x"}).text,
            "a user in -L URL and -u/-P/--password-file: give one");
  EXPECT_EQ(parse({"bench", "-L", "mqtt://h/a"}).text,
            "bench takes no topic in -L URL (-t PREFIX sets one)");
}

TEST(CliArgs, BadMqttUrlIsShownWithoutItsPassword) {
  EXPECT_EQ(parse({"pub", "-L", "mqtt://u:s3cret@h:99999/t", "-m", "x"}).text,
            "bad URL 'mqtt://u:***@h:99999/t': URL port is not a number in 1..65535");
}

TEST(CliArgs, SubUnsubscribeFilterOutExitAndRetainedOnly) {
  const parsed_args p = parse({"sub", "-L", "mqtt://h", "-t", "a/#", "-U", "old/#", "-U", "x",
                               "-T", "a/b/#", "--filter-out", "a/+/c", "-E", "--retained-only"});
  ASSERT_EQ(p.result, outcome::run) << p.text;
  EXPECT_EQ(p.sub.unsubscribe, (std::vector<std::string>{"old/#", "x"}));
  EXPECT_EQ(p.sub.filter_out, (std::vector<std::string>{"a/b/#", "a/+/c"}));
  EXPECT_TRUE(p.sub.exit_after_subscribe);
  EXPECT_TRUE(p.sub.retained_only);
  // -U alone is a run too (it ends at the UNSUBACK).
  EXPECT_EQ(parse({"sub", "-L", "mqtt://h", "--unsubscribe", "a"}).result, outcome::run);
  EXPECT_EQ(parse({"sub", "-L", "mqtt://h"}).text, "missing -t FILTER");
}

TEST(CliArgs, SubFilterErrors) {
  EXPECT_EQ(parse({"sub", "-L", "mqtt://h", "-U", "a/#/b"}).text,
            "-U 'a/#/b': invalid topic filter");
  EXPECT_EQ(parse({"sub", "-L", "mqtt://h", "-t", "a", "-T", "a/#/b"}).text,
            "-T 'a/#/b': invalid topic filter");
  EXPECT_EQ(parse({"sub", "-L", "mqtt://h", "-t", "a", "-R", "--retained-only"}).text,
            "-R and --retained-only: give one");
}

TEST(CliArgs, TlsVersionAndCaPath) {
  const parsed_args p =
      parse({"sub", "-L", "mqtts://h", "-t", "a", "--tls-version", "tlsv1.3", "--capath", "/"});
  ASSERT_EQ(p.result, outcome::run) << p.text;
  EXPECT_EQ(p.conn.tls_min, tls_version::v1_3);
  EXPECT_EQ(p.conn.capath, "/");
  EXPECT_EQ(parse({"sub", "-L", "mqtts://h", "-t", "a", "--tls-version", "tlsv1.2"}).conn.tls_min,
            tls_version::v1_2);
  EXPECT_EQ(parse({"sub", "-L", "mqtts://h", "-t", "a", "--tls-version", "tlsv1.1"}).text,
            "--tls-version needs tlsv1.2 or tlsv1.3, not 'tlsv1.1'");
  EXPECT_EQ(parse({"sub", "-L", "mqtts://h", "-t", "a", "--capath", "/nonexistent"}).text,
            "--capath: '/nonexistent' is not a directory");
  EXPECT_EQ(parse({"sub", "-L", "mqtts://h", "-t", "a", "--capath", "/etc/passwd"}).text,
            "--capath: '/etc/passwd' is not a directory");
}

TEST(CliArgs, SessionExpiry) {
  EXPECT_EQ(parse({"sub", "-L", "mqtt://h", "-t", "a", "-x", "60"}).conn.session_expiry, 60u);
  EXPECT_EQ(parse({"sub", "-L", "mqtt://h", "-t", "a", "-x", "soon"}).text,
            "-x needs a session expiry in seconds (0..4294967295, or -1), not 'soon'");
  EXPECT_EQ(parse({"sub", "-L", "mqtt://h", "-t", "a", "-x", "60", "-V", "311"}).text,
            "-x needs MQTT 5 (-V 5)");
}

TEST(CliArgs, WillFlags) {
  const parsed_args p = parse({"sub", "-L", "mqtt://h", "-t", "a", "--will-topic", "w/x",
                               "--will-payload", "gone", "--will-qos", "2", "--will-retain"});
  ASSERT_EQ(p.result, outcome::run) << p.text;
  EXPECT_EQ(p.conn.will_topic, "w/x");
  EXPECT_EQ(p.conn.will_payload, "gone");
  EXPECT_EQ(p.conn.will_qos, qos::exactly_once);
  EXPECT_TRUE(p.conn.will_retain);
  EXPECT_EQ(parse({"sub", "-L", "mqtt://h", "-t", "a", "--will-topic", "w", "--will-qos", "3"})
                .text,
            "--will-qos needs 0, 1 or 2, not '3'");
  EXPECT_EQ(parse({"sub", "-L", "mqtt://h", "-t", "a", "--will-topic", "w/#"}).text,
            "--will-topic 'w/#': invalid topic name");
  EXPECT_EQ(parse({"sub", "-L", "mqtt://h", "-t", "a", "--will-retain"}).text,
            "--will-payload, --will-qos and --will-retain need --will-topic");
}

}  // namespace
}  // namespace mqttws::cli
