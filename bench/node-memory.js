// Memory of N idle connected clients in one Node process: the mqttws npm package (wasm core,
// ws:// only) or MQTT.js 5 (mqtt:// or ws://). Per connection: the JS heap (heapUsed after a
// full GC), for mqttws the WebAssembly memory, and the process's RSS.
//
//   node bench/node-memory.js <mqttws|mqtt> --url URL [-u USER -P PASS] [--connections N]
//        [--timeout S]
//   (credentials default to MQTTWS_BENCH_USER / MQTTWS_BENCH_PASSWORD; N 100; S 120 s per
//    wait. It re-runs itself under `node --expose-gc` when started without it.)
//
// Method: a GC and a first sample before the library is loaded; the library loaded (for
// mqttws also its wasm module instantiated, through wasmMemoryInUse(), no client yet); a GC
// and the baseline sample; N clients connected (CONNACK received, MQTT 5, clean start, keep
// alive 60 s); 1 s idle; a GC and the last sample. The *_per_connection figures are (last -
// baseline) / N; load_* is what loading the library cost once (baseline - first).
// The mqttws package instantiates ONE wasm module per process (npm/src/wasm.ts) and every
// client's C++ driver lives on that module's heap: wasm_instances says how many
// WebAssembly.instantiate calls were seen (found by wrapping that function before the package
// loads), wasm_memory_bytes is that memory's buffer.byteLength (it only grows, in 64 KiB pages),
// wasm_heap_per_connection its growth / N and wasm_heap_in_use_per_connection the growth of
// the bytes malloc'ed on it (the package's wasmMemoryInUse()) / N. RSS includes the wasm memory
// pages that were touched; heapUsed does not include it (it is an ArrayBuffer's backing store).
//
// Prints ONE JSON line, e.g.
//   {"client":"mqttws-npm","mode":"idle","transport":"ws","connections":100,
//    "js_heap_per_connection":..,"wasm_heap_per_connection":..,"wasm_heap_in_use_per_connection":..,
//    "rss_per_connection":..,"bytes_per_connection":..,"rss_before":..,"rss_after":..,
//    "js_heap_before":..,"js_heap_after":..,"load_rss":..,"load_js_heap":..,
//    "wasm_instances":1,"wasm_memory_bytes":..}
// (bytes_per_connection = rss_per_connection, the name the other idle benchmarks use; MQTT.js
//  has no wasm fields.) Exit 1 with a one-line reason on failure, 2 on bad usage.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { bounded: boundedBy } = require('./bounded.js');
const { CONNECTION_FLAGS, parseFlags, intFlag, urlFlag } = require('./flags.js');

