// How `mqttws sub` prints a message: payload only, -v, -N, -F (as mosquitto_sub).
#include <gtest/gtest.h>

#include "cli_output.hpp"

namespace mqttws::cli {
namespace {

const auto when = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));

publish message(std::string_view topic, std::string_view payload) {
  publish p;
  p.topic = topic;
  p.payload = payload;
  return p;
}

TEST(CliOutput, PayloadOnlyByDefaultWithANewline) {
  EXPECT_EQ(format_message(message("a/b", "21.5"), {}, when), "21.5\n");
}

TEST(CliOutput, NoEolOmitsTheNewline) {
  print_options o;
  o.no_eol = true;
  EXPECT_EQ(format_message(message("a/b", "21.5"), o, when), "21.5");
}

TEST(CliOutput, VerbosePrintsTopicSpacePayload) {
  print_options o;
  o.verbose = true;
  EXPECT_EQ(format_message(message("a/b", "21.5"), o, when), "a/b 21.5\n");
}

TEST(CliOutput, VerboseShowsAnEmptyPayloadAsNull) {
  print_options o;
  o.verbose = true;
  EXPECT_EQ(format_message(message("a/b", ""), o, when), "a/b (null)\n");
}

TEST(CliOutput, FormatExpandsMessageFields) {
  publish p = message("t/x", "AB");
  p.qos = qos::at_least_once;
  p.retain = true;
  p.packet_id = 7;
  print_options o;
  o.format = "%t|%p|%q|%r|%l|%m|%x|%X|%%";
  EXPECT_EQ(format_message(p, o, when), "t/x|AB|1|1|2|7|4142|4142|%\n");
}

TEST(CliOutput, FormatOverridesVerboseButNotNoEol) {
  print_options o;
  o.verbose = true;
  o.no_eol = true;
  o.format = "%p";
  EXPECT_EQ(format_message(message("t", "x"), o, when), "x");
}

TEST(CliOutput, FormatExpandsBackslashEscapes) {
  print_options o;
  o.format = "%t\\t%p\\\\";
  EXPECT_EQ(format_message(message("t", "x"), o, when), "t\tx\\\n");
}

TEST(CliOutput, FormatExpandsV5Properties) {
  publish p = message("t", "x");
  const user_property users[] = {{"unit", "celsius"}, {"room", "kitchen"}};
  p.props.user_properties = user_property_list(users, 2);
  p.props.content_type = "text/plain";
  p.props.response_topic = "reply/me";
  p.props.correlation_data = std::string_view("\x01\xff", 2);
  p.props.message_expiry_interval = 30;
  print_options o;
  o.format = "%P;%C;%R;%D;%E";
  EXPECT_EQ(format_message(p, o, when), "unit:celsius room:kitchen;text/plain;reply/me;01ff;30\n");
}

TEST(CliOutput, FormatPrintsUnixTime) {
  print_options o;
  o.format = "%U";
  EXPECT_EQ(format_message(message("t", "x"), o, when), "1700000000.000000000\n");
}

TEST(CliOutput, UnknownFormatSequencesArePrintedAsWritten) {
  print_options o;
  o.format = "%Z %";
  EXPECT_EQ(format_message(message("t", "x"), o, when), "%Z %\n");
}

}  // namespace
}  // namespace mqttws::cli
