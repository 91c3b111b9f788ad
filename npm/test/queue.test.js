// The outgoing queue: bounded by encoded bytes (maxQueuedBytes, default 8 MiB), not by a
// count, so a burst beyond the broker's Receive Maximum is queued and delivered whole; beyond
// the byte bound publishes fail with queue_full, said once per burst by an `error` event.
'use strict';
const {
  mqttws, WebSocket, useBroker, uniqueTopic, next, messages, within, until, text, gatedWebSocket,
} = require('./helpers.js');

const CLOSED_PORT_URL = 'ws://127.0.0.1:9';

/**
 * Encoded size of a PUBLISH (MQTT 3.1.1, or MQTT 5 without properties: one more byte for
 * the property length): fixed header, topic, packet identifier for QoS 1/2, payload.
 */
function publishSize(topic, payloadLength, qos, v5 = false) {
  const remaining = 2 + Buffer.byteLength(topic) + (qos ? 2 : 0) + (v5 ? 1 : 0) + payloadLength;
  let lengthBytes = 1;
  for (let n = remaining; n >= 128; n = Math.floor(n / 128)) lengthBytes++;
  return 1 + lengthBytes + remaining;
}

describe('the outgoing queue', () => {
  const ctx = useBroker();
  const track = (client) => {
    ctx.clients.push(client);
    return client;
  };
  /** A client that never reaches a broker (a closed port; one attempt per 20 s). */
  const unreachable = (options = {}) => {
    const c = track(mqttws.connect(CLOSED_PORT_URL, { WebSocket, reconnectPeriod: 20000, ...options }));
    const errors = [];
    c.on('error', (e) => errors.push(e));
    return { client: c, queueFullEvents: () => errors.filter((e) => e.code === 'queue_full') };
  };
  /** Publishes each [topic, payload, options] and resolves with one result per publish. */
  const publishAll = (client, list) => Promise.all(list.map(([topic, payload, options]) =>
    new Promise((resolve) => client.publish(topic, payload, options, (e) => resolve(e ?? 'ok')))));

  test('a burst of 2000 QoS 1 publishes on MQTT 5 is delivered whole', async () => {
    const N = 2000;
    const topic = uniqueTopic('burst');
    const subscriber = await ctx.connect({ protocolVersion: 5 });
    await subscriber.subscribeAsync(topic, { qos: 1 });
    const got = messages(subscriber, N);
    const publisher = track(mqttws.connect(ctx.broker.url,
                                           { ...ctx.broker.auth, WebSocket, protocolVersion: 5 }));
    const [connack] = await next(publisher, 'connect');
    expect(connack.properties.receiveMaximum).toBe(20);  // mosquitto's: the rest must wait

    const results = [];
    const done = new Promise((resolve) => {
      for (let i = 0; i < N; i++) {
        publisher.publish(topic, `m${i}`, { qos: 1 }, (error, packet) => {
          results.push(error ?? packet);
          if (results.length === N) resolve();
        });
      }
    });
    expect(publisher.stats().queued).toBeGreaterThan(N - 20 - 1);  // beyond the window: queued
    await within(done, 30000, 'the 2000 publish callbacks');
    expect(results.filter((r) => r instanceof Error)).toEqual([]);
    expect(results).toHaveLength(N);
    for (const r of results) expect(r).toEqual({ cmd: 'puback', reasonCode: 0 });
    const received = await within(got, 30000, 'the subscriber to receive 2000 messages');
    expect(received.map((m) => text(m.payload))).toEqual(Array.from({ length: N }, (_, i) => `m${i}`));
    expect(publisher.stats()).toMatchObject({ inflight: 0, queued: 0, queuedBytes: 0, messagesSent: N });
  });

  test('a burst of 2000 QoS 1 publishes without callbacks (fire and forget) is delivered whole', async () => {
    const N = 2000;
    const topic = uniqueTopic('forget');
    const subscriber = await ctx.connect({ protocolVersion: 5 });
    await subscriber.subscribeAsync(topic, { qos: 1 });
    const got = messages(subscriber, N);
    const publisher = await ctx.connect({ protocolVersion: 5 });
    const errors = [];
    publisher.on('error', (e) => errors.push(e));
    for (let i = 0; i < N; i++) publisher.publish(topic, `f${i}`, { qos: 1 });
    const received = await within(got, 30000, 'the subscriber to receive 2000 messages');
    expect(received.map((m) => text(m.payload))).toEqual(Array.from({ length: N }, (_, i) => `f${i}`));
    expect(errors).toEqual([]);
    await until(() => publisher.stats().inflight === 0, 5000, () => 'the last PUBACKs');
  });

  test('the default bound is 8 MiB of encoded packets and no count', async () => {
    const { client } = unreachable();
    expect(client.options.maxQueuedBytes).toBe(8388608);
    expect(client.options.maxOfflineQueue).toBeUndefined();
    // 3000 small messages (more than any count bound a client used to have) are all queued.
    const results = [];
    for (let i = 0; i < 3000; i++) client.publish('a/b', 'x', { qos: 1 }, (e) => results.push(e));
    await until(() => client.stats().queued === 3000, 5000,
                () => `3000 queued (${client.stats().queued}, ${results.length} refused)`);
    expect(results).toEqual([]);
    expect(client.stats().queuedBytes).toBe(3000 * publishSize('a/b', 1, 1));
  });

  test('stats().queuedBytes is the encoded size of the queued publishes', async () => {
    const { client } = unreachable();
    expect(client.stats()).toMatchObject({ queued: 0, queuedBytes: 0 });
    const big = new Uint8Array(200);  // a two-byte remaining length
    client.publish('q/zero', 'ten bytes!', { qos: 0 });
    client.publish('q/one', 'ten bytes!', { qos: 1 });
    client.publish('q/two', big, { qos: 2 });
    await until(() => client.stats().queued === 3, 5000, () => 'three queued publishes');
    expect(client.stats().queuedBytes).toBe(
      publishSize('q/zero', 10, 0) + publishSize('q/one', 10, 1) + publishSize('q/two', 200, 2));
    expect(publishSize('q/two', 200, 2)).toBe(212);  // 1 + 2 + (2 + 5 + 2 + 200)
  });

  test('offline publishes beyond maxQueuedBytes fail with queue_full', async () => {
    const size = publishSize('a/b', 50, 1);
    const { client, queueFullEvents } = unreachable({ maxQueuedBytes: 1000 });
    const fit = Math.floor(1000 / size);
    const refused = [];
    for (let i = 0; i < 30; i++) {
      client.publish('a/b', 'p'.repeat(50), { qos: 1 }, (e) => refused.push({ i, e }));
    }
    await until(() => refused.length === 30 - fit, 5000, () => `${30 - fit} refusals (${refused.length})`);
    expect(refused.map((r) => r.i)).toEqual(Array.from({ length: 30 - fit }, (_, k) => fit + k));
    for (const { e } of refused) {
      expect(e).toBeInstanceOf(mqttws.MqttError);
      expect(e.code).toBe('queue_full');
    }
    expect(client.stats()).toMatchObject({ queued: fit, queuedBytes: fit * size });
    expect(queueFullEvents()).toHaveLength(1);
  });

  test('one error event per burst of queue_full, and again after a publish was accepted', async () => {
    const size = publishSize('a/b', 20, 1);
    const small = publishSize('s', 0, 0);  // what fits in the room left
    const { client, queueFullEvents } = unreachable({ maxQueuedBytes: 3 * size + small });
    const refused = [];
    const publish = () => client.publish('a/b', 'p'.repeat(20), { qos: 1 }, (e) => refused.push(e.code));
    // Three fit (their callbacks wait for a connection); the next five are refused.
    for (let i = 0; i < 8; i++) publish();
    await until(() => refused.length === 5, 5000, () => `five refusals (${refused.length})`);
    expect(refused).toEqual(Array(5).fill('queue_full'));
    expect(client.stats().queued).toBe(3);
    expect(queueFullEvents()).toHaveLength(1);
    expect(queueFullEvents()[0]).toBeInstanceOf(mqttws.MqttError);
    // Another refusal before anything was accepted: the same burst, no second event.
    publish();
    await until(() => refused.length === 6, 5000, () => 'the sixth refusal');
    expect(queueFullEvents()).toHaveLength(1);
    // Accepted again (it fits the room left), then a new burst is refused: a new event.
    client.publish('s', '', { qos: 0 });
    await until(() => client.stats().queued === 4, 5000, () => 'the small publish queued');
    publish();
    publish();
    await until(() => refused.length === 8, 5000, () => 'two more refusals');
    expect(refused).toEqual(Array(8).fill('queue_full'));
    expect(queueFullEvents()).toHaveLength(2);
    expect(client.stats().queuedBytes).toBe(3 * size + small);
  });

  test('a publish accepted between two refusals in one synchronous run starts a new burst', async () => {
    const big = publishSize('a', 90, 0);    // 95 bytes
    const small = publishSize('a', 0, 0);   // 5 bytes
    const { client, queueFullEvents } = unreachable({ maxQueuedBytes: big + small });
    // The core is running (an attempt failed): each publish below is decided as it is issued.
    await until(() => client.stats().reconnectAttempts > 0, 5000, () => 'the first attempt to fail');
    const results = [];
    const publish = (name, payload) =>
      client.publish('a', payload, { qos: 0 }, (e) => results.push(`${name}:${e ? e.code : 'ok'}`));
    publish('big1', 'x'.repeat(90));  // accepted
    publish('big2', 'x'.repeat(90));  // refused: burst 1
    publish('small', '');             // accepted: fits the room left
    publish('big3', 'x'.repeat(90));  // refused: burst 2
    await until(() => results.length === 2, 5000, () => 'the two refusals');
    expect(results).toEqual(['big2:queue_full', 'big3:queue_full']);
    expect(client.stats().queuedBytes).toBe(big + small);
    expect(queueFullEvents()).toHaveLength(2);
  });

  test('publishes beyond maxQueuedBytes before the first connection fail; the rest are delivered', async () => {
    const topic = uniqueTopic('early');
    const subscriber = await ctx.connect();
    await subscriber.subscribeAsync(topic, { qos: 1 });
    const got = messages(subscriber, 4);
    const size = publishSize(topic, 10, 1);
    const client = track(mqttws.connect(ctx.broker.url, {
      ...ctx.broker.auth, WebSocket, maxQueuedBytes: 4 * size,
    }));
    const errors = [];
    client.on('error', (e) => errors.push(e.code));
    const results = await publishAll(client, Array.from({ length: 6 }, (_, i) =>
      [topic, `early-${i}`.padEnd(10, '.'), { qos: 1 }]));
    expect(results.slice(0, 4)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(results.slice(4).map((e) => e.code)).toEqual(['queue_full', 'queue_full']);
    expect((await got).map((m) => text(m.payload).slice(0, 7))).toEqual(
      ['early-0', 'early-1', 'early-2', 'early-3']);
    expect(errors).toEqual(['queue_full']);
  });

  test('queueQoSZero: false makes QoS 0 publishes fail while offline with invalid_state', async () => {
    const { client } = unreachable({ queueQoSZero: false });
    expect(client.options.queueQoSZero).toBe(false);
    const [zero] = await within(publishAll(client, [['a/b', 'x', { qos: 0 }]]), 3000,
                                'the QoS 0 publish to be refused');
    expect(zero).toBeInstanceOf(mqttws.MqttError);
    expect(zero.code).toBe('invalid_state');
    expect(client.stats().queued).toBe(0);
    client.publish('a/b', 'x', { qos: 1 });  // QoS 1 is still queued
    await until(() => client.stats().queued === 1, 5000, () => 'the QoS 1 publish queued');
    expect(client.stats().queuedBytes).toBe(publishSize('a/b', 1, 1));
  });

  test('QoS 0 publishes while offline are queued by default and delivered after reconnecting', async () => {
    const topic = uniqueTopic('qos0-offline');
    const subscriber = await ctx.connect();
    await subscriber.subscribeAsync(topic, { qos: 0 });
    const gate = gatedWebSocket();
    const client = await ctx.connect({
      WebSocket: gate.WebSocket, reconnect: { initialDelay: 100, maxDelay: 100, jitter: 0 },
    });
    client.on('error', () => {});  // the refused reconnection attempts
    expect(client.options.queueQoSZero).toBe(true);
    gate.block();
    const offline = next(client, 'offline');
    gate.drop();
    await within(offline, 5000, 'offline');
    const results = publishAll(client, [0, 1, 2].map((i) => [topic, `zero-${i}`, { qos: 0 }]));
    expect(client.stats().queued).toBe(3);
    const got = messages(subscriber, 3);
    gate.unblock();
    await within(next(client, 'connect'), 5000, 'the reconnection');
    expect(await within(results, 5000, 'the QoS 0 callbacks')).toEqual(['ok', 'ok', 'ok']);
    expect((await within(got, 5000, 'three messages')).map((m) => text(m.payload)))
      .toEqual(['zero-0', 'zero-1', 'zero-2']);
  });
});
