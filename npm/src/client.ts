// MqttClient: the MQTT.js-shaped client over the wasm driver.
//
// The driver (C++, wasm/src/driver.hpp) runs the session and the WebSocket; this class turns
// its events into MQTT.js events and callbacks. Events are queued and dispatched from a
// microtask, never from inside a call into the wasm, so listeners may call any method.

import { rethrowLater, TypedEmitter } from './emitter.js';
import { MqttError, toMqttError } from './errors.js';
import {
  brokerUrl, coreProperties, defaultMaxQueuedBytes, endDrainTimeoutMs, filterList,
  optionsAndCallback, parseUrl, storeOption, subscriptionList, toCoreOptions, transportOf,
  type IClientOptions,
} from './options.js';
import type { DurableStore, StoreFailure } from './idb_store.js';
import type { LinkOptions } from './link.js';
import type {
  IClientPublishOptions, IClientRequestOptions, IClientSubscribeOptions,
  IClientUnsubscribeOptions, IConnackPacket, IDisconnectOptions, IDisconnectPacket, IAuthPacket,
  IPacket, IPubackPacket, IPublishPacket, IResponse, ISubscriptionGrant, ISubscriptionMap,
  IUnsubackPacket, MessageHandler, ReceivedProperties,
} from './packets.js';
import { MqttPayload, toBytes, type Payload } from './payload.js';
import { CoreDriver, type CoreEvent, type CoreMessage, type CoreModule, type CoreOptions,
  type CoreResult, type CoreSubscription, type OperationEvent } from './core.js';
import { loadWasm } from './wasm.js';
import type { ParsedStateOptions, StateOptions, StateView } from './state.js';
import { StateRegistry } from './state_source.js';

/** The events of {@link MqttClient}, as in MQTT.js. */
export interface MqttClientEvents {
  /** A CONNACK accepted the connection (also after each reconnection). */
  connect: (packet: IConnackPacket) => void;
  /**
   * A reconnection attempt is scheduled. MQTT.js passes no argument; mqttws adds when and
   * where the attempt will be made (listeners written for MQTT.js simply ignore it).
   */
  reconnect: (info: ReconnectInfo) => void;
  /** The connection (or an attempt) ended. */
  close: () => void;
  /** The client lost an established connection and is not ending. */
  offline: () => void;
  /** end() completed: the client is done and its wasm memory is freed. */
  end: () => void;
  /** Connection refused (with `reasonCode`), connection failures, protocol errors. */
  error: (error: MqttError) => void;
  /** The broker sent DISCONNECT (MQTT 5). */
  disconnect: (packet: IDisconnectPacket) => void;
  /**
   * A message arrived. `payload` (the same object as `packet.payload`) is an
   * {@link MqttPayload}: a Uint8Array whose toString() decodes UTF-8.
   */
  message: (topic: string, payload: MqttPayload, packet: IPublishPacket) => void;
  /** A control packet was handed to the WebSocket: the whole packet, MQTT.js-shaped. */
  packetsend: (packet: IPacket) => void;
  /** A control packet arrived: the whole packet, MQTT.js-shaped. */
  packetreceive: (packet: IPacket) => void;
}

/** When and where a scheduled reconnection attempt will be made (the `reconnect` event). */
export interface ReconnectInfo {
  /** 1 for the first reconnection attempt after a loss, then 2, 3, ... */
  attempt: number;
  /** Milliseconds from now until the attempt (the backoff delay, jitter included). */
  delay: number;
  /** The broker URL the attempt will open. */
  endpoint: string;
}

/** What packetsend/packetreceive report: the whole packet (an alias of {@link IPacket}). */
export type PacketInfo = IPacket;

/**
 * MQTT.js's enhanced authentication hook: answer the broker's AUTH challenge by calling
 * `callback` with the next AUTH packet (or an error to give up the exchange).
 */
export type AuthHandler = (packet: IAuthPacket,
                           callback: (error?: Error | null, reply?: Partial<IAuthPacket>) => void) => void;

/** Counters for dashboards ({@link MqttClient.stats}). */
export interface ClientStats {
  /** Outgoing QoS 1/2 messages sent and not yet completely acknowledged. */
  inflight: number;
  /** Incoming QoS 2 messages received and not yet released. */
  inflightIncoming: number;
  /** Messages waiting for a connection or for room in the broker's Receive Maximum. */
  queued: number;
  /** Their encoded size in bytes (what maxQueuedBytes bounds). */
  queuedBytes: number;
  /** Round trip of the last PINGREQ/PINGRESP in ms, once there was one. */
  lastPingRtt?: number;
  reconnectAttempts: number;
  connections: number;
  packetsSent: number;
  packetsReceived: number;
  bytesSent: number;
  bytesReceived: number;
  messagesSent: number;
  messagesReceived: number;
}

