// One benchmark driver for the three Node clients, so that they are measured by the same loops:
//   mqttws   the mqttws npm package (wasm core), over ws:// only        -> "client":"mqttws-npm"
//   mqtt     MQTT.js 5, over mqtt:// (its tcp) or ws://                 -> "client":"mqttjs"
//   ceiling  no MQTT library: pre-encoded MQTT 5 frames written in batches through node:net
//            (mqtt://) or the same `ws` package (ws://), acks answered by hand: what Node and
//            the peer can do at all                                      -> "client":"ceiling-node"
//
//   node bench/node-bench.js <mqttws|mqtt|ceiling> <throughput|publish|receive|latency>
//        --url URL [-u USER -P PASS] [--qos Q] [--messages N] [--bytes B] [--publishers K]
//        [--rate R] [--timeout S] [--batch F] [--warmup W]
//   (credentials default to MQTTWS_BENCH_USER / MQTTWS_BENCH_PASSWORD; defaults: Q 0, N 10000,
//    B 64, K 1, R 1000 msg/s, S 120 s per wait, F: ceiling frames per write, see BATCH_BYTES,
//    W 0)
//   --warmup W (throughput and publish): first the same loop with W messages, untimed, on the
//   same connections, then the measured N. A fresh Node process runs its first thousands of
//   messages in V8's baseline tiers (Liftoff for the wasm, Sparkplug/Maglev for JavaScript)
//   while the optimising compilers catch up: a short run from process start measures that
//   start-up, not the rate a long-lived client keeps. The same W for every Node client.
//
// Modes (bench/README.md has the shared contract):
//   throughput  K publisher connections -> 1 subscriber connection through a broker, all in this
//               process; subscriber on <prefix>/#, publisher i sends its share of N to <prefix>/i.
//               Clock: first publish -> last message received. QoS 0 may lose messages: once all
//               are published, 1 s without a message ends the wait and `received` says how many.
//   publish     one connection publishes N to bench/sink (bench_peer's sink). Clock: first
//               publish -> last completion (QoS 0: written; 1: PUBACK; 2: PUBCOMP).
//   receive     one connection subscribes to bench/source/N/B (bench_peer's source). Clock:
//               SUBACK -> Nth message delivered to the message callback.
//   latency     one connection subscribes to <prefix> and publishes N to it at R msg/s (message
//               i due at t0 + i/R; sent at the first timer tick at or after that); per message
//               the time from the publish call to its delivery; nearest-rank percentiles.
// Every publisher keeps at most 1000 publishes awaiting completion (the same window for all
// three clients). Prints ONE JSON line on stdout, e.g.
//   {"client":"mqttjs","mode":"throughput","transport":"ws","qos":1,"bytes":64,"publishers":1,
//    "n":50000,"received":50000,"seconds":0.81,"msgs_per_s":61728.4}
//   publish: ...,"n":N,"completed":N,...   latency: ...,"rate":R,"n":N,"received":M,"p50_us":..,
//   "p99_us":..,"max_us":..   ("transport" is "tcp" for mqtt:// and "ws" for ws://).
// Exit 0 on success; 1 with a one-line reason on stderr on failure; 2 on bad usage.
'use strict';
const net = require('node:net');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { bounded: boundedBy } = require('./bounded.js');
const { CONNECTION_FLAGS, parseFlags, intFlag, urlFlag } = require('./flags.js');

const npm = path.join(__dirname, '../npm');
const WebSocket = require(path.join(npm, 'node_modules/ws'));

const NAMES = { mqttws: 'mqttws-npm', mqtt: 'mqttjs', ceiling: 'ceiling-node' };
const MODES = ['throughput', 'publish', 'receive', 'latency'];
const WINDOW = 1000;
// The ceiling's writes: whole frames, about this many bytes per write (WebSocket message or
// socket write), at least one frame: 58 frames of 64-byte payloads, one of 4 KB. Tried through
// mosquitto on loopback (QoS 0, 64 bytes, ws): 30 to 230 frames per message all gave 180k-710k
// msg/s on the shared 2-core machine, no setting reliably ahead; 10 and 1000 were slower. Over
// tcp and for 4 KB payloads the batch made no difference beyond noise. --batch overrides it.
const BATCH_BYTES = 4096;
const QUIET_MS = 1000;  // QoS 0: this long without a message after the last publish ends a run

