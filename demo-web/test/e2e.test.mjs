// The demo end to end, as a newcomer sees it: the same launcher as scripts/demo.sh starts a
// real mosquitto, the native house (mqttws-house over wss://) and the dashboard server; a
// headless Chromium (Debian's, driven by playwright-core) logs in and uses the dashboard; a
// Node client on the `devices` account watches the commands the dashboard publishes.
//
//   node --test demo-web/test/e2e.test.mjs   (scripts/test.sh runs it, after building the
//   devices, the npm package and the dashboard)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isAlive } from '../scripts/child.mjs';
import { ROOMS, ROOT, startDemo } from '../scripts/demo.mjs';
import { freePort } from '../scripts/ports.mjs';

const require = createRequire(join(ROOT, 'npm/'));
const { chromium } = require('playwright-core');
const WebSocket = require('ws');
// The observer uses the package exactly as the dashboard got it: from the packed tarball.
const mqttws = createRequire(join(ROOT, 'demo-web/'))('mqttws');

const HOUSE = process.env.MQTTWS_HOUSE_BINARY ?? join(ROOT, 'build/native/bin/mqttws-house');
const CONFIRM_DELAY_MS = 1200;   // long enough to see a command pending
const COMMAND_TIMEOUT_MS = 3000; // the dashboard's wait for a confirmation
const text = (bytes) => new TextDecoder().decode(bytes);

/** Resolves with the payload of the next message on `topic`. */
function nextMessage(client, topic) {
  return new Promise((resolve) => {
    const on = (t, payload) => {
      if (t !== topic) return;
      client.off('message', on);
      resolve(text(payload));
    };
    client.on('message', on);
  });
}

