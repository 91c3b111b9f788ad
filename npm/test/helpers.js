// Shared by the Jest tests: the package under test, a WebSocket for Node, and small waits.
'use strict';
const WebSocket = require('ws');
const mqttws = require('../dist/index.cjs');
const { Broker } = require('./broker.js');

let topicCounter = 0;
/** A topic prefix no other test uses. */
function uniqueTopic(name) {
  topicCounter += 1;
  return `t${process.pid}/${topicCounter}/${name}`;
}

/** connectAsync to `broker` with its credentials and the `ws` WebSocket. */
function connectTo(broker, options = {}) {
  return mqttws.connectAsync(broker.url, { ...broker.auth, WebSocket, ...options });
}

/**
 * How to reach `broker` over `transport` ('mqtt', 'mqtts', 'ws' or 'wss'; the TLS ones need
 * a broker started with { tls: true }): its URL and the options that trust its CA.
 */
function over(broker, transport) {
  const ca = broker.certs?.ca;
  const options = {
    mqtt: {},
    mqtts: { ca },
    ws: { WebSocket },
    wss: { WebSocket, wsOptions: { ca } },
  }[transport];
  return { url: broker.urls[transport], options };
}

/** Resolves with the arguments of the next `event` of `emitter`. */
function next(emitter, event) {
  return new Promise((resolve) => emitter.once(event, (...args) => resolve(args)));
}

/** Resolves with the first `count` messages the client receives: [{topic, payload, packet}]. */
function messages(client, count) {
  return new Promise((resolve) => {
    const got = [];
    const on = (topic, payload, packet) => {
      got.push({ topic, payload, packet });
      if (got.length === count) {
        client.off('message', on);
        resolve(got);
      }
    };
    client.on('message', on);
  });
}

/** `promise`, or a rejection naming `what` after `ms`. */
function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves when `done()` is true (checked every 20 ms); rejects naming `what()` after `ms`. */
function until(done, ms, what) {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const check = () => {
      if (done()) resolve(Date.now() - start);
      else if (Date.now() - start > ms) reject(new Error(`timed out after ${ms} ms waiting for ${what()}`));
      else setTimeout(check, 20);
    };
    check();
  });
}

/**
 * A `ws` WebSocket class whose connections the test controls: block() makes new ones go to a
 * closed port (the broker looks down), drop() terminates the open ones (no close handshake),
 * unblock() lets new ones through again. `opened` records each construction: {url, at}.
 */
function gatedWebSocket() {
  const gate = { blocked: false, sockets: new Set(), opened: [] };
  gate.WebSocket = class GatedWebSocket extends WebSocket {
    constructor(url, protocols) {
      super(gate.blocked ? 'ws://127.0.0.1:9' : url, protocols);
      gate.opened.push({ url, at: Date.now() });
      gate.sockets.add(this);
      this.once('close', () => gate.sockets.delete(this));
    }
  };
  gate.block = () => {
    gate.blocked = true;
  };
  gate.unblock = () => {
    gate.blocked = false;
  };
  gate.drop = () => {
    for (const ws of gate.sockets) ws.terminate();
  };
  return gate;
}

const text = (bytes) => new TextDecoder().decode(bytes);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A broker started anew for each test (by `start`, Broker.start() by default) and closed
 * after it, with the clients the test put in `clients` ended first: { broker, clients }.
 */
function brokerPerTest(start = () => Broker.start()) {
  const ctx = { broker: null, clients: [] };
  beforeEach(async () => {
    ctx.broker = await start();
  });
  afterEach(async () => {
    await Promise.all(ctx.clients.splice(0).map((c) => c.endAsync(true)));
    await ctx.broker.close();
  });
  return ctx;
}

/** Starts a broker for the file's tests and ends every client the tests register. */
function useBroker(options) {
  const ctx = { broker: null, clients: [] };
  beforeAll(async () => {
    ctx.broker = await Broker.start(options);
  });
  afterEach(async () => {
    await Promise.all(ctx.clients.splice(0).map((c) => c.endAsync(true)));
  });
  afterAll(async () => {
    await ctx.broker.close();
  });
  /** Connects and registers the client for ending after the test. */
  ctx.connect = async (options = {}) => {
    const c = await connectTo(ctx.broker, options);
    ctx.clients.push(c);
    return c;
  };
  /** Like connect, over `transport` (see over()). */
  ctx.connectOver = async (transport, options = {}) => {
    const { url, options: reach } = over(ctx.broker, transport);
    const c = await mqttws.connectAsync(url, { ...ctx.broker.auth, ...reach, ...options });
    ctx.clients.push(c);
    return c;
  };
  return ctx;
}

module.exports = {
  mqttws, WebSocket, Broker, uniqueTopic, connectTo, over, next, messages, within, until, text,
  sleep, useBroker, brokerPerTest, gatedWebSocket,
};
