// Internal: the OpenSSL context of wss:// and mqtts:// transports.
#pragma once

#include <memory>
#include <system_error>

#include <boost/asio/ssl/context.hpp>

#include "mqttws/client_options.hpp"

namespace mqttws::detail {

/// A TLS 1.2+ (or 1.3+, tls.min_version) client context: the system trust store, or
/// tls.ca_file and/or tls.ca_path, the client certificate and key when given. Peer
/// verification itself is set per connection (it needs the host).
/// Errors: transport_errc::tls_ca_file_invalid, tls_ca_path_invalid, tls_version_unsupported,
/// tls_cert_file_invalid, tls_key_file_invalid.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const tls_options& tls,
                                                            std::error_code& ec);

}  // namespace mqttws::detail
