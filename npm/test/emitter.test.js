'use strict';
// The event emitter semantics MQTT.js users rely on (Node EventEmitter's subset).
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { mqttws, WebSocket, next } = require('./helpers.js');

/** Runs `body` in a fresh Node with `mqttws` and `WebSocket` in scope: its exit and output. */
function runNode(body) {
  const code = `const mqttws = require(${JSON.stringify(path.join(__dirname, '../dist/index.cjs'))});
                const WebSocket = require(${JSON.stringify(require.resolve('ws'))});
                ${body}`;
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function idleClient() {
  // Never connects (nothing listens on port 9, no reconnect); ended by each test.
  return mqttws.connect('ws://127.0.0.1:9', { WebSocket, reconnectPeriod: 0 });
}

describe('event emitter', () => {
  test('off() removes a listener registered with once()', async () => {
    const client = idleClient();
    const calls = [];
    const listener = () => calls.push('close');
    client.once('close', listener);
    client.off('close', listener);
    expect(client.listenerCount('close')).toBe(0);
    await client.endAsync();
    expect(calls).toEqual([]);
  });

  test("emit('error') without a listener returns false and throws nothing, as in MQTT.js", async () => {
    const client = idleClient();
    client.on('close', () => {});  // a listener of another event changes nothing
    const error = new mqttws.MqttError('nobody listens', 'test');
    expect(() => client.emit('error', error)).not.toThrow();
    expect(client.emit('error', error)).toBe(false);
    await client.endAsync();
  });

  test('a connection error nobody listens to neither crashes the process nor is logged', () => {
    const r = runNode(`
      const client = mqttws.connect('ws://127.0.0.1:9', { WebSocket, reconnectPeriod: 0 });
      client.on('close', () => setTimeout(() => client.end(() => console.log('closed, still running')), 50));`);
    expect(r).toEqual({ status: 0, stdout: 'closed, still running\n', stderr: '' });
  });

  test('a start failure nobody listens to (options the core refuses) is written to console.error', () => {
    const r = runNode(`
      const client = mqttws.connect('ws://127.0.0.1:9', {
        WebSocket, protocolVersion: 4, properties: { sessionExpiryInterval: 10 },
      });
      setTimeout(() => client.end(() => console.log('ended')), 100);`);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('ended\n');
    expect(r.stderr.split('\n')[0]).toBe('MqttError: properties and reason codes require MQTT 5');
    expect(r.stderr).toContain("code: 'properties_require_v5'");
  });
});
