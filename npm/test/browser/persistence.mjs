// Browser test: the IndexedDB session store (store: 'indexeddb') in headless Chromium against
// a real mosquitto (MQTT 5, Receive Maximum 10 through max_inflight_messages, sessions kept
// while the client is away). A Node subscriber (MQTT.js over TCP, QoS 2) counts what the
// broker delivers; payloads are numbered, so each message is known by topic and number.
//   - reload: a page publishes 500 QoS 1 and 500 QoS 2 messages; after 50 completions the
//     broker is frozen (SIGSTOP), so some are in flight and most are queued, and the page is
//     reloaded; the new page (same clientId, no publish of its own) resends them from the
//     store: all 1000 arrive, every QoS 2 message exactly once;
//   - crash: the same, but the page is closed without end() while messages are flowing
//     (the broker running), and a new page resumes;
//   - fallbacks: indexedDB.open failing (as in a private mode refusing storage), writes
//     failing with QuotaExceededError, synchronously or by an aborted transaction, and the
//     store's chunk (dist/idb_store.mjs) missing next to the bundle: one
//     `error` event (store_failed), and every message is still delivered;
//   - two pages with the same clientId and store: the second one is told store_in_use and
//     keeps its session in memory;
//   - shared: true, where the worker owns the store: the same 1000 messages from a tab, the
//     broker frozen after 50 completions, then the whole browser quits (tab and worker gone);
//     a browser started again on the same profile opens the tab, whose new worker resends
//     them: all delivered, QoS 2 exactly once.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './chromium.mjs';
import { html, js, serveRoutes } from './page_server.mjs';

const require = createRequire(import.meta.url);
const { Broker } = require('../broker.js');
const mqtt = require('mqtt');
const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '../..');
const N = 500;  // per QoS

const page_html = `<!doctype html><meta charset="utf-8"><title>mqttws persistence</title>
<script type="module">
  const q = new URLSearchParams(location.search);
  const stub = q.get('stub');
  // 'chunk': a page that copied dist/browser.mjs alone, without dist/idb_store.mjs next to it.
  const { connect } = await import(stub === 'chunk' ? '/alone/browser.mjs' : '/dist/browser.mjs');
  if (stub === 'open') {
    // What a browser refusing storage does (an opaque origin, storage blocked by policy).
    indexedDB.open = () => {
      throw new DOMException('The user denied permission to access the database.', 'SecurityError');
    };
  } else if (stub === 'quota' || stub === 'abort') {
    // Writes fail once 40 records were written: put() throwing, or the transaction aborting.
    const put = IDBObjectStore.prototype.put;
    let puts = 0;
    IDBObjectStore.prototype.put = function (...args) {
      if (++puts > 40) {
        if (stub === 'quota') throw new DOMException('quota stub: no space left', 'QuotaExceededError');
        const r = put.apply(this, args);
        this.transaction.abort();
        return r;
      }
      return put.apply(this, args);
    };
  }
  // Counts the write transactions (one per burst of store calls).
  window.writeTransactions = 0;
  const transaction = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function (names, mode, ...rest) {
    if (mode === 'readwrite') window.writeTransactions++;
    return transaction.call(this, names, mode, ...rest);
  };
  window.errors = [];
  window.completed = 0;
  window.failed = [];
  window.receiveMaximum = undefined;
  const shared = q.get('shared') === '1' ? { shared: true, workerUrl: '/dist/worker.mjs' } : {};
  const client = connect(q.get('url'), {
    clientId: q.get('id'), clean: false, protocolVersion: 5,
    properties: { sessionExpiryInterval: 600 }, username: q.get('username'),
    password: q.get('password'), store: q.get('store') ?? 'indexeddb', reconnectPeriod: 200,
    ...shared,
  });
  client.on('connect', (p) => { window.receiveMaximum = p.properties?.receiveMaximum; });
  client.on('error', (e) => window.errors.push(e.code + ': ' + e.message));
  window.client = client;
  window.outstanding = () => { const s = client.stats(); return s.inflight + s.queued; };
  // reached() tells the test (exposeFunction) that \`at\` publishes have completed.
  window.publishAll = (n, at) => {
    const done = (e) => {
      if (e) window.failed.push(e.code);
      if (++window.completed === at) window.reached();
    };
    for (let i = 0; i < n; i++) {
      client.publish(\`idb/\${q.get('id')}/q1\`, String(i), { qos: 1 }, done);
      client.publish(\`idb/\${q.get('id')}/q2\`, String(i), { qos: 2 }, done);
    }
  };
</script>`;

