// Memory of a Chromium tab holding one connected MQTT client: the mqttws npm package
// (dist/browser.mjs: JavaScript with the wasm core inside) and MQTT.js 5 (dist/mqtt.min.js),
// each against an empty page as the baseline. Debian's Chromium, headless, driven by
// playwright-core; a fresh browser and profile for every page, so no two pages share a
// renderer process.
//
//   node bench/browser-memory.mjs --url ws://127.0.0.1:PORT/ [-u USER -P PASS]
//        [--clients mqttws,mqtt] [--timeout S] [--chromium PATH]
//   (credentials default to MQTTWS_BENCH_USER / MQTTWS_BENCH_PASSWORD; S 120 s per wait;
//    Chromium: $CHROMIUM or /usr/bin/chromium)
//
// A node:http server on 127.0.0.1 (a free port) serves the pages and the two libraries; the
// broker URL and credentials reach the page in its query string. A client page connects over
// the browser's own WebSocket (MQTT 5, clean start, keep alive 60 s) and reports when CONNACK
// arrived; then 1 s idle, full GCs (CDP HeapProfiler.collectGarbage, 3 times) and the samples:
// CDP Performance.getMetrics JSHeapUsedSize / JSHeapTotalSize, performance.memory (Chromium
// runs with --enable-precise-memory-info) and, for mqttws, the WebAssembly memory's
// buffer.byteLength (the page wraps WebAssembly.instantiate before the package loads; the
// package instantiates one module per page) and the bytes malloc'ed on it (wasmMemoryInUse()).
// The JS heap does not contain the wasm memory (an ArrayBuffer's backing store), so the two
// add up. Everything the library loads is included: the code, and for mqttws the wasm bytes.
//
// Prints ONE JSON line per client, e.g.
//   {"client":"mqttws-npm","mode":"browser-idle","transport":"ws","browser":"Chromium 1xx",
//    "js_heap_used":..,"js_heap_total":..,"baseline_js_heap_used":..,"js_heap_added":..,
//    "performance_memory_used":..,"wasm_memory_bytes":..,"wasm_heap_in_use":..}
// (js_heap_added = js_heap_used - baseline_js_heap_used, the empty page's; MQTT.js has no wasm
//  fields). Exit 1 with a one-line reason on failure, 2 on bad usage.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { bounded as boundedBy } from './bounded.js';
import { CONNECTION_FLAGS, parseFlags, urlFlag } from './flags.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const NAMES = { mqttws: 'mqttws-npm', mqtt: 'mqttjs' };
const FLAGS = {
  ...CONNECTION_FLAGS,
  '--clients': 'clients', '--timeout': 'timeout', '--chromium': 'chromium',
};

function usage(message) {
  process.stderr.write(`browser-memory: ${message}\n`);
  process.exit(2);
}

function fail(message) {
  process.stderr.write(`browser-memory: ${message}\n`);
  process.exit(1);
}

function parseArgs(argv) {
  const o = {
    user: process.env.MQTTWS_BENCH_USER, password: process.env.MQTTWS_BENCH_PASSWORD,
    clients: 'mqttws,mqtt', timeout: '120', chromium: process.env.CHROMIUM ?? '/usr/bin/chromium',
  };
  parseFlags(argv, FLAGS, o, usage);
  const u = urlFlag(o, 'ws://host:port/', usage);
  if (u.protocol !== 'ws:') usage(`--url must be ws:// (a browser speaks WebSocket), not ${u.protocol}//`);
  o.clients = o.clients.split(',');
  for (const c of o.clients) if (!NAMES[c]) usage(`unknown client "${c}" in --clients (mqttws, mqtt)`);
  o.timeout = Number(o.timeout);
  if (!Number.isInteger(o.timeout) || o.timeout < 1) usage('--timeout must be a positive integer');
  return o;
}

const opt = parseArgs(process.argv.slice(2));
const require = createRequire(join(root, 'npm/'));
let chromium;
try {
  ({ chromium } = require('playwright-core'));
} catch (e) {
  fail(`cannot load playwright-core from npm/node_modules: ${e.message}`);
}

