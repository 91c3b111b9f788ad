// The installed package bundled the ways a web app meets it, then run in headless Chromium
// against a real mosquitto: Vite's dev server and a Vite production build (both must find
// dist/worker.mjs by themselves) and an esbuild bundle (with worker.mjs copied next to it,
// as the README says). In each, two tabs connect with `shared: true`, the IndexedDB store
// and the same clientId, and follow a live `state()` view: the broker must see one
// connection, a message to the filter both subscribe to must reach each tab once, both views
// must hold the messages, and neither tab may report an error (`worker_unavailable`: the
// in-page fallback; `store_failed`).
// Usage: node bundlers.mjs <folder holding node_modules/mqttws>
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../browser/chromium.mjs';
import { serveFolder } from '../browser/page_server.mjs';

const require = createRequire(import.meta.url);
const { Broker } = require('../broker.js');
const npmDir = join(dirname(fileURLToPath(import.meta.url)), '../..');
const dir = process.argv[2];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The app: what a dashboard would write, reporting to the test through window.report.
const app = `import mqtt from 'mqttws';

const q = new URLSearchParams(location.search);
const report = (window.report = { events: [], messages: [], subscribed: false, state: [] });
const client = mqtt.connect(q.get('url'), {
  shared: true, clientId: q.get('id'), username: q.get('username'),
  password: q.get('password'), protocolVersion: 5, store: 'indexeddb', clean: false,
  properties: { sessionExpiryInterval: 60 },
});
const view = client.state(q.get('filter'));
view.subscribe(() => { report.state = [...view].map(([topic, payload]) => topic + ' ' + payload); });
client.on('connect', () => report.events.push('connect'));
client.on('error', (e) => report.events.push('error ' + e.code));
client.on('message', (topic, payload) => report.messages.push(topic + ' ' + payload));
// The view's subscription is the tab's only one: each tab gets each retained message once.
view.ready.then(() => { report.subscribed = true; },
  (e) => report.events.push('subscribe failed ' + e.code));
`;

function writeApp(root) {
  mkdirSync(join(root, 'src'), { recursive: true });
  writeFileSync(join(root, 'src/main.js'), app);
}

const vite = join(npmDir, 'node_modules/vite/bin/vite.js');

/** A Vite project: index.html at its root, the app in src/. */
function viteApp() {
  const root = join(dir, 'vite-app');
  writeApp(root);
  writeFileSync(join(root, 'index.html'),
                '<!doctype html><title>vite app</title><script type="module" src="/src/main.js"></script>\n');
  return root;
}

/** `vite build` into dist/, served as static files. */
async function viteBuild() {
  const root = viteApp();
  execFileSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  return serveFolder(join(root, 'dist'));
}

/** `vite` (the dev server, which pre-bundles the package into node_modules/.vite). */
async function viteDev() {
  const root = viteApp();
  const free = await new Promise((resolve) => {
    const probe = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
  const child = spawn(process.execPath, [vite, '--host', '127.0.0.1', '--port', String(free),
                                         '--strictPort', '--clearScreen', 'false'],
                      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const port = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out.replace(/\x1b\[[0-9;]*m/g, ''));
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`vite exited (${code}): ${out}`)));
  });
  return { port, close: () => child.kill() };
}

/** esbuild: one bundle, dist/worker.mjs copied next to it. */
async function esbuildBuild() {
  const root = join(dir, 'esbuild-app');
  writeApp(root);
  const out = join(root, 'dist');
  mkdirSync(out, { recursive: true });
  execFileSync(join(npmDir, 'node_modules/.bin/esbuild'), [
    'src/main.js', '--bundle', '--format=esm', '--platform=browser', '--log-level=warning',
    '--outfile=dist/app.js'], { cwd: root, stdio: 'inherit' });
  copyFileSync(join(dir, 'node_modules/mqttws/dist/worker.mjs'), join(out, 'worker.mjs'));
  writeFileSync(join(out, 'index.html'),
                '<!doctype html><title>esbuild app</title><script type="module" src="app.js"></script>\n');
  return serveFolder(out);
}

async function until(what, done, timeout = 15000) {
  const start = Date.now();
  while (!(await done())) {
    if (Date.now() - start > timeout) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

const broker = await Broker.start({ extraConfig: ['log_type notice'] });
const connections = (id) => readFileSync(join(broker.dir, 'mosquitto.log'), 'utf8').split('\n')
  .filter((l) => l.includes('New client connected') && l.includes(` as ${id} `)).length;
const browser = await launchChromium();
try {
  for (const [name, start] of [['Vite dev server', viteDev], ['Vite build', viteBuild],
                               ['esbuild', esbuildBuild]]) {
    const server = await start();
    try {
      const id = `bundled-${name.toLowerCase().replace(/ /g, '-')}`;
      const filter = `bundlers/${id}/#`;
      const q = new URLSearchParams({ url: broker.url, username: broker.username,
                                      password: broker.password, id, filter });
      const pub = (topic, ...args) => execFileSync('mosquitto_pub', [
        '-h', '127.0.0.1', '-p', new URL(broker.urls.mqtt).port, '-u', broker.username,
        '-P', broker.password, '-q', '1', '-t', topic, ...args]);
      pub(`bundlers/${id}/retained`, '-r', '-m', 'kept');
      const pages = [];
      for (let i = 0; i < 2; i++) {
        const page = await browser.context.newPage();
        page.errors = [];
        page.on('pageerror', (e) => page.errors.push(e.message));
        await page.goto(`http://127.0.0.1:${server.port}/?${q}`);
        pages.push(page);
      }
      const reports = () => Promise.all(pages.map((p) => p.evaluate(() => window.report)));
      await until(`${name}: both tabs subscribed`,
                  async () => (await reports()).every((r) => r?.subscribed));
      await until(`${name}: the retained message in both state views`,
                  async () => (await reports()).every((r) => r.state.length >= 1));
      pub(`bundlers/${id}/hello`, '-m', 'hi');
      await until(`${name}: the message in both tabs`,
                  async () => (await reports()).every((r) => r.messages.length >= 2));
      await sleep(300);  // a duplicate would arrive by now
      const got = await reports();
      for (const [i, r] of got.entries()) {
        const expected = JSON.stringify([`bundlers/${id}/retained kept`, `bundlers/${id}/hello hi`]);
        if (JSON.stringify(r.messages) !== expected) {
          throw new Error(`${name}, tab ${i + 1}: expected messages ${expected}, got ${JSON.stringify(r.messages)}`);
        }
        if (JSON.stringify(r.state) !== expected) {
          throw new Error(`${name}, tab ${i + 1}: expected the state view ${expected}, got ${JSON.stringify(r.state)}`);
        }
        if (r.events.some((e) => e.startsWith('error') || e.startsWith('subscribe failed'))) {
          throw new Error(`${name}, tab ${i + 1}: ${JSON.stringify(r.events)}`);
        }
        if (pages[i].errors.length) throw new Error(`${name}, tab ${i + 1}: ${pages[i].errors}`);
      }
      const n = connections(id);
      if (n !== 1) throw new Error(`${name}: the broker saw ${n} connections of ${id}, expected 1`);
      for (const p of pages) await p.close();
      pub(`bundlers/${id}/retained`, '-r', '-n');
      console.log(`${name}: two tabs on one broker connection, each message once, state views: ok`);
    } finally {
      server.close();
    }
  }
} finally {
  await browser.close();
  await broker.close();
}