if (typeof global.gc !== 'function') {
  const r = spawnSync(process.execPath, ['--expose-gc', __filename, ...process.argv.slice(2)],
                      { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const NAMES = { mqttws: 'mqttws-npm', mqtt: 'mqttjs' };
const FLAGS = {
  ...CONNECTION_FLAGS,
  '--connections': 'connections', '-c': 'connections', '--timeout': 'timeout',
};

function usage(message) {
  process.stderr.write(`node-memory: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const [client, ...rest] = argv;
  if (!client) usage('missing client: mqttws or mqtt');
  if (!NAMES[client]) usage(`unknown client "${client}" (mqttws or mqtt)`);
  const o = { client, user: process.env.MQTTWS_BENCH_USER, password: process.env.MQTTWS_BENCH_PASSWORD };
  parseFlags(rest, FLAGS, o, usage);
  o.connections = intFlag(o, 'connections', 100, 1, 100000, usage);
  o.timeout = intFlag(o, 'timeout', 120, 1, 86400, usage);
  const u = urlFlag(o, 'ws://host:port/ or, for mqtt, mqtt://host:port', usage);
  if (u.protocol === 'ws:') o.transport = 'ws';
  else if (u.protocol === 'mqtt:') o.transport = 'tcp';
  else usage(`--url must be ws:// or mqtt://, not ${u.protocol}//`);
  if (client === 'mqttws' && o.transport !== 'ws') {
    usage('mqttws speaks MQTT over WebSocket only: mqtt:// is not available for it, use ws://');
  }
  return o;
}

const opt = parseArgs(process.argv.slice(2));

function fail(message) {
  process.stderr.write(`node-memory ${opt.client}: ${message}\n`);
  process.exit(1);
}

function bounded(promise, what) {
  return boundedBy(promise, opt.timeout, what);
}

/** Memory after full collections (twice: weak callbacks and finalizers run in between). */
async function sample() {
  for (let i = 0; i < 2; i++) {
    global.gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

// Every WebAssembly memory instantiated from here on, to read its size.
const memories = [];
const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = async function (...args) {
  const result = await instantiate.apply(this, args);
  const instance = result.instance ?? result;
  for (const e of Object.values(instance.exports)) {
    if (e instanceof WebAssembly.Memory) memories.push(e);
  }
  return result;
};
const wasmBytes = () => memories.reduce((s, m) => s + m.buffer.byteLength, 0);

async function main() {
  const first = await sample();
  const npm = path.join(__dirname, '../npm');
  let connect, heapInUse;
  if (opt.client === 'mqttws') {
    const WebSocket = require(path.join(npm, 'node_modules/ws'));
    const mqttws = require(path.join(npm, 'dist/index.cjs'));
    heapInUse = () => mqttws.wasmMemoryInUse();
    await heapInUse();  // instantiates the module, no client yet
    connect = (o) => mqttws.connectAsync(opt.url, { ...o, WebSocket });
  } else {
    const mqtt = require(path.join(npm, 'node_modules/mqtt'));
    connect = (o) => mqtt.connectAsync(opt.url, o);
  }
  const base = await sample();
  const wasmBase = wasmBytes();
  const inUseBase = heapInUse ? await heapInUse() : 0;

  const clients = [];
  let closing = false;
  const batch = 20;  // connects in flight at once
  for (let i = 0; i < opt.connections; i += batch) {
    const k = Math.min(batch, opt.connections - i);
    const made = await bounded(Promise.all(Array.from({ length: k }, (_, j) => connect({
      protocolVersion: 5, clientId: `mem-${opt.client}-${process.pid}-${i + j}`,
      username: opt.user, password: opt.password, reconnectPeriod: 0,
      connectTimeout: opt.timeout * 1000,
    }))), `connecting client ${i + 1}..${i + k} to ${opt.url}`)
      .catch((e) => fail(`${e.message || e} (${clients.length} of ${opt.connections} connected)`));
    for (const c of made) {
      c.on('close', () => {
        if (!closing) fail('a connection was lost while idle');
      });
      c.on('error', () => {});  // the close that follows is what counts
      clients.push(c);
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const last = await sample();
  const n = opt.connections;
  const per = (a, b) => Math.round((a - b) / n);
  const out = {
    client: NAMES[opt.client], mode: 'idle', transport: opt.transport, connections: n,
    js_heap_per_connection: per(last.heap, base.heap),
  };
  if (heapInUse) {
    out.wasm_heap_per_connection = per(wasmBytes(), wasmBase);
    out.wasm_heap_in_use_per_connection = per(await heapInUse(), inUseBase);
  }
  Object.assign(out, {
    rss_per_connection: per(last.rss, base.rss), bytes_per_connection: per(last.rss, base.rss),
    rss_before: base.rss, rss_after: last.rss, js_heap_before: base.heap, js_heap_after: last.heap,
    load_rss: base.rss - first.rss, load_js_heap: base.heap - first.heap,
  });
  if (heapInUse) Object.assign(out, { wasm_instances: memories.length, wasm_memory_bytes: wasmBytes() });
  process.stdout.write(`${JSON.stringify(out)}\n`);
  closing = true;
  await Promise.race([
    Promise.all(clients.map((c) => new Promise((resolve) => c.end(true, {}, () => resolve())))),
    new Promise((resolve) => setTimeout(resolve, 5000)),
  ]);
}

main().then(() => process.exit(0), (e) => fail(e?.message || String(e)));
