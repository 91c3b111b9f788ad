// mqtt-packet byte vectors: the mqttws codec checked against an independent implementation.
//
// scripts/gen-mqtt-packet-vectors.js runs the test suite of the npm package `mqtt-packet` (the
// codec of MQTT.js) and records every packet it parsed or generated, and every error it
// reported, as language-neutral JSON (format: see the header comment of that script). This test
// replays the record against mqttws:
//
//  - parse vectors: the bytes go through a fresh mqttws::stream_decoder started at the vector's
//    protocol version. Every packet mqtt-packet emitted must come out with the same fields, and
//    where mqtt-packet reported an error ours must report one too (any errc). Each decoded packet
//    is also re-encoded and decoded again (semantic round trip); the re-encoding must reproduce
//    the original bytes unless a freedom the spec grants explains the difference (see
//    `freedom`).
//  - generate vectors: the input object becomes our packet struct (with mqtt-packet's defaults)
//    and is encoded. Our bytes must decode to the packet their bytes decode to and be identical
//    to theirs (same exceptions); where mqtt-packet refused to encode we must refuse too. Inputs
//    that only a dynamically typed API can express (messageId "a", keepalive 3.1416, ...) are
//    skipped and counted when mqtt-packet rejected them.
//
// Every other disagreement is a failure unless it is on kAllowList below, which says, with the
// spec reference, why mqttws is right to differ. The Summary test fails when the vector file is
// missing, when fewer than 200 vectors were checked, or when a packet type was not covered.
//
// The test runs natively and under node (em++, NODERAWFS); it uses no exceptions.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

// Under em++ a throw aborts the process. JSON_NOEXCEPTION turns every throw inside nlohmann::json
// into an abort on every platform, so nothing here can silently rely on exceptions: the file is
// parsed with allow_exceptions == false and every value's type is checked before it is read.
#define JSON_NOEXCEPTION 1
#include <nlohmann/json.hpp>

#include "mqttws/codec.hpp"
#include "mqttws/error.hpp"
#include "mqttws/stream_decoder.hpp"

#ifndef MQTTWS_VECTORS_FILE
#define MQTTWS_VECTORS_FILE "build/mqtt-packet-vectors.json"
#endif

