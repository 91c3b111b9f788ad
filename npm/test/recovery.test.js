// Recovery on the Node side: reconnect() on demand (connected, waiting out a backoff, after
// end()), dead links found by the PINGREQ timeout (pingTimeout), and the default backoff
// after a broker restart.
'use strict';
const {
  mqttws, WebSocket, Broker, useBroker, brokerPerTest, connectTo, uniqueTopic, next, within, until, text,
} = require('./helpers.js');
const { FaultProxy } = require('./fault_proxy.js');

/** Records the client's connection events as [name, ms since `t0`, argument]. */
function record(client, t0 = Date.now()) {
  const events = [];
  for (const e of ['connect', 'reconnect', 'close', 'offline', 'error', 'end']) {
    client.on(e, (arg) => events.push([e, Date.now() - t0, arg]));
  }
  return events;
}

/** A `ws` class that records when each WebSocket is constructed. */
function timedWebSocket() {
  const opened = [];
  class TimedWebSocket extends WebSocket {
    constructor(...args) {
      super(...args);
      opened.push(Date.now());
    }
  }
  return { WebSocket: TimedWebSocket, opened };
}

describe('reconnect() with the broker up', () => {
  const ctx = useBroker();

  test('reconnect() while connected closes and connects again at once (reconnect delay 0)', async () => {
    const client = await ctx.connect({ protocolVersion: 5 });
    const t0 = Date.now();
    const events = record(client, t0);
    const connected = next(client, 'connect');
    client.reconnect();
    await within(connected, 2000, 'the connect event after reconnect()');
    const names = events.map(([e]) => e);
    expect(names).not.toContain('error');
    expect(names.indexOf('close')).toBeLessThan(names.indexOf('reconnect'));
    expect(names[names.length - 1]).toBe('connect');
    const [, , info] = events.find(([e]) => e === 'reconnect');
    expect(info).toMatchObject({ attempt: 1, delay: 0 });
    expect(client.connected).toBe(true);
    expect(client.stats().connections).toBe(2);
  });

  test('reconnect() with QoS 1 messages in flight loses none of them', async () => {
    const N = 100;
    const topic = uniqueTopic('inflight');
    const subscriber = await ctx.connect({ protocolVersion: 5 });
    await subscriber.subscribeAsync(topic, { qos: 1 });
    const received = new Set();
    subscriber.on('message', (t, payload) => received.add(text(payload)));
    const publisher = await ctx.connect({ protocolVersion: 5 });
    const results = [];
    for (let i = 0; i < N; i++) {
      publisher.publish(topic, `r${i}`, { qos: 1 }, (error) => results.push(error ?? 'ok'));
    }
    expect(publisher.stats().inflight).toBeGreaterThan(0);  // sent, not yet acknowledged
    expect(results).toHaveLength(0);
    publisher.reconnect();
    await until(() => results.length === N, 10000, () => `${N} callbacks (${results.length})`);
    expect(results.filter((r) => r !== 'ok')).toEqual([]);
    expect(publisher.stats().connections).toBe(2);
    await until(() => received.size === N, 10000, () => `${N} distinct messages (${received.size})`);
    expect([...received].sort()).toEqual(Array.from({ length: N }, (_, i) => `r${i}`).sort());
  });

  test('reconnect() during an attempt that hangs abandons it and tries again at once', async () => {
    // A TCP server that accepts and never answers: the WebSocket upgrade hangs.
    const net = require('node:net');
    const held = new Set();
    const blackhole = net.createServer((s) => held.add(s));
    await new Promise((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
    try {
      const urls = [`ws://127.0.0.1:${blackhole.address().port}`, ctx.broker.url];
      const opened = [];
      class Redirected extends WebSocket {
        constructor(url, protocols) {
          super(urls[Math.min(opened.length, 1)], protocols);
          opened.push(url);
        }
      }
      const client = mqttws.connect(ctx.broker.url, {
        ...ctx.broker.auth, WebSocket: Redirected, connectTimeout: 30000,
      });
      ctx.clients.push(client);
      await until(() => held.size === 1, 5000, () => 'the first attempt to reach the blackhole');
      const connected = next(client, 'connect');
      client.reconnect();
      await within(connected, 3000, 'a connection after reconnect() (not the 30 s connect timeout)');
      expect(opened).toHaveLength(2);
    } finally {
      for (const s of held) s.destroy();
      await new Promise((resolve) => blackhole.close(resolve));
    }
  });

  test('reconnect() after end() starts again with the same options', async () => {
    const clientId = `again-${process.pid}`;
    const client = await ctx.connect({ protocolVersion: 5, clientId });
    const options = client.options;
    await client.endAsync();
    expect(client.disconnected).toBe(true);
    const connected = next(client, 'connect');
    client.reconnect();
    await within(connected, 5000, 'the connect event after end() and reconnect()');
    expect(client.connected).toBe(true);
    expect(client.disconnected).toBe(false);
    expect(client.clientId).toBe(clientId);
    expect(client.options).toBe(options);
    await expect(client.publishAsync(uniqueTopic('again'), 'x', { qos: 1 }))
      .resolves.toEqual({ cmd: 'puback', reasonCode: 0x10 });
  });
});

describe('dead links (pingTimeout)', () => {
  const ctx = useBroker();
  let proxy;
  afterEach(async () => {
    await Promise.all(ctx.clients.splice(0).map((c) => c.endAsync(true)));
    await proxy?.close();
    proxy = undefined;
  });

  /** Connects through a fresh proxy; returns the client and when its PINGREQs were sent. */
  const viaProxy = async (options) => {
    proxy = await FaultProxy.start(ctx.broker.port);
    const client = await mqttws.connectAsync(proxy.url, {
      ...ctx.broker.auth, WebSocket, protocolVersion: 5, ...options,
    });
    ctx.clients.push(client);
    const pings = [];
    client.on('packetsend', (p) => {
      if (p.cmd === 'pingreq') pings.push(Date.now());
    });
    return { client, pings };
  };

  /** Blackholes the link both ways; resolves with [ms until offline, ms from PINGREQ, error]. */
  const silence = async (client, pings, bound) => {
    const errors = [];
    client.on('error', (e) => errors.push(e));
    const offline = next(client, 'offline');
    const t0 = Date.now();
    proxy.stall(true);
    await within(offline, bound, 'the client to find the link dead');
    const at = Date.now();
    expect(pings.length).toBeGreaterThan(0);
    return [at - t0, at - pings[pings.length - 1], errors];
  };

  test('keepalive 2 with pingTimeout 300 finds a silent link dead before 4 s', async () => {
    const { client, pings } = await viaProxy({ keepalive: 2, pingTimeout: 300 });
    const [elapsed, afterPing, errors] = await silence(client, pings, 6000);
    expect(elapsed).toBeLessThan(4000);
    expect(afterPing).toBeGreaterThanOrEqual(250);  // waited its pingTimeout
    expect(afterPing).toBeLessThan(900);             // not the default (1000 ms)
    expect(errors.map((e) => e.code)).toEqual(['keep_alive_timeout']);
  });

  test('the default pingTimeout (half the keep alive) finds it dead within 1.5 x keepalive', async () => {
    const { client, pings } = await viaProxy({ keepalive: 2 });
    const [elapsed, afterPing, errors] = await silence(client, pings, 6000);
    expect(elapsed).toBeLessThan(3000 + 1000);
    expect(afterPing).toBeGreaterThanOrEqual(950);
    expect(afterPing).toBeLessThan(1600);
    expect(errors.map((e) => e.code)).toEqual(['keep_alive_timeout']);
  });

  test('a link that answers PINGREQ stays up with a short pingTimeout', async () => {
    const { client } = await viaProxy({ keepalive: 1, pingTimeout: 300 });
    const events = record(client);
    let pongs = 0;
    client.on('packetreceive', (p) => {
      if (p.cmd === 'pingresp') pongs++;
    });
    await until(() => pongs >= 2, 5000, () => `two PINGRESPs (${pongs})`);
    expect(events).toEqual([]);
    expect(client.connected).toBe(true);
  });
});

describe('broker down and back', () => {
  const ctx = brokerPerTest();
  const { clients } = ctx;
  const connect = async (options) => {
    const c = await connectTo(ctx.broker, options);
    clients.push(c);
    return c;
  };

  test('reconnect() after the session gave up starts a new one that no handler of the old one hears', async () => {
    const client = await connect({ reconnectPeriod: 0 });
    client.on('error', () => {});
    const stale = [];
    await client.subscribeAsync('old/#', { handler: (topic) => stale.push(topic) });  // operation 1
    const closed = next(client, 'close');
    await ctx.broker.stop();
    await within(closed, 5000, 'the close');
    expect(client.disconnected).toBe(true);
    await ctx.broker.start();
    const connected = next(client, 'connect');
    client.reconnect();
    await within(connected, 5000, 'the new session');
    // The new session's first operation is 1 again: a subscription without a handler.
    await client.subscribeAsync('new/#');
    const got = next(client, 'message');
    const publisher = await connect();
    await publisher.publishAsync('new/x', 'hi', { qos: 1 });
    const [topic] = await within(got, 5000, 'the message');
    expect(topic).toBe('new/x');
    expect(stale).toEqual([]);
  });

  test('after a broker restart the first retry comes within 1 s and it is back within ~2 s', async () => {
    const timed = timedWebSocket();
    const client = await connect({ WebSocket: timed.WebSocket });  // the default backoff
    client.on('error', () => {});  // refused attempts while the broker is down
    const offline = next(client, 'offline');
    const reconnect = next(client, 'reconnect');
    await ctx.broker.stop();
    await within(offline, 5000, 'offline');
    const lostAt = Date.now();
    const [info] = await reconnect;
    expect(info.attempt).toBe(1);
    expect(info.delay).toBeGreaterThanOrEqual(500);  // 1000 ms, jitter 0.5 downward
    expect(info.delay).toBeLessThanOrEqual(1000);
    const connected = next(client, 'connect');
    await ctx.broker.start();
    const backAt = Date.now();
    await within(connected, 5000, 'the reconnection');
    expect(Date.now() - backAt).toBeLessThan(2500);
    expect(timed.opened.length).toBeGreaterThanOrEqual(2);
    expect(timed.opened[1] - lostAt).toBeLessThan(1000 + 150);  // the first retry
  });

  test('reconnect() while waiting out a long backoff connects at once', async () => {
    const client = await connect({ reconnectPeriod: 20000 });
    client.on('error', () => {});
    const reconnect = next(client, 'reconnect');
    await ctx.broker.stop();
    const [info] = await within(reconnect, 5000, 'the reconnect event');
    expect(info.delay).toBeGreaterThanOrEqual(10000);
    expect(info.delay).toBeLessThanOrEqual(20000);
    await ctx.broker.start();
    const connected = next(client, 'connect');
    client.reconnect();
    await within(connected, 3000, 'the connect event after reconnect() (not the 10-20 s backoff)');
    expect(client.stats().connections).toBe(2);
  });
});
