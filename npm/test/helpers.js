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

const text = (bytes) => new TextDecoder().decode(bytes);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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
  mqttws, WebSocket, Broker, uniqueTopic, connectTo, over, next, messages, text, sleep, useBroker,
};
