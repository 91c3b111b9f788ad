'use strict';
// connect(options) and connect(url, options) with MQTT.js's broker fields: protocol, host,
// hostname, port, path. Where the broker URL is not observable by connecting, a WebSocket
// server on loopback records what the client asked for, or the reconnect event names it.
const { mqttws, WebSocket, useBroker, next } = require('./helpers.js');

/** A WebSocket server on 127.0.0.1 recording each upgrade request's path and Host header. */
async function recordingServer() {
  const server = new WebSocket.Server({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  const requests = [];
  server.on('connection', (socket, req) => {
    requests.push({ path: req.url, host: req.headers.host });
    server.emit('recorded');
    socket.close();
  });
  return {
    port: server.address().port,
    requests,
    /** Resolves once `count` requests have arrived. */
    requested: (count) => new Promise((resolve) => {
      const check = () => {
        if (requests.length < count) return;
        server.off('recorded', check);
        resolve();
      };
      server.on('recorded', check);
      check();
    }),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** The endpoint of the first reconnect of a client that cannot connect to what `args` name. */
async function endpointOf(ctx, ...args) {
  const client = mqttws.connect(...args);
  ctx.clients.push(client);
  const [info] = await next(client, 'reconnect');
  return info.endpoint;
}

describe('connect with MQTT.js broker options', () => {
  const ctx = useBroker();
  const broker = () => ({ ...ctx.broker.auth, WebSocket });

  test('connect({ protocol, host, port }) connects to that broker', async () => {
    const client = mqttws.connect({ protocol: 'ws', host: '127.0.0.1', port: ctx.broker.port,
                                   ...broker() });
    ctx.clients.push(client);
    const [connack] = await next(client, 'connect');
    expect(connack).toMatchObject({ cmd: 'connack', reasonCode: 0 });
  });

  test('connectAsync({ hostname, port }) connects, over ws by default', async () => {
    const client = await mqttws.connectAsync({ hostname: '127.0.0.1', port: ctx.broker.port,
                                               ...broker() });
    ctx.clients.push(client);
    expect(client.connected).toBe(true);
  });

  test("protocol 'ws:' with MQTT.js's trailing colon is accepted", async () => {
    const client = await mqttws.connectAsync({ protocol: 'ws:', host: '127.0.0.1',
                                               port: ctx.broker.port, ...broker() });
    ctx.clients.push(client);
    expect(client.connected).toBe(true);
  });

  test("options override the URL's parts: connect(url, { port }) uses the option's port", async () => {
    const client = await mqttws.connectAsync('ws://127.0.0.1:9/', { port: ctx.broker.port,
                                                                    ...broker() });
    ctx.clients.push(client);
    expect(client.connected).toBe(true);
  });

  test("options override the URL's scheme: connect('wss://...', { protocol: 'ws' }) uses ws", async () => {
    const client = await mqttws.connectAsync(`wss://127.0.0.1:${ctx.broker.port}`,
                                             { protocol: 'ws', ...broker() });
    ctx.clients.push(client);
    expect(client.connected).toBe(true);
  });

  test("the URL's credentials are kept when options override its port", async () => {
    const { username, password } = ctx.broker.auth;
    const client = await mqttws.connectAsync(`ws://${username}:${password}@127.0.0.1:9`,
                                             { port: ctx.broker.port, WebSocket });
    ctx.clients.push(client);
    expect(client.connected).toBe(true);
  });

  test("the path defaults to '/'; a path and its query are sent as given", async () => {
    const server = await recordingServer();
    try {
      const paths = [undefined, '/mqtt', '/mqtt?token=a%20b'];
      for (const [i, path] of paths.entries()) {
        const client = mqttws.connect({ host: '127.0.0.1', port: server.port, path, WebSocket,
                                       reconnectPeriod: 0 });
        await server.requested(i + 1);
        await client.endAsync(true);
      }
      expect(server.requests.map((r) => r.path)).toEqual(['/', '/mqtt', '/mqtt?token=a%20b']);
    } finally {
      await server.close();
    }
  });

  test("the URL's path and query stay when options override its host", async () => {
    const server = await recordingServer();
    try {
      const client = mqttws.connect('ws://elsewhere.invalid:1/mqtt?x=1',
                                    { host: '127.0.0.1', port: server.port, WebSocket,
                                      reconnectPeriod: 0 });
      await server.requested(1);
      await client.endAsync(true);
      expect(server.requests).toEqual([{ path: '/mqtt?x=1', host: `127.0.0.1:${server.port}` }]);
    } finally {
      await server.close();
    }
  });

  test('hostname wins over host, as in MQTT.js', async () => {
    const server = await recordingServer();
    try {
      const client = mqttws.connect({ hostname: '127.0.0.1', host: 'elsewhere.invalid',
                                     port: server.port, WebSocket, reconnectPeriod: 0 });
      await server.requested(1);
      await client.endAsync(true);
      expect(server.requests).toEqual([{ path: '/', host: `127.0.0.1:${server.port}` }]);
    } finally {
      await server.close();
    }
  });

  test("without a port the URL names none, so the protocol's default is used (ws 80, wss 443)", async () => {
    expect(await endpointOf(ctx, { host: '127.0.0.1', WebSocket })).toBe('ws://127.0.0.1/');
    expect(await endpointOf(ctx, { protocol: 'wss', host: '127.0.0.1', WebSocket }))
      .toBe('wss://127.0.0.1/');
  });

  test('without a URL or host, in Node, the broker is on localhost', async () => {
    expect(await endpointOf(ctx, { port: 9, WebSocket })).toBe('ws://localhost:9/');
  });

  test('an IPv6 address is given in brackets, as in a URL', async () => {
    expect(await endpointOf(ctx, { host: '[::1]', port: 9, WebSocket })).toBe('ws://[::1]:9/');
  });

  test("a path without its leading '/' makes no URL: invalid_url names what was built", () => {
    expect(() => mqttws.connect({ host: '127.0.0.1', port: 8080, path: 'mqtt', WebSocket }))
      .toThrow(expect.objectContaining({
        code: 'invalid_url', message: 'invalid broker URL "ws://127.0.0.1:8080mqtt": not a URL',
      }));
  });

  test('a protocol other than ws, wss, mqtt or mqtts (or their MQTT.js aliases) throws ' +
       'invalid_url', () => {
    expect(() => mqttws.connect({ protocol: 'ftp', host: '127.0.0.1', WebSocket }))
      .toThrow(expect.objectContaining({
        name: 'MqttError', code: 'invalid_url',
        message: 'invalid broker URL "ftp://127.0.0.1/": use mqtt://, mqtts://, ws:// or wss://',
      }));
  });

  test('an invalid URL is reported as itself even when options would override its parts', () => {
    expect(() => mqttws.connect('not a url', { port: 1883, WebSocket }))
      .toThrow(expect.objectContaining({
        code: 'invalid_url', message: 'invalid broker URL "not a url": not a URL',
      }));
  });
});
