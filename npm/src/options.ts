// Client options in MQTT.js's names, and their translation into the core's options.

import { MqttError } from './errors.js';
import { toBytes, type Payload } from './payload.js';
import type { IClientSubscribeOptions, ISubscriptionMap, Properties, QoS } from './packets.js';
import type { CoreOptions, CoreSubscription } from './core.js';
import type { LinkOptions } from './link.js';
import { hasSockets } from './socket.js';

/** A WebSocket constructor: the browser's, or e.g. the `ws` package's in Node. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => unknown;

/**
 * One more broker to fail over to (MQTT.js `servers` shape), or its URL. Any protocol the
 * platform has: ws and wss everywhere, mqtt and mqtts in Node. Without `protocol`, the main
 * URL's; without `port`, the main URL's when the protocol is the same, else the protocol's
 * default.
 */
export type ServerOption =
  | string
  | { host: string; port?: number; protocol?: 'ws' | 'wss' | 'mqtt' | 'mqtts' | 'tcp' | 'ssl' | 'tls' };

/** PEM text or bytes (a Buffer is a Uint8Array), or several: TLS `ca`, `cert` and `key`. */
export type TlsData = string | Uint8Array | Array<string | Uint8Array>;

/**
 * Options for the WebSocket constructor, passed as its third argument: in Node, the `ws`
 * package's (`headers`, `ca`, `cert`, `key`, `rejectUnauthorized`, ...). Browsers' WebSocket
 * takes none.
 */
export interface WebSocketOptions {
  /** Extra HTTP headers of the upgrade request (e.g. `Authorization`). */
  headers?: Record<string, string>;
  [option: string]: unknown;
}

export interface ReconnectOptions {
  /** First delay in ms (default: reconnectPeriod, i.e. 1000). */
  initialDelay?: number;
  /** Largest delay in ms (default 30000). */
  maxDelay?: number;
  /** Growth factor per failed attempt, >= 1 (default 2). */
  multiplier?: number;
  /** Randomized fraction of each delay, 0..1 (default 0.5). */
  jitter?: number;
}