describe('the smart-home demo in Chromium', () => {
  let demo, context, page, observer, profile, password;
  const started = {};  // the process ids the demo started
  const errors = [];
  const byId = (id) => page.getByTestId(id);
  const state = (id) => byId(id).getAttribute('data-state');
  const waitForState = (id, value, timeout = 15000) =>
    page.waitForSelector(`[data-testid="${id}"][data-state="${value}"]`, { timeout });
  const temperatures = () => page.evaluate((rooms) => rooms.map((r) =>
    document.querySelector(`[data-testid="temperature-${r}"]`)?.getAttribute('data-value')), ROOMS);

  before(async () => {
    password = `pw-${process.pid}`;
    const [brokerPort, devicesPort, dashboardPort] = [await freePort(), await freePort(), await freePort()];
    demo = await startDemo({
      dir: join(ROOT, 'build/demo-e2e'), house: HOUSE, brokerPort, devicesPort, dashboardPort,
      password, confirmDelayMs: CONFIRM_DELAY_MS, commandTimeoutMs: COMMAND_TIMEOUT_MS, seed: 1,
    });
    ({ mosquitto: started.mosquitto, devices: started.devices } = demo.pids());
    observer = await mqttws.connectAsync(`ws://127.0.0.1:${brokerPort}`, {
      WebSocket, protocolVersion: 5, username: 'devices', password,
      reconnect: { initialDelay: 200, maxDelay: 1000 },
    });
    await observer.subscribeAsync('home/+/light/set', { qos: 1 });
    profile = mkdtempSync(join(tmpdir(), 'mqttws-demo-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
             '--disable-component-update', '--no-first-run'],
      headless: true,
      viewport: { width: 1280, height: 860 },
    });
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(demo.url);
  });

  after(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await observer?.endAsync(true);
    const now = demo?.pids() ?? {};
    await demo?.stop();
    for (const [name, pid] of [...Object.entries(started), ['mosquitto', now.mosquitto]]) {
      if (pid !== undefined) assert.equal(isAlive(pid), false, `${name} (pid ${pid}) still running`);
    }
  });

  it('prefills the login form with the demo credentials and goes online', async () => {
    assert.equal(await byId('login-username').inputValue(), 'dashboard');
    assert.equal(await byId('login-password').inputValue(), password);
    assert.match(await byId('login-url').inputValue(), /^ws:\/\/127\.0\.0\.1:\d+/);
    await byId('login-submit').click();
    await waitForState('connection-state', 'online');
    assert.equal((await byId('connection-state').textContent()).trim(), 'online');
  });

  it('discovers the five rooms from their topics, each online', async () => {
    for (const room of ROOMS) {
      await byId(`room-${room}`).waitFor({ timeout: 15000 });
      await waitForState(`status-${room}`, 'online');
      assert.equal((await byId(`status-${room}`).textContent()).trim(), 'online');
    }
    assert.equal(await page.locator('[data-testid^="room-"]').count(), ROOMS.length);
  });

  it('shows each room\'s temperature and humidity', async () => {
    await page.waitForFunction((rooms) => rooms.every((r) =>
      document.querySelector(`[data-testid="temperature-${r}"]`)?.getAttribute('data-value') &&
      document.querySelector(`[data-testid="humidity-${r}"]`)?.getAttribute('data-value')), ROOMS,
    { timeout: 15000 });
    const t = await byId('temperature-kitchen').textContent();
    assert.match(t, /^-?\d+\.\d °C$/);
  });

  it('updates a temperature as the devices report it', async () => {
    const start = await temperatures();
    await page.waitForFunction(({ rooms, start }) => rooms.some((r, i) =>
      document.querySelector(`[data-testid="temperature-${r}"]`)?.getAttribute('data-value') !== start[i]),
    { rooms: ROOMS, start }, { timeout: 30000 });
  });

  it('publishes a light command and flips the switch only once the device confirms it', async () => {
    const sw = byId('light-living_room');
    const was = await sw.getAttribute('aria-checked');
    const command = nextMessage(observer, 'home/living_room/light/set');
    await sw.click();
    assert.equal(await state('light-living_room'), 'pending');
    assert.equal(await command, was === 'true' ? 'off' : 'on');
    // The device takes CONFIRM_DELAY_MS: until it confirms, the switch shows what is true.
    assert.equal(await sw.getAttribute('aria-checked'), was);
    assert.equal(await state('light-living_room'), 'pending');
    const now = was === 'true' ? 'false' : 'true';
    await page.waitForSelector(`[data-testid="light-living_room"][aria-checked="${now}"]`,
                               { timeout: 10000 });
    assert.equal(await state('light-living_room'), now === 'true' ? 'on' : 'off');
  });

  it('sets the thermostat target once the device confirms it', async () => {
    await byId('thermostat-input-living_room').fill('24.5');
    await byId('thermostat-set-living_room').click();
    await page.waitForSelector('[data-testid="thermostat-target-living_room"][data-value="24.5"]',
                               { timeout: 10000 });
  });

  it('asks the thermostat for its settings with MQTT 5 request/response', async () => {
    await byId('thermostat-info-living_room').click();
    const result = byId('thermostat-result-living_room');
    await page.waitForFunction(() =>
      /24\.5/.test(document.querySelector('[data-testid="thermostat-result-living_room"]')?.textContent ?? ''),
    null, { timeout: 10000 });
    assert.match(await result.textContent(), /heating|cooling|idle/);
  });

  it('shares one broker connection with a second tab, which sees the rooms and sends commands', async () => {
    const dashboardConnections = () => readFileSync(demo.broker.logFile, 'utf8').split('\n')
      .filter((l) => / New client connected .* as dashboard-/.test(l)).length;
    assert.equal(dashboardConnections(), 1);
    const tab = await context.newPage();
    try {
      tab.on('pageerror', (e) => errors.push(`second tab: pageerror: ${e.message}`));
      await tab.goto(demo.url);
      await tab.getByTestId('login-submit').click();
      await tab.waitForSelector('[data-testid="connection-state"][data-state="online"]', { timeout: 15000 });
      for (const room of ROOMS) {
        await tab.waitForSelector(`[data-testid="status-${room}"][data-state="online"]`, { timeout: 15000 });
      }
      const sw = tab.getByTestId('light-bedroom');
      const was = await sw.getAttribute('aria-checked');
      const now = was === 'true' ? 'false' : 'true';
      const command = nextMessage(observer, 'home/bedroom/light/set');
      await sw.click();
      assert.equal(await command, was === 'true' ? 'off' : 'on');
      // The device's confirmation reaches both tabs through the one subscription.
      for (const p of [tab, page]) {
        await p.waitForSelector(`[data-testid="light-bedroom"][aria-checked="${now}"]`, { timeout: 10000 });
      }
      assert.equal(dashboardConnections(), 1, 'the second tab opened a broker connection of its own');
    } finally {
      await tab.close();
    }
    // The first tab keeps the connection and its subscriptions.
    const start = await temperatures();
    await page.waitForFunction(({ rooms, start }) => rooms.some((r, i) =>
      document.querySelector(`[data-testid="temperature-${r}"]`)?.getAttribute('data-value') !== start[i]),
    { rooms: ROOMS, start }, { timeout: 30000 });
    assert.equal(await state('connection-state'), 'online');
  });

  it('logs the traffic, and stops adding rows while paused', async () => {
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="log-row"]').length > 10);
    await byId('log-pause').click();
    const rows = await page.locator('[data-testid="log-row"]').count();
    await new Promise((r) => setTimeout(r, 6000));  // the house reports every 2-5 s per room
    assert.equal(await page.locator('[data-testid="log-row"]').count(), rows);
    await byId('log-pause').click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="log-row"]').length > n,
                               rows, { timeout: 5000 });
  });

  it('saves a screenshot', async () => {
    const file = join(demo.dir, 'dashboard.png');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: file });
    if (process.env.MQTTWS_UPDATE_SCREENSHOT === '1') copyFileSync(file, join(ROOT, 'docs/dashboard.png'));
    assert.ok(readFileSync(file).length > 10000);
  });

  it('shows reconnecting while the broker restarts, then online, and values resume', async () => {
    await demo.broker.stop();
    await waitForState('connection-state', 'reconnecting');
    assert.match((await byId('connection-state').textContent()).trim(), /^reconnecting/);
    await demo.broker.start();
    await waitForState('connection-state', 'online', 20000);
    for (const room of ROOMS) await waitForState(`status-${room}`, 'online', 20000);
    const start = await temperatures();
    await page.waitForFunction(({ rooms, start }) => rooms.some((r, i) =>
      document.querySelector(`[data-testid="temperature-${r}"]`)?.getAttribute('data-value') !== start[i]),
    { rooms: ROOMS, start }, { timeout: 30000 });
  });

  it('turns every badge offline when the device process dies (MQTT 5 Will)', async () => {
    await demo.devices.stop('SIGKILL');  // no DISCONNECT: the broker publishes each Will
    for (const room of ROOMS) await waitForState(`status-${room}`, 'offline', 10000);
  });

  it('reverts a command nobody confirms, with a visible message', async () => {
    const sw = byId('light-kitchen');
    const was = await sw.getAttribute('aria-checked');
    await sw.click();
    assert.equal(await state('light-kitchen'), 'pending');
    await page.waitForSelector('[data-testid="light-kitchen"]:not([data-state="pending"])',
                               { timeout: COMMAND_TIMEOUT_MS + 5000 });
    assert.equal(await sw.getAttribute('aria-checked'), was);
    assert.match(await byId('toast').textContent(), /Kitchen light/);
  });

  it('runs under the strict Content-Security-Policy without a page error', () => {
    // A broker restart makes Chromium log failed WebSocket attempts: expected, not errors.
    const real = errors.filter((e) => !/WebSocket connection to .* failed/.test(e));
    assert.deepEqual(real, []);
  });
});