// ---- command line ------------------------------------------------------------------------
function usage(message) {
  process.stderr.write(`node-bench: ${message}\n`);
  process.exit(2);
}

const FLAGS = {
  ...CONNECTION_FLAGS,
  '--qos': 'qos', '--messages': 'messages', '-n': 'messages', '--bytes': 'bytes',
  '--publishers': 'publishers', '--rate': 'rate', '--timeout': 'timeout', '--batch': 'batch',
  '--warmup': 'warmup',
};

function parseArgs(argv) {
  const [client, mode, ...rest] = argv;
  if (!client) usage('missing client: mqttws, mqtt or ceiling');
  if (!NAMES[client]) usage(`unknown client "${client}" (mqttws, mqtt or ceiling)`);
  if (!mode) usage('missing mode: throughput, publish, receive or latency');
  if (!MODES.includes(mode)) usage(`unknown mode "${mode}" (${MODES.join(', ')})`);
  const o = {
    client, mode, user: process.env.MQTTWS_BENCH_USER, password: process.env.MQTTWS_BENCH_PASSWORD,
  };
  parseFlags(rest, FLAGS, o, usage);
  const int = (key, def, min, max) => intFlag(o, key, def, min, max, usage);
  o.qos = int('qos', 0, 0, 2);
  o.messages = int('messages', 10000, 1, 1e9);
  o.bytes = int('bytes', 64, 0, 256 * 1024 * 1024);
  o.publishers = int('publishers', 1, 1, 1000);
  o.timeout = int('timeout', 120, 1, 86400);
  o.batch = int('batch', 0, 0, 100000);  // 0: BATCH_BYTES decides
  o.warmup = int('warmup', 0, 0, 1e9);
  if (o.rate === undefined) o.rate = 1000;
  else {
    o.rate = Number(o.rate);
    if (!(o.rate > 0) || !Number.isFinite(o.rate)) usage('--rate must be a positive number');
  }
  const u = urlFlag(o, 'mqtt://host:port or ws://host:port/', usage);
  if (u.protocol === 'mqtt:') o.transport = 'tcp';
  else if (u.protocol === 'ws:') o.transport = 'ws';
  else usage(`--url must be mqtt:// or ws://, not ${u.protocol}//`);
  if (client === 'mqttws' && o.transport !== 'ws') {
    usage('mqttws speaks MQTT over WebSocket only: mqtt:// is not available for it, use ws://');
  }
  o.host = u.hostname;
  o.port = Number(u.port) || (o.transport === 'tcp' ? 1883 : 80);
  if (o.publishers > 1 && o.mode !== 'throughput') usage('--publishers is for throughput only');
  if (o.publishers > o.messages) usage('--publishers must not exceed --messages');
  if (o.mode === 'latency' && o.bytes < 4) usage('latency needs --bytes >= 4 (a sequence number)');
  if (o.warmup && o.mode !== 'throughput' && o.mode !== 'publish') {
    usage('--warmup is for throughput and publish only');
  }
  return o;
}

const opt = parseArgs(process.argv.slice(2));
const prefix = `bench/${process.pid}/${opt.client}`;

function fail(message) {
  process.stderr.write(`node-bench ${opt.client} ${opt.mode}: ${message}\n`);
  process.exit(1);
}

/** `promise`, or a failure after the timeout naming `what` was awaited. */
function bounded(promise, what) {
  return boundedBy(promise, opt.timeout, what);
}

const now = () => performance.now();  // ms, sub-microsecond resolution
const round = (x, digits) => Number(x.toFixed(digits));

function report(fields) {
  process.stdout.write(`${JSON.stringify({
    client: NAMES[opt.client], mode: opt.mode, transport: opt.transport, qos: opt.qos,
    bytes: opt.bytes, publishers: opt.publishers, ...fields,
  })}\n`);
}

/** The 4-byte big-endian sequence number at the start of a latency payload. */
function sequenceOf(b, off) {
  return (b[off] << 24 | b[off + 1] << 16 | b[off + 2] << 8 | b[off + 3]) >>> 0;
}

