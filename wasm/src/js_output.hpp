// mqttws — the core's results as JavaScript values: errors, properties and session events,
// in the shapes the npm package's TypeScript declares (npm/src/core.ts) and MQTT.js users
// know (property names, `cmd` names).
#pragma once

#include <emscripten/val.h>

#include <string_view>
#include <system_error>

#include "js_object.hpp"
#include "mqttws/packets.hpp"
#include "mqttws/properties.hpp"
#include "mqttws/session_event.hpp"

namespace mqttws::wasm {

/// The browser socket's errors, reported as their POSIX names. Its own category rather than
/// std::generic_category(), whose texts the module leaves out (system_error.cpp).
enum class socket_errc { connection_refused = 1, connection_reset, invalid_argument, network_down };
std::error_code make_error_code(socket_errc e);

/// null for no error, else { code, message }: `code` the errc name ("connection_refused") or,
/// for a socket error, the POSIX name ("ECONNREFUSED"); `what`, when given, follows the message.
emscripten::val error_to_js(std::error_code ec, std::string_view what = {});

/// An MQTT.js-shaped properties object (only the properties present; repeated
/// subscriptionIdentifier and userProperties values as arrays).
emscripten::val properties_to_js(const properties& p);

/// A string from UTF-8 bytes.
emscripten::val string_to_js(std::string_view s);
/// A Uint8Array copy of `b`.
emscripten::val bytes_to_js(std::string_view b);

/// A publish as { topic, payload, qos, retain, dup, messageId?, properties? }.
emscripten::val message_to_js(const publish& p);

/// Every event but a message (the driver hands those over positionally, it is the hot path;
/// a message gives undefined) as { type: 'connect' | 'disconnect' | 'reconnect' |
/// 'operation' | 'auth', ... }.
emscripten::val event_to_js(const session_event& e);

/// The MQTT.js name of a packet type ('publish', 'puback', ...).
const char* cmd_name(packet_type t);

/// Sets on `o` a whole packet in the shape MQTT.js (mqtt-packet) gives it: { cmd, ... } — connect
/// { protocolId, protocolVersion, clean, keepalive, clientId, username?, password?, will? },
/// connack { sessionPresent, returnCode (3.1.1) or reasonCode (5) }, publish as
/// message_to_js(), puback/pubrec/pubrel/pubcomp { messageId, reasonCode? }, subscribe
/// { messageId, subscriptions: [{ topic, qos, nl, rap, rh }] }, suback { messageId, granted },
/// unsubscribe { messageId, unsubscriptions }, unsuback { messageId, granted? (5) },
/// disconnect and auth { reasonCode? }; each with properties when it has any.
void set_packet(js_object& o, const packet& p, protocol_version v);

}  // namespace mqttws::wasm
