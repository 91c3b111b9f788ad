'use strict';
// The built package as code meets it: MQTT.js-style imports (a default export beside the named
// ones, in both module formats), readable names, source maps to the TypeScript.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { WebSocket, useBroker, uniqueTopic, next } = require('./helpers.js');

const cjs = require('../dist/index.cjs');
const esmUrl = `file://${path.join(__dirname, '../dist/index.mjs')}`;
const api = ['MqttClient', 'MqttError', 'MqttPayload', 'connect', 'connectAsync', 'connectShared',
  'indexedDbStore', 'wasmMemoryInUse'];

/** Runs `code` as an ES module in a fresh Node; what it prints, parsed as JSON. */
function esm(code) {
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', code],
                                 { encoding: 'utf8' }));
}

describe('the package', () => {
  const ctx = useBroker();

  test("require('mqttws').default is the API object, beside the named exports", () => {
    expect(Object.keys(cjs.default).sort()).toEqual(api);
    for (const name of api) expect(cjs.default[name]).toBe(cjs[name]);
  });

  test("import mqtt from 'mqttws' (dist/index.mjs) is the API object, beside the named exports", () => {
    const r = esm(`
      import mqtt, * as named from ${JSON.stringify(esmUrl)};
      console.log(JSON.stringify({
        keys: Object.keys(mqtt).sort(),
        same: Object.keys(mqtt).filter((k) => mqtt[k] === named[k]).sort(),
        names: [mqtt.MqttClient.name, mqtt.MqttError.name, mqtt.MqttPayload.name, mqtt.connect.name],
      }));`);
    expect(r).toEqual({
      keys: api, same: api, names: ['MqttClient', 'MqttError', 'MqttPayload', 'connect'],
    });
  });

  test('classes and functions keep their names in the bundle (console.log, stack traces)', () => {
    expect([cjs.MqttClient.name, cjs.MqttError.name, cjs.MqttPayload.name, cjs.connect.name,
            cjs.connectAsync.name]).toEqual(['MqttClient', 'MqttError', 'MqttPayload', 'connect',
                                             'connectAsync']);
    const client = cjs.connect('ws://127.0.0.1:9', { WebSocket, reconnectPeriod: 0 });
    ctx.clients.push(client);
    expect(require('node:util').inspect(client, { depth: 0 })).toMatch(/^MqttClient \{/);
    const error = (() => {
      try {
        cjs.connect('ws://127.0.0.1:9', { WebSocket, will: { topic: 't', payload: 5 } });
      } catch (e) {
        return e;
      }
    })();
    expect(error.stack.split('\n')[1]).toMatch(/^ {4}at toBytes \(/);
  });

  test('the default export connects and round-trips a message, as mqtt.connect() in MQTT.js', async () => {
    const mqtt = cjs.default;
    const client = mqtt.connect(ctx.broker.url, { ...ctx.broker.auth, WebSocket });
    ctx.clients.push(client);
    await next(client, 'connect');
    const topic = uniqueTopic('default-export');
    await client.subscribeAsync(topic);
    const got = next(client, 'message');
    client.publish(topic, 'hello');
    const [t, message] = await got;
    expect([t, message.toString()]).toEqual([topic, 'hello']);
  });

  test.each(['index.mjs', 'index.cjs', 'browser.mjs', 'worker.mjs'])('dist/%s ends by naming its source map, which leads to src/*.ts', (file) => {
    const bundle = fs.readFileSync(path.join(__dirname, '../dist', file), 'utf8');
    expect(bundle.endsWith(`\n//# sourceMappingURL=${file}.map\n`)).toBe(true);
    const map = JSON.parse(fs.readFileSync(path.join(__dirname, '../dist', `${file}.map`), 'utf8'));
    expect(map.sources).toEqual(expect.arrayContaining(
      ['../src/client.ts', '../src/payload.ts', '../gen/mqttws_core.js']));
    const i = map.sources.indexOf('../src/payload.ts');
    expect(map.sourcesContent[i]).toBe(fs.readFileSync(path.join(__dirname, '../src/payload.ts'), 'utf8'));
    // The wasm bytes are not repeated in the map; every source has content (none to fetch).
    expect(map.sourcesContent[map.sources.indexOf('../gen/wasm_binary.js')])
      .toMatch(/^\/\/ The WebAssembly module .* left out of this map\.\n$/);
    expect(map.sourcesContent.length).toBe(map.sources.length);
    expect(map.sourcesContent.filter((c) => typeof c !== 'string')).toEqual([]);
  });

  test('with node --enable-source-maps a stack trace names the TypeScript source lines', () => {
    const code = `
      const { connect } = require(${JSON.stringify(path.join(__dirname, '../dist/index.cjs'))});
      try { connect('ws://127.0.0.1:9', { WebSocket: class {}, will: { topic: 't', payload: 5 } }); }
      catch (e) { console.log(e.stack.split('\\n')[1]); }`;
    const line = execFileSync(process.execPath, ['--enable-source-maps', '-e', code],
                              { encoding: 'utf8' }).trim();
    const src = fs.readFileSync(path.join(__dirname, '../src/payload.ts'), 'utf8').split('\n');
    const throwLine = src.findIndex((l) => l.includes("throw new TypeError('payload must be")) + 1;
    expect(line).toBe(`at toBytes (${path.join(__dirname, '../src/payload.ts')}:${throwLine}:9)`);
  });
});
