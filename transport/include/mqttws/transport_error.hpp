// mqttws — errors found by the native transports (URLs, TLS setup, WebSocket handshake).
//
// Errors of the network itself keep their own categories (boost::system / asio, OpenSSL,
// Beast); these codes name what mqttws itself checks, so callers can tell a bad URL from a
// refused connection without parsing messages.
#pragma once

#include <system_error>

namespace mqttws {

/// Transport errors. Zero is never used: a default std::error_code means success.
enum class transport_errc {
  // -- URLs (endpoint_url.hpp) ------------------------------------------------------
  url_unknown_scheme = 1,   ///< Not ws, wss, mqtt, mqtts (or tcp, ssl, tls).
  url_missing_host,         ///< No host between "://" and the port or path.
  url_invalid_port,         ///< A port that is not a number in 1..65535.
  url_malformed,            ///< No "://", user info, bad IPv6 brackets, or spaces.
  // -- TLS ------------------------------------------------------------------------------
  tls_ca_file_invalid,      ///< tls_options::ca_file cannot be read or holds no certificate.
  tls_cert_file_invalid,    ///< tls_options::cert_file cannot be read as a PEM certificate.
  tls_key_file_invalid,     ///< tls_options::key_file cannot be read or does not match the cert.
  tls_certificate_rejected, ///< The server's certificate failed verification (untrusted CA,
                            ///< expired, or not issued for the host name).
  // -- WebSocket ---------------------------------------------------------------------------
  websocket_subprotocol_rejected,  ///< The server did not accept the "mqtt" subprotocol.
  // -- TLS, added later (kept last so the values above do not change) --------------------
  tls_ca_path_invalid,      ///< tls_options::ca_path is not a readable directory.
  tls_version_unsupported,  ///< OpenSSL cannot set tls_options::min_version.
};

/// The category of `transport_errc`; its name() is "mqttws.transport".
const std::error_category& transport_category() noexcept;

inline std::error_code make_error_code(transport_errc e) noexcept {
  return {static_cast<int>(e), transport_category()};
}

}  // namespace mqttws

namespace std {
template <>
struct is_error_code_enum<mqttws::transport_errc> : true_type {};
}  // namespace std
