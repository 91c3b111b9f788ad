// mqttws — how a native client (mqttws::client) connects and behaves.
//
// Unlike session_options (views), everything here is owned: build the options, hand them to
// the client, and let them go.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mqttws/backoff.hpp"
#include "mqttws/protocol.hpp"
#include "mqttws/session_clock.hpp"
#include "mqttws/session_options.hpp"
#include "mqttws/session_store.hpp"

namespace mqttws {

/// A name/value pair: an MQTT 5 user property or an HTTP header.
using string_pair = std::pair<std::string, std::string>;

/// TLS for wss:// and mqtts:// endpoints. Default: the server certificate is verified against
/// the system trust store, and must be issued for the URL's host (DNS name or IP address);
/// the host name is sent as SNI (not for IP addresses, which RFC 6066 does not allow).
/// The lowest TLS version a connection accepts.
enum class tls_version : std::uint8_t { v1_2, v1_3 };

struct tls_options {
  std::string ca_file;    ///< PEM file of trusted CAs, used *instead of* the system store.
  /// Directory of trusted CA certificates in OpenSSL's hashed layout (`openssl rehash DIR`),
  /// used *instead of* the system store, like ca_file (both may be given: either trusts).
  std::string ca_path;
  std::string cert_file;  ///< PEM client certificate (chain) for mutual TLS.
  std::string key_file;   ///< PEM private key of cert_file (unencrypted).
  /// Skip certificate and host name verification. For tests and development only: it makes
  /// the connection open to interception.
  bool insecure = false;
  /// TLS 1.2 and later by default; v1_3 refuses servers that only speak 1.2.
  tls_version min_version = tls_version::v1_2;
};

/// The will message, published by the broker when the connection ends without DISCONNECT.
struct will_options {
  std::string topic;
  std::string payload;  ///< Binary.
  mqttws::qos qos = qos::at_most_once;
  bool retain = false;
  // MQTT 5 will properties; leave unset on 3.1.1.
  std::optional<std::uint32_t> delay_interval;           ///< Seconds.
  std::optional<std::uint32_t> message_expiry_interval;  ///< Seconds.
  std::optional<std::uint8_t> payload_format_indicator;  ///< 0 bytes, 1 UTF-8.
  std::optional<std::string> content_type;
  std::optional<std::string> response_topic;
  std::optional<std::string> correlation_data;           ///< Binary.
  std::vector<string_pair> user_properties;
};

/// What a (re)connection attempt will use. Given to client_options::before_connect, which may
/// change the credentials and headers (e.g. put a freshly refreshed token in); the changes are
/// kept and used by later attempts too.
struct connect_attempt {
  std::string endpoint;        ///< The URL about to be opened (changing it has no effect).
  std::uint32_t attempt = 0;   ///< 0 for the first connection, then counts reconnections.
  std::optional<std::string> username;
  std::optional<std::string> password;  ///< Binary.
  std::vector<string_pair> headers;     ///< Extra WebSocket handshake headers.
};

struct client_options {
  protocol_version version = protocol_version::v5;

  // ---- broker ------------------------------------------------------------------------------
  /// Broker URLs (see endpoint_url.hpp): "wss://host/mqtt", "ws://host:port/path",
  /// "mqtts://host", "mqtt://host:port". Tried in turn; a failed attempt moves to the next
  /// one; the backoff delay applies after a whole round has failed.
  std::vector<std::string> endpoints;
  tls_options tls;
  /// Extra HTTP headers for the WebSocket handshake (e.g. {"Authorization", "Bearer ..."}).
  /// "Sec-WebSocket-Protocol: mqtt" is always sent.
  std::vector<string_pair> headers;

  // ---- CONNECT -----------------------------------------------------------------------------
  std::string client_id;  ///< Empty: the broker assigns one (3.1.1: needs clean_start).
  /// Clean Start of the first connection; reconnections resume a persistent session (MQTT 5:
  /// session_expiry_interval > 0; 3.1.1: clean_start false).
  bool clean_start = true;
  std::uint16_t keep_alive = 60;  ///< Seconds; 0 disables keepalive.
  std::optional<std::string> username;
  std::optional<std::string> password;  ///< Binary.
  std::optional<will_options> will;
  // MQTT 5 CONNECT properties; leave unset on 3.1.1.
  std::optional<std::uint32_t> session_expiry_interval;  ///< Seconds; > 0: persistent.
  std::optional<std::uint16_t> receive_maximum;
  std::optional<std::uint32_t> maximum_packet_size;
  std::optional<std::uint16_t> topic_alias_maximum;      ///< Inbound aliases we accept.
  std::optional<bool> request_response_information;
  std::optional<bool> request_problem_information;
  std::optional<std::string> authentication_method;
  std::optional<std::string> authentication_data;
  std::vector<string_pair> user_properties;

  /// Called before every connection attempt, the first included, on the client's executor.
  /// It may change the username, password and headers of this and later attempts. It must
  /// not block and must not call the client.
  std::function<void(connect_attempt&)> before_connect;

  // ---- timing and reconnection -----------------------------------------------------------
  duration connect_timeout = std::chrono::seconds(30);  ///< Open + handshakes + CONNACK.
  /// PINGRESP wait; 0: half the Keep Alive in force, so a half-open link is found within
  /// 1.5 x Keep Alive of the last byte heard.
  duration ping_timeout{0};
  /// How long an orderly close (after DISCONNECT) may take before the socket is just closed.
  duration close_timeout = std::chrono::seconds(5);
  bool reconnect = true;  ///< Reconnect after losses (never after async_disconnect()).
  /// Reconnect delays. backoff.seed unset (the default): a random seed per client.
  backoff_options backoff;

  // ---- outgoing messages ---------------------------------------------------------------------
  std::size_t max_queued = 1000;  ///< Offline / beyond the broker's Receive Maximum.
  queue_full_policy when_queue_full = queue_full_policy::reject;
  bool queue_qos0_offline = true;
  /// Pacing on links that keep failing (see session_options): QoS 1/2 publishes a new
  /// connection may have unacknowledged before acknowledgements open the window further
  /// (0: the broker's whole Receive Maximum at once)...
  std::uint16_t initial_send_window = 4;
  /// ...the most bytes per write (per WebSocket message; whole packets, a larger one alone;
  /// 0: no bound)...
  std::size_t max_write_bytes = 4096;
  /// ...and, on MQTT 5, a smaller Receive Maximum asked for after connections that died
  /// young while the broker was sending.
  bool adaptive_receive_maximum = true;
  bool auto_topic_alias = true;   ///< MQTT 5: assign outbound topic aliases automatically.
  /// MQTT 5: give each subscription a Subscription Identifier of the session's own, so a
  /// per-subscription handler sees only the copies the broker sent for its subscription
  /// (session_options::auto_subscription_identifiers).
  bool auto_subscription_identifiers = true;
  std::string response_topic_prefix;  ///< For async_request(); see session_options.

  /// Where in-flight QoS 1/2 state is kept (e.g. a file_store, to survive a restart). Not
  /// owned; must outlive the client. nullptr: memory owned by the client, which survives
  /// reconnects (and a reconnect after async_disconnect()) but not the client itself.
  session_store* store = nullptr;
};

}  // namespace mqttws
