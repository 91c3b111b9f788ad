// Browser tests of connect(url, { shared: true }): headless Chromium pages of one origin, each
// a tab (shared.html) sharing one connection through dist/worker.mjs, against a real mosquitto
// whose log (log_type notice, subscribe, unsubscribe) counts the broker's side: connections,
// SUBSCRIBEs and UNSUBSCRIBEs of the shared client id.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './chromium.mjs';
import { html, js, serveRoutes } from './page_server.mjs';

const require = createRequire(import.meta.url);
const { Broker } = require('../broker.js');
const mqtt = require('../../dist/index.cjs');
const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '../..');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const broker = await Broker.start({
  extraConfig: ['log_type notice', 'log_type subscribe', 'log_type unsubscribe'],
});
const files = {
  '/shared': { path: join(here, 'shared.html'), type: html },
  '/dist/browser.mjs': { path: join(pkg, 'dist/browser.mjs'), type: js },
  '/dist/worker.mjs': { path: join(pkg, 'dist/worker.mjs'), type: js },
  '/dist/shared_hub.mjs': { path: join(pkg, 'dist/shared_hub.mjs'), type: js },
  // A page that copied dist/browser.mjs alone: neither the worker nor the hub next to it.
  '/alone/shared': { type: html, body: readFileSync(join(here, 'shared.html'), 'utf8')
    .replace("from '/dist/browser.mjs'", "from '/alone/browser.mjs'") },
  '/alone/browser.mjs': { path: join(pkg, 'dist/browser.mjs'), type: js },
};
const server = await serveRoutes(files);
const { origin } = server;
const browser = await launchChromium();
const publisher = await mqtt.connectAsync(broker.url, { ...broker.auth, protocolVersion: 5,
                                                         WebSocket: require('ws') });

test.after(async () => {
  await publisher.endAsync();
  await browser.close();
  await broker.close();
  server.close();
});

/** mosquitto's log lines so far. */
const log = () => readFileSync(join(broker.dir, 'mosquitto.log'), 'utf8').split('\n');
/** Broker connections made by client id `id` so far. */
const connections = (id) => log().filter((l) => l.includes('New client connected') &&
                                                l.includes(` as ${id} `)).length;
/** SUBSCRIBE (log_type subscribe: "<id> <qos> <filter>") lines of `id` for `filter`. */
const subscribes = (id, filter) => log().filter((l) => l.endsWith(`: ${id} 0 ${filter}`) ||
                                                      l.endsWith(`: ${id} 1 ${filter}`)).length;
/** UNSUBSCRIBE ("<id> <filter>") lines of `id` for `filter`. */
const unsubscribes = (id, filter) => log().filter((l) => l.endsWith(`: ${id} ${filter}`)).length;
/** Disconnections of `id` (its DISCONNECT, or the socket closing). */
const disconnections = (id) => log().filter((l) => l.includes(`Client ${id} disconnected`) ||
                                                   l.includes(`Client ${id} closed its connection`)).length;