/** Options of {@link connect}, named and defaulted as in MQTT.js where it has them. */
export interface IClientOptions {
  /**
   * The broker's scheme: 'ws' or 'wss', and in Node 'mqtt' or 'mqtts' (a trailing ':' is
   * ignored, as in MQTT.js). Default: the URL's, else 'ws'. With a URL, this and the other
   * broker fields below override its parts.
   */
  protocol?: 'ws' | 'wss' | 'mqtt' | 'mqtts' | 'tcp' | 'ssl' | 'tls' |
    'ws:' | 'wss:' | 'mqtt:' | 'mqtts:' | 'tcp:' | 'ssl:' | 'tls:';
  /** The broker's host name or IP address, an IPv6 one in brackets (`hostname` wins over it). */
  host?: string;
  /**
   * The broker's host name or IP address (IPv6 in brackets: "[::1]"). Default: the URL's,
   * else the page's (`location.hostname`), else "localhost".
   */
  hostname?: string;
  /** The broker's port. Default: the URL's, else the protocol's (80 for ws, 443 for wss). */
  port?: number;
  /** The WebSocket path ("/mqtt"), with any query. Default: the URL's, else "/". */
  path?: string;
  /** Default: "mqttws_" and 8 random hex digits. */
  clientId?: string;
  /** 4 (MQTT 3.1.1, the default as in MQTT.js), 5 (MQTT 5) or 3 (MQTT 3.1). */
  protocolVersion?: 3 | 4 | 5;
  /** Clean start / clean session (default true). */
  clean?: boolean;
  /** Keep alive in seconds (default 60; 0 disables it). */
  keepalive?: number;
  username?: string;
  password?: string | Uint8Array;
  will?: {
    topic: string;
    payload: Payload;
    qos?: QoS;
    retain?: boolean;
    properties?: Properties;
  };
  /** CONNECT properties (MQTT 5). */
  properties?: Properties;
  /** Initial reconnect delay in ms (default 1000); 0 disables reconnecting. */
  reconnectPeriod?: number;
  /** Exponential backoff; its initialDelay overrides reconnectPeriod. */
  reconnect?: ReconnectOptions;
  /** Ms from opening the connection until CONNACK (default 30000). */
  connectTimeout?: number;
  /** More brokers, tried in turn after the URL's. */
  servers?: ServerOption[];
  /**
   * WebSocket implementation for ws:// and wss:// (default: globalThis.WebSocket). In
   * Node < 22 pass `ws`; mqtt:// and mqtts:// need none.
   */
  WebSocket?: WebSocketConstructor;
  /**
   * ws:// and wss:// in Node: options of the WebSocket constructor (the `ws` package's, e.g.
   * `headers`). For wss, `ca`, `cert`, `key` and `rejectUnauthorized` given at the top level
   * are used too, unless set here.
   */
  wsOptions?: WebSocketOptions;
  /**
   * mqtts:// (and wss:// in Node): the certificate authorities to trust instead of Node's
   * default ones — e.g. a private CA's certificate (PEM).
   */
  ca?: TlsData;
  /** mqtts:// (and wss:// in Node): the client certificate chain (PEM), with `key`. */
  cert?: TlsData;
  /** mqtts:// (and wss:// in Node): the client certificate's private key (PEM). */
  key?: TlsData;
  /**
   * mqtts:// (and wss:// in Node): false accepts a broker certificate that cannot be verified
   * (self-signed, unknown CA, wrong host name): only for tests. Default true.
   */
  rejectUnauthorized?: boolean;
  /**
   * mqtts://: the host name sent in SNI and checked against the broker's certificate
   * (default: the URL's host, unless it is an IP address).
   */
  servername?: string;
  /** mqtts://: the ALPN protocols to offer (e.g. `['mqtt']`). */
  ALPNProtocols?: string[] | Uint8Array[] | Uint8Array;
  /**
   * Most messages kept while offline or beyond the broker's Receive Maximum (default: no
   * bound by count; {@link IClientOptions.maxQueuedBytes} bounds the queue).
   */
  maxOfflineQueue?: number;
  /**
   * Most bytes (encoded packets) kept while offline or beyond the broker's Receive Maximum
   * (default 8 MiB; 0: no bound). A publish beyond it fails with `queue_full`, and an
   * `error` event says so once per burst (until a publish is accepted again).
   */
  maxQueuedBytes?: number;
  /** Queue QoS 0 publishes while offline (default true, as MQTT.js); false: they fail. */
  queueQoSZero?: boolean;
  /**
   * Ms to wait for PINGRESP before the connection is declared dead (default: half the keep
   * alive, so a dead link is found within 1.5 × keepalive).
   */
  pingTimeout?: number;
  /**
   * Called before every connection attempt (the first and each reconnection): may return a
   * new user name, password (e.g. a refreshed token) or broker URL. A rejection fails that
   * attempt (an `error` event; the backoff applies).
   */
  beforeConnect?: (options: Readonly<IClientOptions>) =>
    Promise<{ username?: string; password?: string | Uint8Array; url?: string } | void>;
  /** MQTT.js: the URL each connection attempt opens, from the broker URL (after beforeConnect). */
  transformWsUrl?: (url: string, options: Readonly<IClientOptions>, client: unknown) => string;
  /**
   * MQTT 5 enhanced authentication (MQTT.js name): `properties.authenticationMethod` and
   * `authenticationData` go into the CONNECT. Continue the exchange in
   * {@link MqttClient.handleAuth}.
   */
  authPacket?: { properties?: { authenticationMethod?: string; authenticationData?: Uint8Array | string } };
  /**
   * MQTT.js names for topic aliases. mqttws assigns outbound aliases itself (MQTT 5, up to
   * the broker's Topic Alias Maximum, least recently used replaced); either set to false
   * turns that off. Inbound aliases: `properties.topicAliasMaximum`.
   */
  autoUseTopicAlias?: boolean;
  autoAssignTopicAlias?: boolean;
  /**
   * MQTT.js: reconnect after a refused CONNECT. Refusals that would repeat (bad user name or
   * password, not authorized, banned, ...) end the session unless this is true — which it is
   * by default when `beforeConnect` is given, since that may bring new credentials.
   */
  reconnectOnConnackError?: boolean;
  /**
   * Share one connection between every tab of the origin (a SharedWorker runs the session;
   * a dedicated Worker where SharedWorker is missing). Tabs with the same broker URL and
   * clientId share; the first tab's options make the connection. Options must be
   * structured-cloneable (no functions: `beforeConnect`, `transformWsUrl`, `WebSocket`,
   * `handleAuth` stay per tab and are refused here). See README, "One connection for every
   * tab".
   */
  shared?: boolean;
  /** With `shared`: where dist/worker.mjs is served (default: next to the bundle). */
  workerUrl?: string | URL;
  /**
   * With `shared`: ms the connection stays up after the last tab left (default 3000), so
   * that a reload finds it still connected.
   */
  sharedGracePeriod?: number;
  /**
   * Where the session keeps its outgoing QoS 1/2 messages (queued and in flight, with their
   * packet identifiers) and its incoming QoS 2 packet identifiers. 'memory' (the default):
   * they survive reconnects, not a reload. 'indexeddb' (or {@link indexedDbStore}`(name)`
   * for a database of your naming; 'indexeddb' is database "mqttws"): they survive a
   * reload or a crash of the page, and the next page with the same `clientId` resends them
   * — needs a fixed `clientId` (refused without one) and a session the broker keeps
   * (`clean: false`; MQTT 5: `properties.sessionExpiryInterval` > 0). Nothing is sent
   * before the state it implies is committed to IndexedDB. When IndexedDB cannot be used
   * (private mode, no quota, another tab holding the same client's store) one `error` event
   * (`store_failed`, `store_in_use`) says so and the session goes on in memory.
   */
  store?: 'memory' | 'indexeddb' | IndexedDbStoreOption;
}

