// mqttws/version.hpp: the macros agree with each other and with the CMake project version.
#include "mqttws/version.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

TEST(Version, StringIsMajorDotMinorDotPatch) {
  EXPECT_EQ(std::string(MQTTWS_VERSION_STRING),
            std::to_string(MQTTWS_VERSION_MAJOR) + "." + std::to_string(MQTTWS_VERSION_MINOR) +
                "." + std::to_string(MQTTWS_VERSION_PATCH));
}

TEST(Version, MatchesTheProjectVersion) {
  EXPECT_STREQ(MQTTWS_VERSION_STRING, MQTTWS_EXPECTED_VERSION);
}

TEST(Version, NumberOrdersMajorMinorPatch) {
  EXPECT_EQ(MQTTWS_VERSION_NUMBER,
            MQTTWS_VERSION_MAJOR * 10000 + MQTTWS_VERSION_MINOR * 100 + MQTTWS_VERSION_PATCH);
}

}  // namespace
