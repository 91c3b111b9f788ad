// tests/tools — runs a program as a child process with its stdin, stdout and stderr on pipes;
// every wait is bounded (the child is killed when a deadline passes).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace mqttws::test {

struct process_result {
  int exit_code = -1;      ///< The exit status, or -1 if killed by a signal (or by us).
  bool timed_out = false;  ///< We killed it because the deadline passed.
  std::string out;         ///< Everything it wrote to stdout.
  std::string err;         ///< ... and to stderr.
};

class child_process {
 public:
  /// Starts `program` with `args` (argv[1...]). Throws std::runtime_error if it cannot.
  child_process(const std::string& program, const std::vector<std::string>& args);
  /// Kills the child if it still runs.
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  /// Writes to its stdin (all of it, or as much as it takes before it closes stdin).
  void write_stdin(const std::string& data);
  void close_stdin();

  /// Reads its output until stderr contains `text`; false if the deadline passed or the child
  /// closed its stderr first.
  bool wait_for_stderr(const std::string& text, std::chrono::milliseconds timeout);
  /// The same for stdout.
  bool wait_for_stdout(const std::string& text, std::chrono::milliseconds timeout);
  /// What it wrote to stdout so far (as read by the waits above).
  const std::string& stdout_so_far() const { return result_.out; }

  /// Closes stdin, reads everything until the child exits, and reaps it; kills it (SIGKILL)
  /// if that takes longer than `timeout`.
  process_result wait(std::chrono::milliseconds timeout);

  /// Sends a signal (e.g. SIGINT).
  void signal(int sig);

 private:
  // Reads what is available from stdout/stderr, waiting at most `ms` for something.
  void pump(int ms);
  // Until `output` (fed by `fd`, -1 once closed) contains `text`.
  bool wait_for(const std::string& output, const int& fd, const std::string& text,
                std::chrono::milliseconds timeout);

  pid_t pid_ = -1;
  int in_ = -1, out_ = -1, err_ = -1;
  process_result result_;
};

/// Runs to completion: start, write `input` to stdin, wait (bounded).
process_result run_process(const std::string& program, const std::vector<std::string>& args,
                           const std::string& input = {},
                           std::chrono::milliseconds timeout = std::chrono::seconds(20));

}  // namespace mqttws::test
