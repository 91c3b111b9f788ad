// mqttws tests — the mosquitto fixture (see mosquitto_fixture.hpp). Plain POSIX: fork/exec,
// waitpid, signals, sockets.
#include "mosquitto_fixture.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace mqttws::test {
namespace {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("mosquitto fixture: " + what);
}

std::string errno_text(const char* call) { return std::string(call) + ": " + std::strerror(errno); }

std::string make_temp_dir(const char* prefix) {
  std::string templ = std::string("/tmp/") + prefix + "-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) fail(errno_text("mkdtemp"));
  // mosquitto, run as root, drops to user `mosquitto`: it must be able to enter and read.
  if (::chmod(buf.data(), 0755) != 0) fail(errno_text("chmod"));
  return buf.data();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) fail("cannot write " + path);
  ::chmod(path.c_str(), 0644);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string last_lines(const std::string& text, std::size_t lines) {
  std::size_t pos = text.size();
  if (pos > 0 && text[pos - 1] == '\n') --pos;
  for (std::size_t n = 0; n < lines && pos > 0; ++n) {
    pos = text.rfind('\n', pos - 1);
    if (pos == std::string::npos) return text;
  }
  return pos == 0 ? text : text.substr(pos + 1);
}

// First existing of the usual install locations (/usr/sbin is not on every user's PATH), else
// the bare name for execvp.
std::string find_program(const char* name, const char* env_override) {
  if (const char* v = std::getenv(env_override); v != nullptr && *v != '\0') return v;
  for (const char* dir : {"/usr/sbin/", "/usr/bin/", "/usr/local/sbin/", "/usr/local/bin/"}) {
    std::string p = std::string(dir) + name;
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return name;
}

// Forks and execs argv with stdin from /dev/null and stdout+stderr appended to `output`.
// Everything the child does between fork and exec is async-signal-safe.
pid_t spawn(const std::vector<std::string>& args, const std::string& output, bool die_with_parent) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int out = ::open(output.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out < 0) fail(errno_text(("open " + output).c_str()));
  int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (in < 0) {
    ::close(out);
    fail(errno_text("open /dev/null"));
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (die_with_parent) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);  // the parent died before prctl
    }
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    if (argv[0][0] == '/') {
      ::execv(argv[0], argv.data());
    } else {
      ::execvp(argv[0], argv.data());
    }
    ::_exit(127);
  }
  const int fork_errno = errno;
  ::close(out);
  ::close(in);
  if (pid < 0) {
    errno = fork_errno;
    fail(errno_text("fork"));
  }
  return pid;
}

// Runs a tool to completion; throws with its output if it fails.
void run_tool(const std::vector<std::string>& args, const std::string& output) {
  const pid_t pid = spawn(args, output, false);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) fail(errno_text("waitpid"));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string cmd;
    for (const auto& a : args) cmd += a + " ";
    fail("command failed (status " + std::to_string(status) + "): " + cmd + "\n" +
         last_lines(read_file(output), 20));
  }
}

// OpenSSL configuration for the test PKI: one section of extensions per certificate kind.
constexpr const char* openssl_config = R"(# mqttws test PKI
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[v3_server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
)";

// Owns the per-process PKI directory; removes it at exit.
struct pki_holder {
  test_pki pki;
  pki_holder() {
    pki.directory = make_temp_dir("mqttws-pki");
    const std::string& d = pki.directory;
    const std::string cnf = d + "/openssl.cnf";
    const std::string out = d + "/commands.log";
    write_file(cnf, openssl_config);
    const std::string openssl = find_program("openssl", "MQTTWS_OPENSSL");
    // EC P-256 keys: generating them is instant, unlike RSA.
    auto self_signed_ca = [&](const std::string& name, const std::string& cn) {
      run_tool({openssl, "req", "-x509", "-new", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", d + "/" + name + ".key",
                "-out", d + "/" + name + ".crt", "-days", "3650", "-subj", "/CN=" + cn,
                "-config", cnf, "-extensions", "v3_ca"},
               out);
    };
    auto signed_by_ca = [&](const std::string& name, const std::string& cn,
                            const std::string& extensions, const std::string& serial) {
      run_tool({openssl, "req", "-new", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", d + "/" + name + ".key",
                "-out", d + "/" + name + ".csr", "-subj", "/CN=" + cn, "-config", cnf},
               out);
      run_tool({openssl, "x509", "-req", "-in", d + "/" + name + ".csr", "-CA", d + "/ca.crt",
                "-CAkey", d + "/ca.key", "-set_serial", serial, "-days", "3650", "-out",
                d + "/" + name + ".crt", "-extfile", cnf, "-extensions", extensions},
               out);
    };
    self_signed_ca("ca", "mqttws test CA");
    self_signed_ca("wrong-ca", "mqttws unrelated CA");
    signed_by_ca("server", "localhost", "v3_server", "1001");
    signed_by_ca("client", "mqttws-test-client", "v3_client", "1002");

    pki.password_file = d + "/passwd";
    const std::string passwd = find_program("mosquitto_passwd", "MQTTWS_MOSQUITTO_PASSWD");
    run_tool({passwd, "-c", "-b", pki.password_file, mosquitto_fixture::user,
              mosquitto_fixture::password},
             out);
    run_tool({passwd, "-b", pki.password_file, mosquitto_fixture::user2,
              mosquitto_fixture::password2},
             out);
    run_tool({passwd, "-b", pki.password_file, mosquitto_fixture::limited_user,
              mosquitto_fixture::limited_password},
             out);

    // Readable by the unprivileged `mosquitto` user (test keys only, so 0644 is fine).
    for (const auto& entry : fs::directory_iterator(d)) ::chmod(entry.path().c_str(), 0644);
    pki.ca_file = d + "/ca.crt";
    pki.wrong_ca_file = d + "/wrong-ca.crt";
    pki.server_cert = d + "/server.crt";
    pki.server_key = d + "/server.key";
    pki.client_cert = d + "/client.crt";
    pki.client_key = d + "/client.key";
  }
  ~pki_holder() {
    std::error_code ec;
    if (std::getenv("MQTTWS_KEEP_BROKER_DIR") == nullptr) fs::remove_all(pki.directory, ec);
  }
  pki_holder(const pki_holder&) = delete;
  pki_holder& operator=(const pki_holder&) = delete;
};

