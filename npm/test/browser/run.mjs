// Browser test: headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core; no
// browser download) loads page.html, which imports dist/index.mjs, connects to a real
// mosquitto over ws, subscribes with a wildcard, publishes and checks the round trip, then
// that mqtt:// and mqtts:// are refused with a clear invalid_url error.
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const { Broker } = require('../broker.js');
const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '../..');

const files = {
  '/': { path: join(here, 'page.html'), type: 'text/html' },
  '/dist/index.mjs': { path: join(pkg, 'dist/index.mjs'), type: 'text/javascript' },
};

const server = createServer((req, res) => {
  const f = files[new URL(req.url, 'http://x').pathname];
  if (req.url === '/favicon.ico') {
    res.writeHead(204).end();
    return;
  }
  if (!f) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': f.type });
  res.end(readFileSync(f.path));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const broker = await Broker.start();
const profile = mkdtempSync(join(tmpdir(), 'mqttws-chromium-'));
let context;
let failed = true;
try {
  // A fresh profile directory each run (launchPersistentContext is how playwright takes one).
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--no-first-run'],
    headless: true,
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const q = new URLSearchParams({ url: broker.url, username: broker.username, password: broker.password });
  await page.goto(`http://127.0.0.1:${server.address().port}/?${q}`);
  await page.waitForFunction(() => window.testResult !== undefined, null, { timeout: 20000 });
  const r = await page.evaluate(() => window.testResult);
  const expected = {
    topic: `${r.root}/kitchen/temperature`, text: '21.5', qos: 1, payloadIsUint8Array: true,
    userProperties: { unit: 'C' },
  };
  if (!r.ok) throw new Error(`page failed: ${r.error}`);
  if (JSON.stringify(r.message) !== JSON.stringify(expected)) {
    throw new Error(`round trip mismatch: got ${JSON.stringify(r.message)}, want ${JSON.stringify(expected)}`);
  }
  const refusal = (url) => ({
    url,
    error: {
      name: 'MqttError', code: 'invalid_url',
      message: `invalid broker URL "${url}": browsers have only WebSocket: use ws:// or wss://`,
    },
  });
  const refused = [refusal('mqtt://127.0.0.1:1883'), refusal('mqtts://127.0.0.1')];
  if (JSON.stringify(r.refused) !== JSON.stringify(refused)) {
    throw new Error(`mqtt(s):// not refused as expected: got ${JSON.stringify(r.refused)}, want ${JSON.stringify(refused)}`);
  }
  if (r.hasBuffer || r.hasProcess) throw new Error('the page has Node globals: the test proves nothing');
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
  console.log(`browser test passed: ${r.message.topic} = ${r.message.text}, mqtt(s):// refused (Chromium ${context.browser()?.version() ?? ''})`);
  failed = false;
} catch (e) {
  console.error(`browser test FAILED: ${e.message}`);
} finally {
  await context?.close();
  await broker.close();
  server.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
