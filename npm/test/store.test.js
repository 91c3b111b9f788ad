// The `store` option in Node, over fake-indexeddb (an in-memory IndexedDB): what it refuses,
// a session resumed by the next client from what the store kept, a clean start clearing it,
// and a failing IndexedDB falling back to memory. Reloads and crashes in a real browser:
// test/browser/persistence.mjs.
'use strict';
require('fake-indexeddb/auto');
const {
  mqttws, WebSocket, useBroker, uniqueTopic, messages, within, until, gatedWebSocket, text, sleep,
} = require('./helpers.js');

const mqttPacket = require('mqtt-packet');
const { WebSocketServer } = require('ws');

/**
 * A scripted MQTT 5 broker with one resumable session: every CONNECT gets CONNACK with
 * sessionPresent, then QoS 2 PUBLISH id 7 (DUP after the first time) until the client sent
 * PUBREC for it on connection `releaseAfter` or later, when PUBREL follows; DISCONNECT closes.
 * Records what it receives, as "<connection>:<cmd>".
 */
async function qos2Broker() {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  const b = { url: `ws://127.0.0.1:${server.address().port}`, received: [], connections: 0,
              releaseAfter: 2,
              close: () => new Promise((r) => {
                for (const ws of server.clients) ws.terminate();
                server.close(r);
              }) };
  const opts = { protocolVersion: 5 };
  server.on('connection', (ws) => {
    const n = ++b.connections;
    const parser = mqttPacket.parser(opts);
    const send = (p) => ws.send(mqttPacket.generate(p, opts));
    parser.on('packet', (p) => {
      b.received.push(`${n}:${p.cmd}`);
      if (p.cmd === 'connect') {
        send({ cmd: 'connack', sessionPresent: true, reasonCode: 0 });
        send({ cmd: 'publish', topic: 'q2/once', payload: Buffer.from('once'), qos: 2,
               messageId: 7, dup: n > 1, retain: false });
      } else if (p.cmd === 'pubrec' && n >= b.releaseAfter) {
        send({ cmd: 'pubrel', messageId: p.messageId, reasonCode: 0 });
      } else if (p.cmd === 'pingreq') {
        send({ cmd: 'pingresp' });
      } else if (p.cmd === 'disconnect') {
        ws.close();
      }
    });
    ws.on('message', (data) => parser.parse(data));
  });
  return b;
}

let ids = 0;
const uniqueClientId = () => `store-${process.pid}-${++ids}`;

