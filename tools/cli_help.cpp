// mqttws CLI — the --help texts.
#include "cli_args.hpp"
#include "cli_flags.hpp"

namespace mqttws::cli {
namespace {

// What the connection flags' one-line help cannot say.
constexpr const char* connection_notes = R"(
  -L URL: ws://host:port/path, wss://..., mqtt://host:port, mqtts://...; for mqtt:// and
  mqtts:// as mosquitto_pub reads it: mqtt(s)://[user[:password]@]host[:port]/topic, where
  the path is the topic (pub: the -t topic; sub: one more filter; bench: not allowed) and
  user and password replace -u/-P. Several -L are one broker's addresses: the topics and
  users they name must agree. ws(s):// URLs keep their path as the WebSocket path.
  -h/-p instead of -L: mqtt://HOST:PORT, or mqtts:// (default port 8883) when a TLS flag
  (--cafile, --capath, --cert, --tls-version, --insecure) is given. -L with -h/-p: an error.
  -c: in MQTT 5 the session never expires unless -x says otherwise.
  -D PACKET is connect, publish, subscribe, unsubscribe, disconnect or will (default:
  publish for pub, connect otherwise); user-property takes a name and a value:
  -D user-property unit celsius. Without -P or --password-file: $MQTTWS_PASSWORD, if set.

Lost connections are reconnected with backoff (pub and sub, as mosquitto_pub -l and
mosquitto_sub do); with -c the session and its in-flight messages survive as well.

Exit codes: 0 success, 1 a failure the client cannot recover from: refused credentials or
connection, the first connection impossible, a -W deadline passed, a refused single
publish (one-line reason on stderr); 2 bad command line. With pub -l a line the broker
refuses is reported on stderr and the rest go on.
)";

// The option lists of `c`, from the flag table.
std::string flag_sections(command c) {
  return "\nOptions:\n" + flag_help(c, flag_group::command) +
         "\nConnection (every subcommand):\n" + flag_help(c, flag_group::connection) +
         "\nTLS (wss:// and mqtts://):\n" + flag_help(c, flag_group::tls) + connection_notes;
}

}  // namespace

std::string general_help() {
  return R"(mqttws - MQTT 3.1.1/5.0 over WebSocket, TLS and TCP

Usage:
  mqttws pub   (-L URL | -h HOST [-p PORT]) -t TOPIC (-m MSG | -f FILE | -l | -s | -n) [options]
  mqttws sub   (-L URL | -h HOST [-p PORT]) -t FILTER [-t FILTER ...] [-C COUNT] [-v] [options]
  mqttws bench (-L URL | -h HOST [-p PORT]) [--mode throughput|publish|receive|latency]
               [-n MESSAGES] [-q QOS] [-s PAYLOAD_BYTES] [-c CLIENTS] [--rate R] [options]

  mqttws SUBCOMMAND --help   describes each subcommand and its options.
)";
}

std::string help_text(command c) {
  switch (c) {
    case command::pub:
      return std::string(R"(mqttws pub - publish messages

Usage: mqttws pub (-L URL | -h HOST [-p PORT]) -t TOPIC (-m MSG | -f FILE | -l | -s | -n)
                  [options]

QoS 1 and 2 wait for the broker's acknowledgement.
)") + flag_sections(c);
    case command::sub:
      return std::string(R"(mqttws sub - subscribe and print messages

Usage: mqttws sub (-L URL | -h HOST [-p PORT]) -t FILTER [-t FILTER ...] [options]

-C COUNT with -W: exit code 1 if -W ends the wait first; without -C, -W ends the run normally
(exit code 0). SIGINT/SIGTERM disconnect cleanly. -U FILTER sends an UNSUBSCRIBE after the
SUBSCRIBE (of the -t filters, if any); with -U and no -t, sub ends after the UNSUBACK.
-T FILTER: messages are still received, only not printed (nor counted by -C).
--retained-only ends with exit code 0 at the first message that is not retained.
-F FORMAT: %t topic, %p payload, %x payload in hex, %q QoS, %r retain flag, %l payload
length, %m packet id, %C content type, %R response topic, %D correlation data (hex),
%E message expiry, %P user properties (name:value ...), %U Unix time, %I ISO 8601 time,
%% a percent sign; \n newline, \t tab, \\ backslash. -F overrides -v.
)") + flag_sections(c);
    case command::bench:
      return std::string(R"(mqttws bench - measure the client: throughput, publish, receive, latency

Usage: mqttws bench (-L URL | -h HOST [-p PORT]) [--mode MODE] [-n MESSAGES] [-q QOS]
                    [-s PAYLOAD_BYTES] [-c CLIENTS] [-t PREFIX] [--rate R] [options]

Modes (--mode, default throughput):
  throughput  one subscriber (to PREFIX/#) and CLIENTS publishers, each its own connection,
              through a broker; the publishers share MESSAGES messages (publisher i to
              PREFIX/i); time from the first publish to the last message received.
  publish     one connection publishes MESSAGES messages to bench/sink; time from the first
              publish to the last completion. Meant for bench_peer's sink (no broker).
  receive     one connection subscribes to bench/source/MESSAGES/PAYLOAD_BYTES; time from
              the SUBACK to the last message delivered. Meant for bench_peer's source.
  latency     one connection subscribes to PREFIX and publishes MESSAGES messages to it, one
              every 1/R s (message i due at t0 + i/R, never in bursts); each message's time
              from the publish call to its delivery; nearest-rank percentiles in microseconds.
              The payload's first 4 bytes carry the message's sequence number.
Each connection keeps at most 1000 publishes awaiting completion (QoS 0: handed to the
transport; QoS 1: PUBACK; QoS 2: PUBCOMP), like the other drivers of bench/run. QoS 0 may
lose messages: once all are published, a second without a message ends the wait, and
"received" says how many arrived.

Prints one JSON line ("received" counts messages delivered; in publish mode, publishes
completed; "transport" is ws, wss, tcp or mqtts from the first -L URL; "clients" is the
older name of "publishers"):
  {"client":"mqttws","mode":"throughput","transport":"tcp","qos":1,"bytes":64,
   "publishers":1,"clients":1,"n":10000,"received":10000,"seconds":0.52,"msgs_per_s":19230.8}
latency adds ,"rate":1000,"p50_us":..,"p99_us":..,"max_us":..

Without -W the run gives up after 120 s (exit code 1).
-c is CLIENTS here; bench has no persistent sessions.
)") + flag_sections(c);
  }
  return general_help();
}

}  // namespace mqttws::cli
