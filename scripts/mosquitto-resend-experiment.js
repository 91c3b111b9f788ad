// What mosquitto resends when a subscriber resumes its session with a smaller Receive
// Maximum (RELIABILITY.md, "Open"): a raw MQTT 5 subscriber lets 50 QoS 1 messages go
// unacknowledged, then resumes with Receive Maximum 2, then 1, and counts the PUBLISHes.
//   node scripts/mosquitto-resend-experiment.js
'use strict';
const net = require('node:net');
const { Broker } = require('../npm/test/broker.js');
const mqttws = require('../npm/dist/index.cjs');
const WebSocket = require('../npm/node_modules/ws');
const str = (s) => { const b = Buffer.from(s); return [b.length >> 8, b.length & 255, ...b]; };
const varint = (n) => { const o = []; do { let b = n % 128; n = Math.floor(n / 128); if (n) b |= 128; o.push(b); } while (n); return o; };
const pkt = (t, body) => Buffer.from([t, ...varint(body.length), ...body]);
function connect(user, pass, clean, rm) {
  const props = [0x11, 0, 0, 2, 0x58, 0x21, rm >> 8, rm & 255];
  const flags = 0xC0 | (clean ? 2 : 0);
  return pkt(0x10, [...str('MQTT'), 5, flags, 0, 60, props.length, ...props, ...str('rmexp'), ...str(user), ...str(pass)]);
}
function client(port, user, pass, clean, rm) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    const c = { s, publishes: [], buf: Buffer.alloc(0) };
    s.on('data', (d) => {
      c.buf = Buffer.concat([c.buf, d]);
      for (;;) {
        if (c.buf.length < 2) break;
        let len = 0, mul = 1, j = 1, ok = false;
        while (j < c.buf.length && j < 5) { const b = c.buf[j++]; len += (b & 127) * mul; mul *= 128; if (!(b & 128)) { ok = true; break; } }
        if (!ok || j + len > c.buf.length) break;
        const type = c.buf[0] >> 4, dup = (c.buf[0] >> 3) & 1;
        if (type === 3) { const tl = c.buf.readUInt16BE(j); const id = c.buf.readUInt16BE(j + 2 + tl); c.publishes.push({ id, dup }); }
        if (type === 2) resolve(c);
        c.buf = c.buf.subarray(j + len);
      }
    });
    s.on('connect', () => s.write(connect(user, pass, clean, rm)));
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
(async () => {
  const b = await Broker.start();
  let c = await client(b.tcpPort, b.username, b.password, true, 65535);
  c.s.write(pkt(0x82, [0, 1, 0, ...str('rm/t'), 1]));
  await sleep(200);
  const pub = await mqttws.connectAsync(b.url, { ...b.auth, WebSocket, protocolVersion: 5 });
  for (let i = 0; i < 50; i++) pub.publish('rm/t', `m${i}`, { qos: 1 });
  await sleep(500);
  console.log('first connection (RM 65535), no acks:', c.publishes.length, 'PUBLISH');
  c.s.destroy();
  await sleep(200);
  for (const rm of [2, 1]) {
    c = await client(b.tcpPort, b.username, b.password, false, rm);
    await sleep(500);
    console.log(`resume with RM ${rm}, no acks:`, c.publishes.length, 'PUBLISH', 'dup:', c.publishes.filter(p => p.dup).length);
    c.s.destroy();
    await sleep(200);
  }
  await pub.endAsync(true);
  await b.close();
})();
