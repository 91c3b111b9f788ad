'use strict';
const { Broker, connectTo, next, text } = require('./helpers.js');

describe('broker restart', () => {
  let broker;
  const clients = [];
  const fast = { reconnect: { initialDelay: 100, maxDelay: 400, jitter: 0 } };

  beforeEach(async () => {
    broker = await Broker.start({ persistence: true });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
    await broker.close();
  });
  const connect = async (options) => {
    const c = await connectTo(broker, { ...fast, ...options });
    clients.push(c);
    return c;
  };

  test('the client goes offline, reconnects and connects again', async () => {
    const client = await connect();
    const events = [];
    for (const e of ['close', 'offline', 'reconnect', 'connect']) client.on(e, () => events.push(e));
    const offline = next(client, 'offline');
    await broker.stop();
    await offline;
    expect(client.connected).toBe(false);
    expect(client.reconnecting).toBe(true);
    const connected = next(client, 'connect');
    await broker.start();
    await connected;
    expect(client.connected).toBe(true);
    expect(client.reconnecting).toBe(false);
    expect(events.slice(0, 3)).toEqual(['close', 'offline', 'reconnect']);
    expect(events[events.length - 1]).toBe('connect');
  });

  test('the reconnect event says which attempt, after how long, to which broker', async () => {
    const client = await connect();
    const reconnect = next(client, 'reconnect');
    await broker.stop();
    const [info] = await reconnect;
    expect(info.attempt).toBe(1);
    expect(info.delay).toBeGreaterThanOrEqual(0);
    expect(info.delay).toBeLessThanOrEqual(100);  // initialDelay, jitter 0
    expect(new URL(info.endpoint).href).toBe(new URL(broker.url).href);
  });

  test('no QoS 1 message is lost across a restart', async () => {
    const subscriber = await connect({
      protocolVersion: 5, clientId: 'restart-subscriber', clean: false,
      properties: { sessionExpiryInterval: 300 },
    });
    await subscriber.subscribeAsync('restart/#', { qos: 1 });
    const publisher = await connect({ protocolVersion: 5, clientId: 'restart-publisher' });
    const received = new Set();
    subscriber.on('message', (topic, payload) => received.add(text(payload)));

    const before = [];
    for (let i = 0; i < 10; i++) before.push(publisher.publishAsync('restart/a', `m${i}`, { qos: 1 }));
    await Promise.all(before);
    const offline = next(publisher, 'offline');
    await broker.stop();
    await offline;
    // Published while the broker is down: queued by the client, sent after reconnecting.
    const during = [];
    for (let i = 10; i < 20; i++) during.push(publisher.publishAsync('restart/a', `m${i}`, { qos: 1 }));
    expect(publisher.stats().queued).toBe(10);
    await broker.start();
    await Promise.all(during);
    for (let i = 0; i < 100 && received.size < 20; i++) await new Promise((r) => setTimeout(r, 50));
    expect([...received].sort()).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`).sort());
  });
});
