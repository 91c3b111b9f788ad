// MQTT.js as the subscriber behind a link cut every 300-3000 bytes (tests/support fault_proxy),
// the same scenario as npm/test/reliability.test.js: 500 QoS 1 messages published at once by
// a well-connected mqttws client. Prints one JSON line. Used by scripts/reliability.sh for
// the comparison in RELIABILITY.md; not a test (MQTT.js is expected to fall behind here).
'use strict';
const path = require('node:path');
const npm = path.join(__dirname, '../npm');
const mqtt = require(path.join(npm, 'node_modules/mqtt'));
const WebSocket = require(path.join(npm, 'node_modules/ws'));
const mqttws = require(path.join(npm, 'dist/index.cjs'));
const { Broker } = require(path.join(npm, 'test/broker.js'));
const { FaultProxy } = require(path.join(npm, 'test/fault_proxy.js'));

const LIMIT_MS = Number(process.env.MQTTWS_RELIABILITY_LIMIT_MS ?? 90000);

(async () => {
  const broker = await Broker.start();
  const link = await FaultProxy.start(broker.port, { cut: [300, 3000], seed: 41 });
  const copies = new Map();
  const sub = mqtt.connect(link.url, {
    username: broker.username, password: broker.password, protocolVersion: 5,
    clientId: 'mqttjs-reliability-sub', clean: false, properties: { sessionExpiryInterval: 600 },
    reconnectPeriod: 20, connectTimeout: 2000,
  });
  sub.on('error', () => {});
  sub.on('message', (t, p) => {
    const k = p.toString().slice(0, 8).trim();
    copies.set(k, (copies.get(k) ?? 0) + 1);
  });
  await new Promise((resolve) => {
    const go = () => sub.subscribe('reliability/mqttjs', { qos: 1 }, (e) => (e ? setTimeout(go, 50) : resolve()));
    sub.once('connect', go);
  });
  const pub = await mqttws.connectAsync(broker.url, { ...broker.auth, WebSocket, protocolVersion: 5 });
  for (let i = 0; i < 500; i++) pub.publish('reliability/mqttjs', `m${i}`.padEnd(64, '.'), { qos: 1 });
  const t0 = Date.now();
  while (copies.size < 500 && Date.now() - t0 < LIMIT_MS) await new Promise((r) => setTimeout(r, 100));
  const s = await link.stats();
  const duplicates = [...copies.values()].reduce((n, c) => n + c - 1, 0);
  console.log(JSON.stringify({ client: 'MQTT.js', role: 'subscriber', qos: 1, distinct: copies.size,
                               of: 500, duplicates, connections: s.connections, ms: Date.now() - t0 }));
  sub.end(true);
  await pub.endAsync(true);
  await link.close();
  await broker.close();
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
