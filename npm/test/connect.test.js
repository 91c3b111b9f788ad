'use strict';
const { mqttws, WebSocket, useBroker, next } = require('./helpers.js');

describe('connect', () => {
  const ctx = useBroker();

  test('connects with MQTT 3.1.1 by default and reports a CONNACK', async () => {
    const client = mqttws.connect(ctx.broker.url, { ...ctx.broker.auth, WebSocket });
    ctx.clients.push(client);
    const [connack] = await next(client, 'connect');
    expect(connack).toMatchObject({ cmd: 'connack', sessionPresent: false, reasonCode: 0 });
    expect(client.connected).toBe(true);
    expect(client.reconnecting).toBe(false);
  });

  test('connectAsync resolves with a connected MQTT 5 client using the given client id', async () => {
    const client = await ctx.connect({ protocolVersion: 5, clientId: 'mqttws-connect-v5' });
    expect(client.connected).toBe(true);
    expect(client.clientId).toBe('mqttws-connect-v5');
  });

  test('connectAsync rejects when the broker closes before CONNACK and reconnecting is off', async () => {
    // A WebSocket server that accepts the upgrade and closes at once, normally.
    const server = new WebSocket.Server({ host: '127.0.0.1', port: 0 });
    server.on('connection', (ws) => ws.close(1000));
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const error = await mqttws
        .connectAsync(`ws://127.0.0.1:${server.address().port}/`, { WebSocket, reconnectPeriod: 0 })
        .catch((e) => e);
      expect(error).toBeInstanceOf(mqttws.MqttError);
      expect(error.code).toBe('transport_closed');
    } finally {
      server.close();
    }
  });

  test('a client that gave up says so by its close event', async () => {
    const client = mqttws.connect('ws://127.0.0.1:1/', { WebSocket, reconnectPeriod: 0 });
    ctx.clients.push(client);
    client.on('error', () => {});
    await next(client, 'close');
    expect(client.disconnected).toBe(true);
    expect(client.reconnecting).toBe(false);
  });

  test('a wrong password is refused with reason code 0x87 on MQTT 5', async () => {
    const error = await mqttws
      .connectAsync(ctx.broker.url, { username: ctx.broker.username, password: 'wrong',
                                      protocolVersion: 5, WebSocket })
      .catch((e) => e);
    expect(error).toBeInstanceOf(mqttws.MqttError);
    expect(error.code).toBe('connection_refused');
    expect(error.reasonCode).toBe(0x87);
  });

  test('a wrong password is refused with return code 5 (reason 0x87) on MQTT 3.1.1', async () => {
    const error = await mqttws
      .connectAsync(ctx.broker.url, { username: ctx.broker.username, password: 'wrong', WebSocket })
      .catch((e) => e);
    expect(error.code).toBe('connection_refused');
    expect(error.reasonCode).toBe(0x87);
  });

  test('credentials in the URL are used for CONNECT', async () => {
    const { username, password, port } = ctx.broker;
    const client = await mqttws.connectAsync(`ws://${username}:${password}@127.0.0.1:${port}`,
                                             { WebSocket });
    ctx.clients.push(client);
    expect(client.connected).toBe(true);
  });

  test('a closed port fails with ECONNREFUSED and, without reconnect, ends the session', async () => {
    const client = mqttws.connect('ws://127.0.0.1:9', { ...ctx.broker.auth, WebSocket,
                                                        reconnectPeriod: 0 });
    ctx.clients.push(client);
    const closed = next(client, 'close');
    const [error] = await next(client, 'error');
    expect(error.code).toBe('ECONNREFUSED');
    await closed;
    expect(client.connected).toBe(false);
    expect(client.disconnected).toBe(true);
  });

  test('end() emits end, calls back and leaves the client disconnected', async () => {
    const client = await mqttws.connectAsync(ctx.broker.url, { ...ctx.broker.auth, WebSocket });
    const ended = next(client, 'end');
    await new Promise((resolve) => client.end(resolve));
    await ended;
    expect(client.connected).toBe(false);
    expect(client.disconnected).toBe(true);
  });

  test('commands after end() fail with invalid_state', async () => {
    const client = await mqttws.connectAsync(ctx.broker.url, { ...ctx.broker.auth, WebSocket });
    await client.endAsync();
    await expect(client.publishAsync('a', 'b')).rejects.toMatchObject({ code: 'invalid_state' });
  });
});

describe('connect argument errors', () => {
  test('a URL that is not mqtt(s):// or ws(s):// throws invalid_url', () => {
    expect(() => mqttws.connect('http://127.0.0.1:1883', { WebSocket }))
      .toThrow(expect.objectContaining({ name: 'MqttError', code: 'invalid_url' }));
  });

  test('a string that is not a URL makes connectAsync reject with invalid_url', async () => {
    await expect(mqttws.connectAsync('not a url', { WebSocket }))
      .rejects.toMatchObject({ code: 'invalid_url' });
  });

  test('without a WebSocket implementation connect throws no_websocket', () => {
    const saved = globalThis.WebSocket;
    delete globalThis.WebSocket;
    try {
      expect(() => mqttws.connect('ws://127.0.0.1:9')).toThrow(
        expect.objectContaining({ code: 'no_websocket' }));
    } finally {
      if (saved) globalThis.WebSocket = saved;
    }
  });

  test('invalid options are reported as an error event (MQTT 5 properties on 3.1.1)', async () => {
    const client = mqttws.connect('ws://127.0.0.1:9', {
      WebSocket, protocolVersion: 4, properties: { sessionExpiryInterval: 10 },
    });
    const [error] = await next(client, 'error');
    expect(error.code).toBe('properties_require_v5');
    await client.endAsync();
  });
});
