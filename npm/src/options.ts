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
  /**
   * The broker's scheme, 'ws' or 'wss' (a trailing ':' is ignored, as in MQTT.js). Default:
   * the URL's, else 'ws'. With a URL, this and the other broker fields below override its parts.
   */
  protocol?: 'ws' | 'wss' | 'ws:' | 'wss:';
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
  /** Ms from opening the WebSocket until CONNACK (default 30000). */
  connectTimeout?: number;
  /** More brokers, tried in turn after the URL's. */
  servers?: ServerOption[];
  /** WebSocket implementation (default: globalThis.WebSocket). In Node < 22 pass `ws`. */
  WebSocket?: WebSocketConstructor;
  /** Messages kept while offline or beyond the broker's Receive Maximum (default 1000). */
  maxOfflineQueue?: number;
}

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

/** ws:// or wss:// URL without credentials; the credentials, if any. */
function parseUrl(url: string): { url: string; username?: string; password?: string } {
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
    maxQueued: o.maxOfflineQueue ?? 1000,
  };
  if (username !== undefined) core.username = username;
  if (password !== undefined) core.password = toBytes(password);
  if (o.properties) core.properties = coreProperties(o.properties);
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