// ---- the two libraries -------------------------------------------------------------------
// A connection, whatever the client: subscribe(filter) resolves with the time of its SUBACK;
// onMessage(buffer, payloadOffset) per delivered message; publishMany(topic, k, done) sends k
// copies of the payload and calls done(count) as they complete; publishOne(topic, payload)
// sends one; close().
class LibraryConnection {
  constructor(client) {
    this.client_ = client;
    this.closing_ = false;
    this.onMessage = () => {};
    client.on('message', (topic, payload) => this.onMessage(payload, 0));
    client.on('error', (e) => {
      if (!this.closing_) fail(`connection error: ${e.message}`);
    });
    client.on('close', () => {
      if (!this.closing_) fail('connection lost');
    });
  }

  static async open(role) {
    const clientId = `${opt.client}-${process.pid}-${role}`;
    const common = {
      protocolVersion: 5, clientId, username: opt.user, password: opt.password,
      reconnectPeriod: 0, connectTimeout: opt.timeout * 1000,
    };
    let client;
    if (opt.client === 'mqttws') {
      const mqttws = require(path.join(npm, 'dist/index.cjs'));
      // Room for the whole window should the broker's Receive Maximum be smaller.
      client = await mqttws.connectAsync(opt.url, {
        ...common, WebSocket, maxOfflineQueue: WINDOW + 10,
      });
    } else {
      const mqtt = require(path.join(npm, 'node_modules/mqtt'));
      client = await mqtt.connectAsync(opt.url, common);
    }
    return new LibraryConnection(client);
  }

  subscribe(filter, qos) {
    return new Promise((resolve, reject) => {
      this.client_.subscribe(filter, { qos }, (error, granted) => {
        const at = now();
        if (error) reject(error);
        else if (!granted?.length || granted[0].qos > 2) {
          reject(new Error(`subscription to ${filter} refused`));
        } else resolve(at);
      });
    });
  }

  publishMany(topic, k, done) {
    const payload = this.payload_ ??= Buffer.alloc(opt.bytes, 'x');
    for (let i = 0; i < k; i++) this.publishOne(topic, payload, done);
  }

  publishOne(topic, payload, done) {
    this.client_.publish(topic, payload, { qos: opt.qos }, (error) => {
      if (error) fail(`publish failed: ${error.message}`);
      else done?.(1);
    });
  }

  close() {
    this.closing_ = true;
    return new Promise((resolve) => this.client_.end(false, {}, () => resolve()));
  }
}

// ---- the ceiling: MQTT 5 bytes by hand ---------------------------------------------------
function varint(n) {
  const out = [];
  do {
    out.push((n % 128) | (n >= 128 ? 128 : 0));
    n = Math.floor(n / 128);
  } while (n > 0);
  return out;
}
function utf8(s) {
  const b = Buffer.from(s);
  return [b.length >> 8, b.length & 255, ...b];
}
function frame(first, body) {
  return Buffer.concat([Buffer.from([first, ...varint(body.length)]), Buffer.from(body)]);
}
function connectFrame(clientId) {
  const flags = 0x02 | (opt.user !== undefined ? 0x80 : 0) | (opt.password !== undefined ? 0x40 : 0);
  // Keep alive 0: nothing to ping during a run. No properties: Receive Maximum 65535.
  const body = [...utf8('MQTT'), 5, flags, 0, 0, 0, ...utf8(clientId)];
  if (opt.user !== undefined) body.push(...utf8(opt.user));
  if (opt.password !== undefined) body.push(...utf8(opt.password));
  return frame(0x10, body);
}

/** A PUBLISH of `payload` to `topic` at opt.qos, and where its packet id and payload sit. */
function publishTemplate(topic, payload) {
  const head = [...utf8(topic), ...(opt.qos ? [0, 0] : []), 0];
  const f = frame(0x30 | opt.qos << 1, [...head, ...payload]);
  const payloadAt = f.length - payload.length;
  return { frame: f, pidAt: payloadAt - 3, payloadAt };
}

const ACK_PUBACK = 0x40, ACK_PUBREC = 0x50, ACK_PUBREL = 0x62, ACK_PUBCOMP = 0x70;