export type PublishCallback = (error?: MqttError, packet?: IPubackPacket) => void;
export type SubscribeCallback = (error?: MqttError, granted?: ISubscriptionGrant[]) => void;
export type UnsubscribeCallback = (error?: MqttError, packet?: IUnsubackPacket) => void;
export type EndCallback = (error?: Error) => void;

type QueuedEvent = CoreEvent | { type: 'ended' };

interface Waiting {
  run: (driver: CoreDriver) => void;
  fail: (error: MqttError) => void;
}

/**
 * Closes that are no `error`: an orderly close, the end of the session, our own reconnect()
 * and the network going away (the `offline` event says that).
 */
const quietCloses = new Set(['transport_closed', 'session_closed', 'reconnect_requested', 'ENETDOWN']);

function endedError(): MqttError {
  return new MqttError('the client is ending or has ended', 'invalid_state');
}

function toPublishPacket(m: CoreMessage, payload: MqttPayload): IPublishPacket {
  const p: IPublishPacket = {
    cmd: 'publish', topic: m.topic, payload, qos: m.qos, retain: m.retain, dup: m.dup,
  };
  if (m.messageId !== undefined) p.messageId = m.messageId;
  if (m.properties) p.properties = m.properties as ReceivedProperties;
  return p;
}

function operationError(e: OperationEvent): MqttError | undefined {
  return e.error ? toMqttError(e.error, e.reasonCodes.find((c) => c >= 0x80), e.reasonString)
                 : undefined;
}

/**
 * An MQTT client. Create it with {@link connect} or {@link connectAsync}. It connects at once
 * and keeps reconnecting (exponential backoff) until {@link MqttClient.end}.
 */
export class MqttClient extends TypedEmitter<MqttClientEvents> {
  /**
   * The options it was created with, completed with the values in effect (the generated
   * clientId, protocolVersion, keepalive, reconnectPeriod, connectTimeout, ...).
   */
  readonly options: Readonly<IClientOptions>;
  /**
   * Answers the broker's AUTH challenges (MQTT 5 enhanced authentication, MQTT.js's hook):
   * replace it to continue the exchange. The default gives up with an error.
   */
  handleAuth: AuthHandler = (_packet, callback) => callback(new MqttError(
    'the broker asked to continue authentication: set client.handleAuth to answer it',
    'auth_failed'));
  /** True while a connection is established (CONNACK accepted). */
  connected = false;
  /** True while waiting to reconnect or reconnecting. */
  reconnecting = false;
  /** True from end() until the `end` event. */
  disconnecting = false;
  /** True once the session has ended (end() completed, or it failed without reconnecting). */
  disconnected = false;

  #driver: CoreDriver | undefined;
  #waiting: Waiting[] = [];
  #ops = new Map<number, (e: OperationEvent) => void>();
  /** Per-subscription handlers by subscribe operation, until the core ends its last filter. */
  #handlers = new Map<number, MessageHandler>();
  #queue: QueuedEvent[] = [];
  #scheduled = false;
  #ending = false;
  #ended = false;
  /** The `ended` step is queued (once per end()): the session has ended, or never started. */
  #endQueued = false;
  #endCallbacks: EndCallback[] = [];
  #failed: MqttError | undefined;
  #core: CoreOptions;
  #links: LinkOptions;
  #lastId = 0;
  #queueFullReported = false;
  #unwatch: (() => void) | undefined;
  #reauth: { resolve: () => void; reject: (e: MqttError) => void } | undefined;
  #states: StateRegistry | undefined;
  #store: DurableStore | undefined;

  /** @internal Use {@link connect}. */
  constructor(core: CoreOptions, links: LinkOptions, options: IClientOptions) {
    super();
    this.#core = core;
    this.#links = links;
    this.options = Object.freeze({
      ...options,
      clientId: core.clientId,
      protocolVersion: core.protocolVersion,
      clean: core.clean,
      keepalive: core.keepalive,
      reconnectPeriod: options.reconnectPeriod ?? 1000,
      connectTimeout: core.connectTimeout,
      maxQueuedBytes: core.maxQueuedBytes,
      queueQoSZero: core.queueQoSZero,
    });
    this.#load();
  }

