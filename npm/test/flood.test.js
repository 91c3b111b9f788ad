// Floods: 100,000 messages into a subscriber whose handler is slow, and a burst published
// faster than the network takes. The wasm heap stays bounded — inbound, a handler runs
// before the next WebSocket message is handed to the session, so the socket's back-pressure
// holds the rest; outbound, the queue's bound answers queue_full — and nothing acknowledged
// is dropped.
'use strict';
const mqttws = require('../dist/index.cjs');
const { Broker } = require('./broker.js');
const { connectTo, uniqueTopic } = require('./helpers.js');

jest.setTimeout(180000);

describe('floods', () => {
  let broker;
  const clients = [];
  beforeAll(async () => {
    broker = await Broker.start();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await broker.close();
  });
  const connect = async (o) => {
    const c = await connectTo(broker, { protocolVersion: 5, ...o });
    clients.push(c);
    return c;
  };

  test('100,000 messages into a slow handler all arrive and the wasm heap stays bounded', async () => {
    const N = 100000;
    const topic = uniqueTopic('flood');
    const seen = new Uint8Array(N);
    let distinct = 0;
    const sub = await connect();
    await sub.subscribeAsync(topic, {
      qos: 1,
      handler: (t, payload) => {
        const until = process.hrtime.bigint() + 20000n;  // ~20 us of work per message
        while (process.hrtime.bigint() < until) { /* the slow consumer */ }
        const i = Number(new TextDecoder().decode(payload).trim());
        if (!seen[i]) {
          seen[i] = 1;
          distinct++;
        }
      },
    });
    const pub = await connect();
    const before = await mqttws.wasmMemoryInUse();
    let peak = before;
    const sampler = setInterval(async () => {
      peak = Math.max(peak, await mqttws.wasmMemoryInUse());
    }, 20);
    let next = 0;
    let done = 0;
    await new Promise((resolve) => {
      const more = () => {
        while (next < N && next - done < 200) {
          pub.publish(topic, String(next++).padEnd(64, ' '), { qos: 1 }, () => {
            done++;
            if (done === N) resolve();
            else more();
          });
        }
      };
      more();
    });
    const start = Date.now();
    while (distinct < N && Date.now() - start < 60000) await new Promise((r) => setTimeout(r, 50));
    clearInterval(sampler);
    peak = Math.max(peak, await mqttws.wasmMemoryInUse());
    console.log(`[reliability] npm flood: ${distinct}/${N} into a 20 us handler, ` +
                `wasm heap +${Math.round((peak - before) / 1024)} KB`);
    expect(distinct).toBe(N);
    expect(peak - before).toBeLessThan(4 * 1024 * 1024);
  });

  test('a burst beyond the queue gets queue_full, never unbounded growth', async () => {
    const pub = await connect({ maxOfflineQueue: 1000 });
    const N = 20000;
    let ok = 0;
    let full = 0;
    let other = 0;
    await new Promise((resolve) => {
      for (let i = 0; i < N; i++) {
        pub.publish('flood/burst', 'x'.repeat(64), { qos: 1 }, (e) => {
          if (!e) ok++;
          else if (e.code === 'queue_full') full++;
          else other++;
          if (ok + full + other === N) resolve();
        });
      }
      expect(pub.stats().queued).toBeLessThanOrEqual(1000);
    });
    console.log(`[reliability] npm burst: ${N} publishes at once, ${ok} accepted, ${full} queue_full`);
    expect(full).toBeGreaterThan(0);
    expect(ok).toBeGreaterThanOrEqual(1000);
    expect(other).toBe(0);
  });
});