/** The records of `clientId` in database "mqttws": [outgoing, incoming] counts. */
async function records(clientId) {
  const db = await new Promise((resolve, reject) => {
    const r = indexedDB.open('mqttws', 1);
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  const range = IDBKeyRange.bound([clientId], [clientId, Infinity]);
  const count = (name) => new Promise((resolve, reject) => {
    const r = db.transaction(name).objectStore(name).count(range);
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  const counts = [await count('outgoing'), await count('incoming')];
  db.close();
  return counts;
}

describe('store option', () => {
  const ctx = useBroker();
  const persistent = (clientId, extra = {}) => ({
    ...ctx.broker.auth, WebSocket, clientId, clean: false, protocolVersion: 5,
    properties: { sessionExpiryInterval: 300 }, store: 'indexeddb', ...extra,
  });
  /** A client that cannot reach the broker: what it publishes is queued (and stored). */
  const offline = (clientId) => {
    const gate = gatedWebSocket();
    gate.block();
    const c = mqttws.connect(ctx.broker.url, persistent(clientId, { WebSocket: gate.WebSocket }));
    c.on('error', () => {});
    return c;
  };

  test('refuses a persistent store without a fixed clientId', () => {
    expect(() => mqttws.connect(ctx.broker.url, { WebSocket, store: 'indexeddb' }))
      .toThrow(expect.objectContaining({
        code: 'invalid_options', message: expect.stringContaining('needs a fixed clientId'),
      }));
  });

  test('refuses a store it does not know', () => {
    expect(() => mqttws.connect(ctx.broker.url, { WebSocket, clientId: 'x', store: 'localStorage' }))
      .toThrow(expect.objectContaining({ code: 'invalid_options' }));
  });

  test('indexedDbStore(name) names the database', () => {
    expect(mqttws.indexedDbStore('app')).toEqual({ kind: 'indexeddb', name: 'app' });
    expect(mqttws.indexedDbStore()).toEqual({ kind: 'indexeddb', name: 'mqttws' });
  });

  test('messages queued by a client that ended are sent by the next one with its clientId', async () => {
    const topic = uniqueTopic('resume');
    const sub = await ctx.connect({ protocolVersion: 5 });
    await sub.subscribeAsync(`${topic}/#`, { qos: 2 });
    const got = messages(sub, 40);
    const id = uniqueClientId();
    const first = offline(id);
    for (let i = 0; i < 20; i++) {
      first.publish(`${topic}/q1`, `${i}`, { qos: 1 }, () => {});
      first.publish(`${topic}/q2`, `${i}`, { qos: 2 }, () => {});
    }
    await until(() => first.stats().queued === 40, 5000, () => `${first.stats().queued} queued`);
    await first.endAsync(true);
    expect(await records(id)).toEqual([40, 0]);

    const second = await ctx.connect(persistent(id));
    const all = await within(got, 10000, '40 messages');
    const names = all.map((m) => `${m.topic.slice(topic.length + 1)}:${text(m.payload)}`).sort();
    const expected = [];
    for (let i = 0; i < 20; i++) expected.push(`q1:${i}`, `q2:${i}`);
    expect(names).toEqual(expected.sort());
    await until(() => second.stats().inflight === 0, 5000, () => 'acknowledgements');
    await sleep(100);  // the removals' transaction
    expect(await records(id)).toEqual([0, 0]);
  });

  test('a PUBLISH is sent only after the transaction storing it has completed', async () => {
    const log = [];
    const transaction = IDBDatabase.prototype.transaction;
    IDBDatabase.prototype.transaction = function (names, mode, ...rest) {
      const tx = transaction.call(this, names, mode, ...rest);
      if (mode === 'readwrite') tx.addEventListener('complete', () => log.push('commit'));
      return tx;
    };
    class LoggingWebSocket extends WebSocket {
      send(data, ...rest) {
        log.push(`send ${data[0] >> 4}`);  // the first packet's type: 3 PUBLISH
        return super.send(data, ...rest);
      }
    }
    try {
      const c = await ctx.connect(persistent(uniqueClientId(), { WebSocket: LoggingWebSocket }));
      log.length = 0;
      await c.publishAsync(uniqueTopic('order'), 'x', { qos: 1 });
      expect(log.slice(0, 2)).toEqual(['commit', 'send 3']);
    } finally {
      IDBDatabase.prototype.transaction = transaction;
    }
  });

  test('an incoming QoS 2 message received before a restart is not delivered again after it', async () => {
    const broker = await qos2Broker();
    try {
      const id = uniqueClientId();
      const options = { WebSocket, clientId: id, clean: false, protocolVersion: 5,
                        properties: { sessionExpiryInterval: 300 }, store: 'indexeddb' };
      const first = mqttws.connect(broker.url, options);
      const delivered = [];
      first.on('message', (topic) => delivered.push(`first ${topic}`));
      await until(() => broker.received.includes('1:pubrec'), 5000, () => broker.received.join());
      await first.endAsync(true);
      expect(await records(id)).toEqual([0, 1]);

      // The broker resends it (DUP, same id): acknowledged, not delivered a second time.
      const second = mqttws.connect(broker.url, options);
      ctx.clients.push(second);
      second.on('message', (topic) => delivered.push(`second ${topic}`));
      await until(() => broker.received.includes('2:pubcomp'), 5000, () => broker.received.join());
      expect(broker.received.filter((r) => r.startsWith('2:'))).toEqual(['2:connect', '2:pubrec', '2:pubcomp']);
      expect(delivered).toEqual(['first q2/once']);
      await sleep(100);  // the removal's transaction
      expect(await records(id)).toEqual([0, 0]);
    } finally {
      await broker.close();
    }
  });

  test('a write that never commits: store_failed after 10 s, and the held PUBLISH goes out', async () => {
    const transaction = IDBDatabase.prototype.transaction;
    IDBDatabase.prototype.transaction = function (names, mode, ...rest) {
      const tx = transaction.call(this, names, mode, ...rest);
      // The store's completion handler is never installed: the transaction looks stuck.
      if (mode === 'readwrite') Object.defineProperty(tx, 'oncomplete', { set() {}, get() {} });
      return tx;
    };
    try {
      const errors = [];
      const c = await ctx.connect(persistent(uniqueClientId()));
      c.on('error', (e) => errors.push(e));
      const start = Date.now();
      await within(c.publishAsync(uniqueTopic('stuck'), 'x', { qos: 1 }), 15000, 'the publish');
      const waited = Date.now() - start;
      expect(waited).toBeGreaterThanOrEqual(9900);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({
        code: 'store_failed', message: expect.stringContaining('not committed within 10 s'),
      });
    } finally {
      IDBDatabase.prototype.transaction = transaction;
    }
  }, 20000);

  test('clean: true discards what the store kept', async () => {
    const topic = uniqueTopic('clean');
    const sub = await ctx.connect({ protocolVersion: 5 });
    await sub.subscribeAsync(`${topic}/#`, { qos: 1 });
    let delivered = 0;
    sub.on('message', () => delivered++);
    const id = uniqueClientId();
    const first = offline(id);
    for (let i = 0; i < 5; i++) first.publish(`${topic}/a`, `${i}`, { qos: 1 }, () => {});
    await until(() => first.stats().queued === 5, 5000, () => 'queued');
    await first.endAsync(true);
    expect(await records(id)).toEqual([5, 0]);

    const second = await ctx.connect(persistent(id, { clean: true }));
    expect(second.stats().queued + second.stats().inflight).toBe(0);
    await sleep(300);
    expect(delivered).toBe(0);
    expect(await records(id)).toEqual([0, 0]);
  });

  test('a failing write: one store_failed error, and the messages are still delivered', async () => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function () {
      throw new DOMException('no space left', 'QuotaExceededError');
    };
    try {
      const topic = uniqueTopic('quota');
      const sub = await ctx.connect({ protocolVersion: 5 });
      await sub.subscribeAsync(topic, { qos: 1 });
      const got = messages(sub, 10);
      const errors = [];
      const c = mqttws.connect(ctx.broker.url, persistent(uniqueClientId()));
      ctx.clients.push(c);
      c.on('error', (e) => errors.push(e));
      const done = [];
      for (let i = 0; i < 10; i++) done.push(c.publishAsync(topic, `${i}`, { qos: 1 }));
      await within(Promise.all(done), 10000, 'the publishes');
      expect((await within(got, 5000, 'the messages')).map((m) => text(m.payload)))
        .toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({
        code: 'store_failed', message: expect.stringContaining('QuotaExceededError: no space left'),
      });
    } finally {
      IDBObjectStore.prototype.put = put;
    }
  });
});
