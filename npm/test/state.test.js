// client.state(filter): live retained state against mosquitto, over MQTT 3.1.1 (the core
// routes messages to subscriptions by topic matching) and MQTT 5 (by Subscription Identifier).
'use strict';
const {
  mqttws, WebSocket, Broker, useBroker, brokerPerTest, connectTo, uniqueTopic, next, within, until,
  text, gatedWebSocket,
} = require('./helpers.js');
const { AuthBroker } = require('./auth_broker.js');

/** Lets the pending microtasks and I/O callbacks run (listener calls come from microtasks). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** The view's entries as [topic, text] pairs, in the view's order. */
const texts = (view) => [...view].map(([topic, payload]) => [topic, text(payload)]);

/** Resolves when `client` has dispatched a message on `topic` (the view updated with it). */
function arrived(client, topic) {
  return new Promise((resolve) => {
    const on = (t) => {
      if (t !== topic) return;
      client.off('message', on);
      resolve();
    };
    client.on('message', on);
  });
}

/** The snapshots a listener of `view` got, the call at subscribe time first. */
function listen(view) {
  const calls = [];
  const unsubscribe = view.subscribe((snapshot) => calls.push(snapshot));
  return { calls, unsubscribe };
}

/** The SUBSCRIBE and UNSUBSCRIBE filters `client` sends from now on, in order. */
function filtersSent(client) {
  const sent = [];
  client.on('packetsend', (p) => {
    if (p.cmd === 'subscribe') sent.push(['subscribe', ...p.subscriptions.map((s) => s.topic)]);
    if (p.cmd === 'unsubscribe') sent.push(['unsubscribe', ...p.unsubscriptions]);
  });
  return sent;
}

/**
 * A `ws` WebSocket class whose incoming messages the test can hold back and then hand to the
 * client all at once, in one task: hold(), then release() (how many are held: held()).
 */
function heldWebSocket() {
  const gate = { holding: false, queue: [] };
  gate.WebSocket = class HeldWebSocket extends WebSocket {
    set onmessage(handler) {
      super.onmessage = handler && ((event) => {
        if (gate.holding) gate.queue.push(() => handler(event));
        else handler(event);
      });
    }

    get onmessage() {
      return super.onmessage;
    }
  };
  gate.hold = () => {
    gate.holding = true;
  };
  gate.held = () => gate.queue.length;
  gate.release = () => {
    gate.holding = false;
    for (const deliver of gate.queue.splice(0)) deliver();
  };
  return gate;
}

