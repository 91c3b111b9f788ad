// mqttws-house: the demo's devices. Simulates every room of a house, each room a native
// mqttws::client over wss:// (see demo-web/README.md for the topics), until SIGINT/SIGTERM.
//
//   mqttws-house --url wss://127.0.0.1:9443/ --cafile ca.pem --username devices
//   (password from MQTTWS_PASSWORD)
#include <cstdlib>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "house_args.hpp"
#include "room_device.hpp"

int main(int argc, char** argv) {
  using namespace mqttws::demo;
  house_args args;
  std::string error;
  if (!parse_house_args(argc, argv, args, error)) {
    std::cerr << "mqttws-house: " << error << "\n" << house_usage;
    return 2;
  }
  if (args.help) {
    std::cout << house_usage;
    return 0;
  }

  boost::asio::io_context io;
  std::seed_seq seq{args.seed.value_or(std::random_device{}())};
  std::vector<std::uint64_t> seeds(args.rooms.size());
  seq.generate(seeds.begin(), seeds.end());
  std::vector<std::unique_ptr<room_device>> rooms;
  for (std::size_t i = 0; i < args.rooms.size(); ++i) {
    rooms.push_back(
        std::make_unique<room_device>(io.get_executor(), args.device, args.rooms[i], seeds[i]));
    rooms.back()->start();
  }
  std::cout << "mqttws-house: " << rooms.size() << " rooms on " << args.device.url << std::endl;

  // A clean stop still says `offline`: each room disconnects with its Will (0x04).
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  std::size_t running = rooms.size();
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    std::cout << "mqttws-house: stopping" << std::endl;
    for (auto& r : rooms) {
      r->stop([&] {
        if (--running == 0) signals.cancel();
      });
    }
  });
  io.run();
  return EXIT_SUCCESS;
}
