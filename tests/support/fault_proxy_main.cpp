// fault_proxy: the test support proxy as a program, for test suites in other languages (the
// npm package's Jest tests). See fault_proxy.hpp for the faults.
//
//   fault_proxy --target PORT [--seed N] [--cut MIN:MAX] [--stall-after N] [--delay MS] [--split]
//
// Prints {"port":N} once it listens, then reads commands on stdin, one per line: `cut` (reset
// every open connection), `stall`, `resume`, `stats` (prints one JSON line). Ends on EOF.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "fault_proxy.hpp"

namespace {

bool number(const char* s, unsigned long long& out) {
  char* end = nullptr;
  out = std::strtoull(s, &end, 10);
  return end != s && *end == '\0';
}

int usage(const std::string& why) {
  std::cerr << "fault_proxy: " << why << "\n"
            << "usage: fault_proxy --target PORT [--seed N] [--cut MIN:MAX] [--stall-after N]"
               " [--delay MS] [--split]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mqttws::test;
  fault_plan plan;
  unsigned long long target = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    unsigned long long v = 0;
    if (a == "--split") {
      plan.split = true;
      continue;
    }
    if (i + 1 >= argc) return usage("option " + a + " needs a value");
    const char* value = argv[++i];
    if (a == "--cut") {
      const std::string s = value;
      const auto colon = s.find(':');
      unsigned long long lo = 0, hi = 0;
      if (colon == std::string::npos || !number(s.substr(0, colon).c_str(), lo) ||
          !number(s.substr(colon + 1).c_str(), hi) || lo == 0 || hi < lo) {
        return usage("--cut takes MIN:MAX bytes, 0 < MIN <= MAX");
      }
      plan.cut_min = lo;
      plan.cut_max = hi;
    } else if (!number(value, v)) {
      return usage("option " + a + " takes a number");
    } else if (a == "--target") {
      target = v;
    } else if (a == "--seed") {
      plan.seed = v;
    } else if (a == "--stall-after") {
      plan.stall_after = v;
    } else if (a == "--delay") {
      plan.delay = std::chrono::milliseconds(v);
    } else {
      return usage("unknown option " + a);
    }
  }
  if (target == 0 || target > 65535) return usage("--target PORT is required");
  fault_proxy proxy(static_cast<std::uint16_t>(target), plan);
  std::cout << "{\"port\":" << proxy.port() << "}" << std::endl;
  for (std::string line; std::getline(std::cin, line);) {
    if (line == "cut") {
      proxy.cut_all();
    } else if (line == "stall") {
      proxy.set_stalled(true);
    } else if (line == "resume") {
      proxy.set_stalled(false);
    } else if (line == "stats") {
      const fault_stats s = proxy.stats();
      std::cout << "{\"connections\":" << s.connections << ",\"cuts\":" << s.cuts
                << ",\"bytesUp\":" << s.bytes_up << ",\"bytesDown\":" << s.bytes_down << "}"
                << std::endl;
    } else if (!line.empty()) {
      std::cout << "{\"error\":\"unknown command\"}" << std::endl;
    }
  }
  return 0;
}
