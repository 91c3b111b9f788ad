// A fault-injecting TCP proxy for tests: listens on 127.0.0.1 and forwards every connection to
// 127.0.0.1:<target>, breaking it on purpose. It only moves bytes, so it serves mqtt://,
// mqtts://, ws:// and wss:// alike.
//
//   fault_plan plan;
//   plan.cut_min = 300; plan.cut_max = 3000;   // every connection dies after 300..3000 bytes
//   fault_proxy proxy(broker.port(listener::ws), plan);
//   ... connect the client to ws://127.0.0.1:<proxy.port()>/ ...
//
// Faults (each connection draws its own from the plan's seed, so a seed replays a run):
//  - cut: after N bytes in either direction (both counted together) the connection is reset
//    (RST) on both sides; N uniform in [cut_min, cut_max]; the bytes beyond N are never sent;
//  - stall: after `stall_after` bytes nothing more is passed, but both sockets stay open — a
//    half-open link, as a dead Wi-Fi or a NAT timeout makes it;
//  - delay: every chunk is held `delay` before it is forwarded (in order);
//  - split: forwarded one byte per write (TCP_NODELAY), the worst fragmentation there is.
// cut_all() and set_stalled() act on the connections of the moment, from any thread.
//
// Threading: the proxy runs on a thread of its own; every member function is thread-safe.
// The destructor stops it and closes every socket.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

namespace mqttws::test {

struct fault_plan {
  std::uint64_t seed = 1;
  std::size_t cut_min = 0;  ///< 0 and 0: never cut.
  std::size_t cut_max = 0;
  std::size_t stall_after = 0;  ///< 0: never stall on its own.
  std::chrono::milliseconds delay{0};
  bool split = false;
};

struct fault_stats {
  std::uint64_t connections = 0;  ///< Accepted.
  std::uint64_t cuts = 0;         ///< Reset by the plan or by cut_all().
  std::uint64_t bytes_up = 0;     ///< Forwarded client -> server.
  std::uint64_t bytes_down = 0;   ///< Forwarded server -> client.
};

class fault_proxy {
 public:
  /// Listens on an ephemeral port of 127.0.0.1 (port()) and forwards to 127.0.0.1:target_port.
  /// Throws std::system_error if it cannot listen.
  fault_proxy(std::uint16_t target_port, fault_plan plan);
  ~fault_proxy();
  fault_proxy(const fault_proxy&) = delete;
  fault_proxy& operator=(const fault_proxy&) = delete;

  std::uint16_t port() const { return port_; }
  /// Replaces the plan for connections accepted from now on.
  void set_plan(const fault_plan& plan);
  /// Resets every open connection now.
  void cut_all();
  /// Stops (true) or resumes (false) forwarding on every open connection and on new ones.
  void set_stalled(bool stalled);
  fault_stats stats() const;

 private:
  struct engine;
  std::unique_ptr<engine> e_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

}  // namespace mqttws::test