describe.each([
  { protocolVersion: 4, name: 'MQTT 3.1.1' },
  { protocolVersion: 5, name: 'MQTT 5' },
])('client.state() over $name', ({ protocolVersion }) => {
  const ctx = useBroker();
  const connect = (options = {}) => ctx.connect({ protocolVersion, ...options });
  const retain = { qos: 1, retain: true };

  /** A view registered for closing after the test (closing twice does nothing). */
  const views = [];
  afterEach(() => views.splice(0).forEach((v) => v.close()));
  const open = (client, filter, options) => {
    const view = client.state(filter, options);
    views.push(view);
    return view;
  };

  describe('contents', () => {
    test('retained messages published before state() are its entries', async () => {
      const root = uniqueTopic('before');
      const publisher = await connect();
      await publisher.publishAsync(`${root}/kitchen/temp`, '21.5', retain);
      await publisher.publishAsync(`${root}/hall/temp`, '19', retain);
      const client = await connect();
      const view = open(client, `${root}/+/temp`);
      await within(view.ready, 5000, 'the SUBACK');
      await until(() => view.size === 2, 5000, () => `2 entries, have ${view.size}`);
      // In the order the broker resent them: its own.
      expect(texts(view).sort()).toEqual([[`${root}/hall/temp`, '19'], [`${root}/kitchen/temp`, '21.5']]);
      expect(view.get(`${root}/kitchen/temp`)).toBeInstanceOf(mqttws.MqttPayload);
    });

    test('reads like a ReadonlyMap: get, has, size, keys, values, entries, forEach, iteration',
         async () => {
      const root = uniqueTopic('map');
      const client = await connect();
      const view = open(client, `${root}/#`);
      await view.ready;
      await client.publishAsync(`${root}/a`, 'A', { qos: 1 });
      await client.publishAsync(`${root}/b`, 'B', { qos: 1 });
      await until(() => view.size === 2, 5000, () => `2 entries, have ${view.size}`);
      const a = `${root}/a`;
      const b = `${root}/b`;
      expect(text(view.get(a))).toBe('A');
      expect(view.get(`${root}/c`)).toBeUndefined();
      expect([view.has(b), view.has(`${root}/c`)]).toEqual([true, false]);
      expect([...view.keys()]).toEqual([a, b]);
      expect([...view.values()].map(text)).toEqual(['A', 'B']);
      expect([...view.entries()].map(([t, p]) => [t, text(p)])).toEqual([[a, 'A'], [b, 'B']]);
      const seen = [];
      view.forEach(function each(payload, topic, map) {
        seen.push([topic, text(payload), map === view, this]);
      }, 'this');
      expect(seen).toEqual([[a, 'A', true, 'this'], [b, 'B', true, 'this']]);
      expect(view.filter).toBe(`${root}/#`);
    });

    test('a live message replaces the entry', async () => {
      const topic = `${uniqueTopic('live')}/temp`;
      const client = await connect();
      const view = open(client, topic);
      await view.ready;
      await client.publishAsync(topic, '20', retain);
      await until(() => view.has(topic), 5000, () => 'the first message');
      const got = arrived(client, topic);
      await client.publishAsync(topic, '21', { qos: 1 });  // live: not retained
      await within(got, 5000, 'the live message');
      expect(texts(view)).toEqual([[topic, '21']]);
    });

    test('an empty retained publish deletes the entry', async () => {
      const root = uniqueTopic('clear');
      const publisher = await connect();
      await publisher.publishAsync(`${root}/a`, 'A', retain);
      await publisher.publishAsync(`${root}/b`, 'B', retain);
      const client = await connect();
      const view = open(client, `${root}/#`);
      await until(() => view.size === 2, 5000, () => `2 entries, have ${view.size}`);
      await publisher.publishAsync(`${root}/a`, '', retain);
      await until(() => view.size === 1, 5000, () => `1 entry, have ${view.size}`);
      expect(texts(view)).toEqual([[`${root}/b`, 'B']]);
      // The broker cleared it too: a new subscription gets only b.
      const later = await connect();
      const fresh = open(later, `${root}/#`);
      await until(() => fresh.size === 1, 5000, () => `1 entry, have ${fresh.size}`);
      expect(texts(fresh)).toEqual([[`${root}/b`, 'B']]);
    });

    test('an empty live (not retained) message deletes the entry too', async () => {
      const topic = `${uniqueTopic('empty-live')}/x`;
      const client = await connect();
      const view = open(client, topic);
      await view.ready;
      await client.publishAsync(topic, 'X', { qos: 1 });
      await until(() => view.has(topic), 5000, () => 'the message');
      const got = arrived(client, topic);
      await client.publishAsync(topic, '', { qos: 1 });
      await within(got, 5000, 'the empty message');
      expect(view.size).toBe(0);
    });
  });

  describe('listeners and snapshots', () => {
    test('subscribe calls the listener at once with the current snapshot', async () => {
      const topic = `${uniqueTopic('at-once')}/x`;
      const publisher = await connect();
      await publisher.publishAsync(topic, 'X', retain);
      const client = await connect();
      const view = open(client, topic);
      await until(() => view.size === 1, 5000, () => 'the retained message');
      const { calls } = listen(view);
      expect(calls).toHaveLength(1);
      expect(calls[0]).toBe(view.snapshot);
      expect([...calls[0]].map(([t, p]) => [t, text(p)])).toEqual([[topic, 'X']]);
    });

    test('a change calls the listener once, with the new snapshot', async () => {
      const topic = `${uniqueTopic('once')}/x`;
      const client = await connect();
      const view = open(client, topic);
      await view.ready;
      const { calls } = listen(view);
      const got = arrived(client, topic);
      await client.publishAsync(topic, '1', { qos: 1 });
      await within(got, 5000, 'the message');
      await settle();
      expect(calls).toHaveLength(2);
      expect(calls[1]).not.toBe(calls[0]);
      expect(calls[1]).toBe(view.snapshot);
      expect([...calls[1]].map(([t, p]) => [t, text(p)])).toEqual([[topic, '1']]);
    });

    test('messages dispatched together are one batch: one listener call', async () => {
      const root = uniqueTopic('batch');
      const gate = heldWebSocket();
      const client = await connect({ WebSocket: gate.WebSocket });
      const view = open(client, `${root}/+`);
      await view.ready;
      const { calls } = listen(view);
      gate.hold();
      const publisher = await connect();
      for (const name of ['a', 'b', 'c']) await publisher.publishAsync(`${root}/${name}`, name, { qos: 0 });
      await until(() => gate.held() === 3, 5000, () => `3 held messages, have ${gate.held()}`);
      gate.release();
      await settle();
      expect(calls).toHaveLength(2);
      expect([...calls[1].keys()]).toEqual(['a', 'b', 'c'].map((n) => `${root}/${n}`));
    });

    test('a payload equal to the entry changes nothing: no listener call, the same snapshot',
         async () => {
      const topic = `${uniqueTopic('same')}/x`;
      const client = await connect();
      const view = open(client, topic);
      await view.ready;
      await client.publishAsync(topic, 'same', { qos: 1 });
      await until(() => view.has(topic), 5000, () => 'the message');
      const { calls } = listen(view);
      const before = view.snapshot;
      const entry = view.get(topic);
      const got = arrived(client, topic);
      await client.publishAsync(topic, 'same', { qos: 1 });
      await within(got, 5000, 'the message again');
      await settle();
      expect(calls).toHaveLength(1);
      expect(view.snapshot).toBe(before);
      expect(view.get(topic)).toBe(entry);
    });

    test('the unsubscribe function returned by subscribe stops the calls', async () => {
      const topic = `${uniqueTopic('unsubscribe')}/x`;
      const client = await connect();
      const view = open(client, topic);
      await view.ready;
      const { calls, unsubscribe } = listen(view);
      const other = listen(view);
      unsubscribe();
      const got = arrived(client, topic);
      await client.publishAsync(topic, '1', { qos: 1 });
      await within(got, 5000, 'the message');
      await settle();
      expect(calls).toHaveLength(1);
      expect(other.calls).toHaveLength(2);
    });

    test('the snapshot is the same object until a change, and a new one after', async () => {
      const topic = `${uniqueTopic('identity')}/x`;
      const client = await connect();
      const view = open(client, topic);
      const empty = view.snapshot;
      expect(view.snapshot).toBe(empty);
      expect(view.getSnapshot()).toBe(empty);
      expect(empty.size).toBe(0);
      await view.ready;
      expect(view.snapshot).toBe(empty);  // the grant changed nothing
      await client.publishAsync(topic, '1', { qos: 1 });
      await until(() => view.has(topic), 5000, () => 'the message');
      const first = view.snapshot;
      expect(first).not.toBe(empty);
      expect(view.snapshot).toBe(first);
      expect(empty.size).toBe(0);  // an old snapshot does not change
      expect([...first].map(([t, p]) => [t, text(p)])).toEqual([[topic, '1']]);
    });

    test('the snapshot is read-only: set, delete and clear throw', async () => {
      const topic = `${uniqueTopic('readonly')}/x`;
      const client = await connect();
      const view = open(client, topic);
      await view.ready;
      await client.publishAsync(topic, '1', { qos: 1 });
      await until(() => view.has(topic), 5000, () => 'the message');
      const s = view.snapshot;
      expect(s).toBeInstanceOf(Map);
      expect(() => s.set('a', 1)).toThrow('a state snapshot is read-only');
      expect(() => s.delete(topic)).toThrow(TypeError);
      expect(() => s.clear()).toThrow(TypeError);
      expect(s.size).toBe(1);
    });
  });

  describe('parse', () => {
    test('parse makes the values: JSON here, with the topic given', async () => {
      const root = uniqueTopic('parse');
      const publisher = await connect();
      await publisher.publishAsync(`${root}/kitchen`, '{"celsius":21.5}', retain);
      const client = await connect();
      const topics = [];
      const view = open(client, `${root}/+`, {
        parse: (payload, topic) => {
          topics.push(topic);
          return payload.json().celsius;
        },
      });
      await until(() => view.size === 1, 5000, () => 'the retained message');
      await publisher.publishAsync(`${root}/hall`, '{"celsius":19}', { qos: 1 });
      await until(() => view.size === 2, 5000, () => 'the live message');
      expect([...view]).toEqual([[`${root}/kitchen`, 21.5], [`${root}/hall`, 19]]);
      expect(topics).toEqual([`${root}/kitchen`, `${root}/hall`]);
    });

    test('a parse result of undefined leaves the topic out', async () => {
      const root = uniqueTopic('parse-undefined');
      const client = await connect();
      const view = open(client, `${root}/+`, {
        parse: (payload) => (payload.text() === 'skip' ? undefined : payload.text()),
      });
      await view.ready;
      await client.publishAsync(`${root}/a`, 'keep', { qos: 1 });
      await until(() => view.size === 1, 5000, () => 'the message');
      const got = arrived(client, `${root}/a`);
      await client.publishAsync(`${root}/a`, 'skip', { qos: 1 });
      await within(got, 5000, 'the skipped message');
      expect(view.size).toBe(0);
    });

    test('a parse that throws leaves the topic out and its error is rethrown', async () => {
      const root = uniqueTopic('parse-throws');
      const client = await connect();
      const view = open(client, `${root}/+`, { parse: (payload) => payload.json() });
      await view.ready;
      await client.publishAsync(`${root}/a`, '1', { qos: 1 });
      await until(() => view.size === 1, 5000, () => 'the message');
      // The rethrow is a microtask's: catch it there instead of failing the test run.
      const rethrown = [];
      const original = globalThis.queueMicrotask;
      globalThis.queueMicrotask = (fn) => original(() => {
        try {
          fn();
        } catch (e) {
          rethrown.push(e);
        }
      });
      try {
        const got = arrived(client, `${root}/a`);
        await client.publishAsync(`${root}/a`, 'not json', { qos: 1 });
        await within(got, 5000, 'the malformed message');
        await settle();
      } finally {
        globalThis.queueMicrotask = original;
      }
      expect(view.size).toBe(0);
      expect(rethrown).toHaveLength(1);
      expect(rethrown[0]).toBeInstanceOf(SyntaxError);
    });
  });

  describe('sharing a filter', () => {
    test('two views on one filter send one SUBSCRIBE; the second starts with the entries',
         async () => {
      const root = uniqueTopic('share');
      const publisher = await connect();
      await publisher.publishAsync(`${root}/a`, 'A', retain);
      const client = await connect();
      const sent = filtersSent(client);
      const first = open(client, `${root}/#`);
      await until(() => first.size === 1, 5000, () => 'the retained message');
      const second = open(client, `${root}/#`);
      expect(texts(second)).toEqual([[`${root}/a`, 'A']]);
      await within(second.ready, 1000, 'ready (granted already)');
      await publisher.publishAsync(`${root}/b`, 'B', { qos: 1 });
      await until(() => second.size === 2 && first.size === 2, 5000, () => 'the live message');
      expect(sent).toEqual([['subscribe', `${root}/#`]]);
    });

    test('closing one of two views keeps the other updating, with no UNSUBSCRIBE', async () => {
      const root = uniqueTopic('close-one');
      const client = await connect();
      const sent = filtersSent(client);
      const first = open(client, `${root}/#`);
      const second = open(client, `${root}/#`);
      await first.ready;
      first.close();
      expect(first.closed).toBe(true);
      await client.publishAsync(`${root}/a`, 'A', { qos: 1 });
      await until(() => second.size === 1, 5000, () => 'the message');
      expect(first.size).toBe(0);
      expect(sent).toEqual([['subscribe', `${root}/#`]]);
    });

    test('closing the last view sends UNSUBSCRIBE; the view keeps its entries', async () => {
      const root = uniqueTopic('close-last');
      const client = await connect();
      const sent = filtersSent(client);
      const first = open(client, `${root}/#`);
      const second = open(client, `${root}/#`);
      await first.ready;
      await client.publishAsync(`${root}/a`, 'A', { qos: 1 });
      await until(() => second.size === 1, 5000, () => 'the message');
      const { calls } = listen(second);
      first.close();
      second.close();
      second.close();  // again: nothing more
      await until(() => sent.length === 2, 5000, () => `the UNSUBSCRIBE, sent ${JSON.stringify(sent)}`);
      expect(sent).toEqual([['subscribe', `${root}/#`], ['unsubscribe', `${root}/#`]]);
      // A message now is the client's no longer: no view changes.
      const other = await connect();
      await other.subscribeAsync(`${root}/#`);
      const got = arrived(other, `${root}/b`);
      await client.publishAsync(`${root}/b`, 'B', { qos: 1 });
      await within(got, 5000, 'the message at another client');
      await settle();
      expect(texts(second)).toEqual([[`${root}/a`, 'A']]);
      expect(calls).toHaveLength(1);
    });

    test('a view opened after the last one closed subscribes again', async () => {
      const topic = `${uniqueTopic('reopen')}/x`;
      const client = await connect();
      await client.publishAsync(topic, 'X', retain);
      const sent = filtersSent(client);
      const first = open(client, topic);
      await first.ready;
      first.close();
      const again = open(client, topic);
      await until(() => again.size === 1, 5000, () => 'the retained message');
      expect(sent).toEqual([['subscribe', topic], ['unsubscribe', topic], ['subscribe', topic]]);
    });

    test('a filter an open view covers (home/+/temp under home/#) sends no SUBSCRIBE and ' +
         'holds what matches it', async () => {
      const home = uniqueTopic('home');
      const client = await connect();
      const sent = filtersSent(client);
      const all = open(client, `${home}/#`);
      await all.ready;
      const publisher = await connect();
      await publisher.publishAsync(`${home}/kitchen/temp`, '21', retain);
      await until(() => all.size === 1, 5000, () => 'the first message');
      const temps = open(client, `${home}/+/temp`);
      expect(texts(temps)).toEqual([[`${home}/kitchen/temp`, '21']]);
      await within(temps.ready, 1000, 'ready (covered by a granted subscription)');
      await publisher.publishAsync(`${home}/kitchen/humidity`, '40', { qos: 1 });
      await publisher.publishAsync(`${home}/hall/temp`, '19', { qos: 1 });
      await until(() => all.size === 3 && temps.size === 2, 5000,
                  () => `3 and 2 entries, have ${all.size} and ${temps.size}`);
      expect(texts(all)).toEqual([[`${home}/kitchen/temp`, '21'],
        [`${home}/kitchen/humidity`, '40'], [`${home}/hall/temp`, '19']]);
      expect(texts(temps)).toEqual([[`${home}/kitchen/temp`, '21'], [`${home}/hall/temp`, '19']]);
      await publisher.publishAsync(`${home}/kitchen/temp`, '', retain);
      await until(() => temps.size === 1 && all.size === 2, 5000, () => 'the cleared entry');
      expect(sent).toEqual([['subscribe', `${home}/#`]]);
      await publisher.publishAsync(`${home}/hall/temp`, '', retain);
    });

    test('the covering subscription stays while a covered view is open, and goes with it',
         async () => {
      const home = uniqueTopic('stay');
      const client = await connect();
      const sent = filtersSent(client);
      const all = open(client, `${home}/#`);
      const temps = open(client, `${home}/+/temp`);
      await Promise.all([all.ready, temps.ready]);
      all.close();
      await client.publishAsync(`${home}/hall/temp`, '19', { qos: 1 });
      await until(() => temps.size === 1, 5000, () => 'the message, through the home/# subscription');
      expect(sent).toEqual([['subscribe', `${home}/#`]]);
      temps.close();
      await until(() => sent.length === 2, 5000, () => `the UNSUBSCRIBE, sent ${JSON.stringify(sent)}`);
      expect(sent).toEqual([['subscribe', `${home}/#`], ['unsubscribe', `${home}/#`]]);
    });

    test('a covering filter opened later takes over: the covered one is unsubscribed and its ' +
         'view keeps updating', async () => {
      const home = uniqueTopic('takeover');
      const client = await connect();
      const sent = filtersSent(client);
      const temps = open(client, `${home}/+/temp`);
      await temps.ready;
      const all = open(client, `${home}/#`);
      await all.ready;
      await until(() => sent.length === 3, 5000, () => `the UNSUBSCRIBE, sent ${JSON.stringify(sent)}`);
      expect(sent).toEqual([['subscribe', `${home}/+/temp`], ['subscribe', `${home}/#`],
        ['unsubscribe', `${home}/+/temp`]]);
      const { calls } = listen(temps);
      await client.publishAsync(`${home}/hall/temp`, '19', { qos: 1 });
      await client.publishAsync(`${home}/hall/humidity`, '40', { qos: 1 });
      await until(() => all.size === 2, 5000, () => 'both messages under home/#');
      await settle();
      expect(texts(temps)).toEqual([[`${home}/hall/temp`, '19']]);
      expect(calls).toHaveLength(2);  // at subscribe, then one change
      all.close();
      temps.close();
      await until(() => sent.length === 4, 5000, () => `the last UNSUBSCRIBE, sent ${JSON.stringify(sent)}`);
      expect(sent[3]).toEqual(['unsubscribe', `${home}/#`]);
    });

    test('a filter with a level more than an open one (home/+ and home/+/temp) subscribes on ' +
         'its own', async () => {
      const home = uniqueTopic('levels');
      const client = await connect();
      const sent = filtersSent(client);
      const rooms = open(client, `${home}/+`);
      await rooms.ready;
      const temps = open(client, `${home}/+/temp`);
      await temps.ready;
      await client.publishAsync(`${home}/hall/temp`, '19', { qos: 1 });
      await until(() => temps.size === 1, 5000, () => 'the message');
      expect(rooms.size).toBe(0);
      expect(sent).toEqual([['subscribe', `${home}/+`], ['subscribe', `${home}/+/temp`]]);
    });

    test('a covered filter asking a higher QoS gets a subscription of its own', async () => {
      const home = uniqueTopic('qos');
      const client = await connect();
      const sent = filtersSent(client);
      const all = open(client, `${home}/#`, { qos: 0 });
      await all.ready;
      const temps = open(client, `${home}/+/temp`, { qos: 1 });
      await temps.ready;
      expect(sent).toEqual([['subscribe', `${home}/#`], ['subscribe', `${home}/+/temp`]]);
    });

    test('# does not hold $SYS topics, though they reach the client for $SYS/#', async () => {
      const client = await connect();
      const all = open(client, '#');
      const sys = open(client, '$SYS/broker/version');
      await until(() => sys.size === 1, 5000, () => "mosquitto's retained $SYS/broker/version");
      const topic = `${uniqueTopic('not-sys')}/x`;
      await client.publishAsync(topic, 'X', { qos: 1 });
      await until(() => all.has(topic), 5000, () => 'the message under #');
      expect(text(sys.get('$SYS/broker/version'))).toMatch(/^mosquitto version /);
      expect([...all.keys()].filter((t) => t.startsWith('$'))).toEqual([]);
    });
  });

  describe('errors', () => {
    test('an invalid filter rejects ready with invalid_topic_filter and is the error', async () => {
      const client = await connect();
      const view = open(client, 'a/#/b');
      const { calls } = listen(view);
      const error = await view.ready.then(() => 'resolved', (e) => e);
      expect(error).toBeInstanceOf(mqttws.MqttError);
      expect(error).toMatchObject({
        code: 'invalid_topic_filter', message: 'state("a/#/b"): invalid topic filter',
      });
      expect(view.error).toBe(error);
      await settle();
      expect(calls).toHaveLength(2);  // the failure is a change, for useSyncExternalStore
      expect(calls[1]).not.toBe(calls[0]);
    });

    test('a view on an ended client rejects ready with invalid_state', async () => {
      const client = await connect();
      await client.endAsync();
      const view = open(client, 'a/b');
      await expect(view.ready).rejects.toMatchObject({
        code: 'invalid_state', message: 'state("a/b"): the client is ending or has ended',
      });
      expect(view.size).toBe(0);
    });

    test('after end() a view keeps its entries and gets no more updates', async () => {
      const topic = `${uniqueTopic('end')}/x`;
      const client = await connect();
      const view = open(client, topic);
      await view.ready;
      await client.publishAsync(topic, 'X', { qos: 1 });
      await until(() => view.size === 1, 5000, () => 'the message');
      await client.endAsync();
      expect(texts(view)).toEqual([[topic, 'X']]);
      expect(view.error).toBeUndefined();
      view.close();
    });
  });

  describe('reconnection', () => {
    test('a reconnection without the session resends the retained messages: they replace the ' +
         'entries; an entry cleared meanwhile stays', async () => {
      const root = uniqueTopic('resubscribe');
      const publisher = await connect();
      await publisher.publishAsync(`${root}/a`, 'A1', retain);
      await publisher.publishAsync(`${root}/b`, 'B1', retain);
      const gate = gatedWebSocket();
      const client = await connect({ WebSocket: gate.WebSocket, clean: true });
      client.on('error', () => {});  // the attempts while blocked
      const view = open(client, `${root}/#`);
      await until(() => view.size === 2, 5000, () => `2 entries, have ${view.size}`);
      gate.block();
      const offline = next(client, 'offline');
      gate.drop();
      await within(offline, 5000, 'offline');
      await publisher.publishAsync(`${root}/a`, 'A2', retain);
      await publisher.publishAsync(`${root}/b`, '', retain);  // cleared while offline
      await publisher.publishAsync(`${root}/c`, 'C1', retain);
      expect(texts(view)).toEqual([[`${root}/a`, 'A1'], [`${root}/b`, 'B1']]);
      const connected = next(client, 'connect');
      gate.unblock();
      client.reconnect();
      const [connack] = await within(connected, 5000, 'the reconnection');
      expect(connack.sessionPresent).toBe(false);
      await until(() => view.size === 3, 5000, () => `3 entries, have ${view.size}`);
      expect(texts(view)).toEqual([[`${root}/a`, 'A2'], [`${root}/b`, 'B1'], [`${root}/c`, 'C1']]);
    });
  });
});

