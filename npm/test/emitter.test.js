'use strict';
// The event emitter semantics MQTT.js users rely on (Node EventEmitter's subset).
const { mqttws, WebSocket } = require('./helpers.js');

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
});
