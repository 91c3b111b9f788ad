// Browser test: recovery in headless Chromium against a real mosquitto. The page (served from
// here, importing dist/browser.mjs) keeps one client and records its events with timestamps;
// this script cuts the network with playwright's context.setOffline() (which also fires the
// window's offline/online events), restarts the broker, and hides and shows the page, then
// checks what the client did and how fast:
//   - `offline` fires within 1 s of the network going away (not at the next keep alive);
//   - after 6 s offline, the client is connected again within 2 s of the network coming back
//     (the `online` event reconnects at once, the backoff reset);
//   - after a broker restart, connected again within 2 s of the broker being back;
//   - a page shown again after more than a second hidden sends a PINGREQ at once (driven
//     through the visibilitychange code path: headless Chromium never hides a page itself).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './chromium.mjs';
import { html, js, serveRoutes } from './page_server.mjs';

const require = createRequire(import.meta.url);
const { Broker } = require('../broker.js');
const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '../..');

const page_html = `<!doctype html><meta charset="utf-8"><title>mqttws recovery</title>
<script type="module">
  import { connect } from '/dist/browser.mjs';
  const q = new URLSearchParams(location.search);
  // Hidden or visible as the test says (headless pages are always visible).
  let visibility = 'visible';
  Object.defineProperty(document, 'visibilityState', { get: () => visibility });
  window.setVisibility = (v) => {
    visibility = v;
    document.dispatchEvent(new Event('visibilitychange'));
  };
  window.events = [];
  const client = connect(q.get('url'), {
    username: q.get('username'), password: q.get('password'), protocolVersion: 5, keepalive: 30,
  });
  for (const name of ['connect', 'offline', 'close', 'reconnect']) {
    client.on(name, () => window.events.push({ name, at: performance.now() }));
  }
  client.on('packetsend', (p) => window.events.push({ name: 'send:' + p.cmd, at: performance.now() }));
  client.on('error', (e) => window.events.push({ name: 'error:' + e.code, at: performance.now() }));
  window.client = client;
</script>`;

const server = await serveRoutes({
  '/': { type: html, body: page_html },
  '/dist/browser.mjs': { type: js, path: join(pkg, 'dist/browser.mjs') },
});
const broker = await Broker.start();
let browser;
let context;
const failures = [];
const check = (ok, what) => {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};
try {
  browser = await launchChromium();
  context = browser.context;
  const page = await context.newPage();
  const q = new URLSearchParams({ url: broker.url, username: broker.username, password: broker.password });
  await page.goto(`${server.origin}/?${q}`);
  const now = () => page.evaluate(() => performance.now());
  /** The first event `name` at or after page time `since`, waiting up to `ms`. */
  const eventAfter = async (name, since, ms) => {
    try {
      await page.waitForFunction(([n, s]) => window.events.some((e) => e.name === n && e.at >= s),
                                 [name, since], { timeout: ms });
    } catch {
      return undefined;
    }
    return page.evaluate(([n, s]) => window.events.find((e) => e.name === n && e.at >= s).at,
                         [name, since]);
  };
  check(await eventAfter('connect', 0, 10000) !== undefined, 'connects');

  // The network goes away: offline at once, not after keep alive (30 s).
  const cut = await now();
  await context.setOffline(true);
  const offline = await eventAfter('offline', cut, 3000);
  check(offline !== undefined && offline - cut < 1000,
        `offline within 1 s of the network going away (${offline === undefined ? 'never' : `${Math.round(offline - cut)} ms`})`);

  // Six seconds without network (the backoff grows meanwhile), then back: the `online` event
  // reconnects at once.
  await page.waitForTimeout(6000);
  const back = await now();
  await context.setOffline(false);
  const reconnected = await eventAfter('connect', back, 5000);
  check(reconnected !== undefined && reconnected - back < 2000,
        `connected within 2 s of the network coming back (${reconnected === undefined ? 'never' : `${Math.round(reconnected - back)} ms`})`);

  // The broker restarts: the first retry comes within 1 s, so it is back within 2 s.
  await broker.stop();
  const closed = await eventAfter('close', back, 3000);
  check(closed !== undefined, 'the broker going away closes the connection');
  await broker.start();
  const up = await now();
  const again = await eventAfter('connect', up, 5000);
  check(again !== undefined && again - up < 2000,
        `connected within 2 s of the broker being back (${again === undefined ? 'never' : `${Math.round(again - up)} ms`})`);

  // Hidden for 1.5 s, then shown: a PINGREQ at once probes the link.
  await page.evaluate(() => window.setVisibility('hidden'));
  await page.waitForTimeout(1500);
  const shown = await now();
  await page.evaluate(() => window.setVisibility('visible'));
  const ping = await eventAfter('send:pingreq', shown, 1000);
  check(ping !== undefined && ping - shown < 100,
        `PINGREQ on becoming visible after 1.5 s hidden (${ping === undefined ? 'none' : `${Math.round(ping - shown)} ms`})`);
  // Hidden for a moment only: no probe.
  await page.evaluate(() => window.setVisibility('hidden'));
  const brief = await now();
  await page.evaluate(() => window.setVisibility('visible'));
  check(await eventAfter('send:pingreq', brief, 300) === undefined,
        'no PINGREQ after being hidden for less than a second');

  // Failed attempts while the network or the broker was away are errors; nothing else is.
  const errors = await page.evaluate(() => window.events.filter((e) => e.name.startsWith('error:'))
    .map((e) => e.name));
  const unexpected = errors.filter((e) => e !== 'error:ECONNREFUSED' && e !== 'error:ECONNRESET');
  check(unexpected.length === 0, `only connection errors (${errors.join(', ') || 'none'})`);
  await page.evaluate(() => window.client.endAsync());
} catch (e) {
  failures.push(e.message);
  console.error(e);
} finally {
  await browser?.close();
  await broker.close();
  server.close();
}
console.log(failures.length ? `browser recovery test FAILED: ${failures.join('; ')}` : 'browser recovery test passed');
process.exit(failures.length ? 1 : 0);
