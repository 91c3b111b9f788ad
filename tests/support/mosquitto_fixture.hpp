// mqttws tests — a real mosquitto broker started by the test, on free loopback ports, with its
// own generated configuration, certificates, password file and ACL.
//
// Usage (GoogleTest):
//
//   mqttws::test::mosquitto_fixture broker;   // nothing runs yet
//   broker.start();                           // throws std::runtime_error (+ log) on failure
//   connect_to(broker.url(mqttws::test::listener::wss), broker.ca_file(),
//              mqttws::test::mosquitto_fixture::user, mqttws::test::mosquitto_fixture::password);
//   broker.kill();  broker.start();           // abrupt crash, then the same ports again
//   // ~mosquitto_fixture(): stops the broker (SIGTERM, then SIGKILL), removes its directory.
//
// What the broker is like (mosquitto 2.0):
//  - five listeners, each on its own free port on 127.0.0.1 (see `listener`): plain MQTT over
//    TCP, MQTT over TLS, WebSocket, WebSocket over TLS, and MQTT over TLS that requires a client
//    certificate signed by ca_file() (mutual TLS). mosquitto's WebSocket listeners ignore the
//    bind address and listen on every interface: that is why authentication is always required.
//  - allow_anonymous false: every client must log in with one of the users below (also on the
//    mutual-TLS listener: the certificate is required in addition to the password).
//      user      / password          may read and write every topic;
//      user2     / password2         may read and write every topic (a second identity);
//      limited   / limited_password  may read and write only `allowed/#` (acl_file: mosquitto
//                                    still grants its SUBSCRIBEs but delivers nothing else; a v5
//                                    QoS 1 PUBLISH elsewhere gets PUBACK 0x87).
//  - max_queued_messages 0 (no queue limit), set_tcp_nodelay true, log to log_file() with
//    every log type (connections, subscriptions, errors).
//  - persistence only if broker_options::persistence (then in a subdirectory of directory(),
//    written on stop(); kill() loses what was not saved, as a real crash would). Note that
//    mosquitto 2.0 saves a client's session only if that connection had Clean Start 0: a
//    persistent subscriber that must survive a broker restart connects with clean_start false.
//  - pause()/resume() freeze and thaw the process (a hung broker: sockets open, no answers).
//
// Certificates (EC P-256, made with the `openssl` command line) are generated once per process
// and shared by every broker: a CA, a server certificate for 127.0.0.1 and localhost
// (subjectAltName IP:127.0.0.1, DNS:localhost, CN localhost) signed by it, a client certificate
// (CN mqttws-test-client) signed by it, and an unrelated second CA ("wrong CA") that signed
// nothing the broker uses. Paths are absolute, files are PEM.
//
// Threading: a fixture is not thread-safe; use it from one thread. start()/restart() must run on
// a thread that outlives the broker (the test's main thread): the broker is killed by the kernel
// when the thread that started it exits (PR_SET_PDEATHSIG), so a crashed test never leaves
// brokers behind.
//
// Several fixtures may run at once (e.g. failover tests): each has its own ports, directory and
// process.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <sys/types.h>

namespace mqttws::test {

/// The broker's listeners.
enum class listener {
  mqtt = 0,   ///< MQTT over TCP          — url "mqtt://127.0.0.1:P"
  mqtts,      ///< MQTT over TLS          — url "mqtts://127.0.0.1:P"
  ws,         ///< MQTT over WebSocket    — url "ws://127.0.0.1:P/"
  wss,        ///< MQTT over WebSocket+TLS — url "wss://127.0.0.1:P/"
  mqtts_mutual,  ///< MQTT over TLS requiring a client certificate — url "mqtts://127.0.0.1:P"
};
inline constexpr std::size_t listener_count = 5;

/// "mqtt", "mqtts", "ws", "wss", "mqtts_mutual" (for test names and messages).
const char* to_string(listener l) noexcept;

/// The per-process test PKI (see the file comment). Generated on first use; throws
/// std::runtime_error if openssl or mosquitto_passwd fails.
struct test_pki {
  std::string directory;     ///< Holds all of the files below (0755, files 0644).
  std::string ca_file;       ///< The CA that signed the server and client certificates.
  std::string wrong_ca_file; ///< An unrelated CA: verifying the broker with it must fail.
  std::string server_cert;
  std::string server_key;
  std::string client_cert;   ///< Signed by ca_file; for the mutual-TLS listener.
  std::string client_key;    ///< Unencrypted.
  std::string password_file; ///< mosquitto_passwd format, the users listed in the file comment.
};
const test_pki& pki();

struct broker_options {
  /// persistence true, persistence_location in the broker's directory (for restart tests).
  bool persistence = false;
  /// Extra mosquitto.conf lines, added before the listeners (global options only), e.g.
  /// "autosave_interval 1\n" or "max_inflight_messages 5\n".
  std::string extra_config;
  /// Bound on start()/restart(): until every port accepts a TCP connection and the log says the
  /// broker runs.
  std::chrono::milliseconds start_timeout{10000};
};

class mosquitto_fixture {
 public:
  static constexpr const char* user = "user";
  static constexpr const char* password = "password";
  static constexpr const char* user2 = "user2";
  static constexpr const char* password2 = "password2";
  static constexpr const char* limited_user = "limited";
  static constexpr const char* limited_password = "limited_password";
  /// The only topics `limited` may use.
  static constexpr const char* limited_allowed_filter = "allowed/#";

