// Credentials that change: beforeConnect (called before every connection attempt, may give a
// new user name, password or URL) and transformWsUrl (the URL each WebSocket opens).
'use strict';
const {
  mqttws, WebSocket, Broker, useBroker, brokerPerTest, next, within, until, text,
} = require('./helpers.js');
const { AuthBroker } = require('./auth_broker.js');

const CLOSED_PORT_URL = 'ws://127.0.0.1:9';
const fast = { reconnect: { initialDelay: 100, maxDelay: 100, jitter: 0 } };

/** The CONNECT packets the client sends, as they are sent. */
function connects(client) {
  const list = [];
  client.on('packetsend', (p) => {
    if (p.cmd === 'connect') list.push(p);
  });
  return list;
}

describe('a password that changes on the broker', () => {
  const ctx = brokerPerTest();
  const { clients } = ctx;
  const connect = (options) => {
    const c = mqttws.connect(ctx.broker.url, { WebSocket, ...fast, ...options });
    clients.push(c);
    return c;
  };

  test('the broker helper really changes it: the old password is refused, the new accepted', async () => {
    const old = ctx.broker.password;
    await ctx.broker.setPassword('token-B');
    expect(await ctx.broker.checkCredentials(ctx.broker.username, old)).toBe(5);
    expect(await ctx.broker.checkCredentials(ctx.broker.username, 'token-B')).toBe(0);
  });

  test('beforeConnect gives the reconnection the new password, and it is accepted', async () => {
    let token = ctx.broker.password;
    const calls = [];
    const client = connect({
      protocolVersion: 5, username: ctx.broker.username,
      beforeConnect: async (options) => {
        calls.push(options);
        return { password: token };
      },
    });
    const sent = connects(client);
    const errors = [];
    client.on('error', (e) => errors.push(e));
    await within(next(client, 'connect'), 5000, 'the first connection (password A)');
    token = 'token-B';
    await ctx.broker.setPassword('token-B');
    const reconnected = next(client, 'connect');
    client.reconnect();
    await within(reconnected, 5000, 'the reconnection with password B');
    expect(text(sent[0].password)).toBe('test-secret');
    expect(text(sent[sent.length - 1].password)).toBe('token-B');
    expect(errors.filter((e) => e.code === 'connection_refused')).toEqual([]);
    expect(calls.length).toBe(sent.length);
    for (const o of calls) expect(o).toBe(client.options);
  });

  test.each([5, 4])('without beforeConnect the reconnection with the old password is refused (MQTT v%i)',
                    async (protocolVersion) => {
    const client = connect({ ...ctx.broker.auth, protocolVersion });
    await within(next(client, 'connect'), 5000, 'the first connection');
    await ctx.broker.setPassword('token-B');
    const errors = [];
    client.on('error', (e) => errors.push(e));
    client.reconnect();
    // mosquitto may drop the connection itself on SIGHUP (ECONNRESET) before the refusal.
    await until(() => errors.some((e) => e.code === 'connection_refused'), 5000,
                () => `a connection_refused error (${errors.map((e) => e.code)})`);
    const e = errors.find((x) => x.code === 'connection_refused');
    expect(e).toBeInstanceOf(mqttws.MqttError);
    expect(e.reasonCode).toBe(0x87);  // on 3.1.1 too: return code 5 is reported as 0x87
    expect(client.connected).toBe(false);
  });

  test('reconnect() after a refused connection tries again (and beforeConnect has the new password)', async () => {
    let token = 'wrong';
    const client = connect({
      protocolVersion: 5, username: ctx.broker.username, beforeConnect: async () => ({ password: token }),
    });
    const [refused] = await within(next(client, 'error'), 5000, 'the refusal of the wrong password');
    expect(refused).toMatchObject({ code: 'connection_refused', reasonCode: 0x87 });
    token = ctx.broker.password;
    const connected = next(client, 'connect');
    client.reconnect();
    await within(connected, 3000, 'a connection after reconnect()');
    expect(client.connected).toBe(true);
  });
});

