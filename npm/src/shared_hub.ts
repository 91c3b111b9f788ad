// The connection side of `connect(url, { shared: true })`: one MqttClient per key (broker URL +
// clientId) for every tab attached, each tab a MessagePort. src/worker.ts runs it in a
// SharedWorker (or a dedicated Worker); src/shared.ts runs it in the page itself when the
// worker script cannot be loaded.
//
// Subscriptions are reference-counted per filter: the broker sees one SUBSCRIBE when the first
// tab asks for a filter (a tab asking while it is on its way waits for it) and one UNSUBSCRIBE
// when the last tab holding it lets it go. Each copy of a PUBLISH is posted once to each tab
// holding a filter of a subscription the copy was delivered for — as the session reports it
// (MQTT 5 Subscription Identifiers, else topic matching) — so the retained messages a new
// SUBSCRIBE brings reach the tabs that asked for them, not every tab with an overlapping one.
// A tab joining a filter already held gets the last retained message per topic from here. A tab that is silent for
// `tabTimeoutMs` (no heartbeat: it crashed, or was frozen and discarded) is released as if it
// had called end(). When the last tab has gone the connection stays up for the grace period
// (a reload reconnects its tab to it), then ends.
//
// In the browser build the in-page hub is a file of its own (dist/shared_hub.mjs), loaded only
// when the worker cannot be: so it imports no module the main bundle has (a second copy of
// MqttClient), only shared_wire.ts's pure topic matching. The caller gives it the function
// that makes its clients (client.ts's openClient()).

import type { MqttClient } from './client.js';
import type { MqttError } from './errors.js';
import type { IClientOptions } from './options.js';
import type { IPublishPacket } from './packets.js';
import type { ToTab, ToWorker, WireError, WireSubscription } from './shared_wire.js';
import { topicMatches } from './shared_wire.js';

/**
 * A tab without a Web Lock (see src/shared.ts) silent this long is released: it sends a
 * heartbeat every 10 s, and Chromium runs a hidden tab's timers once a minute at worst.
 */
const tabTimeoutMs = 150_000;

interface Locks {
  request(name: string, callback: () => void): Promise<void>;
}

