'use strict';
// The four transports against one real mosquitto (test/broker.js, { tls: true }): mqtt://
// (TCP), mqtts:// (TLS), ws:// and wss://, and what each does when it cannot connect.
const http = require('node:http');
const net = require('node:net');
const { FaultProxy } = require('./fault_proxy.js');
const {
  mqttws, WebSocket, Broker, over, uniqueTopic, next, messages, text, useBroker,
} = require('./helpers.js');

const noReconnect = { reconnectPeriod: 0 };
const ctx = useBroker({ tls: true });  // one broker, all four listeners, for the whole file

/** The first error of a client that must fail to connect (it is ended after). */
async function connectError(url, options) {
  const error = await mqttws.connectAsync(url, { ...noReconnect, ...options }).catch((e) => e);
  expect(error).toBeInstanceOf(mqttws.MqttError);
  return error;
}

describe.each(['mqtt', 'mqtts', 'ws', 'wss'])('over %s', (transport) => {
  test('connects with the URL\'s scheme and reports a CONNACK', async () => {
    const { url, options } = over(ctx.broker, transport);
    const client = mqttws.connect(url, { ...ctx.broker.auth, ...options });
    ctx.clients.push(client);
    const [connack] = await next(client, 'connect');
    expect(connack).toMatchObject({ cmd: 'connack', reasonCode: 0 });
    expect(client.connected).toBe(true);
  });

  test('a QoS 0 message comes back with its exact payload', async () => {
    const client = await ctx.connectOver(transport);
    const topic = uniqueTopic(`${transport}/qos0`);
    await client.subscribeAsync(topic);
    const got = messages(client, 2);
    await client.publishAsync(topic, 'hello');
    await client.publishAsync(topic, new Uint8Array([0, 1, 2, 0xfe, 0xff]));
    const [a, b] = await got;
    expect([a.topic, text(a.payload), a.packet.qos]).toEqual([topic, 'hello', 0]);
    expect(Array.from(b.payload)).toEqual([0, 1, 2, 0xfe, 0xff]);
  });

  test('a QoS 1 publish is acknowledged by PUBACK and comes back at QoS 1', async () => {
    const client = await ctx.connectOver(transport);
    const topic = uniqueTopic(`${transport}/qos1`);
    await client.subscribeAsync(topic, { qos: 1 });
    const got = messages(client, 1);
    const ack = await client.publishAsync(topic, 'at least once', { qos: 1 });
    expect(ack).toMatchObject({ cmd: 'puback', reasonCode: 0 });
    const [m] = await got;
    expect([text(m.payload), m.packet.qos]).toEqual(['at least once', 1]);
  });

  test('a QoS 2 publish is completed by PUBCOMP and comes back at QoS 2', async () => {
    const client = await ctx.connectOver(transport, { protocolVersion: 5 });
    const topic = uniqueTopic(`${transport}/qos2`);
    await client.subscribeAsync(topic, { qos: 2 });
    const got = messages(client, 1);
    const ack = await client.publishAsync(topic, 'exactly once', { qos: 2 });
    expect(ack).toMatchObject({ cmd: 'pubcomp', reasonCode: 0 });
    const [m] = await got;
    expect([text(m.payload), m.packet.qos]).toEqual(['exactly once', 2]);
  });
});

describe("MQTT.js's other scheme names", () => {
  test.each([
    ['tcp', 'mqtt', {}],
    ['ssl', 'mqtts', {}],
    ['tls', 'mqtts', {}],
  ])('%s:// connects as %s:// does', async (alias, scheme) => {
    const { url, options } = over(ctx.broker, scheme);
    const client = await mqttws.connectAsync(url.replace(`${scheme}:`, `${alias}:`),
                                             { ...ctx.broker.auth, ...options });
    ctx.clients.push(client);
    const topic = uniqueTopic(`${alias}/alias`);
    await client.subscribeAsync(topic, { qos: 1 });
    const got = messages(client, 1);
    await client.publishAsync(topic, alias, { qos: 1 });
    expect(text((await got)[0].payload)).toBe(alias);
    expect(client.connected).toBe(true);
  });
});

