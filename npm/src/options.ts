// Client options in MQTT.js's names, and their translation into the core's options.

import { MqttError } from './errors.js';
import { toBytes, type Payload } from './payload.js';
import type { Properties, QoS } from './packets.js';
import type { CoreOptions } from './core.js';

/** A WebSocket constructor: the browser's, or e.g. the `ws` package's in Node. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => unknown;

/** One more broker to fail over to (MQTT.js `servers` shape), or its URL. */
export type ServerOption = string | { host: string; port?: number; protocol?: 'ws' | 'wss' };

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
  /** Ms from opening the WebSocket until CONNACK (default 30000). */
  connectTimeout?: number;
  /** More brokers, tried in turn after the URL's. */
  servers?: ServerOption[];
  /** WebSocket implementation (default: globalThis.WebSocket). In Node < 22 pass `ws`. */
  WebSocket?: WebSocketConstructor;
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
  /** MQTT.js: the URL of each WebSocket, from the broker URL (after beforeConnect). */
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
}

/** Default of {@link IClientOptions.maxQueuedBytes}. */
export const defaultMaxQueuedBytes = 8 * 1024 * 1024;

function invalidUrl(url: string, why: string): MqttError {
  return new MqttError(`invalid broker URL "${url}": ${why}`, 'invalid_url');
}

/** ws:// or wss:// URL without credentials; the credentials, if any. Throws MqttError invalid_url. */
export function parseUrl(url: string): { url: string; username?: string; password?: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw invalidUrl(url, 'not a URL');
  }
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') {
    throw invalidUrl(url, 'mqttws speaks MQTT over WebSocket: use ws:// or wss://');
  }
  const username = u.username ? decodeURIComponent(u.username) : undefined;
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  u.username = '';
  u.password = '';
  return { url: u.toString(), username, password };
}

function serverUrl(s: ServerOption, base: URL): string {
  if (typeof s === 'string') return parseUrl(s).url;
  const protocol = s.protocol ?? base.protocol.slice(0, -1);
  const port = s.port ?? (base.port || undefined);
  return parseUrl(`${protocol}://${s.host}${port ? `:${port}` : ''}${base.pathname}`).url;
}

/** Copies `p` with binary values as bytes and user property values as strings. */
export function coreProperties(p: Properties | undefined): object | undefined {
  if (!p) return undefined;
  const out: Record<string, unknown> = { ...p };
  if (p.correlationData !== undefined) out.correlationData = toBytes(p.correlationData);
  if (p.authenticationData !== undefined) out.authenticationData = toBytes(p.authenticationData);
  if (p.userProperties) {
    const users: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(p.userProperties)) {
      users[k] = Array.isArray(v) ? v.map(String) : String(v);
    }
    out.userProperties = users;
  }
  return out;
}

function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 52);
}

/** The WebSocket constructor to use; throws MqttError no_websocket when there is none. */
export function webSocketOf(options: IClientOptions): WebSocketConstructor {
  const ctor = options.WebSocket ??
    (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!ctor) {
    throw new MqttError('no WebSocket implementation: pass one with the WebSocket option ' +
                        "(in Node, e.g. `import WebSocket from 'ws'`)", 'no_websocket');
  }
  return ctor;
}

/** The core's options for `url` and MQTT.js-style `o`; throws MqttError on a bad URL. */
export function toCoreOptions(url: string, o: IClientOptions): CoreOptions {
  const main = parseUrl(url);
  const base = new URL(main.url);
  const reconnectPeriod = o.reconnectPeriod ?? 1000;
  const backoff = o.reconnect ?? {};
  const initialDelay = backoff.initialDelay ?? (reconnectPeriod || 1000);
  const username = o.username ?? main.username;
  const password = o.password ?? main.password;
  const core: CoreOptions = {
    protocolVersion: o.protocolVersion ?? 4,
    clientId: o.clientId ?? `mqttws_${Math.random().toString(16).slice(2, 10)}`,
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
