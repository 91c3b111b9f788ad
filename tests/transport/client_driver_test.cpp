// The driver around the session: write coalescing, the before_connect hook, WebSocket
// headers, and the raw transports.
#include "client_test_util.hpp"

#include "mqttws/codec.hpp"
#include "mqttws/endpoint_url.hpp"
#include "mqttws/stream_decoder.hpp"
#include "mqttws/transport.hpp"
#include "ws_recording_server.hpp"

namespace mqttws::test {
namespace {

class client_driver : public broker_suite {};

TEST_F(client_driver, Qos0PublishesIssuedTogetherAreCoalescedIntoFewWrites) {
  const std::string topic = unique_id("burst");
  client c(io.get_executor(), options_for(broker(), listener::ws));
  connect_ok(io, c);
  int received = 0;
  ASSERT_FALSE(subscribe(io, c, topic, qos::at_most_once, [&](const message&) { ++received; }).ec);
  const client_stats before = c.stats();
  constexpr int n = 500;
  int done = 0;
  for (int i = 0; i < n; ++i) {
    c.async_publish(topic, "payload", qos::at_most_once, false,
                    [&](std::error_code ec, publish_result) {
                      EXPECT_FALSE(ec);
                      ++done;
                    });
  }
  ASSERT_TRUE(run_until(io, [&] { return done == n && received == n; }));
  const client_stats after = c.stats();
  EXPECT_EQ(after.session.packets_sent - before.session.packets_sent, std::uint64_t{n});
  const std::uint64_t bytes = after.session.bytes_sent - before.session.bytes_sent;
  EXPECT_EQ(after.transport_bytes_written - before.transport_bytes_written, bytes);
  // The first publish starts a write; the other 499 wait and go out coalesced, as many
  // packets per WebSocket message as max_transmit_bytes (4096) holds.
  const std::uint64_t packet = bytes / n;
  const std::uint64_t per_message = 4096 / packet;
  EXPECT_LE(after.transport_writes - before.transport_writes,
            1 + (n - 1 + per_message - 1) / per_message);
  disconnect(io, c);
}

TEST_F(client_driver, OverTcpQueuedWritesAreCoalescedWhole) {
  // A TCP stream has no messages that a cut would lose whole: no bound there.
  const std::string topic = unique_id("burst");
  client c(io.get_executor(), options_for(broker(), listener::mqtt));
  connect_ok(io, c);
  const client_stats before = c.stats();
  constexpr int n = 500;
  int done = 0;
  for (int i = 0; i < n; ++i) {
    c.async_publish(topic, "payload", qos::at_most_once, false,
                    [&](std::error_code, publish_result) { ++done; });
  }
  ASSERT_TRUE(run_until(io, [&] { return done == n; }));
  EXPECT_LE(c.stats().transport_writes - before.transport_writes, 2u);
  disconnect(io, c);
}

TEST_F(client_driver, NoWebSocketMessageExceedsMaxWriteBytes) {
  const std::string topic = unique_id("burst");
  client_options o = options_for(broker(), listener::ws);
  o.max_transmit_bytes = 1000;
  client c(io.get_executor(), o);
  connect_ok(io, c);
  const client_stats before = c.stats();
  constexpr int n = 200;
  int done = 0;
  for (int i = 0; i < n; ++i) {
    c.async_publish(topic, std::string(90, 'x'), qos::at_most_once, false,
                    [&](std::error_code, publish_result) { ++done; });
  }
  ASSERT_TRUE(run_until(io, [&] { return done == n; }));
  const client_stats after = c.stats();
  const std::uint64_t writes = after.transport_writes - before.transport_writes;
  const std::uint64_t bytes = after.transport_bytes_written - before.transport_bytes_written;
  // ~125-byte packets, at most 8 per message: at least 25 messages, none over 1000 bytes.
  EXPECT_GE(writes, (bytes + 999) / 1000);
  disconnect(io, c);
}

TEST_F(client_driver, BeforeConnectSuppliesTheCredentials) {
  client_options o = options_for(broker(), listener::ws, "nobody", "nothing");
  std::vector<connect_attempt> seen;
  o.before_connect = [&](connect_attempt& a) {
    seen.push_back(a);
    a.username = mosquitto_fixture::user;
    a.password = mosquitto_fixture::password;
    a.headers.emplace_back("Authorization", "Bearer token-" + std::to_string(seen.size()));
  };
  client c(io.get_executor(), o);
  connect_ok(io, c);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].attempt, 0u);
  EXPECT_EQ(seen[0].endpoint, broker().url(listener::ws));
  EXPECT_EQ(seen[0].username, std::optional<std::string>("nobody"));
  EXPECT_TRUE(seen[0].headers.empty());
  disconnect(io, c);
}