// (Over ws and wss mosquitto 2.0.11 itself moves ~40 KB/s: 6 s for this payload, MQTT.js too.)
describe.each(['mqtt', 'mqtts'])('over %s, large', (transport) => {
  test('a 256 KiB payload, read in many chunks, arrives intact', async () => {
    const client = await ctx.connectOver(transport);
    const topic = uniqueTopic(`${transport}/large`);
    await client.subscribeAsync(topic, { qos: 1 });
    const payload = new Uint8Array(256 * 1024).map((_, i) => (i * 7) & 0xff);
    const got = messages(client, 1);
    await client.publishAsync(topic, payload, { qos: 1 });
    const [m] = await got;
    expect(Buffer.from(m.payload).equals(Buffer.from(payload))).toBe(true);
  });
});

describe('mqtts:// certificate verification', () => {
  test('without the CA the connection fails with an error saying it is a certificate problem', async () => {
    const error = await connectError(ctx.broker.urls.mqtts, ctx.broker.auth);
    expect(error.code).toBe('ECONNREFUSED');
    expect(error.message).toBe('Connection refused: TLS certificate problem: unable to verify ' +
                               'the first certificate (UNABLE_TO_VERIFY_LEAF_SIGNATURE)');
  });

  test('rejectUnauthorized: false connects without the CA', async () => {
    const client = await ctx.connectOver('mqtts', { ca: undefined, rejectUnauthorized: false });
    expect(client.connected).toBe(true);
  });

  test('the certificate is checked against servername', async () => {
    const error = await connectError(ctx.broker.urls.mqtts, {
      ...ctx.broker.auth, ca: ctx.broker.certs.ca, servername: 'other.invalid',
    });
    expect(error.code).toBe('ECONNREFUSED');
    expect(error.message).toBe('Connection refused: TLS certificate problem: Hostname/IP does ' +
      "not match certificate's altnames: Host: other.invalid. is not in the cert's altnames: " +
      'DNS:localhost, IP Address:127.0.0.1 (ERR_TLS_CERT_ALTNAME_INVALID)');
  });

  test('a servername the certificate names connects to an IP address', async () => {
    const client = await ctx.connectOver('mqtts', { servername: 'localhost' });
    expect(client.connected).toBe(true);
  });

  test('a host name in the URL is checked against the certificate', async () => {
    const url = `mqtts://localhost:${ctx.broker.tlsPort}`;
    const client = await mqttws.connectAsync(url, { ...ctx.broker.auth, ca: ctx.broker.certs.ca });
    ctx.clients.push(client);
    expect(client.connected).toBe(true);
  });

  test('a key TLS refuses is an EINVAL error saying why', async () => {
    const error = await connectError(ctx.broker.urls.mqtts, {
      ...ctx.broker.auth, ca: ctx.broker.certs.ca, cert: 'not PEM', key: 'not PEM',
    });
    expect(error.code).toBe('EINVAL');
    expect(error.message).toBe('Invalid argument: no start line (ERR_OSSL_PEM_NO_START_LINE)');
  });

  test('cert and key are presented to a broker that requires a client certificate', async () => {
    const { certs } = ctx.broker;
    const client = await mqttws.connectAsync(`mqtts://127.0.0.1:${ctx.broker.mtlsPort}`, {
      ...ctx.broker.auth, ca: certs.ca, cert: certs.clientCert, key: certs.clientKey,
    });
    ctx.clients.push(client);
    expect(client.connected).toBe(true);
  });

  test('without a client certificate such a broker resets the connection, saying why', async () => {
    const error = await connectError(`mqtts://127.0.0.1:${ctx.broker.mtlsPort}`,
                                     { ...ctx.broker.auth, ca: ctx.broker.certs.ca });
    expect(error.code).toBe('ECONNRESET');
    expect(error.message).toBe('Connection reset by peer: TLS certificate problem: tlsv13 alert ' +
                               'certificate required (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED)');
  });
});

