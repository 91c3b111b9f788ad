// Uses the installed headers and libraries: builds a client (no broker needed) and checks
// that options are validated by the installed library.
#include <boost/asio/io_context.hpp>
#include <iostream>
#include <vector>

#include "mqttws/client.hpp"
#include "mqttws/file_store.hpp"

int main() {
  boost::asio::io_context io;
  mqttws::client_options options;
  options.endpoints = {"wss://broker.example/mqtt"};
  options.client_id = "downstream";
  mqttws::client c(io.get_executor(), options);
  if (mqttws::client::validate(options)) {
    std::cerr << "valid options refused\n";
    return 1;
  }
  options.endpoints = {"gopher://broker.example"};
  if (!mqttws::client::validate(options)) {
    std::cerr << "a bad URL was accepted\n";
    return 1;
  }
  mqttws::file_store store;  // closed: the installed store library answers not_open
  std::vector<mqttws::stored_publish> messages;
  std::vector<std::uint16_t> incoming;
  if (store.load(messages, incoming) != mqttws::store_errc::not_open) {
    std::cerr << "file_store misbehaves\n";
    return 1;
  }
  std::cout << "downstream ok (state " << static_cast<int>(c.state()) << ")\n";
  return 0;
}
