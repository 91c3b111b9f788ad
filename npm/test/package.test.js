'use strict';
// The built package as code meets it: MQTT.js-style imports (a default export beside the named
// ones, in both module formats).
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { WebSocket, useBroker, uniqueTopic, next } = require('./helpers.js');

const cjs = require('../dist/index.cjs');
const esmUrl = `file://${path.join(__dirname, '../dist/index.mjs')}`;
const api = ['MqttClient', 'MqttError', 'MqttPayload', 'connect', 'connectAsync', 'wasmMemoryInUse'];

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
      }));`);
    expect(r).toEqual({ keys: api, same: api });
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
});