describe('wss:// options', () => {
  test('without the CA the connection fails with an error saying it is a certificate problem', async () => {
    const error = await connectError(ctx.broker.urls.wss, { ...ctx.broker.auth, WebSocket });
    expect(error.code).toBe('ECONNREFUSED');
    expect(error.message).toBe('Connection refused: TLS certificate problem: unable to verify ' +
                               'the first certificate (UNABLE_TO_VERIFY_LEAF_SIGNATURE)');
  });

  test('the top-level ca is used when wsOptions has none (as in MQTT.js)', async () => {
    const client = await mqttws.connectAsync(ctx.broker.urls.wss, {
      ...ctx.broker.auth, WebSocket, ca: ctx.broker.certs.ca,
    });
    ctx.clients.push(client);
    expect(client.connected).toBe(true);
  });

  test('wsOptions win over the top-level TLS options', async () => {
    const error = await connectError(ctx.broker.urls.wss, {
      ...ctx.broker.auth, WebSocket, ca: ctx.broker.certs.ca,
      wsOptions: { ca: ctx.broker.certs.clientCert },
    });
    // wsOptions.ca (a certificate that is no CA) replaced the top-level ca: nothing verifies.
    expect(error.code).toBe('ECONNREFUSED');
    expect(error.message).toBe('Connection refused: TLS certificate problem: unable to verify ' +
                               'the first certificate (UNABLE_TO_VERIFY_LEAF_SIGNATURE)');
  });

  test('wsOptions.rejectUnauthorized: false connects without the CA', async () => {
    const client = await mqttws.connectAsync(ctx.broker.urls.wss, {
      ...ctx.broker.auth, WebSocket, wsOptions: { rejectUnauthorized: false },
    });
    ctx.clients.push(client);
    expect(client.connected).toBe(true);
  });
});

