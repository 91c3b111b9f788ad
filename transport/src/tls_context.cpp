// The OpenSSL context of TLS transports.
#include "tls_context.hpp"

#include <sys/stat.h>

#include "mqttws/transport_error.hpp"

namespace mqttws::detail {

namespace ssl = boost::asio::ssl;

std::shared_ptr<ssl::context> make_tls_context(const tls_options& tls, std::error_code& ec) {
  ec.clear();
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  boost::system::error_code bec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                       ssl::context::no_tlsv1_1,
                   bec);
  if (tls.min_version == tls_version::v1_3 &&
      SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_3_VERSION) != 1) {
    ec = transport_errc::tls_version_unsupported;  // never silently fall back to 1.2
    return nullptr;
  }
  if (!tls.ca_file.empty() || !tls.ca_path.empty()) {
    // The given CAs replace the system store: a private broker's CA is trusted for this
    // connection only, and a public CA is not trusted for a private broker.
    if (!tls.ca_file.empty() && ctx->load_verify_file(tls.ca_file, bec)) {
      ec = transport_errc::tls_ca_file_invalid;
      return nullptr;
    }
    // OpenSSL accepts any string as a directory and only looks into it while verifying; a
    // typo would then read as an untrusted server, so a missing directory is said at once.
    struct stat st {};
    if (!tls.ca_path.empty() &&
        (::stat(tls.ca_path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) ||
         ctx->add_verify_path(tls.ca_path, bec))) {
      ec = transport_errc::tls_ca_path_invalid;
      return nullptr;
    }
  } else if (!tls.insecure) {
    ctx->set_default_verify_paths(bec);  // no system store: verification fails later, clearly
  }
  if (!tls.cert_file.empty()) {
    if (ctx->use_certificate_chain_file(tls.cert_file, bec)) {
      ec = transport_errc::tls_cert_file_invalid;
      return nullptr;
    }
  }
  if (!tls.key_file.empty()) {
    if (ctx->use_private_key_file(tls.key_file, ssl::context::pem, bec) ||
        (!tls.cert_file.empty() && SSL_CTX_check_private_key(ctx->native_handle()) != 1)) {
      ec = transport_errc::tls_key_file_invalid;
      return nullptr;
    }
  }
  return ctx;
}

}  // namespace mqttws::detail
