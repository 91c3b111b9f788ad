// mqttws CLI — the --help texts.
#include "cli_args.hpp"

namespace mqttws::cli {
namespace {

constexpr const char* connection_help = R"(
Connection (every subcommand):
  -L URL            broker URL: ws://host:port/path, wss://..., mqtt://host:port, mqtts://...
                    (repeat -L for a list of brokers tried in turn)
  -V 5|311          MQTT version (default 5)
  -i ID             client id (default: generated)
  -u USER -P PASS   user name and password (-P shows in `ps`: prefer one of these two)
  --password-file FILE
                    the password is the first line of FILE
                    (without -P or --password-file: $MQTTWS_PASSWORD, if set)
  -k SECONDS        keepalive (default 60, 0 disables)
  -c                persistent session: clean start off (needs -i); MQTT 5: session expiry
                    -1 (never) unless -x says otherwise
  -x SECONDS        MQTT 5 session expiry interval (-1: never expires)
  -D [PACKET] PROPERTY VALUE [VALUE2]
                    MQTT 5 property; PACKET is connect, publish, subscribe, unsubscribe,
                    disconnect or will (default: publish for pub, connect otherwise);
                    user-property takes a name and a value: -D user-property unit celsius
  --will-topic T --will-payload P --will-qos Q --will-retain
                    the will message
  --cafile FILE     trust only these CAs (PEM) instead of the system store
  --cert FILE --key FILE
                    client certificate and key (mutual TLS)
  --insecure        do not verify the server certificate (tests only)
  -H 'Name: value'  extra WebSocket handshake header (repeatable), e.g. a bearer token
  -W SECONDS        give up after this long, whatever is pending (exit code 1)
  -d                print connection events on stderr (connects, losses, reconnects;
                    never passwords, tokens or payloads)
  --help            this text

Lost connections are reconnected with backoff (pub and sub, as mosquitto_pub -l and
mosquitto_sub do); with -c the session and its in-flight messages survive as well.

Exit codes: 0 success, 1 a failure the client cannot recover from: refused credentials or
connection, the first connection impossible, a -W deadline passed, a refused single
publish (one-line reason on stderr); 2 bad command line. With pub -l a line the broker
refuses is reported on stderr and the rest go on.
)";

}  // namespace

std::string general_help() {
  return R"(mqttws - MQTT 3.1.1/5.0 over WebSocket, TLS and TCP

Usage:
  mqttws pub   -L URL -t TOPIC (-m MSG | -f FILE | -l | -s | -n) [options]
  mqttws sub   -L URL -t FILTER [-t FILTER ...] [-C COUNT] [-W SECONDS] [-v] [options]
  mqttws bench -L URL [--mode throughput|publish|receive|latency] [-n MESSAGES] [-q QOS]
               [-s PAYLOAD_BYTES] [-c CLIENTS] [--rate R] [options]

  mqttws SUBCOMMAND --help   describes each subcommand and its options.
)";
}

std::string help_text(command c) {
  switch (c) {
    case command::pub:
      return std::string(R"(mqttws pub - publish messages

Usage: mqttws pub -L URL -t TOPIC (-m MSG | -f FILE | -l | -s | -n) [options]

  -t TOPIC          topic to publish to
  -m MSG            the message
  -f FILE           send the contents of FILE as one message
  -l                send each line read from stdin as a message (newline not included)
  -s                send all of stdin as one message
  -n                send a null (zero length) message
  -q 0|1|2          quality of service (default 0); QoS 1/2 wait for the broker's ack
  -r                retain the message
)") + connection_help;
    case command::sub:
      return std::string(R"(mqttws sub - subscribe and print messages

Usage: mqttws sub -L URL -t FILTER [-t FILTER ...] [options]

  -t FILTER         topic filter (repeatable; + and # wildcards)
  -q 0|1|2          maximum QoS of the subscriptions (default 0)
  -C COUNT          exit after COUNT messages (exit code 1 if -W ends the wait first)
  -v                print "topic payload" per message
  -R                do not print retained messages (stale values)
  -N                no newline after each message
  -F FORMAT         print with FORMAT: %t topic, %p payload, %x payload in hex,
                    %q QoS, %r retain flag, %l payload length, %m packet id,
                    %C content type, %R response topic, %D correlation data (hex),
                    %E message expiry, %P user properties (name:value ...),
                    %U Unix time, %I ISO 8601 time, %% a percent sign;
                    \n newline, \t tab, \\ backslash
Without -C, -W ends the run normally (exit code 0). SIGINT/SIGTERM disconnect cleanly.
)") + connection_help;
    case command::bench:
      return std::string(R"(mqttws bench - measure the client: throughput, publish, receive, latency

Usage: mqttws bench -L URL [--mode MODE] [-n MESSAGES] [-q QOS] [-s PAYLOAD_BYTES]
                    [-c CLIENTS] [-t PREFIX] [--rate R] [options]

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

  --mode MODE       throughput, publish, receive or latency (default throughput)
  -n MESSAGES       messages in total (default 10000)
  -q 0|1|2          QoS of publishes and subscription (default 0)
  -s BYTES          payload size (default 64; latency: at least 4)
  -c CLIENTS        publishers, throughput only (default 1)
  -t PREFIX         topic prefix, throughput and latency (default: mqttws-bench/<random>)
  --rate R          latency only: messages per second, 1..1000000 (default 1000)
Without -W the run gives up after 120 s (exit code 1).
Connection options as below (-c is CLIENTS here; no persistent sessions).
)") + connection_help;
  }
  return general_help();
}

}  // namespace mqttws::cli