/** The `store` option's value for an IndexedDB store ({@link indexedDbStore}). */
export interface IndexedDbStoreOption {
  readonly kind: 'indexeddb';
  /** The database's name. */
  readonly name: string;
}

/**
 * The `store` option for a session kept in IndexedDB database `name` (default "mqttws"):
 * in-flight and queued QoS 1/2 messages and the packet identifier state survive a reload or a
 * crash and are resent by the next client with the same clientId. Needs a fixed `clientId`
 * and a persistent session (`clean: false`; MQTT 5: `properties.sessionExpiryInterval` > 0).
 * `store: 'indexeddb'` is `store: indexedDbStore()`.
 */
export function indexedDbStore(name = 'mqttws'): IndexedDbStoreOption {
  return { kind: 'indexeddb', name };
}

/**
 * The IndexedDB store `o.store` asks for (undefined: memory). Throws MqttError
 * invalid_options for an unknown value, or a persistent store without a fixed clientId (a
 * generated one differs on every page load: nothing stored could ever be resumed).
 */
export function storeOption(o: IClientOptions): IndexedDbStoreOption | undefined {
  const s = o.store;
  if (s === undefined || s === 'memory') return undefined;
  const idb = s === 'indexeddb' ? indexedDbStore() : s;
  if (typeof idb !== 'object' || idb === null || idb.kind !== 'indexeddb') {
    throw new MqttError(`invalid store option ${JSON.stringify(s)}: use 'memory', ` +
                        "'indexeddb' or indexedDbStore(name)", 'invalid_options');
  }
  if (!o.clientId) {
    throw new MqttError('store: a persistent store needs a fixed clientId (the session it ' +
                        'keeps is resumed by the next client with the same one)', 'invalid_options');
  }
  return idb;
}

/** Default of {@link IClientOptions.maxQueuedBytes}. */
export const defaultMaxQueuedBytes = 8 * 1024 * 1024;
/**
 * How long end() (not forced) waits for the outgoing QoS 1/2 messages in flight or queued to
 * be acknowledged before it disconnects anyway: 30 s, so ending a client is bounded even when
 * the broker stops answering.
 */
export const endDrainTimeoutMs = 30_000;

function invalidUrl(url: string, why: string): MqttError {
  return new MqttError(`invalid broker URL "${url}": ${why}`, 'invalid_url');
}

/**
 * The broker URL of `connect(url, o)` or `connect(o)`: the parts of `url` (scheme, credentials,
 * host, port, path and query), each replaced by `o.protocol`, `o.hostname` (or `o.host`),
 * `o.port` or `o.path` when given, as MQTT.js merges them. Without `url`: ws, the page's host
 * (else localhost), no port (the protocol's default) and "/". Not validated ({@link parseUrl}
 * does that): a `url` that is no URL comes back as it is.
 */
export function brokerUrl(url: string | undefined, o: IClientOptions): string {
  const overrides = o.protocol ?? o.hostname ?? o.host ?? o.port ?? o.path;
  if (url !== undefined && overrides === undefined) return url;  // as given: parseUrl's to judge
  let u: URL | undefined;
  try {
    if (url !== undefined) u = new URL(url);
  } catch {
    return url!;  // not a URL: parseUrl says so
  }
  const protocol = o.protocol?.replace(/:$/, '') ?? u?.protocol.slice(0, -1) ?? 'ws';
  const name = o.hostname ?? o.host ?? u?.hostname ??
    ((globalThis as { location?: { hostname?: string } }).location?.hostname || 'localhost');
  const port = o.port ?? u?.port;
  const path = o.path ?? (u ? u.pathname + u.search : '/');
  const auth = u && (u.username || u.password) ? `${u.username}:${u.password}@` : '';
  return `${protocol}://${auth}${name}${port ? `:${port}` : ''}${path}`;
}

