// mqttws — session events as event records for the host (npm/src/raw.ts decodes them).
#pragma once

#include "mqttws/session_event.hpp"
#include "record.hpp"

namespace mqttws::wasm {

/// The first byte of an event record.
enum class kind : unsigned {
  connect = 1, disconnect, reconnect, message, operation, auth, packet,
  error,      ///< a command's refusal: error
  client_id,  ///< answer to driver::client_id(): str
};

/// Writes `e` as one record: its kind, then its fields (see raw.ts for the layouts).
void write_event(record_writer& w, const session_event& e);

}  // namespace mqttws::wasm