describe('client.state() and the broker', () => {
  test('a subscription the broker refuses rejects ready with operation_failed and its reason ' +
       'code', async () => {
    const broker = await AuthBroker.start({ subackCode: 0x87 });
    try {
      const client = await mqttws.connectAsync(broker.url, { WebSocket, protocolVersion: 5 });
      const view = client.state('denied/x');
      await expect(view.ready).rejects.toMatchObject({
        code: 'operation_failed', reasonCode: 0x87,
        message: 'state("denied/x"): the broker refused the subscription',
      });
      // Failed: a later view on the filter tries again.
      const again = client.state('denied/x');
      await expect(again.ready).rejects.toMatchObject({ code: 'operation_failed' });
      expect(broker.packets('subscribe')).toHaveLength(2);
      await client.endAsync(true);
    } finally {
      await broker.close();
    }
  });

  describe('restart', () => {
    const ctx = brokerPerTest(() => Broker.start({ persistence: true }));

    test('after the broker restarts (non-persistent session) the state is rebuilt from the ' +
         'retained messages without duplicates', async () => {
      const publisher = await connectTo(ctx.broker);
      ctx.clients.push(publisher);
      await publisher.publishAsync('restart/a', 'A', { qos: 1, retain: true });
      await publisher.publishAsync('restart/b', 'B', { qos: 1, retain: true });
      const client = await connectTo(ctx.broker, {
        clean: true, reconnect: { initialDelay: 100, maxDelay: 400, jitter: 0 },
      });
      ctx.clients.push(client);
      const view = client.state('restart/#');
      await until(() => view.size === 2, 5000, () => `2 entries, have ${view.size}`);
      const before = view.snapshot;
      const { calls } = listen(view);
      const resent = [];
      client.on('packetreceive', (p) => {
        if (p.cmd === 'publish') resent.push([p.topic, text(p.payload), p.retain]);
      });
      const offline = next(client, 'offline');
      await ctx.broker.stop();
      await within(offline, 5000, 'offline');
      const connected = next(client, 'connect');
      await ctx.broker.start();
      const [connack] = await within(connected, 10000, 'the reconnection');
      expect(connack.sessionPresent).toBe(false);
      await until(() => resent.length === 2, 5000, () => `2 retained messages, have ${resent.length}`);
      await settle();
      expect(resent.sort()).toEqual([['restart/a', 'A', true], ['restart/b', 'B', true]]);
      expect(texts(view)).toEqual([['restart/a', 'A'], ['restart/b', 'B']]);
      expect(view.snapshot).toBe(before);  // equal payloads: nothing changed
      expect(calls).toHaveLength(1);
      // And it goes on updating on the new connection.
      await publisher.publishAsync('restart/b', 'B2', { qos: 1, retain: true });
      await until(() => text(view.get('restart/b')) === 'B2', 5000, () => 'the update');
      expect(view.size).toBe(2);
      view.close();
    });
  });
});
