'use strict';
const { useBroker, uniqueTopic, messages, text, sleep } = require('./helpers.js');

describe('publish and subscribe', () => {
  const ctx = useBroker();

  test.each([0, 1, 2])('a QoS %i message round-trips with its QoS', async (qos) => {
    const client = await ctx.connect();
    const topic = uniqueTopic(`qos${qos}`);
    await client.subscribeAsync(topic, { qos });
    const got = messages(client, 1);
    await client.publishAsync(topic, `hello ${qos}`, { qos });
    const [m] = await got;
    expect(m.topic).toBe(topic);
    expect(text(m.payload)).toBe(`hello ${qos}`);
    expect(m.packet).toMatchObject({ cmd: 'publish', topic, qos, retain: false, dup: false });
  });

  test('QoS 0 publish completes without an acknowledgement packet', async () => {
    const client = await ctx.connect();
    await expect(client.publishAsync(uniqueTopic('q0'), 'x')).resolves.toBeUndefined();
  });

  test('QoS 1 publish completes with the PUBACK', async () => {
    const client = await ctx.connect();
    await expect(client.publishAsync(uniqueTopic('q1'), 'x', { qos: 1 }))
      .resolves.toEqual({ cmd: 'puback', reasonCode: 0 });
  });

  test('QoS 2 publish completes with the PUBCOMP', async () => {
    const client = await ctx.connect();
    await expect(client.publishAsync(uniqueTopic('q2'), 'x', { qos: 2 }))
      .resolves.toEqual({ cmd: 'pubcomp', reasonCode: 0 });
  });

  test('MQTT 5 QoS 1 publish without subscribers completes with reason 0x10', async () => {
    const client = await ctx.connect({ protocolVersion: 5 });
    await expect(client.publishAsync(uniqueTopic('nobody'), 'x', { qos: 1 }))
      .resolves.toEqual({ cmd: 'puback', reasonCode: 0x10 });
  });

  test('subscribe grants the requested QoS per filter', async () => {
    const client = await ctx.connect();
    const a = uniqueTopic('a');
    const b = uniqueTopic('b');
    await expect(client.subscribeAsync({ [a]: { qos: 1 }, [b]: { qos: 2 } }))
      .resolves.toEqual([{ topic: a, qos: 1 }, { topic: b, qos: 2 }]);
  });

  test('callback forms report completion like MQTT.js', async () => {
    const client = await ctx.connect();
    const topic = uniqueTopic('callbacks');
    const granted = await new Promise((resolve, reject) =>
      client.subscribe(topic, { qos: 1 }, (err, g) => (err ? reject(err) : resolve(g))));
    expect(granted).toEqual([{ topic, qos: 1 }]);
    const ack = await new Promise((resolve, reject) =>
      client.publish(topic, 'x', { qos: 1 }, (err, p) => (err ? reject(err) : resolve(p))));
    expect(ack).toEqual({ cmd: 'puback', reasonCode: 0 });
    const unsuback = await new Promise((resolve, reject) =>
      client.unsubscribe(topic, (err, p) => (err ? reject(err) : resolve(p))));
    expect(unsuback).toEqual({ cmd: 'unsuback', reasonCode: [0] });
  });

  test('+ matches exactly one level', async () => {
    const client = await ctx.connect();
    const root = uniqueTopic('plus');
    await client.subscribeAsync(`${root}/+/temperature`, { qos: 1 });
    const got = messages(client, 2);
    await client.publishAsync(`${root}/kitchen/temperature`, '21', { qos: 1 });
    await client.publishAsync(`${root}/kitchen/oven/temperature`, '200', { qos: 1 });
    await client.publishAsync(`${root}/hall/temperature`, '19', { qos: 1 });
    const topics = (await got).map((m) => m.topic);
    expect(topics).toEqual([`${root}/kitchen/temperature`, `${root}/hall/temperature`]);
  });

  test('# matches the parent and every level below it', async () => {
    const client = await ctx.connect();
    const root = uniqueTopic('hash');
    await client.subscribeAsync(`${root}/home/#`, { qos: 1 });
    const got = messages(client, 3);
    for (const t of ['home', 'home/a', 'home/a/b/c', 'other/x']) {
      await client.publishAsync(`${root}/${t}`, t, { qos: 1 });
    }
    await client.publishAsync(`${root}/home/last`, 'last', { qos: 1 });
    expect((await got).map((m) => text(m.payload))).toEqual(['home', 'home/a', 'home/a/b/c']);
  });

  test('a retained message reaches a later subscriber with the retain flag', async () => {
    const publisher = await ctx.connect();
    const topic = uniqueTopic('retained');
    await publisher.publishAsync(topic, 'online', { qos: 1, retain: true });
    const subscriber = await ctx.connect();
    const got = messages(subscriber, 1);
    await subscriber.subscribeAsync(topic, { qos: 1 });
    const [m] = await got;
    expect(text(m.payload)).toBe('online');
    expect(m.packet.retain).toBe(true);
    await publisher.publishAsync(topic, '', { qos: 1, retain: true });  // clear it
  });

  test('binary payloads round-trip byte for byte', async () => {
    const client = await ctx.connect();
    const topic = uniqueTopic('binary');
    const bytes = Uint8Array.from({ length: 256 * 4 }, (_, i) => i % 256);
    await client.subscribeAsync(topic, { qos: 1 });
    const got = messages(client, 1);
    await client.publishAsync(topic, bytes, { qos: 1 });
    const [m] = await got;
    expect(m.payload).toBeInstanceOf(Uint8Array);
    expect(Array.from(m.payload)).toEqual(Array.from(bytes));
  });

  // mosquitto 2.0.11's websockets listener needs ~25 s for 1 MB (MQTT.js alike): 128 KB here.
  test('a 128 KB payload round-trips', async () => {
    const client = await ctx.connect();
    const topic = uniqueTopic('large');
    const bytes = Uint8Array.from({ length: 128 * 1024 }, (_, i) => (i * 7) % 251);
    await client.subscribeAsync(topic, { qos: 1 });
    const got = messages(client, 1);
    await client.publishAsync(topic, bytes, { qos: 1 });
    const [m] = await got;
    expect(m.payload.length).toBe(bytes.length);
    expect(Buffer.compare(Buffer.from(m.payload), Buffer.from(bytes))).toBe(0);
  });

  test('unsubscribe stops delivery', async () => {
    const client = await ctx.connect();
    const topic = uniqueTopic('unsub');
    const received = [];
    client.on('message', (t) => received.push(t));
    await client.subscribeAsync(topic, { qos: 1 });
    await client.unsubscribeAsync(topic);
    await client.publishAsync(topic, 'x', { qos: 1 });
    await sleep(100);
    expect(received).toEqual([]);
  });

  test('an invalid topic filter is refused at once with invalid_topic_filter', async () => {
    const client = await ctx.connect();
    await expect(client.subscribeAsync('a/#/b')).rejects.toMatchObject({
      name: 'MqttError', code: 'invalid_topic_filter',
    });
  });

  test('a wildcard in a publish topic is refused with invalid_topic_name', async () => {
    const client = await ctx.connect();
    await expect(client.publishAsync('a/+', 'x')).rejects.toMatchObject({
      code: 'invalid_topic_name',
    });
  });

  test('commands issued before the connection completes are sent once connected', async () => {
    const { mqttws, WebSocket } = require('./helpers.js');
    const client = mqttws.connect(ctx.broker.url, { ...ctx.broker.auth, WebSocket });
    ctx.clients.push(client);
    const topic = uniqueTopic('early');
    const got = messages(client, 1);
    client.subscribe(topic, { qos: 1 });
    client.publish(topic, 'early', { qos: 1 });
    expect(text((await got)[0].payload)).toBe('early');
  });

  test('stats() counts traffic and shows nothing in flight when idle', async () => {
    const client = await ctx.connect();
    await client.publishAsync(uniqueTopic('stats'), 'x', { qos: 1 });
    const s = client.stats();
    expect(s).toMatchObject({ inflight: 0, inflightIncoming: 0, queued: 0, connections: 1,
                              messagesSent: 1 });
    expect(s.packetsSent).toBeGreaterThanOrEqual(2);  // CONNECT, PUBLISH
  });

  test('packetsend and packetreceive report the packets of a QoS 1 round trip', async () => {
    const client = await ctx.connect();
    const topic = uniqueTopic('packets');
    await client.subscribeAsync(topic, { qos: 1 });
    const sent = [];
    const received = [];
    client.on('packetsend', (p) => sent.push(p));
    client.on('packetreceive', (p) => received.push(p));
    const got = messages(client, 1);
    await client.publishAsync(topic, 'x', { qos: 1 });
    await got;
    await sleep(50);
    // Whole packets, in MQTT.js's (mqtt-packet's) shape.
    const id = sent[0].messageId;
    expect(sent[0]).toEqual({
      cmd: 'publish', topic, payload: expect.any(Uint8Array), qos: 1, retain: false, dup: false,
      messageId: expect.any(Number),
    });
    expect(new TextDecoder().decode(sent[0].payload)).toBe('x');
    expect(sent.map((p) => p.cmd)).toEqual(['publish', 'puback']);
    const puback = received.find((p) => p.cmd === 'puback');
    expect(puback).toEqual({ cmd: 'puback', messageId: id });
    const delivered = received.find((p) => p.cmd === 'publish');
    expect(delivered).toMatchObject({ cmd: 'publish', topic, qos: 1, retain: false, dup: false });
    expect(sent[1]).toEqual({ cmd: 'puback', messageId: delivered.messageId });
  });

  test('packetsend reports SUBSCRIBE and packetreceive SUBACK whole', async () => {
    const client = await ctx.connect({ protocolVersion: 5 });
    const topic = uniqueTopic('packets');
    const sent = [];
    const received = [];
    client.on('packetsend', (p) => sent.push(p));
    client.on('packetreceive', (p) => received.push(p));
    await client.subscribeAsync({ [topic]: { qos: 2, nl: true, rh: 1 } });
    const subscribe = sent.find((p) => p.cmd === 'subscribe');
    expect(subscribe).toMatchObject({
      cmd: 'subscribe', messageId: expect.any(Number),
      subscriptions: [{ topic, qos: 2, nl: true, rap: false, rh: 1 }],
    });
    expect(received.find((p) => p.cmd === 'suback'))
      .toEqual({ cmd: 'suback', messageId: subscribe.messageId, granted: [2] });
  });
});