  /**
   * The wasm and, with a persistent store, the store's contents (the session loads them at
   * connect, synchronously: idb_store.ts) before the session starts; commands wait.
   */
  #load(): void {
    const idb = storeOption(this.options);
    const report = (message: string, code: StoreFailure) => queueMicrotask(() => {
      const e = new MqttError(message, code);
      if (!this.emit('error', e)) console.error(e);
    });
    // The store's code is a chunk of its own in the browser build (idb_store.ts). Failing to
    // load it is the store failing: reported, and the session kept in memory.
    const store = idb && import('./idb_store.js').then(
      (m) => m.openIndexedDbStore(idb.name, this.#core.clientId, report),
      (e: unknown) => {
        report(`the IndexedDB store's code did not load (${String(e)}; dist/idb_store.mjs ` +
          'belongs next to dist/browser.mjs); this client keeps its session in memory only',
               'store_failed');
        return undefined;
      });
    Promise.all([loadWasm(), store]).then(([m, s]) => this.#start(m, s),
                                          (e: MqttError) => this.#startFailed(e));
  }

  #start(m: CoreModule, store: DurableStore | undefined): void {
    if (this.#ending) {
      store?.close();
      return;  // end() before the wasm loaded: never start
    }
    this.#store = store;
    const o = this.options;
    const hooked = o.beforeConnect !== undefined || o.transformWsUrl !== undefined;
    const driver = new CoreDriver(m, this.#links, (e) => this.#enqueue(e),
      hooked ? (url) => this.#beforeOpen(url) : undefined);
    const error = driver.connect(store ? { ...this.#core, store } : this.#core);
    if (error) {
      driver.delete();
      store?.close();
      this.#store = undefined;
      this.#startFailed(toMqttError(error));
      return;
    }
    this.#driver = driver;
    this.#updateTap();
    this.#unwatch = this.#watchNetwork();
    for (const w of this.#waiting.splice(0)) w.run(driver);
  }

  /** beforeConnect, then transformWsUrl: the URL of this attempt (credentials updated). */
  async #beforeOpen(url: string): Promise<string> {
    const o = this.options;
    let final = url;
    if (o.beforeConnect) {
      const r = await o.beforeConnect(o);
      if (r?.url !== undefined) final = parseUrl(r.url).url;
      if (r && (r.username !== undefined || r.password !== undefined)) {
        const username = r.username ?? this.#core.username;
        const password = r.password !== undefined ? toBytes(r.password) : this.#core.password;
        const refused = this.#driver?.setCredentials(username, password);
        if (refused) throw toMqttError(refused);
      }
    }
    return o.transformWsUrl ? o.transformWsUrl(final, o, this) : final;
  }

  /**
   * Browsers and workers: reconnect at once on `online` (the backoff reset), drop the
   * connection on `offline` (instead of waiting for keep alive to notice), and probe the link
   * with a PINGREQ when a page becomes visible after a second or more hidden (timers may
   * have been throttled meanwhile). Returns what removes the listeners.
   */
  #watchNetwork(): (() => void) | undefined {
    type Target = {
      addEventListener?: (type: string, listener: () => void) => void;
      removeEventListener?: (type: string, listener: () => void) => void;
    };
    const g = globalThis as Target & { document?: Target & { visibilityState?: string } };
    if (typeof g.addEventListener !== 'function' || typeof g.removeEventListener !== 'function') {
      return undefined;
    }
    const online = () => {
      if (!this.connected) this.#driver?.reconnect();
    };
    const offline = () => this.#driver?.networkDown();
    let hiddenAt: number | undefined;
    const doc = g.document;
    const visibility = () => {
      if (doc?.visibilityState === 'hidden') {
        hiddenAt = Date.now();
      } else if (hiddenAt !== undefined) {
        const hidden = Date.now() - hiddenAt;
        hiddenAt = undefined;
        if (hidden >= 1000 && this.connected) this.#driver?.ping();
      }
    };
    g.addEventListener('online', online);
    g.addEventListener('offline', offline);
    doc?.addEventListener?.('visibilitychange', visibility);
    return () => {
      g.removeEventListener!('online', online);
      g.removeEventListener!('offline', offline);
      doc?.removeEventListener?.('visibilitychange', visibility);
    };
  }

  /**
   * The client can never start (the wasm cannot load, or the core refused the options).
   * Emitting `error` with no listener throws nothing (as MQTT.js, whose connect() listens
   * itself); this failure, which would otherwise go unseen, is then written to console.error.
   */
  #startFailed(error: MqttError): void {
    this.#failed = error;
    this.disconnected = true;
    for (const w of this.#waiting.splice(0)) w.fail(error);
    if (!this.emit('error', error)) console.error(error);
  }

  /** Runs `run` on the driver now, or once the wasm has loaded. */
  #withDriver(run: (d: CoreDriver) => void, fail: (e: MqttError) => void): void {
    if (this.#driver && !this.#ending) run(this.#driver);
    else if (this.#ending || this.#failed) {
      const error = this.#ending ? endedError() : this.#failed!;
      queueMicrotask(() => fail(error));
    } else this.#waiting.push({ run, fail });
  }

  /** Issues a command; `done` gets its completion, `fail` an immediate refusal. */
  #command(run: (d: CoreDriver) => CoreResult, done: (e: OperationEvent) => void,
           fail: (e: MqttError) => void): void {
    this.#withDriver((d) => {
      const r = run(d);
      if (typeof r === 'number') this.#ops.set(r, done);
      else queueMicrotask(() => fail(toMqttError(r)));
    }, fail);
  }

  #enqueue(e: QueuedEvent): void {
    this.#queue.push(e);
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => this.#drain());
  }

  #drain(): void {
    const q = this.#queue;
    for (let i = 0; i < q.length; i++) {
      this.#dispatch(q[i]!);
    }
    q.length = 0;
    this.#scheduled = false;
  }

  #dispatch(e: QueuedEvent): void {
    switch (e.type) {
      case 'connect':
        this.connected = true;
        this.reconnecting = false;
        this.emit('connect', {
          cmd: 'connack', sessionPresent: e.sessionPresent, reasonCode: 0, returnCode: 0,
          properties: e.properties as ReceivedProperties,
        });
        break;
      case 'disconnect':
        this.#onDisconnect(e);
        // The session's end, which end() waits for: after its last events, the client's.
        if (this.#ending && !e.willReconnect) this.#queueEnd();
        break;
      case 'reconnect':
        this.reconnecting = true;
        this.emit('reconnect', { attempt: e.attempt, delay: e.delay, endpoint: e.endpoint });
        break;
      case 'message':
        this.#onMessage(e);
        break;
      case 'operation': {
        const done = this.#ops.get(e.id);
        this.#ops.delete(e.id);
        done?.(e);
        break;
      }
      case 'auth':
        this.#onAuth(e);
        break;
      case 'subscriptionEnded':
        // The session decides how long a subscription routes (UNSUBACK, a refusal, its end).
        if (e.last) this.#handlers.delete(e.id);
        break;
      case 'packet': {
        const { type, sent, ...packet } = e;
        this.emit(sent ? 'packetsend' : 'packetreceive', packet as unknown as IPacket);
        break;
      }
      case 'ended':
        this.#finishEnd();
        break;
    }
  }

  #onAuth(e: Extract<CoreEvent, { type: 'auth' }>): void {
    const packet: IAuthPacket = {
      cmd: 'auth', reasonCode: e.reasonCode, properties: e.properties as ReceivedProperties,
    };
    if (e.reasonCode !== 0x18) {
      // Success (0x00): a re-authentication is complete.
      const r = this.#reauth;
      this.#reauth = undefined;
      r?.resolve();
      return;
    }
    this.handleAuth(packet, (error, reply) => {
      if (error) {
        this.emit('error', error instanceof MqttError ? error
          : new MqttError(`authentication failed: ${error.message}`, 'auth_failed'));
        return;
      }
      const refused = this.#driver?.authenticate(reply?.reasonCode ?? 0x18,
                                                 coreProperties(reply?.properties));
      if (refused) this.emit('error', toMqttError(refused));
    });
  }

  #onDisconnect(e: Extract<CoreEvent, { type: 'disconnect' }>): void {
    const wasConnected = this.connected;
    this.connected = false;
    // The state first, so that listeners of the events below see it.
    if (!e.willReconnect) {
      this.reconnecting = false;
      if (!this.#ending) this.disconnected = true;
    }
    const r = this.#reauth;
    this.#reauth = undefined;
    r?.reject(e.error ? toMqttError(e.error, e.reasonCode, e.reasonString)
                      : new MqttError('disconnected', 'session_closed'));
    if (e.error?.code === 'server_disconnected' && e.reasonCode !== undefined) {
      const packet: IDisconnectPacket = { cmd: 'disconnect', reasonCode: e.reasonCode };
      if (e.reasonString || e.serverReference) {
        packet.properties = {};
        if (e.reasonString) packet.properties.reasonString = e.reasonString;
        if (e.serverReference) packet.properties.serverReference = e.serverReference;
      }
      this.emit('disconnect', packet);
    }
    if (e.error && !quietCloses.has(e.error.code)) {
      this.emit('error', toMqttError(e.error, e.reasonCode, e.reasonString));
    }
    this.emit('close');
    if (wasConnected && !this.#ending) this.emit('offline');
  }

  #onMessage(e: Extract<CoreEvent, { type: 'message' }>): void {
    const packet = e.packet as IPublishPacket;
    this.emit('message', packet.topic, packet.payload, packet);
    for (const id of e.subscriptions) {
      const handler = this.#handlers.get(id);
      if (!handler) continue;
      try {
        handler(packet.topic, packet.payload, packet);
      } catch (error) {
        rethrowLater(error);
      }
    }
  }

  /** Adds `listener` for `event` (packetsend/packetreceive listeners turn packet reports on). */
  override on<E extends keyof MqttClientEvents>(event: E, listener: MqttClientEvents[E]): this {
    super.on(event, listener);
    if (event === 'packetsend' || event === 'packetreceive') this.#updateTap();
    return this;
  }

  #updateTap(): void {
    this.#driver?.setPacketTap(
      this.listenerCount('packetsend') + this.listenerCount('packetreceive') > 0);
  }

  // ---- publish / subscribe / unsubscribe / request -----------------------------------------

  /**
   * Publishes `message` on `topic`. The callback runs when it is complete: QoS 0 once
   * written, QoS 1 on PUBACK, QoS 2 on PUBCOMP. While offline, messages are queued (up to
   * maxOfflineQueue) and sent after reconnecting.
   */
  publish(topic: string, message: Payload, callback?: PublishCallback): this;
  publish(topic: string, message: Payload, options?: IClientPublishOptions,
          callback?: PublishCallback): this;
  publish(topic: string, message: Payload, options?: IClientPublishOptions | PublishCallback,
          callback?: PublishCallback): this {
    const [o, cb] = optionsAndCallback(options, callback);
    const qos = o.qos ?? 0;
    const payload = toBytes(message);
    const props = coreProperties(o.properties);
    this.#command((d) => {
      const r = d.publish(topic, payload, qos, o.retain ?? false, props);
      if (typeof r === 'number') {
        this.#lastId = r;
        this.#queueFullReported = false;
      } else if (r.code === 'queue_full') {
        this.#queueFull();  // decided now: bursts are told apart in publish order
      }
      return r;
    }, (e) => {
      const error = operationError(e);
      if (error || qos === 0) {
        cb?.(error);
        return;
      }
      const packet: IPubackPacket = {
        cmd: qos === 1 ? 'puback' : 'pubcomp', reasonCode: e.reasonCodes[0] ?? 0,
      };
      if (e.reasonString) packet.properties = { reasonString: e.reasonString };
      cb?.(undefined, packet);
    }, (error) => cb?.(error));
    return this;
  }

  /**
   * A publish found the queue full: one `error` event per burst (until a publish is accepted
   * again), callback or not; emitted from a microtask, like the refusal itself.
   */
  #queueFull(): void {
    if (this.#queueFullReported) return;
    this.#queueFullReported = true;
    const s = this.stats();
    const error = new MqttError(
      `outgoing queue full (${s.queued} messages, ${s.queuedBytes} bytes; maxQueuedBytes ` +
      `${this.options.maxQueuedBytes ?? defaultMaxQueuedBytes}): publishes fail with ` +
      'queue_full until it drains', 'queue_full');
    queueMicrotask(() => this.emit('error', error));
  }

  /** Promise form of {@link publish}: the acknowledgement (undefined for QoS 0). */
  publishAsync(topic: string, message: Payload,
               options?: IClientPublishOptions): Promise<IPubackPacket | undefined> {
    return new Promise((resolve, reject) => {
      this.publish(topic, message, options ?? {}, (error, packet) =>
        error ? reject(error) : resolve(packet));
    });
  }

  /**
   * Subscribes to one filter, several, or a {filter: options} map. The callback gets one
   * grant per filter: the granted QoS, or a failure reason code (>= 0x80). With
   * `options.handler`, matching messages are also handed to that handler, from the call on
   * (retained messages included) until the core ends the last of these filters: an UNSUBACK
   * removing it, the broker refusing it (in the SUBACK, or when resubscribing after it lost
   * the session), or the end of the client.
   */
  subscribe(topic: string | string[] | ISubscriptionMap, callback?: SubscribeCallback): this;
  subscribe(topic: string | string[] | ISubscriptionMap, options?: IClientSubscribeOptions,
            callback?: SubscribeCallback): this;
  subscribe(topic: string | string[] | ISubscriptionMap,
            options?: IClientSubscribeOptions | SubscribeCallback,
            callback?: SubscribeCallback): this {
    const [o, cb] = optionsAndCallback(options, callback);
    const subs: CoreSubscription[] = subscriptionList(topic, o);
    const props = coreProperties(o.properties);
    this.#command((d) => {
      const r = d.subscribe(subs, props);
      if (typeof r === 'number') this.#lastId = r;
      if (typeof r === 'number' && o.handler) this.#handlers.set(r, o.handler);
      return r;
    }, (e) => {
      const error = operationError(e);
      if (error) {
        cb?.(error);
        return;
      }
      cb?.(undefined, subs.map((s, i) => ({ topic: s.topic, qos: e.reasonCodes[i] ?? 0x80 })));
    }, (error) => cb?.(error));
    return this;
  }

  /** Promise form of {@link subscribe}: one grant per filter. */
  subscribeAsync(topic: string | string[] | ISubscriptionMap,
                 options?: IClientSubscribeOptions): Promise<ISubscriptionGrant[]> {
    return new Promise((resolve, reject) => {
      this.subscribe(topic, options ?? {}, (error, granted) =>
        error ? reject(error) : resolve(granted!));
    });
  }

  /**
   * Unsubscribes; once the UNSUBACK has removed them, per-subscription handlers stop receiving
   * messages on these filters (a subscribe made after this call keeps its own).
   */
  unsubscribe(topic: string | string[], callback?: UnsubscribeCallback): this;
  unsubscribe(topic: string | string[], options?: IClientUnsubscribeOptions,
              callback?: UnsubscribeCallback): this;
  unsubscribe(topic: string | string[], options?: IClientUnsubscribeOptions | UnsubscribeCallback,
              callback?: UnsubscribeCallback): this {
    const [o, cb] = optionsAndCallback(options, callback);
    const topics = filterList(topic);
    const props = coreProperties(o.properties);
    this.#command((d) => {
      const r = d.unsubscribe(topics, props);
      if (typeof r === 'number') this.#lastId = r;
      return r;
    }, (e) => {
      const error = operationError(e);
      if (error) cb?.(error);
      else cb?.(undefined, { cmd: 'unsuback', reasonCode: e.reasonCodes });
    }, (error) => cb?.(error));
    return this;
  }

  /** Promise form of {@link unsubscribe}. */
  unsubscribeAsync(topic: string | string[],
                   options?: IClientUnsubscribeOptions): Promise<IUnsubackPacket | undefined> {
    return new Promise((resolve, reject) => {
      this.unsubscribe(topic, options ?? {}, (error, packet) =>
        error ? reject(error) : resolve(packet));
    });
  }

  /**
   * MQTT 5 request/response: publishes with a Response Topic and Correlation Data (its own
   * unless `options.properties` sets them), subscribes to the response topic when needed,
   * and resolves with the first message there carrying that Correlation Data. Rejects with
   * code `request_timeout` after `options.timeout` ms (default 30000).
   */
  request(topic: string, payload: Payload, options: IClientRequestOptions = {}): Promise<IResponse> {
    const bytes = toBytes(payload);
    const props = coreProperties(options.properties);
    return new Promise((resolve, reject) => {
      this.#command(
        (d) => d.request(topic, bytes, options.qos ?? 0, options.retain ?? false, props,
                         options.timeout ?? 30000),
        (e) => {
          const error = operationError(e);
          if (error || !e.response) {
            reject(error ?? new MqttError('no response', 'request_timeout'));
            return;
          }
          const r = e.response;
          const payload = new MqttPayload(r.payload);
          resolve({ topic: r.topic, payload, packet: toPublishPacket(r, payload) });
        }, reject);
    });
  }

  // ---- MQTT.js's connection and outgoing-message methods -----------------------------------

  /**
   * Connects again at once, the backoff reset: while waiting to reconnect the attempt starts
   * now; a connection (or an attempt) under way is closed first (with DISCONNECT, so no will
   * is published) and nothing pending fails — in-flight messages are resent. After end(), or
   * once the session gave up by itself (e.g. a refused password), it starts a new session
   * with the same options (the old session's subscriptions are not restored). Browsers do this by themselves on the `online` event.
   */
  reconnect(): this {
    const gaveUp = !this.#ending && this.#driver?.closed === true;
    if (gaveUp) {
      // The session ended by itself (a refusal that would repeat, reconnecting off): a new one.
      this.#dropSession();
      this.disconnected = false;
      this.#load();
      return this;
    }
    if (this.#ended) {
      this.#ended = false;
      this.#ending = false;
      this.#endQueued = false;
      this.#failed = undefined;
      this.disconnecting = false;
      this.disconnected = false;
      this.#load();
      return this;
    }
    if (!this.#ending) this.#driver?.reconnect();
    return this;
  }

  /**
   * The id of the last publish, subscribe or unsubscribe accepted (0 before any), for
   * {@link removeOutgoingMessage}. mqttws numbers operations, not packets: MQTT packet
   * identifiers are assigned when a message is sent, so this is the operation id.
   */
  getLastMessageId(): number {
    return this.#lastId;
  }

  /**
   * Removes an outgoing publish by {@link getLastMessageId}'s id: one still queued is never
   * sent; its callback gets MqttError `cancelled`. One already sent keeps its exchange with
   * the broker (MQTT requires it to finish), but its callback gets `cancelled` at once and
   * nothing more. Unknown or completed ids are ignored.
   */
  removeOutgoingMessage(messageId: number): this {
    const done = this.#ops.get(messageId);
    if (!done || !this.#driver) return this;
    if (this.#driver.cancel(messageId)) {
      // Sent already: detached from its callback (the completion will find no one).
      this.#ops.delete(messageId);
      done({
        type: 'operation', id: messageId, kind: 'publish', reasonCodes: [],
        error: { code: 'cancelled', message: 'removed by removeOutgoingMessage()' },
      });
    }
    return this;
  }

  /**
   * MQTT 5 re-authentication: sends AUTH (Re-authenticate, 0x19) with `properties` (the
   * Authentication Method defaults to the CONNECT's). Further challenges go to
   * {@link handleAuth}; resolves when the broker answers Success, rejects when the
   * connection ends first or the command is refused (no enhanced authentication in use:
   * `invalid_state`; MQTT 3.1.1: `properties_require_v5`).
   */
  authenticate(properties: IAuthPacket['properties'] = {}): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#withDriver((d) => {
        const refused = d.authenticate(0x19, coreProperties(properties));
        if (refused) {
          reject(toMqttError(refused));
          return;
        }
        this.#reauth?.reject(new MqttError('superseded by a newer authenticate()',
                                           'invalid_state'));
        this.#reauth = { resolve, reject };
      }, reject);
    });
  }

  // ---- live state --------------------------------------------------------------------------

  /**
   * A live view of the last message of each topic matching `filter` (wildcards allowed),
   * retained or live: a `ReadonlyMap` from topic to payload, with `subscribe(listener)` and an
   * immutable `snapshot` for React's `useSyncExternalStore`, Svelte stores and Vue refs (see
   * {@link StateView}). An empty payload deletes a topic's entry.
   *
   * Views on the same filter string share one broker subscription: the first one subscribes
   * (a SUBSCRIBE with `options.qos`, default 0), a later one starts with the entries already
   * there, and closing the last one unsubscribes. Overlapping filters (`home/#`,
   * `home/+/temp`) are subscriptions of their own. A view holds what its own subscription
   * delivers, matched by the core as for {@link subscribe}'s handlers (a `$SYS/...` topic is
   * not under `#`, MQTT-4.7.2-1; a `$share/{group}/...` filter holds what the broker gives
   * this member, and brokers send no retained messages to shared subscriptions).
   *
   * Returns at once; a failure (a malformed filter: `invalid_topic_filter`; an ended client:
   * `invalid_state`; a refusal by the broker: `operation_failed`) rejects `view.ready` and is
   * `view.error`. With `options.parse`, each entry's value is `parse(payload, topic)`: e.g.
   * JSON for a dashboard.
   */
  state<T>(filter: string, options: ParsedStateOptions<T>): StateView<T>;
  /** {@link state} without `parse`: the values are the payloads ({@link MqttPayload}). */
  state(filter: string, options?: StateOptions): StateView<MqttPayload>;
  state<T>(filter: string, options: StateOptions & Partial<ParsedStateOptions<T>> = {}):
      StateView<T> | StateView<MqttPayload> {
    this.#states ??= new StateRegistry(this);
    return this.#states.open(filter, options, options.parse);
  }

  /** The session is over: its views stop updating (a later state() subscribes anew). */
  #endStates(): void {
    this.#states?.ended();
    this.#states = undefined;
  }

  // ---- end ---------------------------------------------------------------------------------

  /**
   * Ends the client: sends DISCONNECT (with `options.reasonCode`/`properties` on MQTT 5),
   * closes the WebSocket and frees the client's wasm memory; then emits `end` and calls
   * `callback`. No reconnection follows; new commands fail with `invalid_state` from the call.
   *
   * Unless `force`, the DISCONNECT waits until the outgoing QoS 1/2 messages in flight or
   * queued have been acknowledged (their callbacks succeed before `end`), for at most
   * 30 seconds; those still pending then fail with `session_closed`.
   * Offline, or if the connection is lost meanwhile, it ends at once (pending messages fail
   * with `session_closed`; a persistent store keeps them). `end(true)`, also during such a
   * wait, ends at once. The waiting is the core's (session::disconnect_after_drain).
   */
  end(callback?: EndCallback): this;
  end(force?: boolean, callback?: EndCallback): this;
  end(force?: boolean, options?: IDisconnectOptions, callback?: EndCallback): this;
  end(force?: boolean | EndCallback, options?: IDisconnectOptions | EndCallback,
      callback?: EndCallback): this {
    if (typeof force === 'function') {
      callback = force;
      force = false;
    }
    if (typeof options === 'function') {
      callback = options;
      options = undefined;
    }
    if (callback) this.#endCallbacks.push(callback);
    if (this.#ended) {
      const callbacks = this.#endCallbacks.splice(0);
      queueMicrotask(() => callbacks.forEach((cb) => cb()));
    }
    const o = options ?? {};
    const props = coreProperties(o.properties);
    const driver = this.#driver;
    if (this.#ending) {
      // end(true) while an end() waits for acknowledgements: it stops waiting (the core's
      // disconnect() ends a drain at once; refused when nothing waits any more).
      if (force === true && driver && !this.#endQueued) {
        driver.disconnect(o.reasonCode ?? 0, props);
      }
      return this;
    }
    this.#ending = true;
    this.disconnecting = true;
    if (!driver) {
      // Not started (the wasm is still loading, or it failed): nothing to disconnect.
      for (const w of this.#waiting.splice(0)) w.fail(endedError());
      this.#queueEnd();
      return this;
    }
    // The session ends with a disconnect event (then the `ended` step is queued); refused
    // only when it had ended already.
    const refused = driver.disconnect(o.reasonCode ?? 0, props,
                                      force === true ? -1 : endDrainTimeoutMs);
    if (refused) this.#queueEnd();
    return this;
  }

  /** Promise form of {@link end}. */
  endAsync(force?: boolean, options?: IDisconnectOptions): Promise<void> {
    return new Promise((resolve, reject) => {
      this.end(force, options ?? {}, (error) => (error ? reject(error) : resolve()));
    });
  }

  #queueEnd(): void {
    if (this.#endQueued) return;
    this.#endQueued = true;
    this.#enqueue({ type: 'ended' });
  }

  /**
   * Frees the driver (the session, the socket, every byte it held) and forgets what belonged
   * to its session: a new session numbers its operations from 1 again, so no handler or
   * callback of the old one may be found by a new id.
   */
  #dropSession(): void {
    this.#unwatch?.();
    this.#unwatch = undefined;
    this.#driver?.delete();
    this.#driver = undefined;
    this.#store?.close();  // once its last writes are committed
    this.#store = undefined;
    this.#ops.clear();
    this.#handlers.clear();
    this.#endStates();
  }

  #finishEnd(): void {
    this.#dropSession();
    this.connected = false;
    this.reconnecting = false;
    this.disconnecting = false;
    this.disconnected = true;
    this.#ended = true;
    this.emit('end');
    for (const cb of this.#endCallbacks.splice(0)) cb();
  }

  // ---- state -------------------------------------------------------------------------------

  /** In-flight, queued and traffic counters; all 0 before the wasm has loaded or after end. */
  stats(): ClientStats {
    // The core counts in exactly these names (wasm/src/driver.cpp, stats()).
    return this.#driver?.stats() ?? {
      inflight: 0, inflightIncoming: 0, queued: 0, queuedBytes: 0, reconnectAttempts: 0,
      connections: 0,
      packetsSent: 0, packetsReceived: 0, bytesSent: 0, bytesReceived: 0, messagesSent: 0,
      messagesReceived: 0,
    };
  }


  /** The client identifier in use (the broker-assigned one once known). */
  get clientId(): string {
    return this.#driver?.clientId() ?? '';
  }

  /** True once the session is closed for good (also when it failed without reconnecting). */
  get closed(): boolean {
    return !this.#driver || this.#driver.closed;
  }
}

/**
 * A client of its own connecting to the broker `url` and `options` name (connect() without
 * `shared`; also how the shared connection's hub makes its clients). Throws MqttError
 * `invalid_url`, `invalid_options` or `no_websocket` as connect() documents.
 */
export function openClient(url: string | undefined, options: IClientOptions): MqttClient {
  const core = toCoreOptions(brokerUrl(url, options), options);
  return new MqttClient(core, transportOf(options, core.servers), options);
}