const server = await serveRoutes({
  '/': { type: html, body: page_html },
  '/dist/browser.mjs': { type: js, path: join(pkg, 'dist/browser.mjs') },
  '/dist/idb_store.mjs': { type: js, path: join(pkg, 'dist/idb_store.mjs') },
  '/dist/worker.mjs': { type: js, path: join(pkg, 'dist/worker.mjs') },
  '/alone/browser.mjs': { type: js, path: join(pkg, 'dist/browser.mjs') },
});
const broker = await Broker.start({ extraConfig: ['max_inflight_messages 10'] });
const failures = [];
const check = (ok, what) => {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The subscriber: every delivery of `idb/<clientId>/q1|q2`, counted per payload. Each run
// publishes under its own client id, so a late delivery of one run (the broker forwards a QoS 2
// message as it sends PUBCOMP, so the subscriber may get the last ones after the publisher has
// seen every completion) is never counted as a duplicate of the next.
const received = new Map();
const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.tcpPort}`, {
  ...broker.auth, protocolVersion: 5, clean: true, reconnectPeriod: 0,
});
sub.on('message', (topic, payload) => {
  const k = `${topic} ${payload}`;
  received.set(k, (received.get(k) ?? 0) + 1);
});
await sub.subscribeAsync('idb/#', { qos: 2 });

/** What client `id` published at QoS `qos`: distinct payloads of 0..N-1, deliveries. */
function tally(id, qos) {
  const topic = `idb/${id}/q${qos}`;
  let distinct = 0;
  let total = 0;
  let over = 0;
  for (let i = 0; i < N; i++) {
    const c = received.get(`${topic} ${i}`) ?? 0;
    if (c) distinct++;
    if (c > 1) over++;
    total += c;
  }
  return { distinct, total, over };
}

async function waitFor(what, ms, f) {
  const end = Date.now() + ms;
  for (;;) {
    if (await f()) return true;
    if (Date.now() > end) return false;
    await sleep(50);
  }
}

let browser;
const base = `${server.origin}/`;
const url = (id, extra = {}) => `${base}?${new URLSearchParams({
  url: broker.url, username: broker.username, password: broker.password, id, ...extra,
})}`;

/** A page of client `id`; `reached` runs when its publishAll(n, at) has `at` completions. */
async function open(context, id, extra, reached = () => {}) {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  await page.exposeFunction('reached', reached);
  await page.goto(url(id, extra));
  // The page's module imports the bundle with import(): it has run once it made its client.
  await page.waitForFunction(() => window.client !== undefined, null, { timeout: 10000 });
  return page;
}

const connected = (page) => page.waitForFunction(() => window.client.connected, null,
                                                 { timeout: 10000 });

/**
 * Resumes on `page` (the same clientId): all delivered, QoS 2 exactly once. A shared tab's
 * stats() are the worker's as of its last status message, so there only the subscriber's
 * count says that everything was sent.
 */
async function verifyResumed(name, id, page, { shared = false } = {}) {
  if (!shared) {
    const drained = await waitFor('drained', 30000, () => page.evaluate(() => window.outstanding() === 0));
    check(drained, `${name}: the resumed session sends everything the store held`);
  }
  await waitFor('delivered', shared ? 30000 : 10000,
                () => tally(id, 1).distinct === N && tally(id, 2).distinct === N);
  await sleep(500);  // duplicates, if any, would come now
  const q1 = tally(id, 1);
  const q2 = tally(id, 2);
  check(q1.distinct === N, `${name}: all ${N} QoS 1 messages delivered (${q1.distinct}, ${q1.total - q1.distinct} duplicates)`);
  check(q2.distinct === N && q2.total === N,
        `${name}: all ${N} QoS 2 messages delivered exactly once (${q2.distinct} distinct, ${q2.total} deliveries)`);
  const errors = await page.evaluate(() => window.errors);
  check(errors.length === 0, `${name}: no error events after resuming (${errors.join('; ') || 'none'})`);
}

try {
  browser = await launchChromium();
  const { context } = browser;

  // ---- reload with 1000 messages outstanding behind Receive Maximum 10 ----------------------
  {
    received.clear();
    const page = await open(context, 'idb-reload', {}, () => broker.pause());
    await connected(page);
    check(await page.evaluate(() => window.receiveMaximum) === 10, 'the broker grants Receive Maximum 10');
    // Frozen after the 50th completion (the signal takes a while from a busy page: up to a
    // few hundred more complete meanwhile).
    await page.evaluate((n) => window.publishAll(n, 50), N);
    await waitFor('paused', 10000, () => page.evaluate(() => window.completed >= 50));
    await sleep(300);
    const before = await page.evaluate(() => ({ ...window.client.stats(), completed: window.completed }));
    console.log(`    at the reload: ${before.completed} completed, ${before.inflight} in flight, ${before.queued} queued`);
    check(before.inflight > 0 && before.queued > 0 && before.completed < 2 * N,
          'messages are in flight and queued when the page reloads');
    await page.reload();
    await page.waitForFunction(() => window.client !== undefined);
    broker.resume();
    await connected(page);
    await verifyResumed('reload', 'idb-reload', page);
    await page.evaluate(() => window.client.endAsync());
    await page.close();
  }

  // ---- the cost: 1000 messages through Receive Maximum 10, with and without the store ------
  {
    const ms = {};
    for (const store of ['memory', 'indexeddb']) {
      received.clear();
      const page = await open(context, `idb-speed-${store}`, { store });
      await connected(page);
      const t0 = Date.now();
      await page.evaluate((n) => window.publishAll(n, -1), N);
      await waitFor('completed', 30000, () => page.evaluate((n) => window.completed === 2 * n, N));
      ms[store] = Date.now() - t0;
      const writes = await page.evaluate(() => window.writeTransactions);
      if (store === 'indexeddb') {
        console.log(`    1000 messages: ${ms.memory} ms in memory, ${ms.indexeddb} ms with IndexedDB (${writes} write transactions)`);
        check(writes > 0 && writes < 2 * N / 2,
              `store writes are batched: ${writes} transactions for ${2 * N} messages`);
      }
      await page.evaluate(() => window.client.endAsync());
      await page.close();
    }
  }

  // ---- a crash: the page closed without end() while messages flow -------------------------
  {
    received.clear();
    let crash;
    const atCrash = new Promise((resolve) => { crash = resolve; });
    const page = await open(context, 'idb-crash', {}, () => crash());
    await connected(page);
    await page.evaluate((n) => window.publishAll(n, 300), N);
    await atCrash;
    await page.close({ runBeforeUnload: false });
    const q2 = tally('idb-crash', 2);
    console.log(`    at the crash: ${tally('idb-crash', 1).distinct} QoS 1 and ${q2.distinct} QoS 2 messages delivered`);
    const again = await open(context, 'idb-crash');
    await connected(again);
    await verifyResumed('crash', 'idb-crash', again);
    await again.evaluate(() => window.client.endAsync());
    await again.close();
  }

  // ---- IndexedDB unusable: one error event, memory only, nothing lost ---------------------
  for (const [stub, what] of [['open', 'indexedDB.open refused'],
                              ['quota', 'put() throwing QuotaExceededError'],
                              ['abort', 'write transactions aborted'],
                              ['chunk', 'the store chunk missing (dist/browser.mjs copied alone)']]) {
    received.clear();
    const page = await open(context, `idb-${stub}`, { stub });
    await connected(page);
    await page.evaluate((n) => window.publishAll(n, -1), N);
    const done = await waitFor('completed', 30000, () => page.evaluate((n) => window.completed === 2 * n, N));
    await waitFor('delivered', 10000, () => tally(`idb-${stub}`, 1).distinct === N && tally(`idb-${stub}`, 2).distinct === N);
    const q1 = tally(`idb-${stub}`, 1);
    const q2 = tally(`idb-${stub}`, 2);
    const { errors, failed } = await page.evaluate(() => ({ errors: window.errors, failed: window.failed }));
    check(errors.length === 1 && errors[0].startsWith('store_failed: '),
          `${what}: one store_failed error event (${errors.join('; ') || 'none'})`);
    check(done && failed.length === 0 && q1.distinct === N && q2.distinct === N && q2.total === N,
          `${what}: all ${2 * N} publishes complete and are delivered (${q1.distinct} + ${q2.distinct})`);
    await page.evaluate(() => window.client.endAsync());
    await page.close();
  }

  // ---- two pages, one clientId and store: the second one keeps its session in memory -------
  {
    const first = await open(context, 'idb-twice');
    await connected(first);
    const second = await open(context, 'idb-twice');
    // Both connect with one clientId, so the broker hands the session back and forth (its
    // errors are not the store's): only the store's errors are looked at.
    const storeErrors = (page) => page.evaluate(() => window.errors.filter((e) => e.startsWith('store_')));
    const told = await waitFor('error', 5000, async () => (await storeErrors(second)).length > 0);
    const errors = await storeErrors(second);
    check(told && errors.length === 1 && errors[0].startsWith('store_in_use: '),
          `a second page with the same clientId and store is told store_in_use (${errors.join('; ') || 'none'})`);
    check((await storeErrors(first)).length === 0, 'the first page keeps its store');
    await second.evaluate(() => window.client.endAsync());
    await first.evaluate(() => window.client.endAsync());
  }

  // ---- shared: true, the worker's store: the browser quits with messages outstanding -------
  {
    received.clear();
    const page = await open(browser.context, 'idb-shared', { shared: '1' }, () => broker.pause());
    await connected(page);
    await page.evaluate((n) => window.publishAll(n, 50), N);
    await waitFor('paused', 10000, () => page.evaluate(() => window.completed >= 50));
    await sleep(300);
    const completed = await page.evaluate(() => window.completed);
    const errors = await page.evaluate(() => window.errors);
    check(errors.length === 0, `shared: the tab runs on the worker (errors: ${errors.join('; ') || 'none'})`);
    console.log(`    at the quit: ${completed} completed of ${2 * N}`);
    check(completed < 2 * N, 'shared: messages are outstanding when the browser quits');
    await browser.close({ keepProfile: true });
    const { profile } = browser;
    browser = undefined;
    broker.resume();
    browser = await launchChromium({ profile });
    const again = await open(browser.context, 'idb-shared', { shared: '1' });
    await connected(again);
    await verifyResumed('shared', 'idb-shared', again, { shared: true });
    await again.evaluate(() => window.client.endAsync());
  }
} catch (e) {
  failures.push(e.message);
  console.error(e);
} finally {
  broker.resume();
  await browser?.close();
  await sub.endAsync();
  await broker.close();
  server.close();
}
console.log(failures.length ? `browser persistence test FAILED: ${failures.join('; ')}` : 'browser persistence test passed');
process.exit(failures.length ? 1 : 0);
