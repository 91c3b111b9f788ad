// mqttws CLI — the subcommands. Each runs to completion and returns the exit code
// (cli_args.hpp: 0 ok, 1 connection/protocol failure or timeout).
#pragma once

#include "cli_args.hpp"

namespace mqttws::cli {

int run_pub(const parsed_args& args);
int run_sub(const parsed_args& args);
int run_bench(const parsed_args& args);

}  // namespace mqttws::cli