describe('wsOptions.headers', () => {
  let server;
  beforeAll(async () => {
    server = http.createServer();
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  test('are sent with the WebSocket upgrade request', async () => {
    const upgrade = new Promise((resolve) => server.once('upgrade', (req, socket) => {
      socket.destroy();
      resolve(req);
    }));
    const client = mqttws.connect(`ws://127.0.0.1:${server.address().port}/mqtt`, {
      WebSocket, ...noReconnect,
      wsOptions: { headers: { Authorization: 'Bearer t0ken', 'X-Device': 'sensor-7' } },
    });
    client.on('error', () => {});
    const req = await upgrade;
    await client.endAsync(true);
    expect(req.url).toBe('/mqtt');
    expect(req.headers.authorization).toBe('Bearer t0ken');
    expect(req.headers['x-device']).toBe('sensor-7');
    expect(req.headers['sec-websocket-protocol']).toBe('mqtt');
  });
});

describe('mqtt:// connection failures and ends', () => {
  test('a closed port fails with ECONNREFUSED, saying where', async () => {
    const error = await connectError('mqtt://127.0.0.1:9', ctx.broker.auth);
    expect(error.code).toBe('ECONNREFUSED');
    expect(error.message).toBe('Connection refused: connect ECONNREFUSED 127.0.0.1:9');
  });

  test('a connection reset after opening is an ECONNRESET error', async () => {
    const server = net.createServer((s) => s.once('data', () => s.resetAndDestroy()));
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const error = await connectError(`mqtt://127.0.0.1:${server.address().port}`, {});
      expect(error.code).toBe('ECONNRESET');
      expect(error.message).toBe('Connection reset by peer: read ECONNRESET');
    } finally {
      server.close();
    }
  });

  test('the broker ending the connection (a session takeover) is a close without an error', async () => {
    const clientId = `takeover-${process.pid}`;
    const first = await ctx.connectOver('mqtt', { clientId, ...noReconnect });
    const errors = [];
    first.on('error', (e) => errors.push(e));
    const closed = next(first, 'close');
    await ctx.connectOver('mqtt', { clientId });
    await closed;
    expect(errors).toEqual([]);
    expect(first.connected).toBe(false);
    expect(first.disconnected).toBe(true);
  });

  test('mqtt:// needs no WebSocket implementation', async () => {
    expect(globalThis.WebSocket).toBeUndefined();  // Node 20: none unless passed
    const client = await mqttws.connectAsync(ctx.broker.urls.mqtt, ctx.broker.auth);
    ctx.clients.push(client);
    expect(client.connected).toBe(true);
  });

  test('a ws:// failover entry without a WebSocket implementation throws no_websocket', () => {
    expect(() => mqttws.connect(ctx.broker.urls.mqtt, { servers: [ctx.broker.url] }))
      .toThrow(expect.objectContaining({ code: 'no_websocket' }));
  });

  test('a failover entry may use another transport than the main URL', async () => {
    const client = mqttws.connect('ws://127.0.0.1:9', {
      ...ctx.broker.auth, WebSocket, reconnect: { initialDelay: 50, jitter: 0 },
      servers: [{ host: '127.0.0.1', port: ctx.broker.tcpPort, protocol: 'mqtt' }],
    });
    ctx.clients.push(client);
    const errors = [];
    client.on('error', (e) => errors.push(e.code));
    const [info] = await next(client, 'reconnect');
    await next(client, 'connect');
    expect(errors).toEqual(['ECONNREFUSED']);  // the main URL
    expect(info.endpoint).toBe(ctx.broker.urls.mqtt);
    expect(client.connected).toBe(true);
  });
});

describe('mqtt:// through a link that keeps failing', () => {
  let proxy;
  afterEach(() => proxy?.close());

  test('a QoS 2 backlog arrives exactly once through cuts every 300-3000 bytes', async () => {
    const N = 200;
    const topic = uniqueTopic('tcp/cuts');
    const session = { protocolVersion: 5, clean: false, properties: { sessionExpiryInterval: 600 } };
    const subscriber = await ctx.connectOver('mqtt', { ...session, clientId: `cuts-sub-${process.pid}` });
    await subscriber.subscribeAsync(topic, { qos: 2 });
    const copies = new Map();
    const delivered = new Promise((resolve) => subscriber.on('message', (t, payload) => {
      const k = text(payload);
      copies.set(k, (copies.get(k) ?? 0) + 1);
      if (copies.size === N) resolve();
    }));

    proxy = await FaultProxy.start(ctx.broker.tcpPort, { cut: [300, 3000], seed: 7 });
    const publisher = mqttws.connect(`mqtt://127.0.0.1:${proxy.port}`, {
      ...ctx.broker.auth, ...session, clientId: `cuts-pub-${process.pid}`,
      reconnect: { initialDelay: 20, maxDelay: 200 }, connectTimeout: 2000,
    });
    ctx.clients.push(publisher);
    publisher.on('error', () => {});  // a cut in the CONNECT/CONNACK exchange is one
    const errors = [];
    const completed = new Promise((resolve) => {
      let n = 0;
      for (let i = 0; i < N; i++) {
        publisher.publish(topic, `m${i}`.padEnd(64, '.'), { qos: 2 }, (error) => {
          if (error) errors.push(error.code);
          if (++n === N) resolve();
        });
      }
    });
    await completed;
    await delivered;
    const { cuts } = await proxy.stats();
    expect(errors).toEqual([]);
    expect(copies.size).toBe(N);
    expect([...copies.values()].every((c) => c === 1)).toBe(true);
    expect(cuts).toBeGreaterThan(5);  // the link really kept failing
  }, 60000);
});

describe('mqtt:// URLs', () => {
  test('without a port, mqtt:// is port 1883 and mqtts:// port 8883', async () => {
    const client = mqttws.connect('ws://127.0.0.1:9', {
      WebSocket, reconnect: { initialDelay: 10, jitter: 0 },
      servers: ['mqtt://127.0.0.1', { host: '127.0.0.1', protocol: 'mqtts' }],
    });
    client.on('error', () => {});
    const endpoints = [];
    await new Promise((resolve) => client.on('reconnect', ({ endpoint }) => {
      endpoints.push(endpoint);
      if (endpoints.length === 2) resolve();
    }));
    await client.endAsync(true);
    expect(endpoints).toEqual(['mqtt://127.0.0.1:1883', 'mqtts://127.0.0.1:8883']);
  });

  test('a URL of another scheme throws invalid_url naming the four', () => {
    expect(() => mqttws.connect('http://127.0.0.1:1883')).toThrow(expect.objectContaining({
      code: 'invalid_url',
      message: 'invalid broker URL "http://127.0.0.1:1883": use mqtt://, mqtts://, ws:// or wss://',
    }));
  });
});

describe('broker restart over mqtt://', () => {
  let broker;
  beforeAll(async () => {
    broker = await Broker.start({ persistence: true });
  });
  afterAll(() => broker.close());

  test('the client reconnects over TCP and messages flow again', async () => {
    const client = await mqttws.connectAsync(broker.urls.mqtt, {
      ...broker.auth, reconnect: { initialDelay: 100, maxDelay: 400, jitter: 0 },
    });
    try {
      const topic = uniqueTopic('restart/tcp');
      await client.subscribeAsync(topic, { qos: 1 });
      const offline = next(client, 'offline');
      await broker.stop();
      await offline;
      expect(client.connected).toBe(false);
      const connected = next(client, 'connect');
      await broker.start();
      await connected;
      const got = messages(client, 1);
      await client.publishAsync(topic, 'after restart', { qos: 1 });
      const [m] = await got;
      expect(text(m.payload)).toBe('after restart');
    } finally {
      await client.endAsync(true);
    }
  });
});
