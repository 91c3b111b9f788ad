'use strict';
// Runs first thing in its own module registry, so the wasm core is still loading when end()
// is called.
const { mqttws, WebSocket, sleep } = require('./helpers.js');

test('end() before the wasm core has loaded never opens a WebSocket', async () => {
  let opened = 0;
  class CountingWebSocket extends WebSocket {
    constructor(...args) {
      super(...args);
      opened += 1;
    }
  }
  const client = mqttws.connect('ws://127.0.0.1:9', { WebSocket: CountingWebSocket });
  await client.endAsync();
  await sleep(100);
  expect(opened).toBe(0);
  expect(client.disconnected).toBe(true);
});
