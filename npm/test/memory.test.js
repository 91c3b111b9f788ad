'use strict';
const { mqttws, WebSocket, useBroker, uniqueTopic } = require('./helpers.js');

describe('wasm memory', () => {
  const ctx = useBroker();

  // One cycle: connect, subscribe, publish QoS 1 and receive it, end.
  async function cycle(i) {
    const client = await mqttws.connectAsync(ctx.broker.url, {
      ...ctx.broker.auth, WebSocket, protocolVersion: 5,
    });
    const topic = uniqueTopic(`mem${i}`);
    await client.subscribeAsync(topic, { qos: 1 });
    const got = new Promise((resolve) => client.once('message', resolve));
    await client.publishAsync(topic, 'x'.repeat(100), { qos: 1, properties: { userProperties: { i: `${i}` } } });
    await got;
    await client.endAsync();
  }

  test('end() returns every byte: 2000 connect/end cycles leave the heap as it was', async () => {
    await cycle(-1);  // first use: the module's own one-time allocations
    const baseline = await mqttws.wasmMemoryInUse();
    const parallel = 50;
    for (let round = 0; round < 2000 / parallel; round++) {
      await Promise.all(Array.from({ length: parallel }, (_, i) => cycle(round * parallel + i)));
    }
    expect(await mqttws.wasmMemoryInUse()).toBe(baseline);
  }, 120000);

  test('end() right after connect() (still connecting) frees the client', async () => {
    await cycle(-2);
    const baseline = await mqttws.wasmMemoryInUse();
    for (let i = 0; i < 200; i++) {
      const client = mqttws.connect(ctx.broker.url, { ...ctx.broker.auth, WebSocket });
      client.publish('early/x', 'queued', { qos: 1 });
      await client.endAsync();
    }
    expect(await mqttws.wasmMemoryInUse()).toBe(baseline);
  });
});
