// mqttws CLI — the table of every flag: its spellings, the subcommands that take it, its value,
// its one line of help and what it does. Parsing (cli_args.cpp), the --help texts
// (cli_help.cpp) and the tests (tests/tools/cli_args_test.cpp) all read this one table, so a
// flag cannot be parsed without being documented, or documented for a subcommand that refuses
// it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli_args.hpp"

namespace mqttws::cli {

/// The subcommands that accept a flag, as a bit set.
enum command_mask : unsigned {
  for_pub = 1U,
  for_sub = 2U,
  for_bench = 4U,
  for_pub_sub = for_pub | for_sub,
  for_all = for_pub | for_sub | for_bench,
};
unsigned mask_of(command c);

/// Where a flag is listed in --help.
enum class flag_group { command, connection, tls };

/// What the parser learns besides parsed_args while it reads the flags; check() in
/// cli_args.cpp resolves it once every flag is read (order on the command line is free).
struct parse_state {
  parsed_args out;
  bool source_given = false;       // pub: one of -m -f -l -s -n
  bool bench_topic_given = false;  // bench -t
  std::string password_file;       // --password-file, read at the end
  std::optional<std::string> host;      // -h
  std::optional<std::uint16_t> port;    // -p
  // From mqtt(s) -L URLs: every URL that gives them must agree (see handle_url).
  std::optional<std::string> url_topic;
  std::optional<std::string> url_user;
  std::optional<std::string> url_password;
};

/// What a flag's handler works with: the state, and the arguments after the flag.
class flag_context {
 public:
  flag_context(parse_state& s, const std::vector<std::string>& args, std::size_t& index)
      : state(s), args_(args), index_(index), spelling_(args[index]) {}

  /// The next argument as this flag's value; false (and the usage error) if there is none.
  bool value(std::string& v);
  /// Records the usage error; returns false for `return c.fail(...)`.
  bool fail(std::string why);
  /// The flag as the user spelled it ("-t" or "--topic").
  const std::string& spelling() const { return spelling_; }
  const std::string& error() const { return error_; }

  parse_state& state;  // public: every handler writes to it, that is all it is for

 private:
  const std::vector<std::string>& args_;
  std::size_t& index_;
  std::string spelling_;  // a copy: index_ moves on as values are read
  std::string error_;
};

struct flag_spec {
  const char* short_name;  ///< "-t", or "" when there is none
  const char* long_name;   ///< "--topic", or ""
  unsigned commands;       ///< command_mask bits
  flag_group group;
  const char* value_name;  ///< "TOPIC" for --help; "" for a switch
  const char* help;        ///< one line
  /// Reads the flag's values (through flag_context::value) and sets what they mean.
  bool (*handle)(flag_context&);
  /// Values that parse (and any companion flag they need, e.g. "-i me" for -c), split at
  /// spaces: the tests run every flag with it.
  const char* example;
};

/// Every flag, in --help order.
const std::vector<flag_spec>& flag_table();

/// The flag `spelling` means for `c`, or nullptr. Some spellings mean different things per
/// subcommand (bench's -c -n -s -t, as in emqtt-bench): each meaning is its own entry.
const flag_spec* find_flag(command c, const std::string& spelling);
/// The subcommands that take `spelling`, in any meaning; 0 for an unknown flag (for
/// "unknown option" versus "does not apply to pub").
unsigned commands_taking(const std::string& spelling);

/// "-t, --topic TOPIC": the left column of --help.
std::string flag_usage(const flag_spec& f);
/// The --help lines of `c`'s flags in `g`.
std::string flag_help(command c, flag_group g);
/// "pub", "sub", "bench", "pub and sub", ...: for messages.
std::string commands_text(unsigned mask);
const char* command_name(command c);

}  // namespace mqttws::cli