class CeilingConnection {
  constructor(role) {
    this.role_ = role;
    this.onMessage = () => {};
    this.closing_ = false;
    this.inflight_ = new Uint8Array(65536);  // packet ids awaiting their PUBACK / PUBCOMP
    this.nextPid_ = 1;
    this.acks_ = Buffer.allocUnsafe(4 * 2048);  // acks to send at the end of this chunk
    this.ackBytes_ = 0;
    this.completed_ = 0;  // completions seen in this chunk
    this.onComplete_ = null;
    this.carry_ = null;  // the start of a packet whose header a chunk cut
    this.skip_ = 0;  // bytes of the current packet still to come and not needed
    this.waiters_ = [];  // [type, resolve]: CONNACK, SUBACK
  }

  static async open(role) {
    const c = new CeilingConnection(role);
    await c.connect_();
    return c;
  }

  connect_() {
    return new Promise((resolve, reject) => {
      const hello = connectFrame(`ceiling-${process.pid}-${this.role_}`);
      this.waiters_.push([0x20, (body) => {
        if (body[1] !== 0) reject(new Error(`CONNECT refused, reason code 0x${body[1].toString(16)}`));
        else resolve();
      }]);
      const lost = (e) => {
        if (this.closing_) return;
        const why = e ? `: ${e.message || e.code || e}` : '';
        if (this.open_) fail(`connection lost${why}`);
        else reject(new Error(`cannot connect to ${opt.url}${why}`));
      };
      if (opt.transport === 'tcp') {
        const s = net.connect({ host: opt.host, port: opt.port });
        s.setNoDelay(true);
        s.on('connect', () => {
          this.open_ = true;
          s.write(hello);
        });
        s.on('data', (d) => this.feed_(d));
        s.on('error', lost);
        s.on('close', () => lost());
        this.write_ = (b, cb) => s.write(b, cb);
        this.end_ = () => s.end();
      } else {
        const ws = new WebSocket(opt.url, 'mqtt', { perMessageDeflate: false });
        ws.on('open', () => {
          this.open_ = true;
          ws.send(hello);
        });
        ws.on('message', (d) => this.feed_(d));
        ws.on('error', lost);
        ws.on('close', () => lost());
        this.write_ = (b, cb) => ws.send(b, cb);
        this.end_ = () => ws.close(1000);
      }
    });
  }

  // -- reading: just enough of each packet ------------------------------------------------
  /** Bytes of the packet at b[i..end) needed to handle it (its fixed header included), or -1
   *  when more bytes are needed to know; sets this.len_ (whole packet) and this.body_. */
  need_(b, i, end) {
    let rl = 0, j = i + 1;
    for (let m = 1; ; m *= 128, j++) {
      if (j >= end) return -1;
      rl += (b[j] & 127) * m;
      if (b[j] < 128) break;
      if (j - i >= 4) fail('malformed packet from the peer');
    }
    j++;
    this.body_ = j - i;
    this.len_ = this.body_ + rl;
    if ((b[i] >> 4) !== 3) return this.len_;  // not PUBLISH: small, take it whole
    // PUBLISH: topic, packet id, properties, and 4 payload bytes (a latency sequence number).
    if (j + 2 > end) return Math.min(this.len_, j + 2 - i);
    let k = j + 2 + (b[j] << 8 | b[j + 1]) + ((b[i] & 6) ? 2 : 0);
    if (k >= end) return Math.min(this.len_, k + 1 - i);
    let pl = 0;
    for (let m = 1; ; m *= 128, k++) {
      if (k >= end) return Math.min(this.len_, k + 1 - i);
      pl += (b[k] & 127) * m;
      if (b[k] < 128) break;
    }
    return Math.min(this.len_, k + 1 + pl + 4 - i);
  }

