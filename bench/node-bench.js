// Throughput of one Node client library, one publisher and one subscriber in one Node 20
// process, through a broker: the clock runs from the first publish to the last message
// received. Prints one JSON line.
//
//   node bench/node-throughput.js <mqttws|mqtt|ceiling> <ws url> <qos> <messages> <bytes>
//        (credentials from MQTTWS_BENCH_USER / MQTTWS_BENCH_PASSWORD)
//
// Both libraries publish through the same loop, at most `window` publishes awaiting their
// callbacks. `ceiling` is no MQTT library: pre-encoded QoS 0 PUBLISH frames, 50 per WebSocket
// message, through the same `ws` package — what Node and the broker can do at all.
'use strict';
const path = require('node:path');
const npm = path.join(__dirname, '../npm');
const WebSocket = require(path.join(npm, 'node_modules/ws'));

const [client, url, qosArg, nArg, bytesArg] = process.argv.slice(2);
const qos = Number(qosArg);
const n = Number(nArg);
const bytes = Number(bytesArg);
const username = process.env.MQTTWS_BENCH_USER;
const password = process.env.MQTTWS_BENCH_PASSWORD;
const topic = `bench/${process.pid}/${client}`;
const payload = 'x'.repeat(bytes);
const window = 1000;

function report(seconds, received) {
  console.log(JSON.stringify({ client, qos, n, bytes, received, seconds,
                               msgs_per_s: Math.round(received / seconds) }));
}

// The same publishing loop for both libraries: `publish(done)` sends one message.
function drive(publish, onAllReceived) {
  let next = 0;
  let done = 0;
  const more = () => {
    while (next < n && next - done < window) {
      next++;
      publish(() => {
        done++;
        more();
      });
    }
  };
  more();
  return onAllReceived;
}

async function library(lib) {
  const v5 = { protocolVersion: 5 };
  let sub, pub;
  if (lib === 'mqttws') {
    const mqttws = require(path.join(npm, 'dist/index.cjs'));
    const o = { ...v5, WebSocket, username, password, maxOfflineQueue: window + 10 };
    sub = await mqttws.connectAsync(url, o);
    pub = await mqttws.connectAsync(url, o);
  } else {
    const mqtt = require(path.join(npm, 'node_modules/mqtt'));
    const o = { ...v5, username, password };
    sub = await mqtt.connectAsync(url, o);
    pub = await mqtt.connectAsync(url, o);
  }
  let received = 0;
  let start = 0;
  const finished = new Promise((resolve) => {
    sub.on('message', () => {
      if (++received === n) resolve();
    });
  });
  await sub.subscribeAsync(topic, { qos });
  start = process.hrtime.bigint();
  drive((cb) => pub.publish(topic, payload, { qos }, cb));
  await finished;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  report(seconds, received);
  await Promise.all([sub.endAsync(true), pub.endAsync(true)]);
}

// ---- the ceiling: MQTT 3.1.1 bytes written by hand, QoS 0 only ------------------------------
function varint(n) {
  const out = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}
function str(s) {
  const b = Buffer.from(s);
  return [b.length >> 8, b.length & 0xff, ...b];
}
function packet(type, body) {
  return Buffer.from([type, ...varint(body.length), ...body]);
}
function connectPacket(id) {
  const flags = 0x02 | (username ? 0x80 : 0) | (password ? 0x40 : 0);
  const body = [...str('MQTT'), 4, flags, 0, 60, ...str(id)];
  if (username) body.push(...str(username));
  if (password) body.push(...str(password));
  return packet(0x10, body);
}

function rawClient(id) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'mqtt');
    ws.binaryType = 'nodebuffer';
    ws.once('error', reject);
    ws.once('open', () => {
      ws.send(connectPacket(id));
      ws.once('message', () => resolve(ws));  // CONNACK
    });
  });
}

async function ceiling() {
  if (qos !== 0) throw new Error('the ceiling is QoS 0 only');
  const sub = await rawClient(`ceiling-sub-${process.pid}`);
  const pub = await rawClient(`ceiling-pub-${process.pid}`);
  let received = 0;
  let start = 0n;
  let pending = Buffer.alloc(0);
  const finished = new Promise((resolve) => {
    sub.on('message', (data) => {
      // Count whole PUBLISH packets (type 3) in the stream, whatever the framing.
      pending = pending.length ? Buffer.concat([pending, data]) : data;
      let i = 0;
      while (i + 2 <= pending.length) {
        let len = 0, mul = 1, j = i + 1, ok = false;
        while (j < pending.length && j < i + 5) {
          const b = pending[j++];
          len += (b & 0x7f) * mul;
          mul *= 128;
          if (!(b & 0x80)) { ok = true; break; }
        }
        if (!ok || j + len > pending.length) break;
        if ((pending[i] >> 4) === 3 && ++received === n) resolve();
        i = j + len;
      }
      pending = pending.subarray(i);
    });
  });
  await new Promise((resolve) => {
    sub.send(packet(0x82, [0, 1, ...str(topic), 0]));
    sub.once('message', resolve);  // SUBACK
  });
  const one = packet(0x30, [...str(topic), ...Buffer.from(payload)]);
  const batch = Buffer.concat(Array(50).fill(one));
  start = process.hrtime.bigint();
  let sent = 0;
  const pump = () => {
    while (sent < n) {
      const k = Math.min(50, n - sent);
      sent += k;
      pub.send(k === 50 ? batch : batch.subarray(0, one.length * k));
      if (pub.bufferedAmount > 1 << 20) return setImmediate(pump);  // let the socket drain
    }
  };
  pump();
  await finished;
  report(Number(process.hrtime.bigint() - start) / 1e9, received);
  sub.close();
  pub.close();
}

(client === 'ceiling' ? ceiling() : library(client)).then(
  () => process.exit(0),
  (e) => {
    console.error(`node-throughput ${client}: ${e.message}`);
    process.exit(1);
  });
