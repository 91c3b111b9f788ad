// Broker URLs: every scheme and its default port, IPv6, paths, and a precise error for each
// kind of bad URL.
#include "mqttws/endpoint_url.hpp"

#include <gtest/gtest.h>

#include "mqttws/transport_error.hpp"

namespace mqttws {
namespace {

endpoint_url parsed(std::string_view s) {
  endpoint_url u;
  EXPECT_FALSE(parse_url(s, u)) << s;
  return u;
}

std::error_code error_of(std::string_view s) {
  endpoint_url u;
  u.host = "unchanged";
  std::error_code ec = parse_url(s, u);
  EXPECT_EQ(u.host, "unchanged") << s;
  return ec;
}

TEST(endpoint_url, SchemesAndDefaultPorts) {
  EXPECT_EQ(parsed("ws://h").port, 80);
  EXPECT_EQ(parsed("wss://h").port, 443);
  EXPECT_EQ(parsed("mqtt://h").port, 1883);
  EXPECT_EQ(parsed("mqtts://h").port, 8883);
  EXPECT_EQ(parsed("tcp://h").scheme, url_scheme::mqtt);
  EXPECT_EQ(parsed("ssl://h").scheme, url_scheme::mqtts);
  EXPECT_EQ(parsed("tls://h").scheme, url_scheme::mqtts);
  EXPECT_EQ(parsed("WSS://h").scheme, url_scheme::wss);
}

TEST(endpoint_url, HostPortAndPath) {
  endpoint_url u = parsed("wss://broker.example.com:8884/mqtt?token=a");
  EXPECT_EQ(u.scheme, url_scheme::wss);
  EXPECT_EQ(u.host, "broker.example.com");
  EXPECT_EQ(u.port, 8884);
  EXPECT_EQ(u.path, "/mqtt?token=a");
  EXPECT_TRUE(u.is_websocket());
  EXPECT_TRUE(u.is_tls());
  EXPECT_EQ(parsed("ws://h:1").path, "/");
  EXPECT_EQ(parsed("ws://h?x=1").path, "/?x=1");
  EXPECT_EQ(parsed("mqtt://10.0.0.1:65535").port, 65535);
}

TEST(endpoint_url, BracketedIpv6) {
  endpoint_url u = parsed("mqtt://[::1]:1884");
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, 1884);
  EXPECT_EQ(parsed("ws://[fe80::1]/p").path, "/p");
}

TEST(endpoint_url, UnknownScheme) {
  EXPECT_EQ(error_of("http://h"), transport_errc::url_unknown_scheme);
  EXPECT_EQ(error_of("://h"), transport_errc::url_unknown_scheme);
}

TEST(endpoint_url, MissingHost) {
  EXPECT_EQ(error_of("ws://"), transport_errc::url_missing_host);
  EXPECT_EQ(error_of("ws://:80/x"), transport_errc::url_missing_host);
  EXPECT_EQ(error_of("mqtt://[]:1"), transport_errc::url_missing_host);
}

TEST(endpoint_url, InvalidPort) {
  EXPECT_EQ(error_of("ws://h:"), transport_errc::url_invalid_port);
  EXPECT_EQ(error_of("ws://h:0"), transport_errc::url_invalid_port);
  EXPECT_EQ(error_of("ws://h:65536"), transport_errc::url_invalid_port);
  EXPECT_EQ(error_of("ws://h:12a"), transport_errc::url_invalid_port);
  EXPECT_EQ(error_of("ws://h:123456"), transport_errc::url_invalid_port);
}

TEST(endpoint_url, Malformed) {
  EXPECT_EQ(error_of("localhost:1883"), transport_errc::url_malformed);
  EXPECT_EQ(error_of("ws://user:pw@h"), transport_errc::url_malformed);
  EXPECT_EQ(error_of("ws://h ost"), transport_errc::url_malformed);
  EXPECT_EQ(error_of("mqtt://[::1"), transport_errc::url_malformed);
  EXPECT_EQ(error_of("mqtt://::1:1883"), transport_errc::url_malformed);
  EXPECT_EQ(error_of("mqtt://[::1]x"), transport_errc::url_malformed);
}

TEST(endpoint_url, ErrorsHaveMessages) {
  EXPECT_EQ(std::error_code(transport_errc::url_unknown_scheme).message(),
            "unknown URL scheme (expected ws, wss, mqtt or mqtts)");
  EXPECT_STREQ(transport_category().name(), "mqttws.transport");
}

}  // namespace
}  // namespace mqttws