// The test that owns the broker failed: a broker of one test (destroyed inside it) or of a
// suite (destroyed in TearDownTestSuite, when no test is current).
bool current_test_failed() {
  ::testing::UnitTest* unit = ::testing::UnitTest::GetInstance();
  if (unit->current_test_info() != nullptr) return ::testing::Test::HasFailure();
  if (const ::testing::TestSuite* suite = unit->current_test_suite()) return suite->Failed();
  return unit->Failed();
}

}  // namespace

const char* to_string(listener l) noexcept {
  switch (l) {
    case listener::mqtt: return "mqtt";
    case listener::mqtts: return "mqtts";
    case listener::ws: return "ws";
    case listener::wss: return "wss";
    case listener::mqtts_mutual: return "mqtts_mutual";
  }
  return "?";
}

const test_pki& pki() {
  static pki_holder holder;  // thread-safe, once per process; retried if it threw
  return holder.pki;
}

std::uint16_t free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) fail(errno_text("socket"));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const std::string why = errno_text("bind");
    ::close(fd);
    fail(why);
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool loopback_port_accepts(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  // Loopback connects complete or fail at once; no timeout needed.
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

mosquitto_fixture::mosquitto_fixture(broker_options options) : options_(std::move(options)) {
  (void)pki();
  dir_ = make_temp_dir("mqttws-broker");
  config_file_ = dir_ + "/mosquitto.conf";
  log_file_ = dir_ + "/mosquitto.log";
  std::string acl;
  acl += std::string("user ") + user + "\ntopic readwrite #\n\n";
  acl += std::string("user ") + user2 + "\ntopic readwrite #\n\n";
  acl += std::string("user ") + limited_user + "\ntopic readwrite " + limited_allowed_filter +
         "\n";
  write_file(dir_ + "/acl", acl);
  if (options_.persistence) {
    const std::string data = dir_ + "/data";
    if (::mkdir(data.c_str(), 0755) != 0) fail(errno_text("mkdir"));
    // Run as root, mosquitto writes its database as user `mosquitto`.
    if (::geteuid() == 0) {
      if (const passwd* pw = ::getpwnam("mosquitto"); pw != nullptr) {
        if (::chown(data.c_str(), pw->pw_uid, pw->pw_gid) != 0) fail(errno_text("chown"));
      }
    }
  }
}

mosquitto_fixture::~mosquitto_fixture() {
  try {
    if (pid_ > 0) stop();
  } catch (...) {
  }
  const bool failed = current_test_failed();
  if (failed) {
    std::cerr << "mosquitto fixture: the test failed; broker log " << log_file_
              << " (directory kept), last lines:\n"
              << log_tail(60) << std::endl;
  }
  if (!failed && std::getenv("MQTTWS_KEEP_BROKER_DIR") == nullptr) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

void mosquitto_fixture::pick_ports() {
  for (std::size_t i = 0; i < listener_count; ++i) {
    std::uint16_t p = 0;
    bool duplicate = true;
    while (duplicate) {  // the kernel rarely hands out the same port twice in a row, but may
      p = free_loopback_port();
      duplicate = false;
      for (std::size_t j = 0; j < i; ++j) duplicate = duplicate || ports_[j] == p;
    }
    ports_[i] = p;
  }
}

void mosquitto_fixture::write_config() const {
  const test_pki& k = pki();
  std::ostringstream c;
  c << "# generated by mqttws' mosquitto fixture\n"
    << "per_listener_settings false\n"
    << "allow_anonymous false\n"
    << "password_file " << k.password_file << "\n"
    << "acl_file " << dir_ << "/acl\n"
    << "max_queued_messages 0\n"
    << "set_tcp_nodelay true\n"
    << "log_dest stderr\n"
    << "log_type all\n"
    << "log_timestamp_format %H:%M:%S\n"
    << "connection_messages true\n";
  if (options_.persistence) {
    c << "persistence true\n"
      << "persistence_location " << dir_ << "/data/\n";
  } else {
    c << "persistence false\n";
  }
  c << options_.extra_config << "\n";
  auto tls = [&](bool require_certificate) {
    c << "cafile " << k.ca_file << "\n"
      << "certfile " << k.server_cert << "\n"
      << "keyfile " << k.server_key << "\n";
    if (require_certificate) c << "require_certificate true\n";
  };
  c << "\nlistener " << port(listener::mqtt) << " 127.0.0.1\nprotocol mqtt\n";
  c << "\nlistener " << port(listener::mqtts) << " 127.0.0.1\nprotocol mqtt\n";
  tls(false);
  c << "\nlistener " << port(listener::ws) << " 127.0.0.1\nprotocol websockets\n";
  c << "\nlistener " << port(listener::wss) << " 127.0.0.1\nprotocol websockets\n";
  tls(false);
  c << "\nlistener " << port(listener::mqtts_mutual) << " 127.0.0.1\nprotocol mqtt\n";
  tls(true);
  write_file(config_file_, c.str());
}

bool mosquitto_fixture::spawn_and_wait(std::string& why) {
  static const std::string program = find_program("mosquitto", "MQTTWS_MOSQUITTO");
  {
    std::ofstream(log_file_, std::ios::app) << "==== mosquitto fixture: starting " << program
                                            << " -c " << config_file_ << "\n";
  }
  const std::size_t log_start = read_file(log_file_).size();
  pid_ = spawn({program, "-c", config_file_}, log_file_, true);
  const auto deadline = clock_type::now() + options_.start_timeout;
  for (;;) {
    if (!running()) {
      why = "mosquitto exited during start-up";
      return false;
    }
    bool all = true;
    for (std::uint16_t p : ports_) all = all && loopback_port_accepts(p);
    // Ports accept as soon as each one is bound, which is before mosquitto has finished
    // starting; "mosquitto version X running" comes after the last listener, so wait for it
    // too (a slow start under sanitizers showed the gap).
    all = all && read_file(log_file_).find(" running", log_start) != std::string::npos;
    if (all && running()) return true;
    if (clock_type::now() >= deadline) {
      why = "mosquitto did not accept connections on every port and log that it runs within " +
            std::to_string(options_.start_timeout.count()) + " ms";
      kill();
      return false;
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
}

void mosquitto_fixture::start() {
  if (pid_ > 0) fail("start(): the broker is already running");
  const bool fresh = ports_[0] == 0;
  std::string why;
  // A port picked as free may be taken before mosquitto binds it: new ports, next attempt. On a
  // restart the ports must stay the same: wait a little and try them again instead.
  for (int attempt = 0; attempt < (fresh ? 5 : 20); ++attempt) {
    if (fresh) pick_ports();
    write_config();
    if (spawn_and_wait(why)) return;
    const bool in_use = log_tail(10).find("in use") != std::string::npos;
    if (!in_use) break;
    if (!fresh) std::this_thread::sleep_for(milliseconds(250));
  }
  fail(why + " (log " + log_file_ + "):\n" + log_tail(30));
}

void mosquitto_fixture::reap(milliseconds grace) {
  const auto deadline = clock_type::now() + grace;
  while (running()) {
    if (clock_type::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(milliseconds(5));
  }
}

void mosquitto_fixture::stop() {
  if (!running()) return;
  ::kill(pid_, SIGTERM);
  ::kill(pid_, SIGCONT);  // a paused broker handles SIGTERM only once it runs again
  reap(milliseconds(5000));
}

void mosquitto_fixture::pause() {
  if (running()) ::kill(pid_, SIGSTOP);
}

void mosquitto_fixture::resume() {
  if (running()) ::kill(pid_, SIGCONT);
}

void mosquitto_fixture::kill() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  reap(milliseconds(5000));
}

void mosquitto_fixture::restart() {
  stop();
  start();
}

void mosquitto_fixture::kill_and_restart() {
  kill();
  start();
}

bool mosquitto_fixture::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == 0) return true;
  // Exited (r == pid_) or not our child any more (r < 0): either way it is gone.
  pid_ = -1;
  return false;
}

std::string mosquitto_fixture::url(listener l, const std::string& host) const {
  const std::string hp = host + ":" + std::to_string(port(l));
  switch (l) {
    case listener::mqtt: return "mqtt://" + hp;
    case listener::mqtts:
    case listener::mqtts_mutual: return "mqtts://" + hp;
    case listener::ws: return "ws://" + hp + "/";
    case listener::wss: return "wss://" + hp + "/";
  }
  return {};
}

std::string mosquitto_fixture::log() const { return read_file(log_file_); }

std::string mosquitto_fixture::log_tail(std::size_t lines) const {
  return last_lines(read_file(log_file_), lines);
}

}  // namespace mqttws::test