describe('the demo launcher (scripts/demo.sh runs it)', () => {
  const launcher = join(ROOT, 'demo-web/scripts/demo.mjs');
  let env;

  before(async () => {
    env = {
      ...process.env, MQTTWS_HOUSE_BINARY: HOUSE, MQTTWS_DEMO_DIR: join(ROOT, 'build/demo-cli'),
      MQTTWS_DEMO_PASSWORD: 'demo',
      MQTTWS_BROKER_PORT: String(await freePort()), MQTTWS_DEVICES_PORT: String(await freePort()),
      MQTTWS_DASHBOARD_PORT: String(await freePort()),
    };
  });

  /** Runs the launcher; resolves with its process and output once `until` is printed. */
  function launch(until) {
    const p = spawn(process.execPath, [launcher], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = { stdout: '', stderr: '' };
    p.stdout.on('data', (d) => { out.stdout += d; });
    p.stderr.on('data', (d) => { out.stderr += d; });
    const exited = new Promise((resolve) => p.once('exit', (code, signal) => resolve({ code, signal })));
    const ready = new Promise((resolve, reject) => {
      const check = () => { if (out.stdout.includes(until)) resolve(); };
      p.stdout.on('data', check);
      exited.then((e) => reject(new Error(`launcher exited (${e.code}): ${out.stderr}`)));
    });
    return { p, out, exited, ready };
  }

  it('prints the URL and credentials, refuses a second start, and stops everything on Ctrl-C', async () => {
    const first = launch('Press Ctrl-C');
    await first.ready;
    assert.match(first.out.stdout, new RegExp(`http://127\\.0\\.0\\.1:${env.MQTTWS_DASHBOARD_PORT}/`));
    assert.match(first.out.stdout, /"dashboard", password "demo"/);
    const pids = JSON.parse(readFileSync(join(env.MQTTWS_DEMO_DIR, 'pids.json'), 'utf8'));
    assert.ok(isAlive(pids.mosquitto) && isAlive(pids.devices));

    const second = launch('never');
    second.ready.catch(() => {});
    const r = await second.exited;
    assert.equal(r.code, 1);
    assert.match(second.out.stderr, new RegExp(`port ${env.MQTTWS_BROKER_PORT} .* is taken`));
    assert.ok(isAlive(pids.mosquitto) && isAlive(pids.devices), 'the second start touched the first');

    first.p.kill('SIGINT');
    const end = await first.exited;
    assert.equal(end.code, 0);
    assert.equal(isAlive(pids.mosquitto), false);
    assert.equal(isAlive(pids.devices), false);
  });

  it('says which variable is wrong instead of starting', async () => {
    const p = spawn(process.execPath, [launcher], { env: { ...env, MQTTWS_BROKER_PORT: 'x' } });
    let stderr = '';
    p.stderr.on('data', (d) => { stderr += d; });
    const code = await new Promise((resolve) => p.once('exit', resolve));
    assert.equal(code, 1);
    assert.match(stderr, /MQTTWS_BROKER_PORT=x is not a port number/);
  });
});
