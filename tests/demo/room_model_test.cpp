// The simulated room: commands as demo-web/README.md specifies them, refusals that change
// nothing, the thermostat pulling the temperature toward its target, exact payloads.
#include <gtest/gtest.h>

#include <cmath>

#include "room_model.hpp"

namespace mqttws::demo {
namespace {

class room : public ::testing::Test {
 protected:
  std::mt19937_64 rng{42};
  room_model m{"kitchen", rng};
};

TEST_F(room, LightOnOffAndToggle) {
  ASSERT_TRUE(m.apply_light_command("on").ok);
  EXPECT_TRUE(m.light().on);
  ASSERT_TRUE(m.apply_light_command("off").ok);
  EXPECT_FALSE(m.light().on);
  ASSERT_TRUE(m.apply_light_command("toggle").ok);
  EXPECT_TRUE(m.light().on);
  ASSERT_TRUE(m.apply_light_command("toggle").ok);
  EXPECT_FALSE(m.light().on);
}

TEST_F(room, BrightnessAndOnFromJson) {
  ASSERT_TRUE(m.apply_light_command(R"({"brightness":35})").ok);
  EXPECT_EQ(m.light().brightness, 35);
  ASSERT_TRUE(m.apply_light_command(R"({"on":true,"brightness":100})").ok);
  EXPECT_EQ(m.light(), (light_state{true, 100}));
  EXPECT_EQ(m.light_payload(), R"({"on":true,"brightness":100})");
}

TEST_F(room, BadLightCommandsChangeNothing) {
  ASSERT_TRUE(m.apply_light_command(R"({"on":false,"brightness":50})").ok);
  const light_state before = m.light();
  for (const char* bad : {"", "ON", "dim", "{", "[]", "{}", R"({"brightness":101})",
                          R"({"brightness":-1})", R"({"brightness":50.5})",
                          R"({"on":"yes"})", R"({"on":true,"colour":"red"})",
                          R"({"on":true,"brightness":"x"})"}) {
    const command_result r = m.apply_light_command(bad);
    EXPECT_FALSE(r.ok) << bad;
    EXPECT_FALSE(r.error.empty()) << bad;
    EXPECT_EQ(m.light(), before) << bad;  // not even the valid field of a bad object
  }
}

TEST_F(room, ThermostatTakesANumberOrAnObjectRoundedToHalfDegrees) {
  ASSERT_TRUE(m.apply_thermostat_command("22.5").ok);
  EXPECT_EQ(m.target(), 22.5);
  ASSERT_TRUE(m.apply_thermostat_command(R"({"target":19.3})").ok);
  EXPECT_EQ(m.target(), 19.5);
  EXPECT_EQ(m.thermostat_payload(), R"({"target":19.5})");
  ASSERT_TRUE(m.apply_thermostat_command("5").ok);
  ASSERT_TRUE(m.apply_thermostat_command("30").ok);
  EXPECT_EQ(m.target(), 30.0);
}

TEST_F(room, ThermostatRefusesOutOfRangeAndGarbage) {
  ASSERT_TRUE(m.apply_thermostat_command("21").ok);
  for (const char* bad : {"", "warm", "4.9", "30.1", "-3", R"({"target":"21"})",
                          R"({"target":21,"mode":"eco"})", "[21]", "1e999"}) {
    const command_result r = m.apply_thermostat_command(bad);
    EXPECT_FALSE(r.ok) << bad;
    EXPECT_FALSE(r.error.empty()) << bad;
    EXPECT_EQ(m.target(), 21.0) << bad;
  }
}

TEST_F(room, TemperatureDriftsTowardTheTargetAndSettles) {
  ASSERT_TRUE(m.apply_thermostat_command("28").ok);
  const double start = m.temperature();
  EXPECT_EQ(m.mode(), thermostat_mode::heating);
  for (int i = 0; i < 200; ++i) m.tick(rng);
  EXPECT_GT(m.temperature(), start);
  EXPECT_NEAR(m.temperature(), 28.0, 0.5);
  ASSERT_TRUE(m.apply_thermostat_command("15").ok);
  EXPECT_EQ(m.mode(), thermostat_mode::cooling);
  for (int i = 0; i < 200; ++i) m.tick(rng);
  EXPECT_NEAR(m.temperature(), 15.0, 0.5);
}

TEST_F(room, OneTickMovesTheTemperatureByAtMostAFewTenths) {
  ASSERT_TRUE(m.apply_thermostat_command("30").ok);
  for (int i = 0; i < 50; ++i) {
    const double before = m.temperature();
    m.tick(rng);
    EXPECT_LE(std::abs(m.temperature() - before), 0.3 + 0.08 + 1e-9);
  }
}

TEST_F(room, HumidityStaysWithinItsBand) {
  for (int i = 0; i < 5000; ++i) {
    m.tick(rng);
    ASSERT_GE(m.humidity(), 30.0);
    ASSERT_LE(m.humidity(), 70.0);
  }
}

TEST_F(room, ThermostatReportHasEveryDocumentedField) {
  ASSERT_TRUE(m.apply_thermostat_command("21.5").ok);
  const std::string r = m.thermostat_report();
  const std::string current = one_decimal(m.temperature());
  EXPECT_EQ(r.rfind(R"({"room":"kitchen","target":21.5,"current":)", 0), 0u) << r;
  EXPECT_NE(r.find(R"("mode":")" + std::string(to_string(m.mode())) + "\""), std::string::npos);
  EXPECT_NE(r.find(R"("min":5.0,"max":30.0,"step":0.5})"), std::string::npos) << r;
}

TEST(one_decimal, RoundsAndNeverPrintsMinusZero) {
  EXPECT_EQ(one_decimal(21.45), "21.5");
  EXPECT_EQ(one_decimal(21.44), "21.4");
  EXPECT_EQ(one_decimal(-0.04), "0.0");
  EXPECT_EQ(one_decimal(-1.25), "-1.3");
}

TEST(room_model, SameSeedSameRoom) {
  std::mt19937_64 a(7), b(7);
  room_model x("garage", a), y("garage", b);
  EXPECT_EQ(x.temperature(), y.temperature());
  EXPECT_EQ(x.light(), y.light());
  EXPECT_EQ(x.target(), 12.0);  // garages are kept cool
}

}  // namespace
}  // namespace mqttws::demo
