'use strict';
// Received payloads are MqttPayload: a Uint8Array that reads as text where MQTT.js code treats
// the payload as a Buffer. The snippets are written as MQTT.js users write them.
const { mqttws, useBroker, uniqueTopic, next } = require('./helpers.js');

const { MqttPayload } = mqttws;

describe('received payloads', () => {
  const ctx = useBroker();

  /** Subscribes a fresh client to a fresh topic, publishes `payload` there and returns
   *  [topic, message, packet] as the `message` event gave them. */
  async function roundTrip(payload, options = {}) {
    const client = await ctx.connect(options);
    const topic = uniqueTopic('payload');
    await client.subscribeAsync(topic, { qos: 1 });
    const got = next(client, 'message');
    await client.publishAsync(topic, payload, { qos: 1 });
    return got;
  }

  test('JSON.parse(message.toString()) in a message listener gives the published object', async () => {
    const client = await ctx.connect();
    const topic = uniqueTopic('sensors/kitchen');
    await client.subscribeAsync(topic);
    const readings = [];
    const done = new Promise((resolve) => {
      client.on('message', (topic, message) => {
        const data = JSON.parse(message.toString());
        readings.push(data.temperature);
        resolve();
      });
    });
    client.publish(topic, JSON.stringify({ temperature: 21.5, unit: 'C' }));
    await done;
    expect(readings).toEqual([21.5]);
  });

  test('JSON.parse(message) parses the payload text', async () => {
    const [, message] = await roundTrip('{"on":true,"level":[1,2]}');
    expect(JSON.parse(message)).toEqual({ on: true, level: [1, 2] });
  });

  test('JSON.parse(message) of payload "1" is the number 1', async () => {
    const [, message] = await roundTrip('1');
    expect(JSON.parse(message)).toBe(1);
  });

  test('message.toString() is the payload decoded as UTF-8', async () => {
    const [, message] = await roundTrip('Grüße, 温度 21°C ✓');
    expect(message.toString()).toBe('Grüße, 温度 21°C ✓');
  });

  test('string conversions of the payload (template, concatenation, String, Number) are its text', async () => {
    const [, message] = await roundTrip('42');
    expect(`${message}`).toBe('42');
    expect('value: ' + message).toBe('value: 42');
    expect(String(message)).toBe('42');
    expect(Number(message)).toBe(42);
  });

  test('the payload is an MqttPayload, a Uint8Array and no Buffer', async () => {
    const [, message] = await roundTrip('x');
    expect(message).toBeInstanceOf(MqttPayload);
    expect(message).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(message)).toBe(false);
    expect(Object.getPrototypeOf(MqttPayload)).toBe(Uint8Array);
  });

  test('the message event payload is packet.payload, with the published bytes', async () => {
    const bytes = new Uint8Array([0, 1, 127, 128, 255]);
    const [, message, packet] = await roundTrip(bytes);
    expect(packet.payload).toBe(message);
    expect(Array.from(message)).toEqual([0, 1, 127, 128, 255]);
  });

  test('text() decodes UTF-8 and json() parses it', async () => {
    const [, message] = await roundTrip('{"id":"lamp-1","on":false}');
    expect(message.text()).toBe('{"id":"lamp-1","on":false}');
    expect(message.json()).toEqual({ id: 'lamp-1', on: false });
  });

  test('json() of a payload that is not JSON throws a SyntaxError', async () => {
    const [, message] = await roundTrip('not json');
    expect(() => message.json()).toThrow(SyntaxError);
  });

  test('an empty payload is the empty string', async () => {
    const [, message] = await roundTrip('');
    expect(message.length).toBe(0);
    expect(message.toString()).toBe('');
    expect(message.text()).toBe('');
  });

  test('bytes that are not UTF-8 decode to U+FFFD, the bytes stay as received', async () => {
    const [, message] = await roundTrip(new Uint8Array([0x61, 0xff, 0x62]));
    expect(message.toString()).toBe('a\uFFFDb');
    expect(Array.from(message)).toEqual([0x61, 0xff, 0x62]);
  });

  test('a leading UTF-8 byte-order mark is not part of the text (as with TextDecoder)', async () => {
    const [, message] = await roundTrip(new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]));
    expect(message.toString()).toBe('{}');
    expect(JSON.parse(message)).toEqual({});
    expect(message.length).toBe(5);
  });

  test("toString('utf8'), ('utf-8') and ('UTF8') decode UTF-8, as Buffer's does", async () => {
    const [, message] = await roundTrip('ok ✓');
    expect(message.toString('utf8')).toBe('ok ✓');
    expect(message.toString('utf-8')).toBe('ok ✓');
    expect(message.toString('UTF8')).toBe('ok ✓');
  });

  test("toString('hex') and toString('base64') encode the bytes as Buffer's does", async () => {
    const bytes = new Uint8Array([0x00, 0x0f, 0x10, 0xab, 0xff, 0x41]);
    const [, message] = await roundTrip(bytes);
    expect(message.toString('hex')).toBe(Buffer.from(bytes).toString('hex'));
    expect(message.toString('hex')).toBe('000f10abff41');
    expect(message.toString('base64')).toBe(Buffer.from(bytes).toString('base64'));
    expect(message.toString('base64')).toBe('AA8Qq/9B');
  });

  test("toString(encoding, start, end) converts that range, as Buffer's does", async () => {
    const [, message] = await roundTrip('temperature=21');
    expect(message.toString('utf8', 12)).toBe('21');
    expect(message.toString('utf8', 0, 11)).toBe('temperature');
    expect(message.toString('hex', 12, 14)).toBe('3231');
  });

  test('toString() with an unknown encoding throws a TypeError naming the encodings it takes', async () => {
    const [, message] = await roundTrip('x');
    expect(() => message.toString('latin1'))
      .toThrow(new TypeError('Unknown encoding: latin1 (takes utf8, hex, base64)'));
    expect(() => message.toString('latin1')).toThrow(TypeError);
  });

  test('subarray() and slice() return MqttPayloads, so a part reads as text like a Buffer part', async () => {
    const [, message] = await roundTrip('id=7;on=1');
    const view = message.subarray(0, 4);
    const copy = message.slice(5);
    expect(view).toBeInstanceOf(MqttPayload);
    expect(copy).toBeInstanceOf(MqttPayload);
    expect(view.toString()).toBe('id=7');
    expect(copy.toString()).toBe('on=1');
    view[3] = 0x38;  // a view shares the message's bytes, a slice does not
    expect(message.toString()).toBe('id=8;on=1');
    expect(copy.toString()).toBe('on=1');
  });

  test('a received payload published again arrives with the same bytes', async () => {
    const client = await ctx.connect();
    const a = uniqueTopic('a');
    const b = uniqueTopic('b');
    await client.subscribeAsync([a, b], { qos: 1 });
    client.once('message', (topic, message) => client.publish(b, message, { qos: 1 }));
    const forwarded = new Promise((resolve) => client.on('message', (topic, message) => {
      if (topic === b) resolve(message.toString());
    }));
    await client.publishAsync(a, 'relay me', { qos: 1 });
    await expect(forwarded).resolves.toBe('relay me');
  });

  test('a subscription handler gets the payload as an MqttPayload', async () => {
    const client = await ctx.connect();
    const topic = uniqueTopic('handler');
    const got = new Promise((resolve) => client.subscribe(topic, {
      qos: 1, handler: (t, payload, packet) => resolve([payload, packet]),
    }));
    await client.publishAsync(topic, '{"n":3}', { qos: 1 });
    const [payload, packet] = await got;
    expect(payload).toBeInstanceOf(MqttPayload);
    expect(packet.payload).toBe(payload);
    expect(JSON.parse(payload)).toEqual({ n: 3 });
  });

  test('a request() response payload is an MqttPayload, the same as its packet.payload', async () => {
    const responder = await ctx.connect({ protocolVersion: 5 });
    const requester = await ctx.connect({ protocolVersion: 5 });
    const topic = uniqueTopic('service/status');
    await responder.subscribeAsync(topic, { qos: 1 });
    responder.on('message', (t, message, packet) => {
      const { responseTopic, correlationData } = packet.properties;
      responder.publish(responseTopic, JSON.stringify({ asked: message.toString(), ok: true }),
                        { qos: 1, properties: { correlationData } });
    });
    const response = await requester.request(topic, 'status?', { qos: 1, timeout: 5000 });
    expect(response.payload).toBeInstanceOf(MqttPayload);
    expect(response.packet.payload).toBe(response.payload);
    expect(JSON.parse(response.payload.toString())).toEqual({ asked: 'status?', ok: true });
  });
});