// ---- the pages ----------------------------------------------------------------------------
// Common to the client pages: the parameters, and the state the harness waits for.
const prologue = `
const q = new URLSearchParams(location.search);
const options = { protocolVersion: 5, clientId: q.get('id'), username: q.get('user') ?? undefined,
                  password: q.get('pass') ?? undefined, reconnectPeriod: 0 };
const done = (state) => { document.title = state; };
`;
const pages = {
  '/empty.html': '<!doctype html><title>ready</title>',
  '/mqttws.html': `<!doctype html><title>loading</title><script type="module">
// Sees the package's wasm memory: wrapped before the package is imported.
const memories = [];
const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = async function (...args) {
  const r = await instantiate.apply(this, args);
  for (const e of Object.values((r.instance ?? r).exports)) {
    if (e instanceof WebAssembly.Memory) memories.push(e);
  }
  return r;
};
window.wasmMemory = () => ({ instances: memories.length,
                             bytes: memories.reduce((s, m) => s + m.buffer.byteLength, 0) });
${prologue}
const mqttws = await import('/mqttws.mjs');
window.wasmInUse = () => mqttws.wasmMemoryInUse();
const client = mqttws.connect(q.get('url'), options);
window.client = client;
client.once('connect', () => done('connected'));
client.once('error', (e) => done('error: ' + e.message));
</script>`,
  '/mqtt.html': `<!doctype html><title>loading</title><script src="/mqtt.min.js"></script><script>
${prologue}
const client = mqtt.connect(q.get('url'), options);
window.client = client;
client.once('connect', () => done('connected'));
client.once('error', (e) => done('error: ' + e.message));
client.once('close', () => { if (document.title === 'loading') done('error: connection closed'); });
</script>`,
};
const files = {
  '/mqttws.mjs': join(root, 'npm/dist/browser.mjs'),
  '/mqtt.min.js': join(root, 'npm/node_modules/mqtt/dist/mqtt.min.js'),
};

const server = createServer((req, res) => {
  const p = new URL(req.url, 'http://x').pathname;
  if (pages[p]) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(pages[p]);
  } else if (files[p]) {
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
    res.end(readFileSync(files[p]));
  } else {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(0, '127.0.0.1', resolve);
}).catch((e) => fail(`cannot serve the pages: ${e.message}`));
const base = `http://127.0.0.1:${server.address().port}`;

function bounded(promise, what) {
  return boundedBy(promise, opt.timeout, what);
}

/** Opens `page` in a fresh Chromium, waits for its title to leave "loading", 1 s idle, GC,
 *  and returns what was measured. */
async function measure(path, query) {
  const profile = mkdtempSync(join(tmpdir(), 'mqttws-bench-chromium-'));
  let context;
  try {
    context = await bounded(chromium.launchPersistentContext(profile, {
      executablePath: opt.chromium, headless: true,
      args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking',
             '--disable-component-update', '--no-first-run', '--enable-precise-memory-info'],
    }), 'launching Chromium');
    const page = context.pages()[0] ?? await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await bounded(page.goto(`${base}${path}?${new URLSearchParams(query)}`), `loading ${path}`);
    await bounded(page.waitForFunction(() => document.title !== 'loading', null,
                                       { timeout: 0, polling: 50 }), `connecting (${path})`);
    const state = await page.title();
    if (state !== 'ready' && state !== 'connected') throw new Error(`${path}: ${state}`);
    if (errors.length) throw new Error(`${path}: ${errors[0]}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const cdp = await context.newCDPSession(page);
    await cdp.send('HeapProfiler.enable');
    for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('Performance.enable');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const metric = (name) => metrics.find((m) => m.name === name)?.value;
    const extra = await page.evaluate(async () => ({
      performanceMemory: performance.memory?.usedJSHeapSize,
      wasm: window.wasmMemory?.(),
      wasmInUse: window.wasmInUse ? await window.wasmInUse() : undefined,
      connected: window.client ? window.client.connected : undefined,
    }));
    if (extra.connected === false) throw new Error(`${path}: the client is no longer connected`);
    return {
      browser: `Chromium ${context.browser()?.version() ?? ''}`.trim(),
      used: metric('JSHeapUsedSize'), total: metric('JSHeapTotalSize'), ...extra,
    };
  } finally {
    await context?.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  }
}

try {
  const empty = await measure('/empty.html', {});
  for (const c of opt.clients) {
    const query = { url: opt.url, id: `browser-${c}-${process.pid}` };
    if (opt.user !== undefined) query.user = opt.user;
    if (opt.password !== undefined) query.pass = opt.password;
    const m = await measure(c === 'mqttws' ? '/mqttws.html' : '/mqtt.html', query);
    const out = {
      client: NAMES[c], mode: 'browser-idle', transport: 'ws', browser: m.browser,
      js_heap_used: m.used, js_heap_total: m.total, baseline_js_heap_used: empty.used,
      js_heap_added: m.used - empty.used, performance_memory_used: m.performanceMemory,
      baseline_performance_memory_used: empty.performanceMemory,
    };
    if (c === 'mqttws') {
      Object.assign(out, { wasm_instances: m.wasm.instances, wasm_memory_bytes: m.wasm.bytes,
                           wasm_heap_in_use: m.wasmInUse });
    }
    process.stdout.write(`${JSON.stringify(out)}\n`);
  }
} catch (e) {
  fail(e.message);
} finally {
  server.close();
}
process.exit(0);
