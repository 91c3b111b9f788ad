// mqttws examples — where the examples connect: the broker named by the environment, so the
// same programs run against a local mosquitto, a cloud broker or the test suite's broker.
//   MQTTWS_URL       broker URL (default ws://localhost:8080/): ws://, wss://, mqtt://, mqtts://
//   MQTTWS_USERNAME, MQTTWS_PASSWORD   credentials, if the broker wants them
//   MQTTWS_CA_FILE   PEM file of the CA that signed the broker's certificate (wss://, mqtts://)
#pragma once

#include <cstdlib>
#include <string>

#include <mqttws/client_options.hpp>

namespace example {

inline mqttws::client_options broker_from_env() {
  auto env = [](const char* name) -> const char* { return std::getenv(name); };
  mqttws::client_options o;
  o.endpoints = {env("MQTTWS_URL") ? env("MQTTWS_URL") : "ws://localhost:8080/"};
  if (env("MQTTWS_USERNAME")) o.username = env("MQTTWS_USERNAME");
  if (env("MQTTWS_PASSWORD")) o.password = env("MQTTWS_PASSWORD");
  if (env("MQTTWS_CA_FILE")) o.tls.ca_file = env("MQTTWS_CA_FILE");
  return o;
}

}  // namespace example