  /// Creates the broker's directory and configuration, generating the PKI on first use.
  /// Does not start the broker. Throws std::runtime_error on failure.
  explicit mosquitto_fixture(broker_options options = {});
  /// Stops the broker if it runs (SIGTERM, SIGKILL after 5 s). If the current GoogleTest test
  /// (or, for a broker destroyed in TearDownTestSuite, a test of the suite) failed, prints the
  /// log's path and its last lines to stderr and keeps the directory;
  /// otherwise removes it (also kept when the environment variable MQTTWS_KEEP_BROKER_DIR is set).
  ~mosquitto_fixture();
  mosquitto_fixture(const mosquitto_fixture&) = delete;
  mosquitto_fixture& operator=(const mosquitto_fixture&) = delete;

  /// Starts mosquitto and returns once every listener accepts TCP connections and mosquitto has
  /// logged "mosquitto version X running" (its last start-up line). The first start
  /// picks free ports; if one was taken meanwhile (broker exits with "address in use"), it picks
  /// new ones and tries again (a few times). Throws std::runtime_error (with the log's tail) if
  /// the broker does not come up within options.start_timeout, or if it is already running.
  void start();
  /// Graceful stop: SIGTERM, then waits for the process to exit (SIGKILL after 5 s). A persistent
  /// broker saves its database. Does nothing if not running.
  void stop();
  /// Abrupt crash: SIGKILL, then reaps the process. Does nothing if not running.
  void kill();
  /// Freezes the broker (SIGSTOP): its connections stay open but nothing is read, answered or
  /// acknowledged (a hung broker, a half-open connection). resume() (SIGCONT) thaws it; stop()
  /// and kill() work on a paused broker too.
  void pause();
  void resume();
  /// stop() (if running), then start() on the SAME ports (retried for a few seconds if a port is
  /// still busy). URLs taken before stay valid.
  void restart();
  /// Like restart(), but kill() first (a crash then a restart).
  void kill_and_restart();
  /// True while the broker process has not exited (checks the process, not the ports).
  bool running();
  /// Process id, or -1 when not running.
  pid_t pid() const noexcept { return pid_; }

  /// The listener's port (0 before the first start()).
  std::uint16_t port(listener l) const noexcept { return ports_[static_cast<std::size_t>(l)]; }
  /// "ws://127.0.0.1:P/", "wss://127.0.0.1:P/", "mqtt://127.0.0.1:P", "mqtts://127.0.0.1:P"
  /// (mqtts also for mqtts_mutual). `host` may be "localhost" (also in the server certificate).
  std::string url(listener l, const std::string& host = "127.0.0.1") const;

  /// The PKI paths (same for every fixture in the process).
  const std::string& ca_file() const { return pki().ca_file; }
  const std::string& wrong_ca_file() const { return pki().wrong_ca_file; }
  const std::string& client_cert() const { return pki().client_cert; }
  const std::string& client_key() const { return pki().client_key; }

  /// The broker's private directory (config, ACL, log, persistence).
  const std::string& directory() const noexcept { return dir_; }
  const std::string& config_file() const noexcept { return config_file_; }
  /// mosquitto's log (stdout and stderr, appended across restarts).
  const std::string& log_file() const noexcept { return log_file_; }
  /// The whole log so far ("" if none).
  std::string log() const;
  /// Its last `lines` lines.
  std::string log_tail(std::size_t lines = 40) const;

 private:
  void pick_ports();
  void write_config() const;
  bool spawn_and_wait(std::string& why);  // false: broker exited or did not come up
  void reap(std::chrono::milliseconds grace);

  broker_options options_;
  std::string dir_;
  std::string config_file_;
  std::string log_file_;
  std::array<std::uint16_t, listener_count> ports_{};
  pid_t pid_ = -1;
};

/// Picks a free TCP port on 127.0.0.1 (bind port 0, read it, close). Another process may take it
/// before it is used: callers retry.
std::uint16_t free_loopback_port();

/// True if a TCP connection to 127.0.0.1:port succeeds right now.
bool loopback_port_accepts(std::uint16_t port);

}  // namespace mqttws::test
