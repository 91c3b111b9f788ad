// Internal: the CONNECT a session_config describes, as a packet (views) to encode or size.
#pragma once

#include <vector>

#include "mqttws/packets.hpp"
#include "mqttws/session_config.hpp"

namespace mqttws {

/// `packet` views the config and this object's user property lists: it lives no longer than
/// either, and the object does not move (hence no copies). Built for each CONNECT rather than
/// kept, so that the config stays the one place the values live.
class connect_view {
 public:
  connect_view(const session_config& c, bool clean_start);
  connect_view(const connect_view&) = delete;
  connect_view& operator=(const connect_view&) = delete;

  mqttws::connect packet;

 private:
  std::vector<user_property> users_, will_users_;
};

}  // namespace mqttws