const defaultPorts: Record<string, string> = { 'mqtt:': '1883', 'mqtts:': '8883' };
/** MQTT.js's other names of the socket schemes. */
const aliases: Record<string, string> = { 'tcp:': 'mqtt:', 'ssl:': 'mqtts:', 'tls:': 'mqtts:' };

/**
 * A broker URL without credentials, and the credentials, if any: ws:// or wss:// everywhere,
 * mqtt:// (port 1883 by default) or mqtts:// (8883) in Node — also by MQTT.js's other names,
 * tcp:// for mqtt://, ssl:// and tls:// for mqtts://. The one place URLs are checked:
 * throws MqttError invalid_url.
 */
export function parseUrl(url: string): { url: string; username?: string; password?: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw invalidUrl(url, 'not a URL');
  }
  if (u.protocol in aliases) u.protocol = aliases[u.protocol]!;
  const sockets = hasSockets();
  if (u.protocol in defaultPorts) {
    if (!sockets) {
      throw invalidUrl(url, 'browsers have only WebSocket: use ws:// or wss://');
    }
    u.port ||= defaultPorts[u.protocol]!;
    u.pathname = '';  // no meaning here (a failover entry may inherit the main URL's)
  } else if (u.protocol !== 'ws:' && u.protocol !== 'wss:') {
    throw invalidUrl(url, sockets ? 'use mqtt://, mqtts://, ws:// or wss://'
                                  : 'use ws:// or wss://');
  }
  if (!u.hostname) throw invalidUrl(url, 'no host');
  const username = u.username ? decodeURIComponent(u.username) : undefined;
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  u.username = '';
  u.password = '';
  return { url: u.toString(), username, password };
}

function serverUrl(s: ServerOption, base: URL): string {
  if (typeof s === 'string') return parseUrl(s).url;
  const protocol = s.protocol ?? base.protocol.slice(0, -1);
  const port = s.port ?? (protocol === base.protocol.slice(0, -1) ? base.port : '');
  return parseUrl(`${protocol}://${s.host}${port ? `:${port}` : ''}${base.pathname}`).url;
}

/** Copies `p` with binary values as bytes and user property values as strings. */
export function coreProperties(p: Properties | undefined): object | undefined {
  if (!p) return undefined;
  // Not an object: the core refuses it as such (spread, a string would become its characters).
  if (typeof p !== 'object') return p;
  const out: Record<string, unknown> = { ...p };
  if (p.correlationData !== undefined) out.correlationData = toBytes(p.correlationData);
  if (p.authenticationData !== undefined) out.authenticationData = toBytes(p.authenticationData);
  if (p.userProperties) {
    const users: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(p.userProperties)) {
      // Numbers and booleans read as text (as MQTT.js sends them); anything else goes on as it
      // is, for the core to refuse by name.
      const text = (x: unknown) => (typeof x === 'number' || typeof x === 'boolean' ? String(x) : x);
      users[k] = (Array.isArray(v) ? v.map(text) : text(v)) as string | string[];
    }
    out.userProperties = users;
  }
  return out;
}

/** "mqttws_" and 8 random hex digits, always 8. */
function generatedClientId(): string {
  const r = Math.floor(Math.random() * 2 ** 32);
  return `mqttws_${r.toString(16).padStart(8, '0')}`;
}

function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 52);
}

/** The options in `o` whose names are in `names` and that are set. */
function pick(o: object, names: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const n of names) {
    const v = (o as Record<string, unknown>)[n];
    if (v !== undefined) out[n] = v;
  }
  return out;
}

/**
 * What the client's links are opened with, for connections to `servers` (the core's, checked
 * by parseUrl). Throws MqttError no_websocket when one is ws(s):// and there is no WebSocket.
 */