  feed_(chunk) {
    let b = chunk, i = 0, end = chunk.length;
    if (this.skip_) {
      i = Math.min(this.skip_, end);
      this.skip_ -= i;
    }
    if (this.carry_ && i < end) {
      // Join the cut header with at most a bounded head of this chunk, not all of it.
      const carried = this.carry_.length;
      const take = Math.min(end - i, 512);
      const joined = Buffer.concat([this.carry_, chunk.subarray(i, i + take)]);
      this.carry_ = null;
      const need = this.need_(joined, 0, joined.length);
      if ((need < 0 || need > joined.length) && take < end - i) {
        // A header longer than that: parse the carried bytes and the whole chunk together.
        b = Buffer.concat([joined.subarray(0, carried), chunk.subarray(i)]);
        i = 0;
        end = b.length;
      } else if (need < 0 || need > joined.length) {
        this.carry_ = joined;
      } else {
        this.handle_(joined, 0);
        const rest = this.len_ - carried;  // of this packet, in this chunk and later ones
        if (rest > end - i) this.skip_ = rest - (end - i);
        i = Math.min(end, i + rest);
      }
    }
    if (!this.carry_) {
      while (i < end) {
        const need = this.need_(b, i, end);
        if (need < 0 || i + need > end) {
          this.carry_ = Buffer.from(b.subarray(i, end));
          break;
        }
        this.handle_(b, i);
        if (i + this.len_ > end) {
          this.skip_ = i + this.len_ - end;
          break;
        }
        i += this.len_;
      }
    }
    this.flush_();
  }

  handle_(b, i) {
    const type = b[i] >> 4;
    const p = i + this.body_;
    switch (type) {
      case 3: {  // PUBLISH
        const qos = (b[i] >> 1) & 3;
        let k = p + 2 + (b[p] << 8 | b[p + 1]);
        if (qos) {
          this.ack_(qos === 1 ? ACK_PUBACK : ACK_PUBREC, b[k], b[k + 1]);
          k += 2;
        }
        let pl = 0;
        for (let m = 1; ; m *= 128) {
          const x = b[k++];
          pl += (x & 127) * m;
          if (x < 128) break;
        }
        this.onMessage(b, k + pl);
        break;
      }
      case 4:  // PUBACK
      case 7:  // PUBCOMP
        this.complete_(b[p] << 8 | b[p + 1]);
        break;
      case 5:  // PUBREC: a reason code >= 0x80 would end the flow here
        if (this.len_ - this.body_ > 2 && b[p + 2] >= 0x80) {
          fail(`PUBREC reason code 0x${b[p + 2].toString(16)}`);
        }
        this.ack_(ACK_PUBREL, b[p], b[p + 1]);
        break;
      case 6:  // PUBREL
        this.ack_(ACK_PUBCOMP, b[p], b[p + 1]);
        break;
      case 2:  // CONNACK
      case 9: {  // SUBACK
        const w = this.waiters_.findIndex(([t]) => t === b[i]);
        if (w >= 0) this.waiters_.splice(w, 1)[0][1](b.subarray(p, i + this.len_));
        break;
      }
      case 14:  // DISCONNECT
        fail(`the peer sent DISCONNECT, reason code 0x${(b[p] ?? 0).toString(16)}`);
        break;
      default:  // PINGRESP and the rest: nothing to do
    }
  }

  ack_(type, hi, lo) {
    if (this.ackBytes_ + 4 > this.acks_.length) {
      const grown = Buffer.allocUnsafe(this.acks_.length * 2);
      this.acks_.copy(grown, 0, 0, this.ackBytes_);
      this.acks_ = grown;
    }
    const a = this.acks_;
    a[this.ackBytes_] = type;
    a[this.ackBytes_ + 1] = 2;
    a[this.ackBytes_ + 2] = hi;
    a[this.ackBytes_ + 3] = lo;
    this.ackBytes_ += 4;
  }

  complete_(pid) {
    if (!this.inflight_[pid]) return;  // not ours (or a duplicate)
    this.inflight_[pid] = 0;
    this.completed_++;
  }

  /** End of a chunk: every ack in one write, every completion in one call. */
  flush_() {
    if (this.ackBytes_) {
      this.write_(Buffer.from(this.acks_.subarray(0, this.ackBytes_)));
      this.ackBytes_ = 0;
    }
    if (this.completed_) {
      const c = this.completed_;
      this.completed_ = 0;
      this.onComplete_?.(c);
    }
  }

  // -- writing ----------------------------------------------------------------------------
  subscribe(filter, qos) {
    return new Promise((resolve, reject) => {
      this.waiters_.push([0x90, (body) => {
        const at = now();
        const props = body.length > 2 ? body[2] : 0;  // property length < 128 from a broker
        const code = body[3 + props];
        if (code === undefined || code >= 0x80) reject(new Error(`subscription to ${filter} refused`));
        else resolve(at);
      }]);
      this.write_(frame(0x82, [0, 1, 0, ...utf8(filter), qos]));
    });
  }