// The client's upgrade request, as a recording server sees it (a broker accepts any path
// and any header, so only the request itself can show what the client sent).
std::string header_value(const ws_recording_server::upgrade_request& r, const std::string& name) {
  std::string found;
  int count = 0;
  for (const auto& h : r.headers) {
    if (h.first == name) {
      found = h.second;
      ++count;
    }
  }
  return count == 1 ? found : "<" + std::to_string(count) + " fields>";
}

// An MQTT 5 CONNACK: success, no session present, no properties.
const std::string connack{'\x20', '\x03', '\x00', '\x00', '\x00'};

TEST_F(client_driver, ExtraWebSocketHeadersAreSentInTheUpgradeRequest) {
  ws_recording_server server(connack);
  client_options o;
  o.endpoints = {"ws://127.0.0.1:" + std::to_string(server.port()) + "/"};
  o.client_id = unique_id("hdr");
  o.connect_timeout = 10s;
  o.headers = {{"Authorization", "Bearer abc.def.ghi"}, {"X-Device", "sensor-7"}};
  client c(io.get_executor(), o);
  connect_ok(io, c);
  ASSERT_TRUE(server.recorded());
  const auto r = server.request();
  EXPECT_EQ(header_value(r, "Authorization"), "Bearer abc.def.ghi");
  EXPECT_EQ(header_value(r, "X-Device"), "sensor-7");
  EXPECT_EQ(r.subprotocol, "mqtt");
  EXPECT_EQ(r.host, "127.0.0.1:" + std::to_string(server.port()));
  disconnect(io, c);
}

TEST_F(client_driver, WebSocketRequestTargetIsTheUrlPathAndQuery) {
  ws_recording_server server(connack);
  client_options o;
  o.endpoints = {"ws://127.0.0.1:" + std::to_string(server.port()) + "/mqtt?client=1"};
  o.client_id = unique_id("path");
  o.connect_timeout = 10s;
  client c(io.get_executor(), o);
  connect_ok(io, c);
  ASSERT_TRUE(server.recorded());
  const auto r = server.request();
  EXPECT_EQ(r.target, "/mqtt?client=1");
  EXPECT_EQ(r.subprotocol, "mqtt");
  EXPECT_EQ(header_value(r, "Sec-WebSocket-Protocol"), "mqtt");
  disconnect(io, c);
}

// ---- the raw transports -----------------------------------------------------------------------

class transport_over : public client_driver, public ::testing::WithParamInterface<listener> {};

