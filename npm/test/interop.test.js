'use strict';
const mqtt = require('mqtt');
const { useBroker, uniqueTopic, messages, text } = require('./helpers.js');

describe('interop with MQTT.js', () => {
  const ctx = useBroker();
  const mqttjs = async () => {
    const c = await mqtt.connectAsync(ctx.broker.url, { ...ctx.broker.auth, protocolVersion: 5 });
    ctx.clients.push(c);
    return c;
  };

  test('MQTT.js publishes with MQTT 5 properties and mqttws receives them', async () => {
    const receiver = await ctx.connect({ protocolVersion: 5 });
    const sender = await mqttjs();
    const topic = uniqueTopic('from-mqttjs');
    await receiver.subscribeAsync(topic, { qos: 1 });
    const got = messages(receiver, 1);
    await sender.publishAsync(topic, Buffer.from('payload'), {
      qos: 1,
      properties: {
        contentType: 'text/plain',
        responseTopic: 'answer/here',
        correlationData: Buffer.from([9, 8, 7]),
        userProperties: { origin: 'mqtt.js', list: ['x', 'y'] },
        payloadFormatIndicator: true,
      },
    });
    const [m] = await got;
    expect(text(m.payload)).toBe('payload');
    expect(m.packet.qos).toBe(1);
    expect(m.packet.properties).toEqual({
      contentType: 'text/plain',
      responseTopic: 'answer/here',
      correlationData: new Uint8Array([9, 8, 7]),
      userProperties: { origin: 'mqtt.js', list: ['x', 'y'] },
      payloadFormatIndicator: true,
    });
  });

  test('mqttws publishes with MQTT 5 properties and MQTT.js receives them', async () => {
    const receiver = await mqttjs();
    const sender = await ctx.connect({ protocolVersion: 5 });
    const topic = uniqueTopic('from-mqttws');
    await receiver.subscribeAsync(topic, { qos: 1 });
    const got = new Promise((resolve) => receiver.once('message', (t, payload, packet) =>
      resolve({ t, payload, packet })));
    await sender.publishAsync(topic, 'hello mqtt.js', {
      qos: 1,
      properties: {
        contentType: 'text/plain',
        correlationData: new Uint8Array([1, 2]),
        messageExpiryInterval: 120,
        userProperties: { origin: 'mqttws' },
      },
    });
    const { t, payload, packet } = await got;
    expect(t).toBe(topic);
    expect(payload.toString()).toBe('hello mqtt.js');
    expect(packet.qos).toBe(1);
    expect(packet.properties.contentType).toBe('text/plain');
    expect([...packet.properties.correlationData]).toEqual([1, 2]);
    expect(packet.properties.messageExpiryInterval).toBeLessThanOrEqual(120);
    expect(packet.properties.userProperties).toEqual({ origin: 'mqttws' });
  });
});