  pid_() {
    let id = this.nextPid_;
    while (this.inflight_[id]) id = id === 65535 ? 1 : id + 1;
    this.nextPid_ = id === 65535 ? 1 : id + 1;
    this.inflight_[id] = 1;
    return id;
  }

  publishMany(topic, k, done) {
    if (this.template_?.topic !== topic) {
      this.template_ = { topic, ...publishTemplate(topic, Buffer.alloc(opt.bytes, 'x')) };
      const f = this.template_.frame.length;
      this.perWrite_ = opt.batch || Math.max(1, Math.floor(BATCH_BYTES / f));
      // QoS 0 rewrites the same bytes every time: one full batch, reused.
      if (!opt.qos) this.batch_ = Buffer.concat(Array(this.perWrite_).fill(this.template_.frame));
    }
    const t = this.template_;
    const f = t.frame.length;
    if (opt.qos) this.onComplete_ = done;
    while (k > 0) {
      const m = Math.min(k, this.perWrite_);
      k -= m;
      if (!opt.qos) {
        // QoS 0 completes once written: the write's callback.
        const out = m === this.perWrite_ ? this.batch_ : this.batch_.subarray(0, m * f);
        this.write_(out, (e) => (e ? fail(`write failed: ${e.message}`) : done(m)));
        continue;
      }
      const out = Buffer.allocUnsafe(m * f);
      for (let j = 0; j < m; j++) {
        const at = j * f;
        t.frame.copy(out, at);
        const id = this.pid_();
        out[at + t.pidAt] = id >> 8;
        out[at + t.pidAt + 1] = id & 255;
      }
      this.write_(out);
    }
  }

  publishOne(topic, payload) {
    if (this.one_?.topic !== topic || this.one_.frame.length - this.one_.payloadAt !== payload.length) {
      this.one_ = { topic, ...publishTemplate(topic, payload) };
    }
    const t = this.one_;
    const out = Buffer.allocUnsafe(t.frame.length);
    t.frame.copy(out, 0, 0, t.payloadAt);
    payload.copy(out, t.payloadAt);
    if (opt.qos) {
      const id = this.pid_();
      out[t.pidAt] = id >> 8;
      out[t.pidAt + 1] = id & 255;
    }
    this.write_(out);
  }

  close() {
    this.closing_ = true;
    this.write_(Buffer.from([0xe0, 0]));
    this.end_();
    return Promise.resolve();
  }
}

// ---- the modes -------------------------------------------------------------------------------
const Connection = opt.client === 'ceiling' ? CeilingConnection : LibraryConnection;
const open = (role) => bounded(Connection.open(role), `connecting to ${opt.url}`)
  .catch((e) => fail(e.message || String(e)));

/** Publishes `total` messages on `c`, at most WINDOW awaiting completion; resolves when all
 *  have completed. */
function pump(c, topic, total) {
  return new Promise((resolve) => {
    let sent = 0, done = 0;
    const more = () => {
      const k = Math.min(total - sent, WINDOW - (sent - done));
      if (k <= 0) return;
      sent += k;
      c.publishMany(topic, k, completed);
    };
    const completed = (count) => {
      done += count;
      if (done >= total) resolve();
      else more();
    };
    more();
  });
}

/** Resolves once `count()` reaches `n`, or (QoS 0, after `allSent`) after QUIET_MS without a
 *  new message; fails after the timeout otherwise. */
function arrivals(count, lastAt, n, allSent, what) {
  return bounded(new Promise((resolve) => {
    const check = () => {
      if (count() >= n) return resolve();
      if (opt.qos === 0 && allSent() && now() - Math.max(lastAt(), allSent()) > QUIET_MS) {
        return resolve();
      }
      setTimeout(check, 20);
    };
    check();
  }), what).catch((e) => fail(`${e.message} (${count()} of ${n} received)`));
}

