// TLS: verification on by default, a wrong CA rejected clearly, `insecure` accepted, mutual
// TLS required by its listener, bad TLS files reported.
#include <cstdlib>

#include "client_test_util.hpp"

namespace mqttws::test {
namespace {

class client_tls : public broker_suite, public ::testing::WithParamInterface<listener> {};

TEST_P(client_tls, WrongCaIsRejectedAsCertificateVerificationFailure) {
  client_options o = options_for(broker(), GetParam());
  o.tls.ca_file = broker().wrong_ca_file();
  o.reconnect = false;
  client c(io.get_executor(), o);
  outcome<connect_result> r = connect(io, c);
  EXPECT_EQ(r.ec, transport_errc::tls_certificate_rejected) << r.ec.message();
  EXPECT_EQ(describe(r.ec), "TLS: server certificate verification failed");
}

TEST_P(client_tls, SystemTrustStoreDoesNotTrustTheTestCa) {
  client_options o = options_for(broker(), GetParam());
  o.tls.ca_file.clear();
  o.reconnect = false;
  client c(io.get_executor(), o);
  EXPECT_EQ(connect(io, c).ec, transport_errc::tls_certificate_rejected);
}

TEST_P(client_tls, InsecureAcceptsAnUntrustedCertificate) {
  client_options o = options_for(broker(), GetParam());
  o.tls.ca_file = broker().wrong_ca_file();
  o.tls.insecure = true;
  client c(io.get_executor(), o);
  connect_ok(io, c);
  disconnect(io, c);
}

TEST_P(client_tls, HostNameLocalhostMatchesTheCertificate) {
  client_options o = options_for(broker(), GetParam());
  o.endpoints = {broker().url(GetParam(), "localhost")};
  client c(io.get_executor(), o);
  connect_ok(io, c);
  disconnect(io, c);
}

TEST_P(client_tls, CaPathOfAHashedDirectoryVerifiesTheBroker) {
  // OpenSSL finds a CA in a directory by its subject hash: `openssl rehash` makes the links.
  const std::string dir = broker().directory() + "/ca-path-" + to_string(GetParam());
  ASSERT_EQ(std::system(("mkdir -p '" + dir + "' && cp '" + broker().ca_file() + "' '" + dir +
                         "/ca.pem' && openssl rehash '" + dir + "'")
                            .c_str()),
            0);
  client_options o = options_for(broker(), GetParam());
  o.tls.ca_file.clear();
  o.tls.ca_path = dir;
  client c(io.get_executor(), o);
  connect_ok(io, c);
  disconnect(io, c);
}

TEST_P(client_tls, MissingCaPathIsReportedBeforeConnecting) {
  client_options o = options_for(broker(), GetParam());
  o.tls.ca_path = broker().directory() + "/no-such-dir";
  o.reconnect = false;
  client c(io.get_executor(), o);
  const outcome<connect_result> r = connect(io, c);
  EXPECT_EQ(r.ec, transport_errc::tls_ca_path_invalid) << r.ec.message();
  EXPECT_EQ(describe(r.ec), "TLS: cannot use the CA directory");
}

TEST_P(client_tls, MinimumTls13ConnectsToTheBroker) {
  client_options o = options_for(broker(), GetParam());
  o.tls.min_version = tls_version::v1_3;  // mosquitto 2 with OpenSSL 3 offers 1.3
  client c(io.get_executor(), o);
  connect_ok(io, c);
  disconnect(io, c);
}

INSTANTIATE_TEST_SUITE_P(all, client_tls, ::testing::Values(listener::mqtts, listener::wss),
                         [](const auto& param_info) {
                           return std::string(to_string(param_info.param));
                         });

class client_mutual_tls : public broker_suite {};

TEST_F(client_mutual_tls, ClientCertificateIsAccepted) {
  client c(io.get_executor(), options_for(broker(), listener::mqtts_mutual));
  connect_ok(io, c);
  ASSERT_FALSE(publish(io, c, "mtls/x", "x", qos::at_least_once).ec);
  disconnect(io, c);
}

TEST_F(client_mutual_tls, WithoutClientCertificateTheConnectionFails) {
  client_options o = options_for(broker(), listener::mqtts_mutual);
  o.tls.cert_file.clear();
  o.tls.key_file.clear();
  o.reconnect = false;
  client c(io.get_executor(), o);
  outcome<connect_result> r = connect(io, c);
  EXPECT_TRUE(r.ec);
  EXPECT_NE(c.state(), session_state::connected);
}

TEST_F(client_mutual_tls, UnreadableTlsFilesAreReported) {
  client_options o = options_for(broker(), listener::mqtts_mutual);
  o.reconnect = false;
  o.tls.ca_file = broker().directory() + "/no-such-ca.pem";
  {
    client c(io.get_executor(), o);
    EXPECT_EQ(connect(io, c).ec, transport_errc::tls_ca_file_invalid);
  }
  o = options_for(broker(), listener::mqtts_mutual);
  o.reconnect = false;
  o.tls.cert_file = broker().ca_file() + ".missing";
  {
    client c(io.get_executor(), o);
    EXPECT_EQ(connect(io, c).ec, transport_errc::tls_cert_file_invalid);
  }
  o = options_for(broker(), listener::mqtts_mutual);
  o.reconnect = false;
  o.tls.key_file = broker().ca_file();  // a certificate, not a key
  {
    client c(io.get_executor(), o);
    EXPECT_EQ(connect(io, c).ec, transport_errc::tls_key_file_invalid);
  }
}

}  // namespace
}  // namespace mqttws::test
