// Browser tests: headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core; no
// browser download) loads pages that import dist/browser.mjs from this script's HTTP server and
// talk to a real mosquitto over ws:
//   round trip          page.html: the default export, connect(url) and connect(options),
//                       a wildcard subscription, payloads read as MQTT.js code reads them,
//                       mqtt:// and mqtts:// refused with invalid_url
//   CSP refuses wasm    csp.html under default-src 'self': the error event and the
//                       console.error both say why and name 'wasm-unsafe-eval'
//   CSP allows wasm     csp.html under script-src 'self' 'wasm-unsafe-eval': a round trip
//   live state          state.html: client.state() filled by a retained message, updated
//                       live and by a clearing empty retained message, its listener driving
//                       the DOM, the snapshot stable between changes and new after one
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { launchChromium } from './chromium.mjs';
import { html, js, serveRoutes } from './page_server.mjs';

const require = createRequire(import.meta.url);
const { Broker } = require('../broker.js');
const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '../..');

const broker = await Broker.start();
const brokerOrigin = `ws://127.0.0.1:${broker.port}`;
const csp = {
  refused: "default-src 'self'",
  allowed: `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src ${brokerOrigin}`,
};
const files = {
  '/': { path: join(here, 'page.html'), type: html },
  '/csp-refused': { path: join(here, 'csp.html'), type: html, csp: csp.refused },
  '/csp-allowed': { path: join(here, 'csp.html'), type: html, csp: csp.allowed },
  '/csp.mjs': { path: join(here, 'csp.mjs'), type: js },
  '/state': { path: join(here, 'state.html'), type: html },
  '/dist/browser.mjs': { path: join(pkg, 'dist/browser.mjs'), type: js },
};

const server = await serveRoutes(files);
const { origin } = server;
const query = new URLSearchParams({ url: broker.url, port: broker.port, username: broker.username,
                                    password: broker.password });

function check(what, got, want) {
  if (!isDeepStrictEqual(got, want)) {
    throw new Error(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
}

// What mqttws says when the page refuses WebAssembly, before the engine's own words (a
// CompileError naming the directive; its wording is Chromium's to change).
const refused = "cannot load the wasm core: WebAssembly refused, likely by the page's " +
  "Content-Security-Policy (allow it with script-src 'wasm-unsafe-eval'): CompileError: " +
  'WebAssembly.instantiate(): ';
const isRefusal = (message) => message.startsWith(refused) &&
  message.includes(`Content Security Policy directive: "${csp.refused}"`);

const cases = [
  {
    name: 'round trip: default export, connect(url) and connect(options), MQTT.js payload reads',
    path: '/',
    check(r, consoleErrors) {
      check('result', r.result, {
        topic: `${r.root}/kitchen/temperature`, celsius: 21.5, parsed: { celsius: 21.5 }, one: 1,
        text: '{"celsius":21.5}', json: { celsius: 21.5 }, template: '1', hex: '31',
        base64: btoa('{"celsius":21.5}'), qos: 1, userProperties: { unit: 'C' },
        isMqttPayload: true, isUint8Array: true, isPacketPayload: true, partIsMqttPayload: true,
        className: 'MqttPayload',
      });
      const refusal = (url) => ({
        url,
        error: {
          name: 'MqttError', code: 'invalid_url',
          message: `invalid broker URL "${url}": browsers have only WebSocket: use ws:// or wss://`,
        },
      });
      check('mqtt(s):// refused', r.refused,
            [refusal('mqtt://127.0.0.1:1883'), refusal('mqtts://127.0.0.1')]);
      if (r.hasBuffer || r.hasProcess) throw new Error('the page has Node globals: the test proves nothing');
      check('console errors', consoleErrors, []);
    },
  },
  {
    name: "CSP default-src 'self': error event and console.error name 'wasm-unsafe-eval'",
    path: '/csp-refused?expect=refused',
    check(r, consoleErrors) {
      const { message, ...rest } = r.result;
      check('error event', rest, { name: 'MqttError', code: 'wasm_load_failed',
                                   disconnected: [true, true] });
      if (!isRefusal(message)) throw new Error(`error event: unexpected message: ${message}`);
      // The client without an error listener logs the same MqttError (message, then stack),
      // and nothing else is logged.
      check('console errors', consoleErrors.map((m) => m.split('\n')[0]), [`MqttError: ${message}`]);
    },
  },
  {
    name: "CSP script-src 'self' 'wasm-unsafe-eval': connects and round-trips",
    path: '/csp-allowed?expect=connected',
    check(r, consoleErrors) {
      check('message', r.result.message, { topic: r.result.expected, text: 'allowed' });
      check('console errors', consoleErrors, []);
    },
  },
  {
    name: 'live state: client.state() with a subscribe listener, in the browser bundle',
    path: '/state',
    check(r, consoleErrors) {
      check('listener calls', r.result.calls, [
        [],
        [['kitchen/temp', 21.5]],
        [['kitchen/temp', 21.5], ['hall/temp', 19]],
        [['hall/temp', 19]],
      ]);
      check('snapshot identity', [r.result.stable, r.result.changed], [true, true]);
      check('DOM', r.result.dom, ['hall: 19']);
      check('console errors', consoleErrors, []);
    },
  },
];

let browser;
let context;
let failures = 0;
try {
  browser = await launchChromium();
  context = browser.context;
  for (const c of cases) {
    const page = await context.newPage();
    const consoleErrors = [];
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    try {
      const sep = c.path.includes('?') ? '&' : '?';
      await page.goto(`${origin}${c.path}${sep}${query}`);
      await page.waitForFunction(() => window.testResult !== undefined, null, { timeout: 20000 });
      const r = await page.evaluate(() => window.testResult);
      if (!r.ok) throw new Error(`page failed: ${r.error}`);
      c.check(r, consoleErrors);
      console.log(`passed: ${c.name}`);
    } catch (e) {
      failures += 1;
      console.error(`FAILED: ${c.name}: ${e.message}`);
      if (consoleErrors.length) console.error(`  console errors: ${consoleErrors.join(' | ')}`);
    } finally {
      await page.close();
    }
  }
  console.log(`browser tests: ${cases.length - failures}/${cases.length} passed ` +
              `(Chromium ${context.browser()?.version() ?? ''})`);
} catch (e) {
  failures += 1;
  console.error(`browser tests FAILED: ${e.message}`);
} finally {
  await browser?.close();
  await broker.close();
  server.close();
}
process.exit(failures ? 1 : 0);