async function throughput() {
  const n = opt.messages;
  const sub = await open('sub');
  const pubs = [];
  for (let i = 0; i < opt.publishers; i++) pubs.push(await open(`pub${i}`));
  let received = 0, last = 0, done = 0;
  sub.onMessage = () => {
    received++;
    last = now();
  };
  await bounded(sub.subscribe(`${prefix}/#`, opt.qos), 'subscribing').catch((e) => fail(e.message));
  // One pass of the loop: `total` messages shared among the publishers, until all arrived.
  const pass = async (total, what) => {
    received = 0;
    done = 0;
    const start = now();
    const share = (i) => Math.floor(total / opt.publishers) + (i < total % opt.publishers ? 1 : 0);
    bounded(Promise.all(pubs.map((p, i) => pump(p, `${prefix}/${i}`, share(i)))), what)
      .then(() => { done = now(); }, (e) => fail(e.message));
    await arrivals(() => received, () => last, total, () => done, `waiting for the ${what}`);
    return start;
  };
  if (opt.warmup) await pass(Math.max(opt.warmup, opt.publishers), 'warm-up messages');
  const start = await pass(n, 'messages');
  if (!received) fail('no message received');
  const seconds = (last - start) / 1000;
  report({ n, received, seconds: round(seconds, 4), msgs_per_s: round(received / seconds, 1),
           ...(opt.warmup ? { warmup: opt.warmup } : {}) });
  await Promise.all([sub, ...pubs].map((c) => c.close()));
}

async function publish() {
  const n = opt.messages;
  const c = await open('pub');
  if (opt.warmup) {
    await bounded(pump(c, 'bench/sink', opt.warmup), 'warming up').catch((e) => fail(e.message));
  }
  const start = now();
  await bounded(pump(c, 'bench/sink', n), 'publishing').catch((e) => fail(e.message));
  const seconds = (now() - start) / 1000;
  report({ n, completed: n, seconds: round(seconds, 4), msgs_per_s: round(n / seconds, 1),
           ...(opt.warmup ? { warmup: opt.warmup } : {}) });
  await c.close();
}

async function receive() {
  const n = opt.messages;
  const c = await open('sub');
  let received = 0, last = 0;
  c.onMessage = () => {
    received++;
    last = now();
  };
  const start = await bounded(c.subscribe(`bench/source/${n}/${opt.bytes}`, opt.qos), 'subscribing')
    .catch((e) => fail(e.message));
  await arrivals(() => received, () => last, n, () => start, 'waiting for the messages');
  if (!received) fail('no message received');
  const seconds = (last - start) / 1000;
  report({ n, received, seconds: round(seconds, 4), msgs_per_s: round(received / seconds, 1) });
  await c.close();
}

async function latency() {
  const n = opt.messages;
  const c = await open('lat');
  const sentAt = new Float64Array(n);
  const took = new Float64Array(n).fill(-1);
  let received = 0, last = 0, done = 0;
  c.onMessage = (b, off) => {
    const t = now();
    const i = sequenceOf(b, off);
    if (i >= n || took[i] >= 0) return;  // not ours, or a duplicate
    took[i] = t - sentAt[i];
    received++;
    last = t;
  };
  await bounded(c.subscribe(prefix, opt.qos), 'subscribing').catch((e) => fail(e.message));
  const interval = 1000 / opt.rate;
  const t0 = now() + 10;
  let i = 0;
  const tick = () => {
    while (i < n && t0 + i * interval <= now()) {
      const payload = Buffer.alloc(opt.bytes, 'x');
      payload.writeUInt32BE(i, 0);
      sentAt[i] = now();
      c.publishOne(prefix, payload);
      i++;
    }
    if (i < n) setTimeout(tick, Math.max(0, t0 + i * interval - now()));
    else done = now();
  };
  setTimeout(tick, 10);
  await arrivals(() => received, () => last, n, () => done, 'waiting for the messages');
  if (!received) fail('no message received');
  const us = Array.from(took.filter((x) => x >= 0), (x) => x * 1000).sort((a, b) => a - b);
  const rank = (p) => us[Math.max(0, Math.ceil(p / 100 * us.length) - 1)];
  report({ rate: opt.rate, n, received, p50_us: round(rank(50), 1), p99_us: round(rank(99), 1),
           max_us: round(us[us.length - 1], 1) });
  await c.close();
}

const run = { throughput, publish, receive, latency }[opt.mode];
run().then(
  () => process.exit(0),
  (e) => fail(e?.message || String(e)));