async function until(what, done, timeout = 10000) {
  const start = Date.now();
  while (!(await done())) {
    if (Date.now() - start > timeout) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

let n = 0;
/** A new tab of client id `id`, connected (client.connected in the page). */
async function tab(id, extra = {}) {
  const page = await browser.context.newPage();
  page.consoleLines = [];
  page.on('console', (m) => page.consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => page.consoleLines.push(`pageerror: ${e.message}`));
  const q = new URLSearchParams({ url: broker.url, username: broker.username,
                                  password: broker.password, id, ...extra });
  await page.goto(`${origin}/shared?${q}`);
  await page.waitForFunction(() => window.client?.connected === true, null, { timeout: 15000 });
  return page;
}
const received = (page) => page.evaluate(() => window.received);
const subscribe = (page, filter) => page.evaluate((f) => window.client.subscribeAsync(f, { qos: 1 }), filter);

test('three tabs of one origin make one broker connection', async () => {
  const id = `shared-three-${++n}`;
  const pages = [await tab(id), await tab(id), await tab(id)];
  await sleep(300);
  assert.equal(connections(id), 1);
  const ids = await Promise.all(pages.map((p) => p.evaluate(() => window.client.clientId)));
  assert.deepEqual(ids, [id, id, id]);
  for (const p of pages) {
    assert.deepEqual(p.consoleLines, []);
    await p.close();
  }
});

test('a message on a filter two tabs subscribe arrives in each exactly once, SUBSCRIBE sent once', async () => {
  const id = `shared-fanout-${++n}`;
  const [a, b, c] = [await tab(id), await tab(id), await tab(id)];
  const grants = [await subscribe(a, 'home/+/temp'), await subscribe(b, 'home/+/temp')];
  assert.deepEqual(grants, [[{ topic: 'home/+/temp', qos: 1 }], [{ topic: 'home/+/temp', qos: 1 }]]);
  await subscribe(c, 'other/#');
  await publisher.publishAsync('home/kitchen/temp', '21.5', { qos: 1 });
  await until('both tabs to receive', async () => (await received(a)).length && (await received(b)).length);
  await sleep(300);  // anything more would have arrived by now
  const want = [{ topic: 'home/kitchen/temp', text: '21.5', isMqttPayload: true, samePayload: true, qos: 1 }];
  assert.deepEqual(await received(a), want);
  assert.deepEqual(await received(b), want);
  assert.deepEqual(await received(c), []);
  assert.equal(subscribes(id, 'home/+/temp'), 1);
  assert.equal(connections(id), 1);
  for (const p of [a, b, c]) await p.close();
});

test('the retained messages another tab\'s SUBSCRIBE brings reach only that tab', async () => {
  const id = `shared-retained-${++n}`;
  await publisher.publishAsync('kept/a', 'A', { qos: 1, retain: true });
  const [a, b] = [await tab(id), await tab(id)];
  await subscribe(a, 'kept/#');
  await until('tab a to get the retained message', async () => (await received(a)).length === 1);
  await subscribe(b, 'kept/a');  // another filter: a SUBSCRIBE of its own, which brings kept/a again
  await until('tab b to get the retained message', async () => (await received(b)).length === 1);
  await sleep(300);
  assert.deepEqual((await received(a)).map((m) => m.text), ['A']);
  assert.deepEqual((await received(b)).map((m) => m.text), ['A']);
  assert.equal(subscribes(id, 'kept/a'), 1);
  await publisher.publishAsync('kept/a', '', { qos: 1, retain: true });
  for (const p of [a, b]) await p.close();
});

test('tabs subscribing while the first SUBSCRIBE of a filter is on its way share it', async () => {
  const id = `shared-pending-${++n}`;
  await publisher.publishAsync('joined/x', 'X', { qos: 1, retain: true });
  const [a, b] = [await tab(id), await tab(id)];
  const grants = await Promise.all([subscribe(a, 'joined/#'), subscribe(b, 'joined/#')]);
  assert.deepEqual(grants, [[{ topic: 'joined/#', qos: 1 }], [{ topic: 'joined/#', qos: 1 }]]);
  await until('both tabs to get the retained message',
              async () => (await received(a)).length === 1 && (await received(b)).length === 1);
  await sleep(300);
  assert.deepEqual((await received(a)).map((m) => m.text), ['X']);
  assert.deepEqual((await received(b)).map((m) => m.text), ['X']);
  assert.equal(subscribes(id, 'joined/#'), 1);
  await publisher.publishAsync('joined/x', '', { qos: 1, retain: true });
  for (const p of [a, b]) await p.close();
});

test('a subscribe made in the same task as connect() is not lost before the tab is attached', async () => {
  const id = `shared-at-once-${++n}`;
  const a = await tab(id, { subscribeAtOnce: 'at-once/#' });
  await until('the SUBSCRIBE at the broker', () => subscribes(id, 'at-once/#') === 1);
  await publisher.publishAsync('at-once/x', 'early', { qos: 1 });
  await until('the message', async () => (await received(a)).length === 1);
  assert.deepEqual((await received(a)).map((m) => m.text), ['early']);
  await a.close();
});

test('a publish from a tab completes in that tab, with the broker acknowledgement', async () => {
  const id = `shared-publish-${++n}`;
  const [a, b] = [await tab(id), await tab(id)];
  await subscribe(a, 'pub/test');
  const ack = await b.evaluate(() => window.client.publishAsync('pub/test', 'from b', { qos: 1 }));
  assert.deepEqual(ack, { cmd: 'puback', reasonCode: 0 });
  await until('tab a to receive', async () => (await received(a)).length === 1);
  assert.deepEqual((await received(a)).map((m) => m.text), ['from b']);
  assert.deepEqual(await received(b), []);
  await a.close();
  await b.close();
});

test('closing a tab keeps the others subscribed; the last one to drop a filter unsubscribes it', async () => {
  const id = `shared-close-${++n}`;
  const [a, b] = [await tab(id), await tab(id)];
  await subscribe(a, 'room/light');
  await subscribe(b, 'room/light');
  await a.close();
  await sleep(300);
  assert.equal(unsubscribes(id, 'room/light'), 0);
  await publisher.publishAsync('room/light', 'on', { qos: 1 });
  await until('tab b to receive', async () => (await received(b)).length === 1);
  assert.deepEqual((await received(b)).map((m) => m.text), ['on']);
  await b.evaluate(() => window.client.unsubscribeAsync('room/light'));
  await until('the UNSUBSCRIBE', () => unsubscribes(id, 'room/light') === 1);
  await publisher.publishAsync('room/light', 'off', { qos: 1 });
  await sleep(300);
  assert.deepEqual((await received(b)).map((m) => m.text), ['on']);
  await b.close();
});

test('a tab that ends while its SUBSCRIBE is on its way: the broker is told, the filter held by no tab', async () => {
  const id = `shared-orphan-${++n}`;
  const [a, b] = [await tab(id), await tab(id)];
  // Both in one task: the hub takes the end before the SUBACK can come back.
  await a.evaluate(() => {
    window.client.subscribe('orphan/x', { qos: 1 });
    window.client.end(true);
  });
  await until('the UNSUBSCRIBE of orphan/x', () => unsubscribes(id, 'orphan/x') === 1);
  assert.equal(subscribes(id, 'orphan/x'), 1);
  // No tab holds it now: the next tab to ask subscribes again, and gets the messages.
  await subscribe(b, 'orphan/x');
  assert.equal(subscribes(id, 'orphan/x'), 2);
  await publisher.publishAsync('orphan/x', 'back', { qos: 1 });
  await until('tab b to receive', async () => (await received(b)).length === 1);
  assert.deepEqual((await received(b)).map((m) => m.text), ['back']);
  assert.equal(connections(id), 1);
  await a.close();
  await b.close();
});

test('connectShared(url, options) shares the connection that connect(url, { shared: true }) made', async () => {
  const id = `shared-via-${++n}`;
  const a = await tab(id);
  const b = await tab(id, { via: 'connectShared' });
  await subscribe(b, 'via/x');
  await publisher.publishAsync('via/x', 'v', { qos: 1 });
  await until('tab b to receive', async () => (await received(b)).length === 1);
  assert.equal(connections(id), 1);
  assert.deepEqual(b.consoleLines, []);
  await a.close();
  await b.close();
});

test('end() in a tab releases only its subscriptions; the tab gets end', async () => {
  const id = `shared-end-${++n}`;
  const [a, b] = [await tab(id), await tab(id)];
  await subscribe(a, 'end/a');
  await subscribe(a, 'end/both');
  await subscribe(b, 'end/both');
  const ended = await a.evaluate(() => new Promise((resolve) => {
    window.client.end(() => resolve([window.client.connected, window.client.disconnected]));
  }));
  assert.deepEqual(ended, [false, true]);
  await until('the UNSUBSCRIBE of end/a', () => unsubscribes(id, 'end/a') === 1);
  assert.equal(unsubscribes(id, 'end/both'), 0);
  assert.equal(await b.evaluate(() => window.client.connected), true);
  await a.close();
  await b.close();
});

test('reloading the only tab (three times) reuses the connection', async () => {
  const id = `shared-reload-${++n}`;
  const a = await tab(id);
  for (let i = 0; i < 3; i++) {
    await a.reload();
    await a.waitForFunction(() => window.client?.connected === true, null, { timeout: 15000 });
  }
  await sleep(300);
  assert.equal(connections(id), 1);
  assert.equal(disconnections(id), 0);
  await a.close();
});

test('closing every tab ends the connection after the grace period (2 s here)', async () => {
  const id = `shared-last-${++n}`;
  const pages = [await tab(id), await tab(id), await tab(id)];
  for (const p of pages) await p.close();
  await sleep(1000);
  assert.equal(disconnections(id), 0);
  await until('the disconnection', () => disconnections(id) === 1, 5000);
  assert.equal(connections(id), 1);
});

test('without SharedWorker each tab runs its connection in a dedicated Worker', async () => {
  const id = `shared-dedicated-${++n}`;
  const [a, b] = [await tab(id, { hide: 'SharedWorker' }), await tab(id, { hide: 'SharedWorker' })];
  assert.equal(await a.evaluate(() => typeof window.SharedWorker), 'undefined');
  // Two connections with one client id: the broker took over the first session (MQTT-3.1.4-2)
  // and the first tab's worker reconnects; both are per tab.
  await until('two connections', () => connections(id) >= 2);
  assert.deepEqual(a.consoleLines, []);
  await a.close();
  await b.close();
});

test('without SharedWorker a tab still round-trips through its dedicated Worker', async () => {
  const id = `shared-dedicated-rt-${++n}`;
  const a = await tab(id, { hide: 'SharedWorker' });
  await subscribe(a, 'dedicated/t');
  await a.evaluate(() => window.client.publishAsync('dedicated/t', 'hi', { qos: 1 }));
  await until('the message', async () => (await received(a)).length === 1);
  assert.deepEqual((await received(a)).map((m) => m.text), ['hi']);
  assert.deepEqual(a.consoleLines, []);
  await a.close();
});

test('a worker script that cannot load: an error event, one warning, the connection in the page', async () => {
  const id = `shared-missing-${++n}`;
  const a = await tab(id, { workerUrl: '/no-such-worker.mjs' });
  assert.deepEqual(await a.evaluate(() => window.errors), [{ name: 'MqttError', code: 'worker_unavailable' }]);
  assert.deepEqual(a.consoleLines.filter((l) => l.startsWith('warning: shared')), [
    'warning: shared: the worker script did not load (mqttws/dist/worker.mjs next to the bundle, ' +
    'or the workerUrl option): the connection runs in this page, one per tab']);
  await subscribe(a, 'inpage/t');
  await a.evaluate(() => window.client.publishAsync('inpage/t', 'here', { qos: 1 }));
  await until('the message', async () => (await received(a)).length === 1);
  assert.deepEqual((await received(a)).map((m) => m.text), ['here']);
  await a.close();
});

test('neither the worker nor the in-page hub can load: an error naming both, no connection', async () => {
  const page = await browser.context.newPage();
  const q = new URLSearchParams({ url: broker.url, username: broker.username,
                                  password: broker.password, id: `shared-alone-${++n}`,
                                  workerUrl: '/alone/worker.mjs' });
  await page.goto(`${origin}/alone/shared?${q}`);
  await page.waitForFunction(() => window.errors?.length === 2, null, { timeout: 10000 });
  assert.deepEqual(await page.evaluate(() => window.errors), [
    { name: 'MqttError', code: 'worker_unavailable' }, { name: 'MqttError', code: 'worker_unavailable' }]);
  const messages = await page.evaluate(() => window.errorMessages);
  assert.match(messages[0], /^shared: the worker script did not load /);
  assert.match(messages[1], /^shared: the in-page connection's code did not load either \(TypeError: .*alone\/shared_hub\.mjs; dist\/shared_hub\.mjs belongs next to dist\/browser\.mjs\): this client cannot connect$/);
  await sleep(500);
  assert.equal(await page.evaluate(() => window.client.connected), false);
  await page.close();
});

test('client.state() on shared tabs: a later tab sees the retained entries, both see live updates', async () => {
  const id = `shared-state-${++n}`;
  const root = `dash-${n}-${Date.now()}`;
  await publisher.publishAsync(`${root}/kitchen/t`, '21.5', { qos: 1, retain: true });
  const view = (page) => page.evaluate((f) => {
    window.view = window.client.state(f, { parse: (p) => Number(p.toString()) });
    return window.view.ready.then(() => [...window.view]);
  }, `${root}/+/t`);
  const entries = (page) => page.evaluate(() => [...window.view]);
  const a = await tab(id);
  await view(a);
  await until('a to hold the retained entry', async () => (await entries(a)).length === 1);
  assert.deepEqual(await entries(a), [[`${root}/kitchen/t`, 21.5]]);
  const b = await tab(id);
  // b joins a filter the connection holds already: no SUBSCRIBE, the worker replays the retained.
  await view(b);
  await until('b to hold the retained entry', async () => (await entries(b)).length === 1);
  assert.deepEqual(await entries(b), [[`${root}/kitchen/t`, 21.5]]);
  assert.equal(subscribes(id, `${root}/+/t`), 1);
  await publisher.publishAsync(`${root}/hall/t`, '19', { qos: 1 });
  await publisher.publishAsync(`${root}/kitchen/t`, '', { qos: 1, retain: true });
  const want = [[`${root}/hall/t`, 19]];
  await until('both views to update', async () =>
    JSON.stringify([await entries(a), await entries(b)]) === JSON.stringify([want, want]));
  await a.close();
  await b.close();
});