describe('beforeConnect', () => {
  const ctx = useBroker();
  const connect = (url, options) => {
    const c = mqttws.connect(url, { WebSocket, ...fast, ...options });
    ctx.clients.push(c);
    return c;
  };

  test('is called before the first connection and before each reconnection', async () => {
    let calls = 0;
    const client = connect(ctx.broker.url, {
      ...ctx.broker.auth, beforeConnect: async () => {
        calls++;
      },
    });
    await within(next(client, 'connect'), 5000, 'the connection');
    expect(calls).toBe(1);
    client.reconnect();
    await within(next(client, 'connect'), 5000, 'the reconnection');
    expect(calls).toBe(2);
  });

  /** A client whose beforeConnect rejects twice, then gives the password; its events. */
  const twoRejections = async () => {
    const expired = new mqttws.MqttError('token expired', 'token_expired');
    const answers = [
      () => Promise.reject(new Error('token service down')),
      () => Promise.reject(expired),
      () => Promise.resolve({ password: ctx.broker.password }),
    ];
    let calls = 0;
    const client = connect(ctx.broker.url, {
      username: ctx.broker.username, beforeConnect: () => answers[calls++](),
    });
    const events = [];
    for (const e of ['error', 'reconnect', 'connect']) client.on(e, (arg) => events.push([e, arg]));
    await within(next(client, 'connect'), 5000, 'the connection after two rejections');
    expect(calls).toBe(3);
    return { events, expired };
  };

  test('a rejection is an error event (before_connect_failed, or its MqttError) and the backoff retries', async () => {
    const { events, expired } = await twoRejections();
    const errors = events.filter(([e]) => e === 'error').map(([, arg]) => arg);
    const hooks = errors.filter((e) => e.code !== 'ECONNREFUSED');  // see the next test
    expect(hooks).toHaveLength(2);
    expect(hooks[0]).toBeInstanceOf(mqttws.MqttError);
    expect(hooks[0].code).toBe('before_connect_failed');
    expect(hooks[0].message).toContain('token service down');
    expect(hooks[1]).toBe(expired);
    const reconnects = events.filter(([e]) => e === 'reconnect').map(([, info]) => info);
    expect(reconnects.map((i) => i.attempt)).toEqual([1, 2]);
    expect(events[events.length - 1][0]).toBe('connect');
  });

  test('a rejection reports no connection error besides its own (no socket was opened)', async () => {
    const { events } = await twoRejections();
    expect(events.map(([e, arg]) => (e === 'error' ? `error:${arg.code}` : e))).toEqual([
      'error:before_connect_failed', 'reconnect', 'error:token_expired', 'reconnect', 'connect',
    ]);
  });

  test('may name another broker URL for the attempt', async () => {
    const client = connect(CLOSED_PORT_URL, {
      ...ctx.broker.auth, beforeConnect: async () => ({ url: ctx.broker.url }),
    });
    const errors = [];
    client.on('error', (e) => errors.push(e));
    await within(next(client, 'connect'), 5000, 'a connection to the URL from beforeConnect');
    expect(errors).toEqual([]);
  });

  test('a new user name and password from beforeConnect go into the CONNECT', async () => {
    const client = connect(ctx.broker.url, {
      username: 'someone-else', password: 'stale',
      beforeConnect: async () => ({ username: ctx.broker.username, password: ctx.broker.password }),
    });
    const sent = connects(client);
    await within(next(client, 'connect'), 5000, 'the connection');
    expect(sent).toHaveLength(1);
    expect(sent[0].username).toBe(ctx.broker.username);
    expect(sent[0].password).toEqual(new TextEncoder().encode(ctx.broker.password));
  });
});

describe('transformWsUrl', () => {
  const ctx = brokerPerTest(() => AuthBroker.start());
  const { clients } = ctx;
  const connect = (url, options) => {
    const c = mqttws.connect(url, { WebSocket, ...fast, ...options });
    clients.push(c);
    return c;
  };

  test('the URL it returns is the one the WebSocket opens, on every connection', async () => {
    const seen = [];
    let n = 0;
    const client = connect(ctx.broker.url, {
      transformWsUrl: (url, options, c) => {
        seen.push([url, options, c]);
        n++;
        return `${url}mqtt/v1?token=t${n}`;
      },
    });
    await within(next(client, 'connect'), 5000, 'the connection');
    client.reconnect();
    await within(next(client, 'connect'), 5000, 'the reconnection');
    expect(ctx.broker.requests).toEqual(['/mqtt/v1?token=t1', '/mqtt/v1?token=t2']);
    expect(seen).toHaveLength(2);
    for (const [url, options, c] of seen) {
      expect(url).toBe(`${ctx.broker.url}/`);
      expect(options).toBe(client.options);
      expect(c).toBe(client);
    }
  });

  test('it gets the URL beforeConnect returned', async () => {
    const urls = [];
    const client = connect(CLOSED_PORT_URL, {
      beforeConnect: async () => ({ url: `${ctx.broker.url}/from-before-connect` }),
      transformWsUrl: (url) => {
        urls.push(url);
        return `${url}?transformed=1`;
      },
    });
    await within(next(client, 'connect'), 5000, 'the connection');
    expect(urls).toEqual([`${ctx.broker.url}/from-before-connect`]);
    expect(ctx.broker.requests).toEqual(['/from-before-connect?transformed=1']);
  });

  test('it can point a client given a wrong port to the broker', async () => {
    const broker = await Broker.start();
    try {
      const client = await mqttws.connectAsync(CLOSED_PORT_URL, {
        ...broker.auth, WebSocket, transformWsUrl: () => broker.url,
      });
      clients.push(client);
      expect(client.connected).toBe(true);
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
      await broker.close();
    }
  });
});