export function transportOf(options: IClientOptions, servers: string[]): LinkOptions {
  const WebSocket = options.WebSocket ??
    (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!WebSocket && servers.some((s) => s.startsWith('ws'))) {
    throw new MqttError('no WebSocket implementation: pass one with the WebSocket option ' +
                        "(in Node, e.g. `import WebSocket from 'ws'`)", 'no_websocket');
  }
  const shared = ['ca', 'cert', 'key', 'rejectUnauthorized'];
  return {
    WebSocket,
    // As in MQTT.js: the top-level TLS options apply to wss unless wsOptions has its own.
    wsOptions: { ...pick(options, shared), ...options.wsOptions },
    tls: pick(options, [...shared, 'servername', 'ALPNProtocols']),
  };
}

/** The core's options for `url` and MQTT.js-style `o`; throws MqttError on a bad URL. */
export function toCoreOptions(url: string, o: IClientOptions): CoreOptions {
  storeOption(o);  // refused before anything starts
  const main = parseUrl(url);
  const base = new URL(main.url);
  const reconnectPeriod = o.reconnectPeriod ?? 1000;
  const backoff = o.reconnect ?? {};
  const initialDelay = backoff.initialDelay ?? (reconnectPeriod || 1000);
  const username = o.username ?? main.username;
  const password = o.password ?? main.password;
  const core: CoreOptions = {
    protocolVersion: o.protocolVersion ?? 4,
    clientId: o.clientId ?? generatedClientId(),
    clean: o.clean ?? true,
    keepalive: o.keepalive ?? 60,
    servers: [main.url, ...(o.servers ?? []).map((s) => serverUrl(s, base))],
    connectTimeout: o.connectTimeout ?? 30000,
    reconnect: reconnectPeriod !== 0,
    initialDelay,
    maxDelay: Math.max(backoff.maxDelay ?? 30000, initialDelay),
    multiplier: backoff.multiplier ?? 2,
    jitter: backoff.jitter ?? 0.5,
    seed: randomSeed(),
    maxQueued: Math.min(o.maxOfflineQueue ?? 0xffffffff, 0xffffffff),
    maxQueuedBytes: o.maxQueuedBytes ?? defaultMaxQueuedBytes,
    pingTimeout: o.pingTimeout ?? 0,
    queueQoSZero: o.queueQoSZero ?? true,
    autoTopicAlias: o.autoUseTopicAlias !== false && o.autoAssignTopicAlias !== false,
    reconnectAfterRefusal: o.reconnectOnConnackError ?? o.beforeConnect !== undefined,
  };
  if (username !== undefined) core.username = username;
  if (password !== undefined) core.password = toBytes(password);
  const auth = o.authPacket?.properties;
  const properties = auth ? { ...o.properties, ...auth } : o.properties;
  if (properties) core.properties = coreProperties(properties);
  if (o.will) {
    core.will = {
      topic: o.will.topic,
      payload: toBytes(o.will.payload),
      qos: o.will.qos ?? 0,
      retain: o.will.retain ?? false,
      properties: coreProperties(o.will.properties),
    };
  }
  return core;
}

/** One filter of a SUBSCRIBE with its options (what the core and the shared worker take). */
type Subscription = CoreSubscription & { qos: QoS; rh: 0 | 1 | 2 };

/**
 * subscribe()'s first two arguments as the core's list: one entry per filter, each with its
 * own options (an ISubscriptionMap) or `o`'s, MQTT.js's defaults (QoS 0, no nl/rap, rh 0).
 */
export function subscriptionList(topic: string | string[] | ISubscriptionMap,
                                 o: IClientSubscribeOptions): Subscription[] {
  const subs: Subscription[] = [];
  const add = (filter: string, s: IClientSubscribeOptions) => subs.push({
    topic: filter, qos: s.qos ?? o.qos ?? 0, nl: s.nl ?? o.nl ?? false,
    rap: s.rap ?? o.rap ?? false, rh: s.rh ?? o.rh ?? 0,
  });
  if (typeof topic === 'string') add(topic, o);
  else if (Array.isArray(topic)) topic.forEach((t) => add(t, o));
  else Object.entries(topic).forEach(([t, s]) => add(t, s));
  return subs;
}

/**
 * MQTT.js's optional `(options, callback)` tail, where a function in the options place is
 * the callback: the options (`{}` when none) and the callback.
 */
export function optionsAndCallback<O extends object, C extends (...args: never[]) => void>(
  options: O | C | undefined, callback: C | undefined): [Exclude<O, C>, C | undefined] {
  type Options = Exclude<O, C>;
  if (typeof options === 'function') return [{} as Options, options as C];
  return [(options ?? {}) as Options, callback];
}

/** unsubscribe()'s first argument as a list of filters. */
export function filterList(topic: string | string[]): string[] {
  return typeof topic === 'string' ? [topic] : topic;
}
