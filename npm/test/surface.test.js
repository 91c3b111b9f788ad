// The rest of MQTT.js's surface: getLastMessageId(), removeOutgoingMessage(), the completed
// client.options, whole packets on packetsend/packetreceive, and outbound topic aliases.
'use strict';
const {
  mqttws, WebSocket, useBroker, uniqueTopic, next, messages, within, until, text, gatedWebSocket,
} = require('./helpers.js');
const { FaultProxy } = require('./fault_proxy.js');
const { AuthBroker } = require('./auth_broker.js');

const CLOSED_PORT_URL = 'ws://127.0.0.1:9';

/**
 * Every packet the client sends and receives from now on: `all` in order as
 * ['>' | '<', packet]; sent(cmd) and received(cmd) those of one type.
 */
function tap(client) {
  const all = [];
  client.on('packetsend', (p) => all.push(['>', p]));
  client.on('packetreceive', (p) => all.push(['<', p]));
  const of = (dir, cmd) => all.filter(([d, p]) => d === dir && p.cmd === cmd).map(([, p]) => p);
  return { all, sent: (cmd) => of('>', cmd), received: (cmd) => of('<', cmd) };
}

const bytesOf = (s) => new TextEncoder().encode(s);

describe('MQTT.js surface', () => {
  const ctx = useBroker();
  const track = (client) => {
    ctx.clients.push(client);
    return client;
  };

  describe('getLastMessageId()', () => {
    test('is 0 before any operation', () => {
      const client = track(mqttws.connect(CLOSED_PORT_URL, { WebSocket, reconnectPeriod: 0 }));
      client.on('error', () => {});
      expect(client.getLastMessageId()).toBe(0);
    });

    test('names the last publish, subscribe and unsubscribe, increasing', async () => {
      const client = await ctx.connect();
      const topic = uniqueTopic('ids');
      const ids = [];
      client.subscribe(topic, { qos: 1 });
      ids.push(client.getLastMessageId());
      client.publish(topic, 'a', { qos: 1 });
      ids.push(client.getLastMessageId());
      client.publish(topic, 'b', { qos: 0 });
      ids.push(client.getLastMessageId());
      client.unsubscribe(topic);
      ids.push(client.getLastMessageId());
      expect(ids[0]).toBeGreaterThan(0);
      for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1]);
    });

    test('does not change for a refused publish', async () => {
      const client = await ctx.connect();
      client.publish(uniqueTopic('ok'), 'x');
      const last = client.getLastMessageId();
      await expect(client.publishAsync('bad/+', 'x')).rejects.toMatchObject({ code: 'invalid_topic_name' });
      expect(client.getLastMessageId()).toBe(last);
    });
  });

  describe('removeOutgoingMessage()', () => {
    test('a queued publish is cancelled and never delivered; the others are', async () => {
      const topic = uniqueTopic('remove');
      const subscriber = await ctx.connect();
      await subscriber.subscribeAsync(topic, { qos: 1 });
      const seen = [];
      subscriber.on('message', (t, payload) => seen.push(text(payload)));
      const gate = gatedWebSocket();
      gate.block();
      const client = track(mqttws.connect(ctx.broker.url, {
        ...ctx.broker.auth, WebSocket: gate.WebSocket, reconnectPeriod: 20000,
      }));
      client.on('error', () => {});  // the blocked first attempt
      const results = {};
      const ids = {};
      let last = 0;
      for (const name of ['A', 'B', 'C']) {
        results[name] = new Promise((resolve) =>
          client.publish(topic, name, { qos: 1 }, (e) => resolve(e ?? 'ok')));
        // Before the wasm has loaded the publish waits for it: so does its id.
        await until(() => client.getLastMessageId() !== last, 5000, () => `the id of ${name}`);
        ids[name] = last = client.getLastMessageId();
      }
      expect(client.stats().queued).toBe(3);
      expect(client.removeOutgoingMessage(ids.B)).toBe(client);
      const cancelled = await within(results.B, 1000, 'the callback of the removed publish');
      expect(cancelled).toBeInstanceOf(mqttws.MqttError);
      expect(cancelled.code).toBe('cancelled');
      expect(client.stats().queued).toBe(2);
      const got = messages(subscriber, 2);
      gate.unblock();
      client.reconnect();
      expect(await within(Promise.all([results.A, results.C]), 5000, 'A and C completed')).toEqual(['ok', 'ok']);
      // In order from one publisher: C arriving means B would have arrived before it.
      expect((await within(got, 5000, 'A and C delivered')).map((m) => text(m.payload))).toEqual(['A', 'C']);
      expect(seen).toEqual(['A', 'C']);
    });

    test('an unknown or completed id changes nothing', async () => {
      const client = track(mqttws.connect(CLOSED_PORT_URL, { WebSocket, reconnectPeriod: 20000 }));
      const errors = [];
      client.on('error', (e) => errors.push(e.code));
      let called = 0;
      client.publish('a/b', 'x', { qos: 1 }, () => called++);
      await until(() => client.stats().queued === 1, 5000, () => 'the queued publish');
      const id = client.getLastMessageId();
      client.removeOutgoingMessage(id + 1000);
      client.removeOutgoingMessage(0);
      await new Promise((resolve) => setImmediate(resolve));  // events are dispatched by now
      expect(client.stats().queued).toBe(1);
      expect(called).toBe(0);
      const live = await ctx.connect();
      await live.publishAsync(uniqueTopic('done'), 'x', { qos: 1 });
      live.removeOutgoingMessage(live.getLastMessageId());  // already complete
      expect(live.stats()).toMatchObject({ queued: 0, inflight: 0 });
      await live.publishAsync(uniqueTopic('after'), 'y', { qos: 1 });
      expect(errors.filter((c) => c !== 'ECONNREFUSED')).toEqual([]);
    });

    test('a publish already sent: its callback gets cancelled at once and nothing more', async () => {
      const proxy = await FaultProxy.start(ctx.broker.port);
      try {
        const topic = uniqueTopic('remove-sent');
        const subscriber = await ctx.connect();
        await subscriber.subscribeAsync(topic, { qos: 1 });
        const got = messages(subscriber, 1);
        const client = track(await mqttws.connectAsync(proxy.url, { ...ctx.broker.auth, WebSocket }));
        const log = tap(client);
        proxy.stall(true);
        await proxy.stats();  // answered after the stall command was taken
        const calls = [];
        client.publish(topic, 'sent', { qos: 1 }, (e) => calls.push(e));
        await until(() => log.sent('publish').length === 1, 5000, () => 'the PUBLISH sent');
        expect(client.stats().inflight).toBe(1);
        client.removeOutgoingMessage(client.getLastMessageId());
        await until(() => calls.length === 1, 1000, () => 'the cancelled callback');
        expect(calls[0]).toMatchObject({ code: 'cancelled' });
        proxy.stall(false);
        expect(text((await within(got, 5000, 'the message')).at(0).payload)).toBe('sent');
        await until(() => log.received('puback').length === 1, 5000, () => 'the PUBACK');
        await until(() => client.stats().inflight === 0, 5000, () => 'nothing in flight');
        expect(calls).toHaveLength(1);
      } finally {
        await Promise.all(ctx.clients.splice(0).map((c) => c.endAsync(true)));
        await proxy.close();
      }
    });
  });

  describe('client.options', () => {
    test('is completed with the defaults in effect', async () => {
      const client = track(mqttws.connect(ctx.broker.url, { ...ctx.broker.auth, WebSocket }));
      const log = tap(client);
      const o = client.options;
      expect(o.clientId).toMatch(/^mqttws_[0-9a-f]{8}$/);
      expect(o).toMatchObject({
        protocolVersion: 4, keepalive: 60, clean: true, reconnectPeriod: 1000,
        connectTimeout: 30000, maxQueuedBytes: 8388608, queueQoSZero: true,
        username: ctx.broker.username,
      });
      await within(next(client, 'connect'), 5000, 'the connection');
      expect(client.clientId).toBe(o.clientId);
      expect(log.sent('connect')[0])
        .toMatchObject({ clientId: o.clientId, protocolVersion: 4, keepalive: 60, clean: true });
    });

    test('two clients get different generated client ids', () => {
      const a = track(mqttws.connect(CLOSED_PORT_URL, { WebSocket, reconnectPeriod: 0 }));
      const b = track(mqttws.connect(CLOSED_PORT_URL, { WebSocket, reconnectPeriod: 0 }));
      a.on('error', () => {});
      b.on('error', () => {});
      expect(a.options.clientId).not.toBe(b.options.clientId);
    });

    test('keeps the values the user gave', () => {
      const given = {
        WebSocket, clientId: 'mine', protocolVersion: 5, keepalive: 15, clean: false,
        reconnectPeriod: 5000, connectTimeout: 2500, maxQueuedBytes: 1024, queueQoSZero: false,
        username: 'u',
      };
      const client = track(mqttws.connect(CLOSED_PORT_URL, given));
      client.on('error', () => {});
      const { WebSocket: ws, ...rest } = given;
      expect(client.options).toMatchObject(rest);
      expect(client.options.WebSocket).toBe(ws);
    });
  });

  describe('packetsend and packetreceive', () => {
    test('MQTT 3.1.1 CONNECT and CONNACK, whole', async () => {
      const client = track(mqttws.connect(ctx.broker.url, {
        ...ctx.broker.auth, WebSocket, clientId: 'shape-v4', keepalive: 45,
      }));
      const log = tap(client);
      await within(next(client, 'connect'), 5000, 'the connection');
      expect(log.all).toEqual([
        ['>', {
          cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 45,
          clientId: 'shape-v4', username: ctx.broker.username, password: bytesOf(ctx.broker.password),
        }],
        ['<', { cmd: 'connack', sessionPresent: false, returnCode: 0 }],
      ]);
      expect(log.all[0][1].password).toBeInstanceOf(Uint8Array);
    });

    test('MQTT 5 CONNECT with properties and a will, and the CONNACK with its properties', async () => {
      const client = track(mqttws.connect(ctx.broker.url, {
        ...ctx.broker.auth, WebSocket, protocolVersion: 5, clientId: 'shape-v5', clean: false,
        properties: { sessionExpiryInterval: 60 },
        will: { topic: 'shape/will', payload: 'gone', qos: 1, retain: true,
                properties: { willDelayInterval: 5 } },
      }));
      const log = tap(client);
      await within(next(client, 'connect'), 5000, 'the connection');
      expect(log.all).toEqual([
        ['>', {
          cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clean: false, keepalive: 60,
          clientId: 'shape-v5', username: ctx.broker.username, password: bytesOf(ctx.broker.password),
          will: { topic: 'shape/will', payload: bytesOf('gone'), qos: 1, retain: true,
                  properties: { willDelayInterval: 5 } },
          properties: { sessionExpiryInterval: 60 },
        }],
        ['<', { cmd: 'connack', sessionPresent: false, reasonCode: 0,
                properties: { receiveMaximum: 20, topicAliasMaximum: 10 } }],
      ]);
      await client.endAsync(false, { reasonCode: 0, properties: { sessionExpiryInterval: 0 } });
    });

    test('a refused MQTT 5 CONNACK has its reason code 0x87', async () => {
      const client = track(mqttws.connect(ctx.broker.url, {
        username: ctx.broker.username, password: 'wrong', WebSocket, protocolVersion: 5,
        reconnectPeriod: 0,
      }));
      client.on('error', () => {});
      const log = tap(client);
      await within(next(client, 'close'), 5000, 'the refusal');
      expect(log.received('connack')).toEqual([{ cmd: 'connack', sessionPresent: false, reasonCode: 0x87 }]);
    });

    test('a refused MQTT 3.1.1 CONNACK has its return code as on the wire (5)', async () => {
      const client = track(mqttws.connect(ctx.broker.url, {
        username: ctx.broker.username, password: 'wrong', WebSocket, reconnectPeriod: 0,
      }));
      client.on('error', () => {});
      const log = tap(client);
      await within(next(client, 'close'), 5000, 'the refusal');
      expect(log.received('connack')).toEqual([{ cmd: 'connack', sessionPresent: false, returnCode: 5 }]);
    });

    test('an MQTT 5 PUBACK carries its reason code (0x10: no matching subscribers)', async () => {
      const client = await ctx.connect({ protocolVersion: 5, autoAssignTopicAlias: false });
      const log = tap(client);
      const topic = uniqueTopic('nobody');
      await client.publishAsync(topic, 'x', { qos: 1 });
      const [publish] = log.sent('publish');
      expect(log.all).toEqual([
        ['>', { cmd: 'publish', topic, payload: bytesOf('x'), qos: 1, retain: false, dup: false,
                messageId: publish.messageId }],
        ['<', { cmd: 'puback', messageId: publish.messageId, reasonCode: 0x10 }],
      ]);
    });

    test('a QoS 2 exchange: PUBLISH, PUBREC, PUBREL, PUBCOMP', async () => {
      const client = await ctx.connect();
      const log = tap(client);
      const topic = uniqueTopic('qos2');
      await client.publishAsync(topic, 'two', { qos: 2, retain: false });
      const id = log.all[0][1].messageId;
      expect(id).toEqual(expect.any(Number));
      expect(log.all).toEqual([
        ['>', { cmd: 'publish', topic, payload: bytesOf('two'), qos: 2, retain: false, dup: false, messageId: id }],
        ['<', { cmd: 'pubrec', messageId: id }],
        ['>', { cmd: 'pubrel', messageId: id }],
        ['<', { cmd: 'pubcomp', messageId: id }],
      ]);
    });

    test.each([4, 5])('UNSUBSCRIBE and UNSUBACK on MQTT v%i', async (protocolVersion) => {
      const client = await ctx.connect({ protocolVersion });
      const a = uniqueTopic('unsub-a');
      const b = uniqueTopic('unsub-b');
      await client.subscribeAsync([a, b]);
      const log = tap(client);
      await client.unsubscribeAsync([a, b]);
      const [unsubscribe] = log.sent('unsubscribe');
      const unsuback = { cmd: 'unsuback', messageId: unsubscribe.messageId };
      if (protocolVersion === 5) unsuback.granted = [0, 0];
      expect(log.all).toEqual([
        ['>', { cmd: 'unsubscribe', messageId: expect.any(Number), unsubscriptions: [a, b] }],
        ['<', unsuback],
      ]);
    });

    test('PINGREQ and PINGRESP', async () => {
      const client = await ctx.connect({ keepalive: 1 });
      const log = tap(client);
      await until(() => log.received('pingresp').length === 1, 3000, () => 'a PINGRESP');
      expect(log.all).toEqual([['>', { cmd: 'pingreq' }], ['<', { cmd: 'pingresp' }]]);
    });

    test.each([
      [4, undefined, { cmd: 'disconnect' }],
      [5, undefined, { cmd: 'disconnect', reasonCode: 0 }],
      [5, { reasonCode: 0x04 }, { cmd: 'disconnect', reasonCode: 0x04 }],
    ])('DISCONNECT on MQTT v%i (end options %j)', async (protocolVersion, options, expected) => {
      const client = await ctx.connect({ protocolVersion });
      const log = tap(client);
      await client.endAsync(false, options);
      expect(log.all).toEqual([['>', expected]]);
    });

    test('a received MQTT 3.1.1 QoS 0 PUBLISH with the retain flag', async () => {
      const client = await ctx.connect();
      const topic = uniqueTopic('retained');
      await client.publishAsync(topic, 'kept', { qos: 1, retain: true });
      const log = tap(client);
      await client.subscribeAsync(topic, { qos: 0 });
      await until(() => log.received('publish').length === 1, 3000, () => 'the retained message');
      expect(log.received('publish')).toEqual([
        { cmd: 'publish', topic, payload: bytesOf('kept'), qos: 0, retain: true, dup: false },
      ]);
      await client.publishAsync(topic, '', { qos: 1, retain: true });
    });
  });

  describe('outbound topic aliases (MQTT 5)', () => {
    test('are assigned by default: the second publish on a topic has the alias and no topic', async () => {
      const topic = uniqueTopic('alias');
      const subscriber = await ctx.connect({ protocolVersion: 5 });
      await subscriber.subscribeAsync(topic, { qos: 1 });
      const got = messages(subscriber, 3);
      const client = track(mqttws.connect(ctx.broker.url, { ...ctx.broker.auth, WebSocket, protocolVersion: 5 }));
      const [connack] = await within(next(client, 'connect'), 5000, 'the connection');
      expect(connack.properties.topicAliasMaximum).toBe(10);  // mosquitto's default max_topic_alias
      const log = tap(client);
      for (const m of ['one', 'two', 'three']) await client.publishAsync(topic, m, { qos: 1 });
      const sent = log.sent('publish');
      expect(sent.map((p) => [p.topic, p.properties])).toEqual([
        [topic, { topicAlias: 1 }],
        ['', { topicAlias: 1 }],
        ['', { topicAlias: 1 }],
      ]);
      const received = await within(got, 5000, 'three messages');
      expect(received.map((m) => [m.topic, text(m.payload)]))
        .toEqual([[topic, 'one'], [topic, 'two'], [topic, 'three']]);
    });

    test('stay within the broker maximum (10), replacing one, and every message keeps its topic', async () => {
      const root = uniqueTopic('aliases');
      const topics = Array.from({ length: 12 }, (_, i) => `${root}/${i}`);
      const subscriber = await ctx.connect({ protocolVersion: 5 });
      await subscriber.subscribeAsync(`${root}/#`, { qos: 1 });
      const order = [...topics, topics[0], topics[11], topics[5]];
      const got = messages(subscriber, order.length);
      const client = await ctx.connect({ protocolVersion: 5 });
      const log = tap(client);
      for (const t of order) await client.publishAsync(t, t, { qos: 1 });
      const aliases = log.sent('publish').map((p) => p.properties?.topicAlias);
      for (const a of aliases) {
        expect(a).toBeGreaterThanOrEqual(1);
        expect(a).toBeLessThanOrEqual(10);
      }
      expect(new Set(aliases.slice(0, 10)).size).toBe(10);
      const received = await within(got, 5000, 'every message');
      expect(received.map((m) => m.topic)).toEqual(order);
      expect(received.map((m) => text(m.payload))).toEqual(order);
    });

    test.each(['autoAssignTopicAlias', 'autoUseTopicAlias'])('%s: false sends no alias', async (option) => {
      const topic = uniqueTopic('no-alias');
      const client = await ctx.connect({ protocolVersion: 5, [option]: false });
      const log = tap(client);
      await client.publishAsync(topic, 'a', { qos: 1 });
      await client.publishAsync(topic, 'b', { qos: 1 });
      expect(log.sent('publish').map((p) => [p.topic, p.properties])).toEqual([
        [topic, undefined], [topic, undefined],
      ]);
    });

    test('none when the broker allows none (no Topic Alias Maximum in its CONNACK)', async () => {
      const plain = await AuthBroker.start();
      try {
        const client = track(mqttws.connect(plain.url, { WebSocket, protocolVersion: 5 }));
        await within(next(client, 'connect'), 5000, 'the connection');
        client.publish('x/y', 'a');
        client.publish('x/y', 'b');
        await until(() => plain.packets('publish').length === 2, 3000, () => 'two PUBLISHes');
        for (const p of plain.packets('publish')) {
          expect(p.topic).toBe('x/y');
          expect(p.properties?.topicAlias).toBeUndefined();
        }
      } finally {
        await Promise.all(ctx.clients.splice(0).map((c) => c.endAsync(true)));
        await plain.close();
      }
    });
  });
});