namespace mqttws {
namespace {

using json = nlohmann::json;           // what we compare: objects are sorted maps
using ojson = nlohmann::ordered_json;  // the vector file: keeps JavaScript key order

constexpr const char* kVectorsFile = MQTTWS_VECTORS_FILE;
constexpr const char* kHowToGenerate =
    "generate it from the repository root with `node scripts/gen-mqtt-packet-vectors.js "
    "build/mqtt-packet-vectors.json` (after `cd npm && npm install`)";

// Two vectors of mqtt-packet carry a 256 MiB publish. Natively we materialize it; under
// node/wasm the memory it needs is not worth it, so vectors above this size are skipped there.
#ifdef __EMSCRIPTEN__
constexpr std::uint64_t kMaxVectorBytes = std::uint64_t{16} << 20;
#else
constexpr std::uint64_t kMaxVectorBytes = ~std::uint64_t{0};
#endif

constexpr std::size_t kMinCheckedVectors = 200;

// ---- the allow-list ---------------------------------------------------------------------------

enum class deviation {
  we_reject,        // mqtt-packet accepts (parses / encodes) what mqttws rejects
  we_accept,        // mqtt-packet rejects what mqttws accepts
  unrepresentable,  // mqtt-packet encodes an object our structs cannot express
};

// After an allowed rejection the vector can be checked again with the offending value replaced,
// so the rest of it (often a packet full of properties) is still compared field by field.
struct variant_fix {
  const char* from_hex = nullptr;  // one byte-aligned occurrence in "hex", replaced by to_hex
  const char* to_hex = nullptr;
  const char* property = nullptr;  // property set to `value` in the packets / the object
  int value = 0;
};

struct allowance {
  const char* kind;    // "parse" or "generate"
  const char* test;    // mqtt-packet's test name
  const char* hex;     // parse: the input bytes; generate: mqtt-packet's output ("" if it failed)
  deviation what;
  errc code;           // we_reject: the error mqttws must report (errc{}: not checked)
  const char* reason;  // why mqttws is right, with the spec reference
  variant_fix fix = {};
};

constexpr variant_fix kMaximumQoS1{"2402", "2401", "maximumQoS", 1};

const allowance kAllowList[] = {
    // -- Mosquitto's "bridge mode": protocol level | 0x80 ---------------------------------------
    {"parse", "connect MQTT bridge 131 parse", "101200064d51497364708300001e000474657374",
     deviation::we_reject, errc::unsupported_protocol_version,
     "protocol level 0x83 (3 | 0x80) is mqtt-packet's bridgeMode, a non-standard Mosquitto "
     "extension; MQTT 3.1.1 section 3.1.2.2 defines level 4 (3 for \"MQIsdp\") and any other "
     "level is an unacceptable protocol level [MQTT-3.1.2-2]"},
    {"parse", "connect MQTT bridge 132 parse", "101200064d51497364708400001e000474657374",
     deviation::we_reject, errc::unsupported_protocol_version,
     "protocol name \"MQIsdp\" with level 0x84 (4 | 0x80): non-standard bridge mode as above, "
     "and \"MQIsdp\" only ever goes with level 3 (MQTT 3.1)"},
    {"generate", "connect MQTT bridge 131 generate", "101200064d51497364708300001e000474657374",
     deviation::unrepresentable, errc{},
     "mqttws::connect has no bridge flag: protocol level | 0x80 is not MQTT (MQTT 3.1.1 section "
     "3.1.2.2, [MQTT-3.1.2-2]); the same CONNECT without the bit is covered by \"minimal "
     "connect generate\""},
    {"generate", "connect MQTT bridge 132 generate", "101200064d51497364708400001e000474657374",
     deviation::unrepresentable, errc{},
     "bridge mode with protocol name \"MQIsdp\" and level 4: neither is expressible (the name "
     "follows from the level in mqttws, and level | 0x80 is not MQTT)"},

    // -- MQTT 5 CONNACK: reason code and property length are mandatory ------------------------
    {"parse", "Version 4 CONACK in Version 5 mode", "20020001", deviation::we_reject,
     errc::invalid_reason_code,
     "0x01 is not an MQTT 5 CONNACK reason code (MQTT 5 section 3.2.2.2, table 3-1: refusals "
     "are 0x80 and above); moreover the v5 CONNACK lacks its Property Length (section "
     "3.2.2.3.1). mqtt-packet reports it as reasonCode 1"},
    {"parse", "Version 5 CONNACK test 1", "200101", deviation::we_reject, errc::truncated_packet,
     "the MQTT 5 CONNACK variable header is Acknowledge Flags, Connect Reason Code and "
     "Properties (section 3.2.2); unlike PUBACK (3.4.2.1), DISCONNECT (3.14.2.1) and AUTH "
     "(3.15.2.1) the spec lets CONNACK omit neither the reason code nor the Property Length. "
     "mqtt-packet defaults the missing reason code to 0"},
    {"parse", "Version 5 CONNACK test 2", "20020100", deviation::we_reject,
     errc::truncated_packet,
     "the MQTT 5 CONNACK has a mandatory Property Length (section 3.2.2.3.1); there is no "
     "\"Remaining Length less than N\" omission rule for CONNACK as there is for PUBACK "
     "(3.4.2.2.1) or DISCONNECT (3.14.2.2.1)"},

    // -- Maximum QoS 2 ----------------------------------------------------------------------------
    {"parse", "connack MQTT 5 with properties parse",
     "205700005411000004d22101b0240225012700000064120004746573742201c81f00047465737426000474657"
     "374000474657374280129012a001304d21a0004746573741c0004746573741500047465737416000401020304",
     deviation::we_reject, errc::invalid_property_value,
     "Maximum QoS 2: \"It is a Protocol Error to include Maximum QoS more than once, or to have "
     "a value other than 0 or 1\" (MQTT 5 section 3.2.2.3.4; absent means 2). Checked again "
     "with Maximum QoS 1",
     kMaximumQoS1},
    {"parse", "connack MQTT 5 with properties and doubled user properties parse",
     "206400006111000004d22101b0240225012700000064120004746573742201c81f00047465737426000474657"
     "3740004746573742600047465737400047465737428012901"
     "2a001304d21a0004746573741c0004746573741500047465737416000401020304",
     deviation::we_reject, errc::invalid_property_value,
     "Maximum QoS 2 is a Protocol Error (MQTT 5 section 3.2.2.3.4). Checked again with Maximum "
     "QoS 1",
     kMaximumQoS1},
    {"generate", "connack MQTT 5 with properties generate",
     "205700005411000004d22101b0240225012700000064120004746573742201c81f00047465737426000474657"
     "374000474657374280129012a001304d21a0004746573741c0004746573741500047465737416000401020304",
     deviation::we_reject, errc::invalid_property_value,
     "encode() refuses Maximum QoS 2, a Protocol Error (MQTT 5 section 3.2.2.3.4): encode never "
     "produces what decode rejects. Checked again with Maximum QoS 1",
     kMaximumQoS1},
    {"generate", "connack MQTT 5 with properties and doubled user properties generate",
     "206400006111000004d22101b0240225012700000064120004746573742201c81f00047465737426000474657"
     "3740004746573742600047465737400047465737428012901"
     "2a001304d21a0004746573741c0004746573741500047465737416000401020304",
     deviation::we_reject, errc::invalid_property_value,
     "encode() refuses Maximum QoS 2 (MQTT 5 section 3.2.2.3.4). Checked again with Maximum "
     "QoS 1",
     kMaximumQoS1},

    // -- Client identifier rules that are not about well-formed packets --------------------------
    {"generate", "clientId must be supplied before 3.1.1", "", deviation::we_accept, errc{},
     "mqtt-packet requires a client id for level 3, after the IBM MQTT 3.1 text (1 to 23 "
     "characters). mqttws treats 3.1 as 3.1.1 but for the protocol name (protocol.hpp), and in "
     "3.1.1 a zero-byte client id is well-formed (section 3.1.3.1): the server answers with "
     "CONNACK 0x02, it is not a malformed packet. Client-side policy, not codec"},
    {"generate", "clientId must be given if cleanSession set to 0", "", deviation::we_accept,
     errc{},
     "[MQTT-3.1.3-7] (zero-byte client id needs CleanSession 1) is a rule for the Client's "
     "behaviour, not for a well-formed packet: the Server must accept such a CONNECT and answer "
     "CONNACK 0x02 [MQTT-3.1.3-8], so decode() accepts it and encode() (which never refuses "
     "what decode accepts on these grounds) writes it. To be enforced by the client session"},
};

// Some error vectors of mqtt-packet fail, in mqttws, for an incidental reason before reaching
// the defect they are named after: these four CONNECTs say "MQTT" with protocol level 3, which
// we reject as an unsupported version before looking at the flags. With the level patched to 4
// only the named defect remains, and it must be rejected with the matching error.
struct retarget {
  const char* test;
  const char* hex;
  const char* from_hex;  // one byte-aligned occurrence, replaced by to_hex
  const char* to_hex;
  errc code;
};

const retarget kRetargeted[] = {
    {"Connect flag bit 0 must be 0, but got 1", "100a00044d5154540303001e", "0303", "0403",
     errc::invalid_connect_flags},  // reserved flag [MQTT-3.1.2-3]
    {"Will Retain Flag must be set to zero when Will Flag is set to 0",
     "100a00044d5154540322001e", "0322", "0422", errc::invalid_connect_flags},  // MQTT-3.1.2-15
    {"Will QoS must be set to zero when Will Flag is set to 0", "100a00044d5154540312001e",
     "0312", "0412", errc::invalid_connect_flags},  // MQTT-3.1.2-13
    {"Will QoS must be set to zero when Will Flag is set to 0", "100a00044d515454030a001e",
     "030a", "040a", errc::invalid_connect_flags},  // MQTT-3.1.2-13
};

// ---- bytes ------------------------------------------------------------------------------------

std::string to_hex(std::string_view b) {
  static const char digits[] = "0123456789abcdef";
  std::string s;
  s.reserve(b.size() * 2);
  for (char ch : b) {
    const auto x = static_cast<unsigned char>(ch);
    s += digits[x >> 4];
    s += digits[x & 15];
  }
  return s;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool from_hex(std::string_view s, std::string& out) {
  if (s.size() % 2 != 0) return false;
  out.clear();
  out.reserve(s.size() / 2);
  for (std::size_t i = 0; i < s.size(); i += 2) {
    const int hi = hex_digit(s[i]);
    const int lo = hex_digit(s[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out += static_cast<char>(hi * 16 + lo);
  }
  return true;
}

std::string_view view(const std::vector<std::uint8_t>& b) { return as_chars(b.data(), b.size()); }

// Bytes as the vector file writes them: `head`, then `count` copies of `fill`.
struct byte_spec {
  std::string head;
  char fill = 0;
  std::uint64_t count = 0;

  std::uint64_t size() const { return head.size() + count; }
  std::string materialize() const {
    std::string s;
    s.reserve(static_cast<std::size_t>(size()));
    s = head;
    s.append(static_cast<std::size_t>(count), fill);
    return s;
  }
  /// True when bytes [offset, offset + b.size()) exist and equal `b`.
  bool matches(std::uint64_t offset, std::string_view b) const {
    if (offset + b.size() > size()) return false;
    std::size_t i = 0;
    while (i < b.size() && offset + i < head.size()) {
      if (head[static_cast<std::size_t>(offset + i)] != b[i]) return false;
      ++i;
    }
    for (; i < b.size(); ++i) {
      if (b[i] != fill) return false;
    }
    return true;
  }
  bool equals(std::string_view b) const { return size() == b.size() && matches(0, b); }
  /// Up to `max` bytes from `offset`, for messages.
  std::string slice(std::uint64_t offset, std::uint64_t n) const {
    std::string s;
    for (std::uint64_t i = offset; i < offset + n && i < size(); ++i) {
      s += i < head.size() ? head[static_cast<std::size_t>(i)] : fill;
    }
    return s;
  }
};

// Hex for a message: whole when short, else the start and the size.
std::string shown(std::string_view b) {
  if (b.size() <= 64) return to_hex(b);
  return to_hex(b.substr(0, 48)) + "...(" + std::to_string(b.size()) + " bytes)";
}
std::string shown(const byte_spec& s) {
  if (s.size() <= 64) return to_hex(s.materialize());
  return to_hex(s.slice(0, 48)) + "...(" + std::to_string(s.size()) + " bytes)";
}

// ---- reading the vector file --------------------------------------------------------------

const ojson* member(const ojson& o, const char* key) {
  if (!o.is_object()) return nullptr;
  const auto it = o.find(key);
  return it == o.end() ? nullptr : &*it;
}

std::string string_member(const ojson& o, const char* key) {
  const ojson* m = member(o, key);
  return m && m->is_string() ? m->get_ref<const std::string&>() : std::string();
}

std::string dumped(const json& j, std::size_t max = 1500) {
  std::string s = j.dump(-1, ' ', false, json::error_handler_t::replace);
  if (s.size() > max) s = s.substr(0, max) + "...";
  return s;
}
std::string dumped(const ojson& j, std::size_t max = 300) {
  std::string s = j.dump(-1, ' ', false, ojson::error_handler_t::replace);
  if (s.size() > max) s = s.substr(0, max) + "...";
  return s;
}

bool is_hex_object(const ojson& j) { return j.is_object() && j.contains("$hex"); }

// {"$hex": "..."}, optionally with "$repeat" and "$count".
bool read_hex_object(const ojson& j, byte_spec& out) {
  const ojson* h = member(j, "$hex");
  if (!h || !h->is_string() || !from_hex(h->get_ref<const std::string&>(), out.head)) return false;
  const ojson* r = member(j, "$repeat");
  const ojson* c = member(j, "$count");
  out.fill = 0;
  out.count = 0;
  if (!r && !c) return true;
  std::string fill;
  if (!r || !c || !r->is_string() || !from_hex(r->get_ref<const std::string&>(), fill) ||
      fill.size() != 1 || !c->is_number_unsigned()) {
    return false;
  }
  out.fill = fill[0];
  out.count = c->get<std::uint64_t>();
  return true;
}

// A vector's "hex": a hex string, or the compact object for huge byte strings.
bool read_hex_field(const ojson& j, byte_spec& out) {
  if (j.is_string()) {
    out.count = 0;
    return from_hex(j.get_ref<const std::string&>(), out.head);
  }
  return read_hex_object(j, out);
}

// Largest byte string anywhere in a vector.
std::uint64_t largest_bytes(const ojson& j) {
  std::uint64_t n = 0;
  if (j.is_string()) return j.get_ref<const std::string&>().size() / 2;
  if (is_hex_object(j)) {
    byte_spec s;
    return read_hex_object(j, s) ? s.size() : 0;
  }
  if (j.is_object() || j.is_array()) {
    for (const auto& e : j) n = std::max(n, largest_bytes(e));
  }
  return n;
}

// One canonical JSON form for a byte string, whichever way it is given: plain hex up to 64 KiB,
// above that the head and the longest run of its last byte. Both sides of a comparison go
// through this, so a 256 MiB payload is compared without being written out as hex.
constexpr std::uint64_t kCompactAbove = 65536;

json canonical_bytes(std::string_view head, char fill, std::uint64_t count) {
  json o = json::object();
  if (head.size() + count <= kCompactAbove) {
    std::string all(head);
    all.append(static_cast<std::size_t>(count), fill);
    o["$hex"] = to_hex(all);
    return o;
  }
  if (count == 0) fill = head.back();
  while (!head.empty() && head.back() == fill) {
    head.remove_suffix(1);
    ++count;
  }
  o["$hex"] = to_hex(head);
  o["$repeat"] = to_hex(std::string_view(&fill, 1));
  o["$count"] = count;
  return o;
}
json canonical_bytes(std::string_view b) { return canonical_bytes(b, 0, 0); }

// The file's JSON, with every byte string in canonical form, as a sorted-map json.
json normalized(const ojson& j, std::string& error) {
  switch (j.type()) {
    case ojson::value_t::object: {
      if (j.contains("$hex")) {
        byte_spec s;
        if (!read_hex_object(j, s)) {
          error = "malformed byte string " + dumped(j);
          return json();
        }
        return canonical_bytes(s.head, s.fill, s.count);
      }
      json o = json::object();
      for (const auto& el : j.items()) o[el.key()] = normalized(el.value(), error);
      return o;
    }
    case ojson::value_t::array: {
      json a = json::array();
      for (const auto& e : j) a.push_back(normalized(e, error));
      return a;
    }
    case ojson::value_t::string: return json(j.get_ref<const std::string&>());
    case ojson::value_t::boolean: return json(j.get<bool>());
    case ojson::value_t::number_unsigned: return json(j.get<std::uint64_t>());
    case ojson::value_t::number_integer: return json(j.get<std::int64_t>());
    case ojson::value_t::number_float: return json(j.get<double>());
    default: return json();
  }
}

// ---- mqttws packet -> mqtt-packet's JSON shape ----------------------------------------------

const char* const kCmdNames[] = {"connect",  "connack",     "publish",  "puback",   "pubrec",
                                 "pubrel",   "pubcomp",     "subscribe", "suback",  "unsubscribe",
                                 "unsuback", "pingreq",     "pingresp", "disconnect", "auth"};

std::string str(std::string_view s) { return std::string(s); }

// `exact` (for comparing two mqttws packets) keeps what mqtt-packet's shape loses: the order of
// user properties across names, and Payload Format Indicator as a number.
json properties_json(const properties& p, bool exact) {
  json j = json::object();
  auto number = [&](const char* name, const auto& v) {
    if (v) j[name] = static_cast<std::uint64_t>(*v);
  };
  auto flag = [&](const char* name, const auto& v) {
    if (v) j[name] = static_cast<bool>(*v);
  };
  auto text = [&](const char* name, const std::optional<std::string_view>& v) {
    if (v) j[name] = str(*v);
  };
  auto binary = [&](const char* name, const std::optional<std::string_view>& v) {
    if (v) j[name] = canonical_bytes(*v);
  };
  if (exact) {
    number("payloadFormatIndicator", p.payload_format_indicator);
  } else {
    flag("payloadFormatIndicator", p.payload_format_indicator);
  }
  number("messageExpiryInterval", p.message_expiry_interval);
  text("contentType", p.content_type);
  text("responseTopic", p.response_topic);
  binary("correlationData", p.correlation_data);
  if (p.subscription_identifiers.size() == 1) {
    j["subscriptionIdentifier"] = *p.subscription_identifiers.begin();
  } else if (p.subscription_identifiers.size() > 1) {
    json a = json::array();
    for (std::uint32_t id : p.subscription_identifiers) a.push_back(id);
    j["subscriptionIdentifier"] = a;
  }
  number("sessionExpiryInterval", p.session_expiry_interval);
  text("assignedClientIdentifier", p.assigned_client_identifier);
  number("serverKeepAlive", p.server_keep_alive);
  text("authenticationMethod", p.authentication_method);
  binary("authenticationData", p.authentication_data);
  flag("requestProblemInformation", p.request_problem_information);
  number("willDelayInterval", p.will_delay_interval);
  flag("requestResponseInformation", p.request_response_information);
  text("responseInformation", p.response_information);
  text("serverReference", p.server_reference);
  text("reasonString", p.reason_string);
  number("receiveMaximum", p.receive_maximum);
  number("topicAliasMaximum", p.topic_alias_maximum);
  number("topicAlias", p.topic_alias);
  number("maximumQoS", p.maximum_qos);
  flag("retainAvailable", p.retain_available);
  if (!p.user_properties.empty()) {
    // mqtt-packet: {name: value}, or {name: [values in wire order]} when a name repeats.
    json ups = json::object();
    json ordered = json::array();
    for (const user_property& up : p.user_properties) {
      const std::string name = str(up.name);
      const std::string value = str(up.value);
      ordered.push_back(json::array({name, value}));
      const auto it = ups.find(name);
      if (it == ups.end()) {
        ups[name] = value;
      } else if (it->is_array()) {
        it->push_back(value);
      } else {
        *it = json::array({it->get<std::string>(), value});
      }
    }
    j["userProperties"] = ups;
    if (exact) j["$userPropertiesInOrder"] = ordered;
  }
  number("maximumPacketSize", p.maximum_packet_size);
  flag("wildcardSubscriptionAvailable", p.wildcard_subscription_available);
  flag("subscriptionIdentifiersAvailable", p.subscription_identifier_available);
  flag("sharedSubscriptionAvailable", p.shared_subscription_available);
  return j;
}

// Number of properties (each user property and subscription identifier counted), will included.
std::size_t property_entries(const properties& p) {
  const json j = properties_json(p, false);
  std::size_t n = j.size() + p.user_properties.size() + p.subscription_identifiers.size();
  if (j.contains("userProperties")) --n;
  if (j.contains("subscriptionIdentifier")) --n;
  return n;
}

struct to_json_visitor {
  protocol_version v;
  bool exact;
  json& j;

  bool v5() const { return v == protocol_version::v5; }
  void props(json& into, const properties& p) const {
    json pj = properties_json(p, exact);
    if (!pj.empty()) into["properties"] = std::move(pj);
  }
  static std::uint64_t rc(reason_code c) { return static_cast<std::uint8_t>(c); }

  void operator()(const connect& p) const {
    j["protocolId"] = p.version == protocol_version::v31 ? "MQIsdp" : "MQTT";
    j["protocolVersion"] = static_cast<std::uint64_t>(p.version);
    j["clean"] = p.clean_start;
    j["keepalive"] = p.keep_alive;
    j["clientId"] = str(p.client_id);
    if (p.will) {
      json w = json::object();
      w["retain"] = p.will->retain;
      w["qos"] = static_cast<std::uint64_t>(p.will->qos);
      w["topic"] = str(p.will->topic);
      w["payload"] = canonical_bytes(p.will->payload);
      if (p.version == protocol_version::v5) props(w, p.will->props);
      j["will"] = w;
    }
    if (p.username) j["username"] = str(*p.username);
    if (p.password) j["password"] = canonical_bytes(*p.password);
    if (p.version == protocol_version::v5) props(j, p.props);
  }
  void operator()(const connack& p) const {
    j["sessionPresent"] = p.session_present;
    if (v5()) {
      j["reasonCode"] = rc(p.code);
      props(j, p.props);
    } else {
      std::uint8_t code = 0;
      if (to_v311_connack(p.code, code)) {
        j["returnCode"] = code;
      } else {
        j["returnCode"] = "unmappable reason code " + std::to_string(rc(p.code));
      }
    }
  }
  void operator()(const publish& p) const {
    j["retain"] = p.retain;
    j["qos"] = static_cast<std::uint64_t>(p.qos);
    j["dup"] = p.dup;
    j["topic"] = str(p.topic);
    j["payload"] = canonical_bytes(p.payload);
    if (p.qos != qos::at_most_once) j["messageId"] = p.packet_id;
    if (v5()) props(j, p.props);
  }
  template <packet_type T>
  void operator()(const basic_pub_response<T>& p) const {
    j["messageId"] = p.packet_id;
    if (v5()) {
      j["reasonCode"] = rc(p.code);
      props(j, p.props);
    }
  }
  void operator()(const subscribe& p) const {
    j["messageId"] = p.packet_id;
    json subs = json::array();
    for (const subscription& s : p.subscriptions) {
      json e = json::object();
      e["topic"] = str(s.filter);
      e["qos"] = static_cast<std::uint64_t>(s.options.max_qos);
      if (v5()) {
        e["nl"] = s.options.no_local;
        e["rap"] = s.options.retain_as_published;
        e["rh"] = static_cast<std::uint64_t>(s.options.retain_handling);
      }
      subs.push_back(e);
    }
    j["subscriptions"] = subs;
    if (v5()) props(j, p.props);
  }
  void operator()(const suback& p) const {
    j["messageId"] = p.packet_id;
    json granted = json::array();
    for (reason_code c : p.codes) granted.push_back(rc(c));
    j["granted"] = granted;
    if (v5()) props(j, p.props);
  }
  void operator()(const unsubscribe& p) const {
    j["messageId"] = p.packet_id;
    json filters = json::array();
    for (std::string_view f : p.filters) filters.push_back(str(f));
    j["unsubscriptions"] = filters;
    if (v5()) props(j, p.props);
  }
  void operator()(const unsuback& p) const {
    j["messageId"] = p.packet_id;
    if (v5()) {
      json granted = json::array();
      for (reason_code c : p.codes) granted.push_back(rc(c));
      j["granted"] = granted;
      props(j, p.props);
    }
  }
  void operator()(const pingreq&) const {}
  void operator()(const pingresp&) const {}
  void operator()(const disconnect& p) const {
    if (v5()) {
      j["reasonCode"] = rc(p.code);
      props(j, p.props);
    }
  }
  void operator()(const auth& p) const {
    j["reasonCode"] = rc(p.code);
    props(j, p.props);
  }
};

// The packet as mqtt-packet's parser reports it. `length`: the Remaining Length, when known.
json packet_json(const packet& pk, protocol_version v, bool exact,
                 std::optional<std::uint64_t> length = std::nullopt) {
  json j = json::object();
  const packet_type t = type_of(pk);
  j["cmd"] = kCmdNames[pk.index()];
  // Header flags of every packet but PUBLISH are fixed: 0b0010 for these three, else 0.
  const bool qos1_header = t == packet_type::pubrel || t == packet_type::subscribe ||
                           t == packet_type::unsubscribe;
  j["retain"] = false;
  j["qos"] = qos1_header ? 1 : 0;
  j["dup"] = false;
  if (length) j["length"] = *length;
  std::visit(to_json_visitor{v, exact, j}, pk);
  return j;
}

const properties* properties_of(const packet& pk) {
  return std::visit(
      [](const auto& p) -> const properties* {
        using P = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<P, pingreq> || std::is_same_v<P, pingresp>) {
          return nullptr;
        } else {
          return &p.props;
        }
      },
      pk);
}

std::size_t property_entries(const packet& pk) {
  std::size_t n = 0;
  if (const properties* p = properties_of(pk)) n += property_entries(*p);
  if (const auto* c = std::get_if<connect>(&pk); c && c->will) n += property_entries(c->will->props);
  return n;
}

// ---- mqtt-packet's input object -> mqttws packet --------------------------------------------

// A packet built from a JSON object, with the storage its views point into. Build in place.
struct built_packet {
  packet pk;
  std::deque<std::string> strings;
  std::vector<user_property> user_props, will_user_props;
  std::vector<std::uint32_t> sub_ids, will_sub_ids;
  std::vector<subscription> subs;
  std::vector<std::string_view> filters;
  std::vector<reason_code> codes;

  std::string_view keep(std::string s) {
    strings.push_back(std::move(s));
    return strings.back();
  }
};

// Readers for the loosely typed object. Each returns false, with `why` set, when the value is
// one a C++ struct cannot hold (wrong type, out of range).
class object_reader {
 public:
  object_reader(const ojson& o, built_packet& b, std::string& why) : o_(o), b_(b), why_(why) {}

  const ojson* get(const char* key) const {
    const ojson* m = member(o_, key);
    return m && !m->is_null() ? m : nullptr;
  }

  bool integer(const ojson& v, const char* what, std::int64_t lo, std::int64_t hi,
               std::int64_t& out) const {
    bool ok = false;
    if (v.is_number_unsigned()) {
      const std::uint64_t u = v.get<std::uint64_t>();
      ok = u <= static_cast<std::uint64_t>(hi);
      out = static_cast<std::int64_t>(u);
    } else if (v.is_number_integer()) {
      out = v.get<std::int64_t>();
      ok = out >= lo && out <= hi;
    }
    if (!ok) {
      why_ = std::string(what) + " is " + dumped(v) + ", not an integer in " + std::to_string(lo) +
             ".." + std::to_string(hi);
    }
    return ok;
  }
  template <class T>
  bool integer(const char* key, std::int64_t lo, std::int64_t hi, T& out) const {
    const ojson* v = get(key);
    if (!v) return true;  // keep the default
    std::int64_t x = 0;
    if (!integer(*v, key, lo, hi, x)) return false;
    out = static_cast<T>(x);
    return true;
  }
  bool required_integer(const char* key, std::int64_t lo, std::int64_t hi, std::int64_t& out) const {
    const ojson* v = get(key);
    if (!v) {
      why_ = std::string("no ") + key + ": the C++ field has no \"absent\" state";
      return false;
    }
    return integer(*v, key, lo, hi, out);
  }
  bool boolean(const ojson& v, const char* what, bool& out) const {
    if (!v.is_boolean()) {
      why_ = std::string(what) + " is " + dumped(v) + ", not a boolean";
      return false;
    }
    out = v.get<bool>();
    return true;
  }
  bool boolean(const char* key, bool& out) const {
    const ojson* v = get(key);
    return !v || boolean(*v, key, out);
  }
  // A string (its UTF-8 bytes) or {"$hex": ...}: mqtt-packet takes both for most fields.
  bool bytes(const ojson& v, const char* what, std::string_view& out) const {
    if (v.is_string()) {
      out = b_.keep(v.get<std::string>());
      return true;
    }
    byte_spec s;
    if (is_hex_object(v) && read_hex_object(v, s)) {
      out = b_.keep(s.materialize());
      return true;
    }
    why_ = std::string(what) + " is " + dumped(v) + ", neither a string nor bytes";
    return false;
  }
  bool bytes(const char* key, std::string_view& out) const {
    const ojson* v = get(key);
    return !v || bytes(*v, key, out);
  }
  bool optional_bytes(const char* key, std::optional<std::string_view>& out) const {
    const ojson* v = get(key);
    if (!v) return true;
    return bytes(*v, key, out.emplace());
  }
  bool packet_id(std::uint16_t& out) const {
    std::int64_t id = 0;
    if (!required_integer("messageId", 0, 65535, id)) return false;
    out = static_cast<std::uint16_t>(id);
    return true;
  }

 private:
  const ojson& o_;
  built_packet& b_;
  std::string& why_;
};

// Properties object -> `props`. Lists go to `ups` / `sids`, which must stay alive and unchanged.
bool build_properties(const ojson* j, properties& props, std::vector<user_property>& ups,
                      std::vector<std::uint32_t>& sids, built_packet& b, std::string& why) {
  if (!j || j->is_null()) return true;
  if (!j->is_object()) {
    why = "properties is " + dumped(*j) + ", not an object";
    return false;
  }
  const object_reader r(*j, b, why);
  for (const auto& el : j->items()) {
    const std::string& k = el.key();
    const ojson& v = el.value();
    if (v.is_null()) continue;
    const char* key = k.c_str();
    std::int64_t n = 0;
    bool flag = false;
    auto u32 = [&](std::optional<std::uint32_t>& f) {
      if (!r.integer(v, key, 0, 0xFFFFFFFF, n)) return false;
      f = static_cast<std::uint32_t>(n);
      return true;
    };
    auto u16 = [&](std::optional<std::uint16_t>& f) {
      if (!r.integer(v, key, 0, 0xFFFF, n)) return false;
      f = static_cast<std::uint16_t>(n);
      return true;
    };
    auto boolean = [&](std::optional<bool>& f) {
      if (!r.boolean(v, key, flag)) return false;
      f = flag;
      return true;
    };
    auto text = [&](std::optional<std::string_view>& f) { return r.bytes(v, key, f.emplace()); };
    bool ok = true;
    if (k == "payloadFormatIndicator") {
      // mqtt-packet writes a boolean; the field is a byte.
      if (v.is_boolean()) {
        props.payload_format_indicator = v.get<bool>() ? 1 : 0;
      } else if ((ok = r.integer(v, key, 0, 255, n))) {
        props.payload_format_indicator = static_cast<std::uint8_t>(n);
      }
    } else if (k == "messageExpiryInterval") {
      ok = u32(props.message_expiry_interval);
    } else if (k == "contentType") {
      ok = text(props.content_type);
    } else if (k == "responseTopic") {
      ok = text(props.response_topic);
    } else if (k == "correlationData") {
      ok = text(props.correlation_data);
    } else if (k == "subscriptionIdentifier") {
      if (v.is_array()) {
        for (const ojson& e : v) {
          if (!(ok = r.integer(e, key, 0, 0xFFFFFFFF, n))) break;
          sids.push_back(static_cast<std::uint32_t>(n));
        }
      } else if ((ok = r.integer(v, key, 0, 0xFFFFFFFF, n))) {
        sids.push_back(static_cast<std::uint32_t>(n));
      }
    } else if (k == "sessionExpiryInterval") {
      ok = u32(props.session_expiry_interval);
    } else if (k == "assignedClientIdentifier") {
      ok = text(props.assigned_client_identifier);
    } else if (k == "serverKeepAlive") {
      ok = u16(props.server_keep_alive);
    } else if (k == "authenticationMethod") {
      ok = text(props.authentication_method);
    } else if (k == "authenticationData") {
      ok = text(props.authentication_data);
    } else if (k == "requestProblemInformation") {
      ok = boolean(props.request_problem_information);
    } else if (k == "willDelayInterval") {
      ok = u32(props.will_delay_interval);
    } else if (k == "requestResponseInformation") {
      ok = boolean(props.request_response_information);
    } else if (k == "responseInformation") {
      ok = text(props.response_information);
    } else if (k == "serverReference") {
      ok = text(props.server_reference);
    } else if (k == "reasonString") {
      ok = text(props.reason_string);
    } else if (k == "receiveMaximum") {
      ok = u16(props.receive_maximum);
    } else if (k == "topicAliasMaximum") {
      ok = u16(props.topic_alias_maximum);
    } else if (k == "topicAlias") {
      ok = u16(props.topic_alias);
    } else if (k == "maximumQoS") {
      if ((ok = r.integer(v, key, 0, 255, n))) props.maximum_qos = static_cast<qos>(n);
    } else if (k == "retainAvailable") {
      ok = boolean(props.retain_available);
    } else if (k == "userProperties") {
      // {name: value or [values]}, written name by name in the object's key order.
      if (!v.is_object()) {
        why = "userProperties is " + dumped(v) + ", not an object";
        return false;
      }
      for (const auto& up : v.items()) {
        const std::string_view name = b.keep(up.key());
        const ojson& val = up.value();
        if (val.is_string()) {
          ups.push_back({name, b.keep(val.get<std::string>())});
        } else if (val.is_array()) {
          for (const ojson& e : val) {
            if (!e.is_string()) {
              why = "user property value " + dumped(e) + " is not a string";
              return false;
            }
            ups.push_back({name, b.keep(e.get<std::string>())});
          }
        } else {
          why = "user property value " + dumped(val) + " is not a string";
          return false;
        }
      }
    } else if (k == "maximumPacketSize") {
      ok = u32(props.maximum_packet_size);
    } else if (k == "wildcardSubscriptionAvailable") {
      ok = boolean(props.wildcard_subscription_available);
    } else if (k == "subscriptionIdentifiersAvailable") {
      ok = boolean(props.subscription_identifier_available);
    } else if (k == "sharedSubscriptionAvailable") {
      ok = boolean(props.shared_subscription_available);
    } else {
      why = "unknown property name \"" + k + "\"";
      return false;
    }
    if (!ok) return false;
  }
  props.user_properties = user_property_list(ups);
  props.subscription_identifiers = subscription_id_list(sids);
  return true;
}

// The fields of build_packet() below.
bool build_fields(const ojson& o, int version, built_packet& b, std::string& why) {
  if (!o.is_object()) {
    why = "the object is " + dumped(o);
    return false;
  }
  const object_reader r(o, b, why);
  const ojson* cmd = r.get("cmd");
  if (!cmd || !cmd->is_string()) {
    why = "no packet type (cmd " + (cmd ? dumped(*cmd) : std::string("missing")) +
          "): a C++ packet always has one";
    return false;
  }
  const std::string& c = cmd->get_ref<const std::string&>();
  const bool v5 = version == 5;
  auto props = [&](properties& p) {
    return !v5 || build_properties(r.get("properties"), p, b.user_props, b.sub_ids, b, why);
  };
  if (c == "connect") {
    connect& p = b.pk.emplace<connect>();
    std::int64_t level = 4;
    if (!r.integer("protocolVersion", 0, 255, level)) return false;
    if (level == 0) level = 4;  // JavaScript `|| 4`
    p.version = static_cast<protocol_version>(level);
    std::string_view name = "MQTT";
    if (const ojson* id = r.get("protocolId")) {
      if (!r.bytes(*id, "protocolId", name)) return false;
      if (name.empty()) name = "MQTT";
    }
    bool bridge = false;
    if (!r.boolean("bridgeMode", bridge)) return false;
    if (bridge) {
      why = "bridgeMode (protocol level | 0x80) is a non-standard extension";
      return false;
    }
    if (level >= 3 && level <= 5 && name != (level == 3 ? "MQIsdp" : "MQTT")) {
      why = "protocol name \"" + str(name) + "\" with level " + std::to_string(level) +
            ": mqttws derives the name from the level";
      return false;
    }
    p.clean_start = true;
    p.keep_alive = 0;
    if (!r.boolean("clean", p.clean_start) || !r.integer("keepalive", 0, 65535, p.keep_alive) ||
        !r.bytes("clientId", p.client_id) || !r.optional_bytes("username", p.username) ||
        !r.optional_bytes("password", p.password)) {
      return false;
    }
    if (const ojson* w = r.get("will")) {
      if (!w->is_object()) {
        why = "will is " + dumped(*w) + ", not an object";
        return false;
      }
      will_message& will = p.will.emplace();
      const object_reader wr(*w, b, why);
      if (!wr.bytes("topic", will.topic) || !wr.bytes("payload", will.payload) ||
          !wr.integer("qos", 0, 255, will.qos) || !wr.boolean("retain", will.retain)) {
        return false;
      }
      if (v5 && !build_properties(wr.get("properties"), will.props, b.will_user_props,
                                  b.will_sub_ids, b, why)) {
        return false;
      }
    }
    return props(p.props);
  }
  if (c == "connack") {
    connack& p = b.pk.emplace<connack>();
    std::int64_t code = 0;
    if (!r.boolean("sessionPresent", p.session_present)) return false;
    if (v5) {
      if (!r.required_integer("reasonCode", 0, 255, code)) return false;
      p.code = static_cast<reason_code>(code);
      return props(p.props);
    }
    if (!r.required_integer("returnCode", 0, 255, code)) return false;
    if (!from_v311_connack(static_cast<std::uint8_t>(code), p.code)) {
      why = "return code " + std::to_string(code) + " is reserved (MQTT 3.1.1 section 3.2.2.3)";
      return false;
    }
    return true;
  }
  if (c == "publish") {
    publish& p = b.pk.emplace<publish>();
    if (!r.bytes("topic", p.topic) || !r.bytes("payload", p.payload) ||
        !r.integer("qos", 0, 255, p.qos) || !r.boolean("retain", p.retain) ||
        !r.boolean("dup", p.dup)) {
      return false;
    }
    if (p.qos != qos::at_most_once && !r.packet_id(p.packet_id)) return false;
    return props(p.props);
  }
  auto pub_response = [&](auto& p) {
    if (!r.packet_id(p.packet_id)) return false;
    if (!v5) return true;
    return r.integer("reasonCode", 0, 255, p.code) && props(p.props);
  };
  if (c == "puback") return pub_response(b.pk.emplace<puback>());
  if (c == "pubrec") return pub_response(b.pk.emplace<pubrec>());
  if (c == "pubrel") return pub_response(b.pk.emplace<pubrel>());
  if (c == "pubcomp") return pub_response(b.pk.emplace<pubcomp>());
  if (c == "subscribe") {
    subscribe& p = b.pk.emplace<subscribe>();
    if (!r.packet_id(p.packet_id)) return false;
    const ojson* subs = r.get("subscriptions");
    if (!subs || !subs->is_array()) {
      why = "subscriptions is " + (subs ? dumped(*subs) : std::string("missing")) +
            ", not an array";
      return false;
    }
    for (const ojson& e : *subs) {
      subscription s;
      const object_reader sr(e, b, why);
      const ojson* filter = sr.get("topic");
      const ojson* q = sr.get("qos");
      if (!e.is_object() || !filter || !filter->is_string() || !q) {
        why = "subscription " + dumped(e) + " lacks a string topic or a qos";
        return false;
      }
      s.filter = b.keep(filter->get<std::string>());
      if (!sr.integer("qos", 0, 255, s.options.max_qos)) return false;
      if (v5 && (!sr.boolean("nl", s.options.no_local) ||
                 !sr.boolean("rap", s.options.retain_as_published) ||
                 !sr.integer("rh", 0, 255, s.options.retain_handling))) {
        return false;
      }
      b.subs.push_back(s);
    }
    p.subscriptions = subscription_list(b.subs);
    return props(p.props);
  }
  auto granted = [&](reason_code_list& codes) {
    const ojson* g = r.get("granted");
    if (!g || !g->is_array()) {
      why = "granted is " + (g ? dumped(*g) : std::string("missing")) + ", not an array";
      return false;
    }
    for (const ojson& e : *g) {
      std::int64_t n = 0;
      if (!r.integer(e, "granted[]", 0, 255, n)) return false;
      b.codes.push_back(static_cast<reason_code>(n));
    }
    codes = reason_code_list(b.codes);
    return true;
  };
  if (c == "suback") {
    suback& p = b.pk.emplace<suback>();
    return r.packet_id(p.packet_id) && granted(p.codes) && props(p.props);
  }
  if (c == "unsubscribe") {
    unsubscribe& p = b.pk.emplace<unsubscribe>();
    if (!r.packet_id(p.packet_id)) return false;
    const ojson* list = r.get("unsubscriptions");
    if (!list || !list->is_array()) {
      why = "unsubscriptions is " + (list ? dumped(*list) : std::string("missing")) +
            ", not an array";
      return false;
    }
    for (const ojson& e : *list) {
      if (!e.is_string()) {
        why = "unsubscriptions holds " + dumped(e) + ", not a string";
        return false;
      }
      b.filters.push_back(b.keep(e.get<std::string>()));
    }
    p.filters = topic_filter_list(b.filters);
    return props(p.props);
  }
  if (c == "unsuback") {
    unsuback& p = b.pk.emplace<unsuback>();
    if (!r.packet_id(p.packet_id)) return false;
    return !v5 || (granted(p.codes) && props(p.props));
  }
  if (c == "pingreq") {
    b.pk.emplace<pingreq>();
    return true;
  }
  if (c == "pingresp") {
    b.pk.emplace<pingresp>();
    return true;
  }
  if (c == "disconnect") {
    disconnect& p = b.pk.emplace<disconnect>();
    return !v5 || (r.integer("reasonCode", 0, 255, p.code) && props(p.props));
  }
  if (c == "auth") {
    auth& p = b.pk.emplace<auth>();
    return r.integer("reasonCode", 0, 255, p.code) && props(p.props);
  }
  why = "unknown packet type \"" + c + "\"";
  return false;
}

// mqtt-packet's generate(object, {protocolVersion}) input -> our struct, with its defaults
// (writeToStream.js): protocolId "MQTT", protocolVersion 4, clean true, keepalive 0, clientId "",
// qos/retain/dup false or 0, payload empty, reasonCode 0. Fields MQTT 5 added are ignored below
// version 5, as mqtt-packet ignores them. Returns false, with `why`, when the object holds
// something our structs cannot express.
bool build_packet(const ojson& o, int version, built_packet& b, std::string& why) {
  if (!build_fields(o, version, b, why)) return false;
  // mqtt-packet copies `dup` into the header of these four; the spec fixes their flags
  // (MQTT 5 section 2.1.3), so our structs have no such field.
  const packet_type t = type_of(b.pk);
  if (t == packet_type::pubrel || t == packet_type::subscribe || t == packet_type::unsubscribe ||
      t == packet_type::unsuback) {
    bool dup = false;
    if (!object_reader(o, b, why).boolean("dup", dup)) return false;
    if (dup) {
      why = std::string("dup set on ") + kCmdNames[b.pk.index()] +
            ": reserved fixed-header flag (MQTT 5 section 2.1.3)";
      return false;
    }
  }
  return true;
}

// ---- checking ---------------------------------------------------------------------------------

// Where our bytes may differ from theirs for the same packet, because the spec lets them.
enum class freedom { none, property_order, optional_fields };

const char* freedom_name(freedom f) {
  switch (f) {
    case freedom::property_order: return "property_order";
    case freedom::optional_fields: return "optional_reason_code_or_property_length";
    case freedom::none: break;
  }
  return "none";
}

// `pk` is the packet both byte strings decode to.
freedom explain(const packet& pk, protocol_version v, std::size_t ours, std::size_t theirs) {
  // MQTT 5: PUBACK..PUBCOMP may omit a 0x00 Reason Code and, with no properties, the Property
  // Length (sections 3.4.2.1, 3.4.2.2.1 and likewise 3.5-3.7); DISCONNECT and AUTH the same
  // (3.14.2.1, 3.14.2.2.1, 3.15.2.1, 3.15.2.2.1). mqttws writes the shortest form.
  const packet_type t = type_of(pk);
  const bool reason_only = t == packet_type::puback || t == packet_type::pubrec ||
                           t == packet_type::pubrel || t == packet_type::pubcomp ||
                           t == packet_type::disconnect || t == packet_type::auth;
  if (v == protocol_version::v5 && reason_only && properties_of(pk)->empty() && ours < theirs) {
    return freedom::optional_fields;
  }
  // Properties may come in any order (MQTT 5 section 2.2.2.2 fixes none); mqttws writes them
  // in identifier order, mqtt-packet in its object's key order.
  if (property_entries(pk) >= 2 && ours == theirs) return freedom::property_order;
  return freedom::none;
}

enum class outcome { agreed, allow_listed, skipped_unrepresentable, skipped_size, failed };

struct vector_result {
  std::string label;
  bool parse = true;
  outcome result = outcome::agreed;
  std::vector<std::string> failures;
  std::string note;
  std::vector<std::string> other_bytes;  // packets whose bytes differ by a freedom of the spec
};

struct corpus {
  std::string file;
  bool loaded = false;
  std::string load_error;
  std::string source;
  std::vector<vector_result> results;
  std::vector<int> allowance_uses = std::vector<int>(std::size(kAllowList), 0);
  std::vector<int> retarget_uses = std::vector<int>(std::size(kRetargeted), 0);
  std::map<std::string, int> counters;
  std::set<int> parse_types, generate_types;  // packet types compared successfully
};

std::string label_of(const ojson& v, std::size_t index) {
  const bool parse = string_member(v, "kind") == "parse";
  std::string l = std::string(parse ? "parse" : "generate") + " vector #" + std::to_string(index) +
                  " \"" + string_member(v, "test") + "\"";
  if (const ojson* pv = member(v, "protocolVersion")) l += " [v" + dumped(*pv) + "]";
  if (const ojson* h = member(v, "hex"); h && !h->is_null()) {
    byte_spec s;
    if (read_hex_field(*h, s)) l += " " + shown(s);
  }
  return l;
}

// `hex` with the only byte-aligned occurrence of `from` replaced by `to`; false unless there
// is exactly one.
bool replace_once(const std::string& hex, std::string_view from, std::string_view to,
                  std::string& out) {
  std::size_t at = std::string::npos;
  int found = 0;
  for (std::size_t i = hex.find(from); i != std::string::npos; i = hex.find(from, i + 1)) {
    if (i % 2 == 0) {
      at = i;
      ++found;
    }
  }
  if (found != 1) return false;
  out = hex.substr(0, at) + std::string(to) + hex.substr(at + from.size());
  return true;
}

class checker {
 public:
  checker(corpus& c, vector_result& r, const ojson& v, bool is_variant)
      : c_(c), r_(r), v_(v), is_variant_(is_variant), test_(string_member(v, "test")) {}

  void run() {
    if (string_member(v_, "kind") == "parse") {
      r_.parse = true;
      check_parse();
    } else {
      r_.parse = false;
      check_generate();
    }
    if (!r_.failures.empty()) r_.result = outcome::failed;
  }

 private:
  void fail(std::string msg) { r_.failures.push_back(std::move(msg)); }
  void count(const std::string& name) { ++c_.counters[name]; }

  // The allow-list entry for this deviation, if any; marks it used.
  const allowance* allowed(deviation d, std::error_code ec = {}) {
    if (is_variant_) return nullptr;
    for (std::size_t i = 0; i < std::size(kAllowList); ++i) {
      const allowance& a = kAllowList[i];
      if (a.what != d || std::string_view(a.kind) != (r_.parse ? "parse" : "generate") ||
          a.test != test_ || a.hex != key_hex_) {
        continue;
      }
      if (d == deviation::we_reject && a.code != errc{} && ec != make_error_code(a.code)) {
        fail("allow-listed for \"" + make_error_code(a.code).message() + "\", but we report \"" +
             ec.message() + "\"");
        return nullptr;
      }
      ++c_.allowance_uses[i];
      r_.result = outcome::allow_listed;
      r_.note = a.reason;
      if (a.fix.from_hex) check_variant(a.fix);
      return &a;
    }
    return nullptr;
  }

  // Checks the vector again with the fix applied; its failures become ours.
  void check_variant(const variant_fix& fix) {
    ojson v = v_;
    std::string patched;
    if (!replace_once(string_member(v_, "hex"), fix.from_hex, fix.to_hex, patched)) {
      fail(std::string("variant: expected one occurrence of ") + fix.from_hex + " in the bytes");
      return;
    }
    v["hex"] = patched;
    auto patch = [&](ojson& object) {
      if (!object.is_object()) return;
      const auto it = object.find("properties");
      if (it != object.end() && it->is_object() && it->contains(fix.property)) {
        (*it)[fix.property] = fix.value;
      }
    };
    if (r_.parse) {
      for (ojson& p : v["packets"]) patch(p);
    } else {
      patch(v["object"]);
    }
    vector_result sub;
    checker(c_, sub, v, true).run();
    for (std::string& f : sub.failures) {
      fail(std::string("[variant with ") + fix.property + " " + std::to_string(fix.value) + "] " +
           f);
    }
  }

  // The retargeted form of this error vector, if there is one, must fail with its error.
  void check_retargeted(std::int64_t version) {
    for (std::size_t i = 0; i < std::size(kRetargeted); ++i) {
      const retarget& t = kRetargeted[i];
      if (is_variant_ || t.test != test_ || t.hex != key_hex_) continue;
      ++c_.retarget_uses[i];
      std::string patched_hex, bytes;
      if (!replace_once(key_hex_, t.from_hex, t.to_hex, patched_hex) ||
          !from_hex(patched_hex, bytes)) {
        fail(std::string("retargeted: expected one occurrence of ") + t.from_hex);
        return;
      }
      stream_decoder dec(static_cast<protocol_version>(version));
      dec.feed(bytes.data(), bytes.size());
      packet pk;
      std::error_code ec;
      if (dec.next(pk, ec) || ec != make_error_code(t.code)) {
        fail("retargeted to " + patched_hex + ": expected \"" + make_error_code(t.code).message() +
             "\", we report \"" + (ec ? ec.message() : std::string("no error")) + "\"");
        return;
      }
      count("parse.retargeted_error_vectors");
      r_.note += "; retargeted to " + patched_hex + ": \"" + ec.message() + "\"";
    }
  }

  static std::uint64_t remaining_length(std::uint64_t packet_size) {
    for (std::uint64_t n = 1; n <= 4; ++n) {
      const std::uint64_t rl = packet_size - 1 - n;
      const std::uint64_t bytes = rl < 128 ? 1 : rl < 16384 ? 2 : rl < 2097152 ? 3 : 4;
      if (bytes == n) return rl;
    }
    return 0;
  }

  // Re-encodes `pk`, decodes it again, and compares with the original bytes.
  void round_trip(const packet& pk, protocol_version pv, const std::string& what,
                  const byte_spec& input, std::uint64_t offset, std::uint64_t size) {
    std::vector<std::uint8_t> out;
    if (const std::error_code ec = encode(pk, pv, out)) {
      fail(what + ": re-encoding the decoded packet fails: " + ec.message());
      return;
    }
    packet again;
    if (const std::error_code ec = decode(view(out), pv, again)) {
      fail(what + ": our re-encoding " + shown(view(out)) + " does not decode: " + ec.message());
      return;
    }
    const json a = packet_json(pk, pv, true);
    const json b = packet_json(again, pv, true);
    if (a != b) {
      fail(what + ": round trip changes the packet\n  decoded:    " + dumped(a) +
           "\n  re-decoded: " + dumped(b));
      return;
    }
    if (out.size() == size && input.matches(offset, view(out))) {
      count("roundtrip.exact_bytes");
      return;
    }
    const freedom f = explain(pk, pv, out.size(), static_cast<std::size_t>(size));
    if (f == freedom::none) {
      fail(what + ": re-encoding gives other bytes\n  input: " +
           shown(input.slice(offset, std::min<std::uint64_t>(size, 64))) +
           "\n  ours:  " + shown(view(out)));
      return;
    }
    count(std::string("roundtrip.same_packet_other_bytes.") + freedom_name(f));
    r_.other_bytes.push_back(what + " re-encoded: " + freedom_name(f));
  }

  void check_parse() {
    std::int64_t version = 0;
    const ojson* pv_json = member(v_, "protocolVersion");
    byte_spec input;
    const ojson* hex = member(v_, "hex");
    const ojson* packets = member(v_, "packets");
    const ojson* errors = member(v_, "errors");
    if (!pv_json || !pv_json->is_number_integer() || !hex || !read_hex_field(*hex, input) ||
        !packets || !packets->is_array() || !errors || !errors->is_array()) {
      fail("malformed parse vector " + dumped(v_));
      return;
    }
    version = pv_json->get<std::int64_t>();
    if (version < 3 || version > 5) {
      fail("protocol version " + std::to_string(version) + " out of range");
      return;
    }
    if (input.size() > kMaxVectorBytes) {
      r_.result = outcome::skipped_size;
      r_.note = std::to_string(input.size()) + " bytes, above the limit of this platform";
      return;
    }
    key_hex_ = input.count == 0 ? to_hex(input.head) : std::string();
    // "opts" (e.g. the typo {"protocol": 5}) is ignored: mqtt-packet ignored it too, and the
    // version it did use is "protocolVersion".

    stream_decoder dec(static_cast<protocol_version>(version));
    dec.feed(input.head.data(), input.head.size());
    if (input.count > 0) {
      const std::string chunk(static_cast<std::size_t>(std::min<std::uint64_t>(input.count, 1 << 20)),
                              input.fill);
      for (std::uint64_t left = input.count; left > 0;) {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, chunk.size()));
        dec.feed(chunk.data(), n);
        left -= n;
      }
    }

    std::uint64_t offset = 0;
    for (std::size_t i = 0; i < packets->size(); ++i) {
      const ojson& expected_raw = (*packets)[i];
      const std::string what = "packet " + std::to_string(i + 1) + " (" +
                               string_member(expected_raw, "cmd") + ")";
      const protocol_version before = dec.version();
      const std::size_t buffered = dec.buffered();
      packet pk;
      std::error_code ec;
      if (!dec.next(pk, ec)) {
        if (!ec) {
          fail(what + ": mqtt-packet emitted it, our decoder waits for more bytes");
        } else if (!allowed(deviation::we_reject, ec)) {
          fail(what + ": mqtt-packet accepts it, we report \"" + ec.message() + "\"\n  " +
               "mqtt-packet: " + dumped(expected_raw));
        }
        return;
      }
      const std::uint64_t size = buffered - dec.buffered();
      const auto* as_connect = std::get_if<connect>(&pk);
      const protocol_version pv = as_connect ? as_connect->version : before;

      std::string error;
      json expected = normalized(expected_raw, error);
      if (!error.empty()) {
        fail(what + ": " + error);
        return;
      }
      if (type_of(pk) != packet_type::publish) {  // the parser's Packet() has these as null
        if (expected.contains("topic") && expected["topic"].is_null()) expected.erase("topic");
        if (expected.contains("payload") && expected["payload"].is_null()) expected.erase("payload");
      }
      if (expected.contains("_protocolVersion")) {
        if (expected["_protocolVersion"] != static_cast<int>(pv)) {
          fail(what + ": mqtt-packet parsed it as version " +
               dumped(expected["_protocolVersion"]) + ", we as " +
               std::to_string(static_cast<int>(pv)));
        }
        expected.erase("_protocolVersion");
      }
      const json ours = packet_json(pk, pv, false, remaining_length(size));
      if (ours != expected) {
        fail(what + ": fields differ\n  mqtt-packet: " + dumped(expected) +
             "\n  mqttws:      " + dumped(ours) +
             "\n  patch from mqtt-packet's to ours: " + dumped(json::diff(expected, ours)));
      } else {
        count("parse.packets_equal");
        c_.parse_types.insert(static_cast<int>(type_of(pk)));
      }
      round_trip(pk, pv, what, input, offset, size);
      offset += size;
    }

    packet pk;
    std::error_code ec;
    const bool got = dec.next(pk, ec);
    if (!errors->empty()) {
      const std::string theirs = dumped((*errors)[0]);
      if (got) {
        if (!allowed(deviation::we_accept)) {
          fail("mqtt-packet reports " + theirs + ", we decode a " +
               std::string(to_string(type_of(pk))) + " there");
        }
      } else if (!ec) {
        if (!allowed(deviation::we_accept)) {
          fail("mqtt-packet reports " + theirs + ", our decoder waits for more bytes");
        }
      } else {
        count("parse.both_report_an_error");
        r_.note = "mqtt-packet: " + theirs + "; mqttws: \"" + ec.message() + "\"";
        check_retargeted(version);
      }
      return;
    }
    if (got) {
      fail("we decode one more packet than mqtt-packet: a " + std::string(to_string(type_of(pk))));
    } else if (ec) {
      fail("after the last packet mqtt-packet emitted we report \"" + ec.message() + "\"");
    } else {
      std::uint64_t remaining = 0;
      if (const ojson* rem = member(v_, "remaining"); rem && rem->is_number_unsigned()) {
        remaining = rem->get<std::uint64_t>();
      }
      if (dec.buffered() != remaining) {
        fail("mqtt-packet leaves " + std::to_string(remaining) + " bytes unparsed, we " +
             std::to_string(dec.buffered()));
      }
    }
  }

  void check_generate() {
    const ojson* pv_json = member(v_, "protocolVersion");
    const ojson* object = member(v_, "object");
    const ojson* hex = member(v_, "hex");
    if (!pv_json || !pv_json->is_number_integer() || !object || !hex) {
      fail("malformed generate vector " + dumped(v_));
      return;
    }
    const std::int64_t version = pv_json->get<std::int64_t>();
    const bool they_failed = hex->is_null();
    const std::string their_error = string_member(v_, "error");
    byte_spec theirs;
    if (!they_failed && !read_hex_field(*hex, theirs)) {
      fail("malformed hex " + dumped(*hex));
      return;
    }
    if (largest_bytes(v_) > kMaxVectorBytes) {
      r_.result = outcome::skipped_size;
      r_.note = std::to_string(largest_bytes(v_)) + " bytes, above the limit of this platform";
      return;
    }
    if (version < 0 || version > 255) {
      fail("protocol version " + std::to_string(version) + " out of range");
      return;
    }
    key_hex_ = they_failed || theirs.count != 0 ? std::string() : to_hex(theirs.head);

    built_packet b;
    std::string why;
    if (!build_packet(*object, static_cast<int>(version), b, why)) {
      if (they_failed) {
        r_.result = outcome::skipped_unrepresentable;
        r_.note = why + " (mqtt-packet: \"" + their_error + "\")";
      } else if (!allowed(deviation::unrepresentable)) {
        fail("mqtt-packet encodes " + shown(theirs) + " from an object mqttws cannot express: " +
             why);
      }
      return;
    }
    const auto pv = static_cast<protocol_version>(version);
    std::vector<std::uint8_t> out;
    const std::error_code ec = encode(b.pk, pv, out);
    if (they_failed) {
      if (ec) {
        count("generate.both_refuse");
        r_.note = "mqtt-packet: \"" + their_error + "\"; mqttws: \"" + ec.message() + "\"";
      } else if (!allowed(deviation::we_accept)) {
        fail("mqtt-packet refuses (\"" + their_error + "\"), we encode " + shown(view(out)));
      }
      return;
    }
    if (ec) {
      if (!allowed(deviation::we_reject, ec)) {
        fail("mqtt-packet encodes " + shown(theirs) + ", we refuse: " + ec.message());
      }
      return;
    }
    packet ours;
    if (const std::error_code e = decode(view(out), pv, ours)) {
      fail("our encoding " + shown(view(out)) + " does not decode: " + e.message());
      return;
    }
    if (theirs.equals(view(out))) {
      count("generate.exact_bytes");
      c_.generate_types.insert(static_cast<int>(type_of(ours)));
      return;
    }
    const std::string their_bytes = theirs.materialize();
    packet theirs_decoded;
    if (const std::error_code e = decode(their_bytes, pv, theirs_decoded)) {
      fail("we encode " + shown(view(out)) + "; mqtt-packet's " + shown(their_bytes) +
           " does not decode: " + e.message());
      return;
    }
    const json a = packet_json(theirs_decoded, pv, true);
    const json o = packet_json(ours, pv, true);
    if (a != o) {
      fail("our bytes decode to another packet than theirs\n  theirs: " + shown(their_bytes) +
           " = " + dumped(a) + "\n  ours:   " + shown(view(out)) + " = " + dumped(o) +
           "\n  patch from theirs to ours: " + dumped(json::diff(a, o)));
      return;
    }
    const freedom f = explain(ours, pv, out.size(), their_bytes.size());
    if (f == freedom::none) {
      fail("same packet, other bytes without a reason\n  theirs: " + shown(their_bytes) +
           "\n  ours:   " + shown(view(out)));
      return;
    }
    count(std::string("generate.same_packet_other_bytes.") + freedom_name(f));
    r_.other_bytes.push_back(std::string("encoded: ") + freedom_name(f) + "; ours " +
                             shown(view(out)));
    c_.generate_types.insert(static_cast<int>(type_of(ours)));
  }

  corpus& c_;
  vector_result& r_;
  const ojson& v_;
  bool is_variant_;
  std::string test_;
  std::string key_hex_;
};

// The vector file: MQTTWS_VECTORS_FILE from the environment, else the one CMake names. (Under
// node the environment is Emscripten's own, so there it is always the one CMake names.)
// MQTTWS_VECTORS_VERBOSE=1 also lists the agreed vectors with what each side reported.
std::string vectors_file() {
  const char* env = std::getenv("MQTTWS_VECTORS_FILE");
  return env && *env ? env : kVectorsFile;
}

corpus load_and_check() {
  corpus c;
  c.file = vectors_file();
  std::ifstream in(c.file, std::ios::binary);
  if (!in) {
    c.load_error = "cannot open the mqtt-packet vector file " + c.file + ": " + kHowToGenerate;
    return c;
  }
  std::ostringstream text;
  text << in.rdbuf();
  const ojson doc = ojson::parse(text.str(), nullptr, false);
  const ojson* vectors = doc.is_discarded() ? nullptr : member(doc, "vectors");
  if (!vectors || !vectors->is_array()) {
    c.load_error = c.file + " is not a vector file; re" + kHowToGenerate;
    return c;
  }
  c.loaded = true;
  c.source = string_member(doc, "source");
  for (std::size_t i = 0; i < vectors->size(); ++i) {
    const ojson& v = (*vectors)[i];
    vector_result r;
    r.label = label_of(v, i);
    checker(c, r, v, false).run();
    c.results.push_back(std::move(r));
  }
  return c;
}

const corpus& vectors() {
  static const corpus c = load_and_check();
  return c;
}

void report_failures(bool parse) {
  const corpus& c = vectors();
  ASSERT_TRUE(c.loaded) << c.load_error;
  for (const vector_result& r : c.results) {
    if (r.parse != parse) continue;
    SCOPED_TRACE(r.label);
    for (const std::string& f : r.failures) ADD_FAILURE() << r.label << ": " << f;
  }
}

TEST(MqttPacketVectors, ParseVectorsAgree) { report_failures(true); }

TEST(MqttPacketVectors, GenerateVectorsAgree) { report_failures(false); }

TEST(MqttPacketVectors, EveryAllowListEntryIsUsed) {
  const corpus& c = vectors();
  ASSERT_TRUE(c.loaded) << c.load_error;
  for (std::size_t i = 0; i < std::size(kAllowList); ++i) {
    EXPECT_GT(c.allowance_uses[i], 0)
        << "allow-list entry matches no vector (stale after a new mqtt-packet?): "
        << kAllowList[i].kind << " \"" << kAllowList[i].test << "\"";
  }
  for (std::size_t i = 0; i < std::size(kRetargeted); ++i) {
    EXPECT_GT(c.retarget_uses[i], 0) << "retargeted error vector matches no vector: \""
                                     << kRetargeted[i].test << "\" " << kRetargeted[i].hex;
  }
}

TEST(MqttPacketVectors, Summary) {
  const corpus& c = vectors();
  ASSERT_TRUE(c.loaded) << c.load_error;
  std::map<outcome, int> by_outcome;
  int parse = 0;
  for (const vector_result& r : c.results) {
    ++by_outcome[r.result];
    if (r.parse) ++parse;
  }
  const int checked = by_outcome[outcome::agreed] + by_outcome[outcome::allow_listed] +
                      by_outcome[outcome::failed];
  std::printf("mqtt-packet vectors from %s (%s)\n", c.source.c_str(), c.file.c_str());
  std::printf("  %zu vectors (%d parse, %zu generate): %d checked = %d agreed + %d allow-listed "
              "+ %d failed; skipped: %d unrepresentable, %d too large for this platform\n",
              c.results.size(), parse, c.results.size() - static_cast<std::size_t>(parse), checked,
              by_outcome[outcome::agreed], by_outcome[outcome::allow_listed],
              by_outcome[outcome::failed], by_outcome[outcome::skipped_unrepresentable],
              by_outcome[outcome::skipped_size]);
  for (const auto& [name, n] : c.counters) std::printf("  %-60s %d\n", name.c_str(), n);
  for (const vector_result& r : c.results) {
    if (r.result == outcome::allow_listed) {
      std::printf("  [allow-listed] %s\n      %s\n", r.label.c_str(), r.note.c_str());
    }
  }
  if (const char* verbose = std::getenv("MQTTWS_VECTORS_VERBOSE"); verbose && *verbose) {
    for (const vector_result& r : c.results) {  // e.g. which errors both sides reported
      if (r.result == outcome::agreed && !r.note.empty()) {
        std::printf("  [agreed] %s\n      %s\n", r.label.c_str(), r.note.c_str());
      }
    }
  }
  for (const vector_result& r : c.results) {
    for (const std::string& o : r.other_bytes) {
      std::printf("  [same packet, other bytes] %s\n      %s\n", r.label.c_str(), o.c_str());
    }
  }
  for (const vector_result& r : c.results) {
    if (r.result == outcome::skipped_unrepresentable || r.result == outcome::skipped_size) {
      std::printf("  [skipped] %s\n      %s\n", r.label.c_str(), r.note.c_str());
    }
  }

  EXPECT_GE(checked, static_cast<int>(kMinCheckedVectors))
      << "too few mqtt-packet vectors checked: is " << c.file << " complete? "
      << kHowToGenerate;
  for (int t = 1; t <= 15; ++t) {
    const auto name = to_string(static_cast<packet_type>(t));
    EXPECT_TRUE(c.parse_types.count(t)) << "no parse vector decoded a " << name;
    EXPECT_TRUE(c.generate_types.count(t)) << "no generate vector encoded a " << name;
  }
}

}  // namespace
}  // namespace mqttws
