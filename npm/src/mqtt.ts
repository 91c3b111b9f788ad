// The package's API: connect() and what it works with. index.ts exports it, and this module
// as its default export.

import { MqttClient, openClient } from './client.js';
import { brokerUrl, toCoreOptions, type IClientOptions } from './options.js';
import { MqttError } from './errors.js';
import { loadWasm } from './wasm.js';
import { SharedClient } from './shared.js';

/**
 * Connects to the broker at `url` (ws:// or wss://; in Node also mqtt:// or mqtts://) and
 * keeps the connection up until `end()`. As in MQTT.js the broker may also be given, or
 * overridden, by the options `protocol`, `hostname`/`host`, `port` and `path`:
 * `connect({ host, port })`. Throws MqttError `invalid_url` for a URL the platform cannot
 * open, and `no_websocket` for ws(s):// when there is no WebSocket implementation (pass
 * `WebSocket` in Node without one).
 */
export function connect(url: string, options?: IClientOptions): MqttClient;
/** Connects to the broker the options name: `protocol`, `hostname`/`host`, `port`, `path`. */
export function connect(options?: IClientOptions): MqttClient;
export function connect(url?: string | IClientOptions, options: IClientOptions = {}): MqttClient {
  if (typeof url !== 'string') {
    options = url ?? options;
    url = undefined;
  }
  if (options.shared) {
    // The same checks as an unshared connect() (the worker would only find them later).
    const core = toCoreOptions(brokerUrl(url, options), options);
    return new SharedClient(core.servers[0] ?? '', options) as unknown as MqttClient;
  }
  return openClient(url, options);
}

/**
 * `connect(url, { ...options, shared: true })`: one connection for every tab of the origin
 * with this broker URL and clientId, run by a SharedWorker (see IClientOptions.shared).
 */
export function connectShared(url: string, options: IClientOptions = {}): MqttClient {
  return connect(url, { ...options, shared: true });
}

/**
 * Like {@link connect}, resolving once connected. Rejects with the first error (a refused
 * CONNECT carries the broker's `reasonCode`); the client is then ended.
 */
export function connectAsync(url: string, options?: IClientOptions): Promise<MqttClient>;
/** Like {@link connect}`(options)`, resolving once connected. */
export function connectAsync(options?: IClientOptions): Promise<MqttClient>;
export function connectAsync(url?: string | IClientOptions,
                             options?: IClientOptions): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = connect(url as string, options);  // either form: connect() tells them apart
    const done = () => {
      client.off('connect', onConnect);
      client.off('error', onError);
      client.off('close', onClose);
    };
    const onConnect = () => {
      done();
      resolve(client);
    };
    const onError = (error: Error) => {
      done();
      client.end(true, () => reject(error));
    };
    // A session that gave up without an error (the broker closed before CONNACK, with
    // reconnecting off) is a failure too.
    const onClose = () => {
      if (client.disconnected) {
        onError(new MqttError('the connection closed before CONNACK and the client gave up',
                              'transport_closed'));
      }
    };
    client.on('connect', onConnect);
    client.on('error', onError);
    client.on('close', onClose);
  });
}

/**
 * Bytes allocated on the shared wasm heap (all clients). A diagnostic: after every client
 * has ended it returns to what it was before they were created.
 */
export async function wasmMemoryInUse(): Promise<number> {
  return (await loadWasm()).heapInUse();
}

export { MqttClient };
export { MqttError } from './errors.js';
export { indexedDbStore } from './options.js';
export type { IndexedDbStoreOption } from './options.js';
export { MqttPayload } from './payload.js';
export type {
  AuthHandler, ClientStats, EndCallback, MqttClientEvents, PacketInfo, PublishCallback,
  ReconnectInfo, SubscribeCallback, UnsubscribeCallback,
} from './client.js';
export type {
  IClientOptions, ReconnectOptions, ServerOption, TlsData, WebSocketConstructor,
  WebSocketOptions,
} from './options.js';
export type * from './packets.js';
export type { ParsedStateOptions, StateListener, StateOptions, StateView } from './state.js';
