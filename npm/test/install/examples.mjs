// The npm examples (examples/node, examples/browser), run from a folder where the packed
// package was npm-installed, against a real mosquitto: the Node example's output line by
// line; the browser example served as it is (import map, no bundler) in headless Chromium,
// its list following retained messages set, changed and cleared.
// Usage: node examples.mjs <folder holding node_modules/mqttws, sensor.mjs, index.html, main.mjs>
import { execFile, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { launchChromium } from '../browser/chromium.mjs';
import { serveFolder } from '../browser/page_server.mjs';

const require = createRequire(import.meta.url);
const { Broker } = require('../broker.js');
const dir = process.argv[2];

function check(what, actual, expected) {
  if (actual !== expected) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

const broker = await Broker.start();
const env = { ...process.env, MQTTWS_URL: broker.urls.mqtt,
              MQTTWS_USERNAME: broker.username, MQTTWS_PASSWORD: broker.password };
let server;
let browser;
try {
  const { stdout } = await promisify(execFile)(process.execPath, ['sensor.mjs'],
                                               { cwd: dir, env, timeout: 20000 });
  check('examples/node/sensor.mjs', stdout,
        'examples/kitchen/temperature 21.5 (retained: true)\nfresh reading 21.7\ndone\n');
  console.log('examples/node: ok');

  server = await serveFolder(dir);
  const pub = (topic, ...args) => execFileSync('mosquitto_pub', [
    '-h', '127.0.0.1', '-p', new URL(broker.urls.mqtt).port, '-u', broker.username,
    '-P', broker.password, '-q', '1', '-r', '-t', topic, ...args]);
  pub('examples/hall/temperature', '-m', '19');
  browser = await launchChromium();
  const page = await browser.context.newPage();
  const q = new URLSearchParams({ url: broker.url, username: broker.username,
                                  password: broker.password });
  await page.goto(`${server.origin}/index.html?${q}`);
  const rooms = () => page.$$eval('#rooms li', (items) => items.map((li) => li.textContent));
  const until = async (what, expected) => {
    const deadline = Date.now() + 10000;
    let got;
    while (Date.now() < deadline) {
      got = JSON.stringify(await rooms());
      if (got === JSON.stringify(expected)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, the page shows ${got}`);
  };
  await until('the retained reading', ['hall: 19 °C']);
  check('status', await page.textContent('#status'), 'connected');
  pub('examples/attic/temperature', '-m', '12.5');
  await until('a second room, live', ['hall: 19 °C', 'attic: 12.5 °C']);
  pub('examples/hall/temperature', '-m', '20');
  await until('a changed reading', ['hall: 20 °C', 'attic: 12.5 °C']);
  pub('examples/hall/temperature', '-n');
  await until('a cleared retained reading', ['attic: 12.5 °C']);
  pub('examples/attic/temperature', '-n');
  console.log('examples/browser: ok');
} finally {
  await browser?.close();
  server?.close();
  await broker.close();
}
