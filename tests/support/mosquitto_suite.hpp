// mosquitto_suite: a GoogleTest fixture whose tests share one started mosquitto — started in
// SetUpTestSuite, stopped in TearDownTestSuite — because starting one per test would dominate
// the run time. Tests use topics of their own.
//
//   class my_suite : public mqttws::test::mosquitto_suite {};
//   TEST_F(my_suite, ...) { use(broker().url(listener::ws)); }
//
// Threading: as mosquitto_fixture, one thread. Suites run one after another, so the one
// pointer serves every suite that derives from this class in turn.
#pragma once

#include <gtest/gtest.h>

#include "mosquitto_fixture.hpp"

namespace mqttws::test {

class mosquitto_suite : public ::testing::Test {
 protected:
  /// Throws std::runtime_error (with the broker log's tail) if the broker does not start.
  static void SetUpTestSuite() {
    broker_ = new mosquitto_fixture();
    broker_->start();
  }
  static void TearDownTestSuite() {
    delete broker_;
    broker_ = nullptr;
  }
  static mosquitto_fixture& broker() { return *broker_; }

 private:
  static inline mosquitto_fixture* broker_ = nullptr;
};

}  // namespace mqttws::test
