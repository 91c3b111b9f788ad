// mqttws-house's command line: defaults, every option, and clear refusals.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

#include "house_args.hpp"

namespace mqttws::demo {
namespace {

struct argv_holder {
  std::vector<std::string> strings;
  std::vector<char*> ptrs;
  argv_holder(std::initializer_list<const char*> args) {
    strings.emplace_back("mqttws-house");
    for (const char* a : args) strings.emplace_back(a);
    for (auto& s : strings) ptrs.push_back(s.data());
  }
  int argc() { return static_cast<int>(ptrs.size()); }
  char** argv() { return ptrs.data(); }
};

bool parse(std::initializer_list<const char*> args, house_args& out, std::string& error) {
  argv_holder a(args);
  return parse_house_args(a.argc(), a.argv(), out, error);
}

class house_args_test : public ::testing::Test {
 protected:
  void SetUp() override { setenv("MQTTWS_PASSWORD", "from-env", 1); }
  void TearDown() override { unsetenv("MQTTWS_PASSWORD"); }
  house_args out;
  std::string error;
};

TEST_F(house_args_test, DefaultsAreTheDemoHouse) {
  ASSERT_TRUE(parse({}, out, error)) << error;
  EXPECT_EQ(out.device.url, "wss://127.0.0.1:9443/");
  EXPECT_EQ(out.device.username, "devices");
  EXPECT_EQ(out.device.password, "from-env");
  EXPECT_EQ(out.rooms,
            (std::vector<std::string>{"living_room", "kitchen", "bedroom", "bathroom", "garage"}));
  EXPECT_EQ(out.device.confirm_delay, std::chrono::milliseconds(300));
  EXPECT_FALSE(out.seed.has_value());
}

TEST_F(house_args_test, EveryOption) {
  ASSERT_TRUE(parse({"--url", "ws://127.0.0.1:1/", "--cafile", "ca.pem", "--username", "u",
                     "--rooms", "attic,cellar_2", "--confirm-delay-ms", "1500", "--seed", "9",
                     "-v"},
                    out, error))
      << error;
  EXPECT_EQ(out.device.url, "ws://127.0.0.1:1/");
  EXPECT_EQ(out.device.tls.ca_file, "ca.pem");
  EXPECT_EQ(out.device.username, "u");
  EXPECT_EQ(out.rooms, (std::vector<std::string>{"attic", "cellar_2"}));
  EXPECT_EQ(out.device.confirm_delay, std::chrono::milliseconds(1500));
  EXPECT_EQ(out.seed, 9u);
  EXPECT_TRUE(out.device.verbose);
}

TEST_F(house_args_test, PasswordFileWinsOverTheEnvironment) {
  const std::string path = ::testing::TempDir() + "house_password";
  std::ofstream(path) << "from-file\n";
  ASSERT_TRUE(parse({"--password-file", path.c_str()}, out, error)) << error;
  EXPECT_EQ(out.device.password, "from-file");
}

TEST_F(house_args_test, RefusalsSayWhatIsWrong) {
  EXPECT_FALSE(parse({"--nope"}, out, error));
  EXPECT_EQ(error, "unknown option '--nope'");
  EXPECT_FALSE(parse({"--url"}, out, error));
  EXPECT_EQ(error, "option --url needs a value");
  EXPECT_FALSE(parse({"--rooms", "home/#"}, out, error));
  EXPECT_EQ(error, "room names are lower-case letters, digits and '_': 'home/#'");
  EXPECT_FALSE(parse({"--rooms", ""}, out, error));
  EXPECT_EQ(error, "--rooms names no room");
  EXPECT_FALSE(parse({"--confirm-delay-ms", "-5"}, out, error));
  EXPECT_EQ(error, "--confirm-delay-ms takes 0..60000, not '-5'");
  EXPECT_FALSE(parse({"--seed", "x"}, out, error));
  EXPECT_EQ(error, "--seed takes a non-negative integer, not 'x'");
  EXPECT_FALSE(parse({"--password-file", "/nonexistent/pw"}, out, error));
  EXPECT_EQ(error, "cannot read the password from '/nonexistent/pw'");
}

TEST_F(house_args_test, NoPasswordAnywhereIsAnError) {
  unsetenv("MQTTWS_PASSWORD");
  EXPECT_FALSE(parse({}, out, error));
  EXPECT_EQ(error, "no password: set MQTTWS_PASSWORD or give --password-file");
}

}  // namespace
}  // namespace mqttws::demo
