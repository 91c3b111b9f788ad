// mqttws — the command-line tool: pub, sub and bench (see cli_help.cpp).
#include <csignal>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "cli_args.hpp"
#include "cli_commands.hpp"

int main(int argc, char** argv) {
  using namespace mqttws::cli;
  // A reader that went away (mqttws sub | head -1) must end the run, not kill it mid-write.
  std::signal(SIGPIPE, SIG_IGN);
  try {
    const std::vector<std::string> args(argv + 1, argv + argc);
    const parsed_args parsed = parse_args(args);
    switch (parsed.result) {
      case parsed_args::outcome::help:
        std::cout << parsed.text;
        return exit_ok;
      case parsed_args::outcome::usage_error:
        std::cerr << "mqttws: " << parsed.text << "\n"
                  << "usage: mqttws pub|sub|bench (-L URL | -h HOST) ..."
                     " (mqttws SUBCOMMAND --help)\n";
        return exit_usage;
      case parsed_args::outcome::run:
        break;
    }
    switch (parsed.cmd) {
      case command::pub: return run_pub(parsed);
      case command::sub: return run_sub(parsed);
      case command::bench: return run_bench(parsed);
    }
  } catch (const std::exception& e) {
    std::cerr << "mqttws: internal error: " << e.what() << std::endl;
  } catch (...) {
    std::cerr << "mqttws: internal error" << std::endl;
  }
  return exit_failure;
}
