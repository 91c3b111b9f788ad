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
  mqttws bench -L URL [-n MESSAGES] [-q QOS] [-s PAYLOAD_BYTES] [-c CLIENTS] [options]

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
      return std::string(R"(mqttws bench - measure throughput through a broker

Usage: mqttws bench -L URL [-n MESSAGES] [-q QOS] [-s PAYLOAD_BYTES] [-c CLIENTS] [options]

One subscriber and CLIENTS publishers connect; the publishers share MESSAGES messages of
PAYLOAD_BYTES bytes; the time runs from the first publish to the last message received.
Prints one JSON line:
  {"client":"mqttws","qos":1,"n":10000,"bytes":64,"clients":1,"seconds":0.52,"msgs_per_s":19230.8}

  -n MESSAGES       messages in total (default 10000)
  -q 0|1|2          QoS of publishes and subscription (default 0)
  -s BYTES          payload size (default 64)
  -c CLIENTS        publishers (default 1)
  -t PREFIX         topic prefix (default: mqttws-bench/<random>)
Connection options as below (-c is CLIENTS here; no persistent sessions).
)") + connection_help;
  }
  return general_help();
}

}  // namespace mqttws::cli