TEST_P(transport_over, OpensWritesReadsAndClosesInOrder) {
  endpoint_url url;
  ASSERT_FALSE(parse_url(broker().url(GetParam()), url));
  transport_config config;
  config.tls.ca_file = broker().ca_file();
  if (GetParam() == listener::mqtts_mutual) {
    config.tls.cert_file = broker().client_cert();
    config.tls.key_file = broker().client_key();
  }
  std::error_code ec;
  std::shared_ptr<transport> t = make_transport(io.get_executor(), url, config, ec);
  ASSERT_FALSE(ec) << ec.message();

  bool opened = false, closed = false;
  std::error_code closed_ec;
  stream_decoder decoder(protocol_version::v311);
  std::vector<packet_type> got;
  transport_handlers h;
  h.on_open = [&] { opened = true; };
  h.on_data = [&](const std::uint8_t* d, std::size_t n) {
    decoder.feed(d, n);
    packet p;
    std::error_code e;
    while (decoder.next(p, e)) got.push_back(type_of(p));
  };
  h.on_closed = [&](std::error_code e) {
    closed = true;
    closed_ec = e;
  };
  t->open(std::move(h));
  ASSERT_TRUE(run_until(io, [&] { return opened || closed; }));
  ASSERT_TRUE(opened) << closed_ec.message();

  // CONNECT and a PINGREQ in two writes issued back to back: the second is coalesced.
  mqttws::connect c;
  c.version = protocol_version::v311;
  c.client_id = "raw-transport";
  c.username = mosquitto_fixture::user;
  c.password = mosquitto_fixture::password;
  std::vector<std::uint8_t> a, b;
  ASSERT_FALSE(encode(c, protocol_version::v311, a));
  ASSERT_FALSE(encode(pingreq{}, protocol_version::v311, b));
  t->write(a.data(), a.size());
  t->write(b.data(), b.size());
  t->write(b.data(), b.size());
  ASSERT_TRUE(run_until(io, [&] { return got.size() == 3 || closed; }));
  EXPECT_EQ(got, (std::vector<packet_type>{packet_type::connack, packet_type::pingresp,
                                           packet_type::pingresp}));
  EXPECT_EQ(t->stats().writes, 2u);
  EXPECT_EQ(t->stats().bytes_written, a.size() + 2 * b.size());

  std::vector<std::uint8_t> d;
  ASSERT_FALSE(encode(mqttws::disconnect{}, protocol_version::v311, d));
  t->write(d.data(), d.size());
  t->close(5s);
  ASSERT_TRUE(run_until(io, [&] { return closed; }));
  EXPECT_FALSE(closed_ec) << closed_ec.message();  // an orderly close of ours
}

TEST_P(transport_over, AbortStopsEveryCallback) {
  endpoint_url url;
  ASSERT_FALSE(parse_url(broker().url(GetParam()), url));
  transport_config config;
  config.tls.ca_file = broker().ca_file();
  std::error_code ec;
  std::shared_ptr<transport> t = make_transport(io.get_executor(), url, config, ec);
  ASSERT_FALSE(ec);
  int calls = 0;
  transport_handlers h;
  h.on_open = [&] { ++calls; };
  h.on_closed = [&](std::error_code) { ++calls; };
  t->open(std::move(h));
  t->abort();
  t.reset();
  run_for(io, 200ms);
  EXPECT_EQ(calls, 0);
}

INSTANTIATE_TEST_SUITE_P(all, transport_over,
                         ::testing::Values(listener::mqtt, listener::mqtts, listener::ws,
                                           listener::wss, listener::mqtts_mutual),
                         [](const auto& param_info) {
                           return std::string(to_string(param_info.param));
                         });

TEST_F(client_driver, TransportToAClosedPortReportsTheConnectError) {
  endpoint_url url;
  ASSERT_FALSE(parse_url("ws://127.0.0.1:" + std::to_string(free_loopback_port()), url));
  std::error_code ec;
  std::shared_ptr<transport> t = make_transport(io.get_executor(), url, {}, ec);
  ASSERT_FALSE(ec);
  bool closed = false;
  std::error_code closed_ec;
  transport_handlers h;
  h.on_open = [&] { ADD_FAILURE() << "opened"; };
  h.on_closed = [&](std::error_code e) {
    closed = true;
    closed_ec = e;
  };
  t->open(std::move(h));
  ASSERT_TRUE(run_until(io, [&] { return closed; }));
  EXPECT_EQ(closed_ec, std::errc::connection_refused) << closed_ec.message();
}

}  // namespace
}  // namespace mqttws::test
