'use strict';
const { useBroker, uniqueTopic, messages, text, sleep, next } = require('./helpers.js');

describe('MQTT 5', () => {
  const ctx = useBroker();
  const v5 = (options = {}) => ctx.connect({ protocolVersion: 5, ...options });

  test('publish properties reach the subscriber', async () => {
    const client = await v5();
    const topic = uniqueTopic('props');
    await client.subscribeAsync(topic, { qos: 1 });
    const got = messages(client, 1);
    await client.publishAsync(topic, '{"on":true}', {
      qos: 1,
      properties: {
        payloadFormatIndicator: true,
        messageExpiryInterval: 60,
        contentType: 'application/json',
        responseTopic: 'replies/here',
        correlationData: new Uint8Array([1, 2, 3, 255]),
        userProperties: { room: 'kitchen', tag: ['a', 'b'] },
      },
    });
    const [m] = await got;
    expect(m.packet.properties).toEqual({
      payloadFormatIndicator: true,
      messageExpiryInterval: expect.any(Number),
      contentType: 'application/json',
      responseTopic: 'replies/here',
      correlationData: new Uint8Array([1, 2, 3, 255]),
      userProperties: { room: 'kitchen', tag: ['a', 'b'] },
    });
    expect(m.packet.properties.messageExpiryInterval).toBeLessThanOrEqual(60);
  });

  test('a subscription identifier comes back on matching messages', async () => {
    const client = await v5();
    const topic = uniqueTopic('subid');
    await client.subscribeAsync(topic, { qos: 1, properties: { subscriptionIdentifier: 42 } });
    const got = messages(client, 1);
    await client.publishAsync(topic, 'x', { qos: 1 });
    expect((await got)[0].packet.properties.subscriptionIdentifier).toBe(42);
  });

  test('CONNACK properties are reported on connect', async () => {
    const { mqttws, WebSocket } = require('./helpers.js');
    const client = mqttws.connect(ctx.broker.url, {
      ...ctx.broker.auth, WebSocket, protocolVersion: 5, clientId: '',
    });
    ctx.clients.push(client);
    const [connack] = await next(client, 'connect');
    expect(connack.properties.assignedClientIdentifier).toEqual(expect.any(String));
    expect(client.clientId).toBe(connack.properties.assignedClientIdentifier);
  });

  test('per-subscription handlers get only the messages of their filters', async () => {
    const client = await v5();
    const root = uniqueTopic('handlers');
    const temps = [];
    const lights = [];
    const all = [];
    client.on('message', (topic) => all.push(topic));
    await client.subscribeAsync(`${root}/+/temperature`, {
      qos: 1, handler: (topic, payload) => temps.push(`${topic}=${text(payload)}`),
    });
    await client.subscribeAsync(`${root}/+/light`, {
      qos: 1, handler: (topic, payload) => lights.push(`${topic}=${text(payload)}`),
    });
    await client.publishAsync(`${root}/kitchen/temperature`, '21', { qos: 1 });
    await client.publishAsync(`${root}/kitchen/light`, 'on', { qos: 1 });
    await client.publishAsync(`${root}/hall/temperature`, '19', { qos: 1 });
    await sleep(100);
    expect(temps).toEqual([`${root}/kitchen/temperature=21`, `${root}/hall/temperature=19`]);
    expect(lights).toEqual([`${root}/kitchen/light=on`]);
    expect(all).toHaveLength(3);
  });

  test('overlapping subscriptions: each handler sees each message once', async () => {
    // mosquitto sends one copy per matching subscription; the core's own Subscription
    // Identifiers tell which copy is for which handler (and are not shown to the user).
    const client = await v5();
    const root = uniqueTopic('overlap');
    const wide = [];
    const narrow = [];
    const packets = [];
    client.on('message', (topic, payload, packet) => packets.push(packet));
    await client.subscribeAsync(`${root}/#`, { qos: 1, handler: (t) => wide.push(t) });
    await client.subscribeAsync(`${root}/+/temperature`, { qos: 1, handler: (t) => narrow.push(t) });
    await client.publishAsync(`${root}/hall/temperature`, '19', { qos: 1 });
    await client.publishAsync(`${root}/hall/light`, 'on', { qos: 1 });
    await sleep(150);
    expect(wide).toEqual([`${root}/hall/temperature`, `${root}/hall/light`]);
    expect(narrow).toEqual([`${root}/hall/temperature`]);
    expect(packets).toHaveLength(3);  // the broker's two copies of the first message, one of the second
    for (const p of packets) expect(p.properties?.subscriptionIdentifier).toBeUndefined();
  });

  test('a per-subscription handler stops after unsubscribe', async () => {
    const client = await v5();
    const topic = uniqueTopic('handler-unsub');
    const seen = [];
    await client.subscribeAsync(topic, { qos: 1, handler: (t) => seen.push(t) });
    await client.publishAsync(topic, 'one', { qos: 1 });
    await sleep(50);
    await client.unsubscribeAsync(topic);
    await client.subscribeAsync(topic, { qos: 1 });  // still subscribed, without the handler
    await client.publishAsync(topic, 'two', { qos: 1 });
    await sleep(100);
    expect(seen).toEqual([topic]);
  });

  test('request() resolves with the response carrying the correlation data', async () => {
    const responder = await v5();
    const requester = await v5();
    const topic = uniqueTopic('service/echo');
    await responder.subscribeAsync(topic, { qos: 1 });
    responder.on('message', (t, payload, packet) => {
      const { responseTopic, correlationData } = packet.properties;
      responder.publish(responseTopic, `echo:${text(payload)}`, {
        qos: 1, properties: { correlationData },
      });
    });
    const response = await requester.request(topic, 'ping', { qos: 1, timeout: 5000 });
    expect(text(response.payload)).toBe('echo:ping');
    expect(response.packet.cmd).toBe('publish');
  });

  test('request() without a responder rejects with request_timeout', async () => {
    const requester = await v5();
    await expect(requester.request(uniqueTopic('nobody'), 'ping', { timeout: 300 }))
      .rejects.toMatchObject({ code: 'request_timeout' });
  });

  test('request() on MQTT 3.1.1 is refused with properties_require_v5', async () => {
    const client = await ctx.connect();
    await expect(client.request(uniqueTopic('v4'), 'x')).rejects.toMatchObject({
      code: 'properties_require_v5',
    });
  });

  test('the will is published when the connection drops', async () => {
    const { mqttws, WebSocket } = require('./helpers.js');
    const sockets = [];
    class TrackedWebSocket extends WebSocket {
      constructor(...args) {
        super(...args);
        sockets.push(this);
      }
    }
    const topic = uniqueTopic('will/status');
    const watcher = await v5();
    await watcher.subscribeAsync(topic, { qos: 1 });
    const device = await mqttws.connectAsync(ctx.broker.url, {
      ...ctx.broker.auth, WebSocket: TrackedWebSocket, protocolVersion: 5, reconnectPeriod: 0,
      will: { topic, payload: 'offline', qos: 1, retain: false,
              properties: { userProperties: { reason: 'lost' } } },
    });
    ctx.clients.push(device);
    const got = messages(watcher, 1);
    sockets[0].terminate();  // the TCP connection dies without DISCONNECT
    const [m] = await got;
    expect(text(m.payload)).toBe('offline');
    expect(m.packet.properties.userProperties).toEqual({ reason: 'lost' });
  });

  test('ending with reason 0x04 publishes the will', async () => {
    const topic = uniqueTopic('will/bye');
    const watcher = await v5();
    await watcher.subscribeAsync(topic, { qos: 1 });
    const device = await v5({ will: { topic, payload: 'gone', qos: 1 } });
    const got = messages(watcher, 1);
    await device.endAsync(false, { reasonCode: 0x04 });
    expect(text((await got)[0].payload)).toBe('gone');
  });

  test('a normal end does not publish the will', async () => {
    const topic = uniqueTopic('will/normal');
    const watcher = await v5();
    const seen = [];
    watcher.on('message', (t) => seen.push(t));
    await watcher.subscribeAsync(topic, { qos: 1 });
    const device = await v5({ will: { topic, payload: 'gone', qos: 1 } });
    await device.endAsync();
    await sleep(150);
    expect(seen).toEqual([]);
  });
});
