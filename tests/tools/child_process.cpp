#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace mqttws::test {
namespace {

using clock_type = std::chrono::steady_clock;

void make_pipe(int fds[2]) {
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
  }
}

}  // namespace

child_process::child_process(const std::string& program, const std::vector<std::string>& args) {
  int in[2], out[2], err[2];
  make_pipe(in);
  make_pipe(out);
  make_pipe(err);
  std::vector<std::string> all{program};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  if (pid_ < 0) {
    ::close(in[1]);
    ::close(out[0]);
    ::close(err[0]);
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  }
  in_ = in[1];
  out_ = out[0];
  err_ = err[0];
  // The child may exit without reading its stdin: a write must fail, not kill the test.
  ::signal(SIGPIPE, SIG_IGN);
}

child_process::~child_process() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  for (int fd : {in_, out_, err_}) {
    if (fd >= 0) ::close(fd);
  }
}

void child_process::write_stdin(const std::string& data) {
  std::size_t done = 0;
  while (in_ >= 0 && done < data.size()) {
    const ssize_t n = ::write(in_, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // EPIPE: it closed stdin
    }
    done += static_cast<std::size_t>(n);
  }
}

void child_process::close_stdin() {
  if (in_ >= 0) ::close(in_);
  in_ = -1;
}

void child_process::signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

void child_process::pump(int ms) {
  pollfd fds[2];
  nfds_t n = 0;
  if (out_ >= 0) fds[n++] = {out_, POLLIN, 0};
  if (err_ >= 0) fds[n++] = {err_, POLLIN, 0};
  if (n == 0) return;
  if (::poll(fds, n, ms) <= 0) return;
  for (nfds_t i = 0; i < n; ++i) {
    if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
    char buf[4096];
    const ssize_t r = ::read(fds[i].fd, buf, sizeof buf);
    const bool is_out = fds[i].fd == out_;
    if (r > 0) {
      (is_out ? result_.out : result_.err).append(buf, static_cast<std::size_t>(r));
    } else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
      ::close(fds[i].fd);
      (is_out ? out_ : err_) = -1;
    }
  }
}

bool child_process::wait_for(const std::string& output, const int& fd, const std::string& text,
                             std::chrono::milliseconds timeout) {
  const auto deadline = clock_type::now() + timeout;
  while (output.find(text) == std::string::npos) {
    if (fd < 0 || clock_type::now() >= deadline) return false;
    pump(20);
  }
  return true;
}

bool child_process::wait_for_stderr(const std::string& text, std::chrono::milliseconds timeout) {
  return wait_for(result_.err, err_, text, timeout);
}

bool child_process::wait_for_stdout(const std::string& text, std::chrono::milliseconds timeout) {
  return wait_for(result_.out, out_, text, timeout);
}

process_result child_process::wait(std::chrono::milliseconds timeout) {
  close_stdin();
  const auto deadline = clock_type::now() + timeout;
  while (out_ >= 0 || err_ >= 0) {
    if (clock_type::now() >= deadline) {
      result_.timed_out = true;
      ::kill(pid_, SIGKILL);
      break;
    }
    pump(20);
  }
  int status = 0;
  // Output closed: the child is exiting (or a grandchild kept the pipes; bounded anyway).
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (clock_type::now() >= deadline) {
      result_.timed_out = true;
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    ::usleep(5000);
  }
  pid_ = -1;
  result_.exit_code = WIFEXITED(status) && !result_.timed_out ? WEXITSTATUS(status) : -1;
  return result_;
}

process_result run_process(const std::string& program, const std::vector<std::string>& args,
                           const std::string& input, std::chrono::milliseconds timeout) {
  child_process p(program, args);
  p.write_stdin(input);
  return p.wait(timeout);
}

}  // namespace mqttws::test