export interface Port {
  postMessage(message: ToTab, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  start?(): void;
}

interface Tab {
  port: Port;
  conn: Connection | undefined;
  /** Filters this tab holds (one reference each on the connection). */
  filters: Set<string>;
  lastSeen: number;
  /** Released when the tab's Web Lock is (the tab closed or crashed): no timeout applies. */
  locked: boolean;
}

interface Connection {
  key: string;
  client: MqttClient;
  tabs: Set<Tab>;
  /** Filter → the tabs holding it, and the QoS the broker granted. */
  refs: Map<string, { tabs: Set<Tab>; granted: number }>;
  /** Filters whose SUBSCRIBE is on its way → what runs at its SUBACK (or failure). */
  pending: Map<string, Array<() => void>>;
  /** The last retained message per topic, replayed to a tab joining a filter already held. */
  retained: Map<string, IPublishPacket>;
  /** The tabs the PUBLISH copy being dispatched has reached. */
  reached: Set<Tab>;
  grace: ReturnType<typeof setTimeout> | undefined;
  graceMs: number;
}

const connections = new Map<string, Connection>();
const tabs = new Set<Tab>();

function wireError(e: MqttError | Error | undefined): WireError | undefined {
  if (!e) return undefined;
  const m = e as MqttError;
  return { message: m.message, code: m.code ?? 'error', reasonCode: m.reasonCode };
}

function post(tab: Tab, message: ToTab): void {
  tab.port.postMessage(message);
}

function status(conn: Connection): ToTab {
  const c = conn.client;
  return { t: 'status', connected: c.connected, reconnecting: c.reconnecting,
           clientId: c.clientId, stats: c.stats() };
}

function broadcast(conn: Connection, message: ToTab): void {
  for (const tab of conn.tabs) post(tab, message);
}

function sendMessage(tab: Tab, packet: IPublishPacket): void {
  // A copy per tab: the payload's buffer is transferred (the worker keeps its own).
  const payload = packet.payload as Uint8Array;
  const bytes = payload.slice().buffer;
  const { payload: _omitted, ...rest } = packet;
  tab.port.postMessage({ t: 'message', packet: rest, payload: bytes }, [bytes]);
}

function open(tab: Tab, key: string, url: string, options: IClientOptions, graceMs: number): void {
  let conn = connections.get(key);
  if (!conn) {
    // The first tab's options make the connection; a later tab with the same key joins it
    // whatever its own options say (documented in README: "first tab wins").
    // options.store (the IndexedDB session store) goes with the options: the MqttClient made
    // here opens it, so the worker owns it for every tab of this connection.
    const client = connectClient!(url, options);  // set by attach(), before any message
    const c: Connection = conn = {
      key, client, tabs: new Set(), refs: new Map(), pending: new Map(), retained: new Map(),
      reached: new Set(), grace: undefined,
      graceMs,
    };
    connections.set(key, c);
    client.on('connect', (packet) => {
      broadcast(c, status(c));  // the clientId first (a broker-assigned one is known now)
      broadcast(c, { t: 'event', name: 'connect', arg: packet });
    });
    client.on('reconnect', (info) => broadcast(c, { t: 'event', name: 'reconnect', arg: info }));
    client.on('close', () => broadcast(c, { t: 'event', name: 'close' }));
    client.on('offline', () => broadcast(c, { t: 'event', name: 'offline' }));
    client.on('disconnect', (p) => broadcast(c, { t: 'event', name: 'disconnect', arg: p }));
    client.on('error', (e) => broadcast(c, { t: 'event', name: 'error', error: wireError(e) }));
    // The client emits `message` and then calls the handler of each subscription the copy
    // was for (see deliver()), in one go.
    client.on('message', (topic, payload, packet) => {
      c.reached.clear();
      if (packet.retain) {
        if (payload.length) c.retained.set(topic, packet);
        else c.retained.delete(topic);
      }
    });
  }
  if (conn.grace !== undefined) {
    clearTimeout(conn.grace);
    conn.grace = undefined;
  }
  tab.conn = conn;
  conn.tabs.add(tab);
  post(tab, status(conn));
  // A tab joining a connection already up hears about it as a new client would.
  if (conn.client.connected) {
    post(tab, { t: 'event', name: 'connect',
                arg: { cmd: 'connack', sessionPresent: true, reasonCode: 0, returnCode: 0 } });
  }
}

/** A copy reported for a subscription of `filters`: to each tab holding a matching one, once. */
function deliver(conn: Connection, filters: string[], packet: IPublishPacket): void {
  for (const t of conn.tabs) {
    if (conn.reached.has(t)) continue;
    if (filters.some((f) => t.filters.has(f) && topicMatches(f, packet.topic))) {
      conn.reached.add(t);
      sendMessage(t, packet);
    }
  }
}

function subscribe(tab: Tab, conn: Connection, id: number, subs: WireSubscription[],
                   properties: object | undefined): void {
  const held = (s: WireSubscription) => conn.refs.has(s.topic);
  const fresh = subs.filter((s) => !held(s) && !conn.pending.has(s.topic));
  const waiting = subs.filter((s) => !held(s) && conn.pending.has(s.topic));
  const grants = () => subs.map((s) => ({ topic: s.topic, qos: conn.refs.get(s.topic)?.granted ?? 0x80 }));
  const hold = () => {
    for (const s of subs) {
      const ref = conn.refs.get(s.topic);
      if (!ref || ref.granted >= 0x80) continue;
      if (!tab.filters.has(s.topic)) {
        tab.filters.add(s.topic);
        ref.tabs.add(tab);
      }
    }
  };
  const already = subs.filter(held);
  // Done once the SUBSCRIBE of `fresh` and those of `waiting` are answered: the tab holds its
  // filters before the retained messages that follow a SUBACK are dispatched.
  let outstanding = (fresh.length ? 1 : 0) + waiting.length;
  let failed: MqttError | undefined;
  const settle = () => {
    if (--outstanding > 0 || tab.conn !== conn) return;  // (or the tab has left meanwhile)
    if (failed) {
      post(tab, { t: 'done', id, error: wireError(failed) });
      return;
    }
    hold();
    post(tab, { t: 'done', id, result: grants() });
    // The broker sent these filters' retained messages to the tabs that subscribed first.
    for (const packet of conn.retained.values()) {
      if (already.some((s) => topicMatches(s.topic, packet.topic))) sendMessage(tab, packet);
    }
  };
  for (const s of waiting) conn.pending.get(s.topic)!.push(settle);
  if (!fresh.length) {
    outstanding++;
    settle();
    return;
  }
  const filters = fresh.map((s) => s.topic);
  for (const f of filters) conn.pending.set(f, []);
  const opts: Record<string, unknown> = {
    handler: (_topic: string, _payload: unknown, packet: IPublishPacket) => deliver(conn, filters, packet),
  };
  if (properties) opts['properties'] = properties;
  conn.client.subscribe(Object.fromEntries(fresh.map((s) => [s.topic, s])), opts, (error, granted) => {
    if (error) failed = error;
    for (const g of granted ?? []) {
      if (!conn.refs.has(g.topic)) conn.refs.set(g.topic, { tabs: new Set(), granted: g.qos });
    }
    const waiters = filters.flatMap((f) => conn.pending.get(f) ?? []);
    for (const f of filters) conn.pending.delete(f);
    settle();
    for (const w of waiters) w();
    // Nobody holds a refused filter (the next tab asking subscribes again), nor one whose
    // tabs have all left while the SUBSCRIBE was on its way (the broker is told).
    const orphans = filters.filter((f) => conn.refs.get(f)?.tabs.size === 0);
    const held = orphans.filter((f) => conn.refs.get(f)!.granted < 0x80);
    for (const f of orphans) conn.refs.delete(f);
    if (held.length && !conn.client.disconnecting && !conn.client.disconnected) {
      conn.client.unsubscribe(held);
    }
  });
}

/** Drops `tab`'s references to `filters`; the broker is told of the ones no tab holds now. */
function release(tab: Tab, conn: Connection, filters: string[], properties?: object,
                 done?: (error?: MqttError) => void): void {
  const last: string[] = [];
  for (const f of filters) {
    tab.filters.delete(f);
    const ref = conn.refs.get(f);
    if (!ref) continue;
    ref.tabs.delete(tab);
    if (!ref.tabs.size) {
      conn.refs.delete(f);
      last.push(f);
    }
  }
  if (!last.length || conn.client.disconnecting || conn.client.disconnected) {
    done?.();
    return;
  }
  conn.client.unsubscribe(last, properties ? { properties } : {}, (error) => done?.(error));
}

/** The tab ended (end(), pagehide or silence): its filters go, and maybe the connection. */
function leave(tab: Tab): void {
  tabs.delete(tab);
  tab.locked = false;
  const conn = tab.conn;
  if (!conn) return;
  tab.conn = undefined;
  release(tab, conn, [...tab.filters]);
  conn.tabs.delete(tab);
  if (conn.tabs.size || conn.grace !== undefined) return;
  conn.grace = setTimeout(() => {
    conn.grace = undefined;
    if (conn.tabs.size) return;
    connections.delete(conn.key);
    conn.client.end();
  }, conn.graceMs);
}

function call(tab: Tab, conn: Connection, id: number, method: string, args: unknown[]): void {
  const c = conn.client as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const done = (result: unknown) => {
    // request()'s response: its payload crosses as bytes (the tab makes an MqttPayload again).
    post(tab, { t: 'done', id, result });
    post(tab, status(conn));
  };
  c[method]!.apply(conn.client, args).then(done,
    (error: MqttError) => post(tab, { t: 'done', id, error: wireError(error) }));
}

function onMessage(tab: Tab, m: ToWorker): void {
  tab.lastSeen = Date.now();
  const conn = tab.conn;
  switch (m.t) {
    case 'open':
      if (conn) return;
      open(tab, m.key, m.url, m.options, m.graceMs);
      {
        const locks = (globalThis.navigator as { locks?: Locks } | undefined)?.locks;
        if (m.lock && locks) {
          tab.locked = true;
          // Granted once the tab no longer holds it: the tab is gone (or ended).
          void locks.request(m.lock, () => leave(tab));
        }
      }
      return;
    case 'ping':
      if (conn) post(tab, status(conn));
      return;
    case 'bye':
      leave(tab);
      return;
  }
  if (m.t === 'reconnect') {
    conn?.client.reconnect();
    return;
  }
  if (!conn) {
    post(tab, { t: 'done', id: m.id,
                error: { message: 'the client is ending or has ended', code: 'invalid_state' } });
    return;
  }
  switch (m.t) {
    case 'subscribe':
      subscribe(tab, conn, m.id, m.subs, m.properties);
      break;
    case 'unsubscribe':
      release(tab, conn, m.topics, m.properties, (error) =>
        post(tab, { t: 'done', id: m.id, error: wireError(error),
                    result: { cmd: 'unsuback', reasonCode: m.topics.map(() => 0) } }));
      break;
    case 'publish':
      call(tab, conn, m.id, 'publishAsync', [m.topic, new Uint8Array(m.payload), m.options]);
      break;
    case 'call':
      call(tab, conn, m.id, m.method, m.args);
      break;
  }
}

let sweeping = false;

/** What makes the hub's clients: client.ts's openClient(). */
export type ConnectClient = (url: string, options: IClientOptions) => MqttClient;
let connectClient: ConnectClient | undefined;

/**
 * Serves one tab over `port` (a SharedWorker's port, a Worker's scope, or a MessageChannel).
 * The first tab asking for a connection makes it with `connect`.
 */
export function attach(port: Port, connect: ConnectClient): void {
  connectClient = connect;
  if (!sweeping) {
    sweeping = true;
    // Tabs that stopped answering are released.
    setInterval(() => {
      const now = Date.now();
      for (const tab of [...tabs]) if (!tab.locked && now - tab.lastSeen > tabTimeoutMs) leave(tab);
    }, 1000);
  }
  const tab: Tab = { port, conn: undefined, filters: new Set(), lastSeen: Date.now(),
                     locked: false };
  tabs.add(tab);
  port.onmessage = (e) => onMessage(tab, e.data);
  port.start?.();
}

