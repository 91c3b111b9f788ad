// The transport error category.
#include "mqttws/transport_error.hpp"

#include <string>

namespace mqttws {
namespace {

class transport_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mqttws.transport"; }
  std::string message(int value) const override {
    switch (static_cast<transport_errc>(value)) {
      case transport_errc::url_unknown_scheme:
        return "unknown URL scheme (expected ws, wss, mqtt or mqtts)";
      case transport_errc::url_missing_host: return "URL without a host";
      case transport_errc::url_invalid_port: return "URL port is not a number in 1..65535";
      case transport_errc::url_malformed: return "malformed URL";
      case transport_errc::tls_ca_file_invalid: return "TLS: cannot load the CA file";
      case transport_errc::tls_cert_file_invalid:
        return "TLS: cannot load the client certificate file";
      case transport_errc::tls_key_file_invalid:
        return "TLS: cannot load the private key file (or it does not match the certificate)";
      case transport_errc::tls_certificate_rejected:
        return "TLS: server certificate verification failed";
      case transport_errc::websocket_subprotocol_rejected:
        return "WebSocket: the server did not accept the mqtt subprotocol";
      case transport_errc::tls_ca_path_invalid: return "TLS: cannot use the CA directory";
      case transport_errc::tls_version_unsupported:
        return "TLS: this OpenSSL cannot require that TLS version";
    }
    return "unknown mqttws transport error";
  }
};

}  // namespace

const std::error_category& transport_category() noexcept {
  static const transport_category_impl instance;
  return instance;
}

}  // namespace mqttws
