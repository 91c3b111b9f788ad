// MqttClient: the MQTT.js-shaped client over the wasm driver.
//
// The driver (C++, wasm/src/driver.hpp) runs the session and the WebSocket; this class turns
// its events into MQTT.js events and callbacks. Events are queued and dispatched from a
// microtask, never from inside a call into the wasm, so listeners may call any method.

import { TypedEmitter } from './emitter.js';
import { MqttError, toMqttError } from './errors.js';
import { coreProperties, type IClientOptions, type WebSocketConstructor } from './options.js';
import type {
  IClientPublishOptions, IClientRequestOptions, IClientSubscribeOptions,
  IClientUnsubscribeOptions, IConnackPacket, IDisconnectOptions, IDisconnectPacket,
  IPubackPacket, IPublishPacket, IResponse, ISubscriptionGrant, ISubscriptionMap,
  IUnsubackPacket, MessageHandler, ReceivedProperties,
} from './packets.js';
import { MqttPayload, toBytes, type Payload } from './payload.js';
import { CoreDriver, type CoreEvent, type CoreMessage, type CoreModule, type CoreOptions,
  type CoreResult, type CoreSubscription, type OperationEvent } from './core.js';
import { loadWasm } from './wasm.js';

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
  /** A control packet was handed to the WebSocket. */
  packetsend: (packet: PacketInfo) => void;
  /** A control packet arrived. */
  packetreceive: (packet: PacketInfo) => void;
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

/** What packetsend/packetreceive report about a packet. */
export interface PacketInfo {
  /** "connect", "publish", "puback", "pingreq", ... */
  cmd: string;
  /** Packet identifier, for the packet types that carry one. */
  messageId?: number;
  /** For PUBLISH. */
  topic?: string;
  /** For PUBLISH. */
  qos?: number;
}

/** Counters for dashboards ({@link MqttClient.stats}). */
export interface ClientStats {
  /** Outgoing QoS 1/2 messages sent and not yet completely acknowledged. */
  inflight: number;
  /** Incoming QoS 2 messages received and not yet released. */
  inflightIncoming: number;
  /** Messages waiting for a connection or for room in the broker's Receive Maximum. */
  queued: number;
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
  /** The options it was created with. */
  readonly options: Readonly<IClientOptions>;
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
  #handlers = new Map<number, { handler: MessageHandler; filters: Set<string> }>();
  #queue: QueuedEvent[] = [];
  #scheduled = false;
  #ending = false;
  #ended = false;
  #pendingEnd: (() => void) | undefined;
  #endCallbacks: EndCallback[] = [];
  #failed: MqttError | undefined;

  /** @internal Use {@link connect}. */
  constructor(core: CoreOptions, webSocket: WebSocketConstructor, options: IClientOptions) {
    super();
    this.options = options;
    loadWasm().then((m) => this.#start(m, core, webSocket),
                    (e: MqttError) => this.#startFailed(e));
  }

  #start(m: CoreModule, core: CoreOptions, webSocket: WebSocketConstructor): void {
    if (this.#ending) return;  // end() before the wasm loaded: never start
    const driver = new CoreDriver(m, webSocket, (e) => this.#enqueue(e));
    const error = driver.connect(core);
    if (error) {
      driver.delete();
      this.#startFailed(toMqttError(error));
      return;
    }
    this.#driver = driver;
    this.#updateTap();
    for (const w of this.#waiting.splice(0)) w.run(driver);
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
      this.#tryEnd();
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
        break;  // enhanced authentication is not part of this API
      case 'packet': {
        const { type, sent, ...info } = e;
        this.emit(sent ? 'packetsend' : 'packetreceive', info);
        break;
      }
      case 'ended':
        this.#finishEnd();
        break;
    }
  }

  #onDisconnect(e: Extract<CoreEvent, { type: 'disconnect' }>): void {
    const wasConnected = this.connected;
    this.connected = false;
    if (e.error?.code === 'server_disconnected' && e.reasonCode !== undefined) {
      const packet: IDisconnectPacket = { cmd: 'disconnect', reasonCode: e.reasonCode };
      if (e.reasonString || e.serverReference) {
        packet.properties = {};
        if (e.reasonString) packet.properties.reasonString = e.reasonString;
        if (e.serverReference) packet.properties.serverReference = e.serverReference;
      }
      this.emit('disconnect', packet);
    }
    if (e.error && e.error.code !== 'transport_closed' && e.error.code !== 'session_closed') {
      this.emit('error', toMqttError(e.error, e.reasonCode, e.reasonString));
    }
    this.emit('close');
    if (wasConnected && !this.#ending) this.emit('offline');
    if (!e.willReconnect) {
      this.reconnecting = false;
      if (!this.#ending) this.disconnected = true;
    }
  }

  #onMessage(e: Extract<CoreEvent, { type: 'message' }>): void {
    const packet = e.packet as IPublishPacket;
    this.emit('message', packet.topic, packet.payload, packet);
    for (const id of e.subscriptions) {
      const sub = this.#handlers.get(id);
      if (!sub) continue;
      try {
        sub.handler(packet.topic, packet.payload, packet);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
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
    if (typeof options === 'function') {
      callback = options;
      options = undefined;
    }
    const o = options ?? {};
    const qos = o.qos ?? 0;
    const payload = toBytes(message);
    const props = coreProperties(o.properties);
    this.#command((d) => d.publish(topic, payload, qos, o.retain ?? false, props), (e) => {
      const error = operationError(e);
      if (error || qos === 0) {
        callback?.(error);
        return;
      }
      const packet: IPubackPacket = {
        cmd: qos === 1 ? 'puback' : 'pubcomp', reasonCode: e.reasonCodes[0] ?? 0,
      };
      if (e.reasonString) packet.properties = { reasonString: e.reasonString };
      callback?.(undefined, packet);
    }, (error) => callback?.(error));
    return this;
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
   * `options.handler`, matching messages are also handed to that handler.
   */
  subscribe(topic: string | string[] | ISubscriptionMap, callback?: SubscribeCallback): this;
  subscribe(topic: string | string[] | ISubscriptionMap, options?: IClientSubscribeOptions,
            callback?: SubscribeCallback): this;
  subscribe(topic: string | string[] | ISubscriptionMap,
            options?: IClientSubscribeOptions | SubscribeCallback,
            callback?: SubscribeCallback): this {
    if (typeof options === 'function') {
      callback = options;
      options = undefined;
    }
    const o = options ?? {};
    const subs: CoreSubscription[] = [];
    const add = (filter: string, s: IClientSubscribeOptions) => subs.push({
      topic: filter, qos: s.qos ?? o.qos ?? 0, nl: s.nl ?? o.nl ?? false,
      rap: s.rap ?? o.rap ?? false, rh: s.rh ?? o.rh ?? 0,
    });
    if (typeof topic === 'string') add(topic, o);
    else if (Array.isArray(topic)) topic.forEach((t) => add(t, o));
    else Object.entries(topic).forEach(([t, s]) => add(t, s));
    const props = coreProperties(o.properties);
    let id = 0;
    this.#command((d) => {
      const r = d.subscribe(subs, props);
      if (typeof r === 'number' && o.handler) {
        id = r;
        this.#handlers.set(r, { handler: o.handler, filters: new Set(subs.map((s) => s.topic)) });
      }
      return r;
    }, (e) => {
      const error = operationError(e);
      if (error) {
        this.#handlers.delete(id);
        callback?.(error);
        return;
      }
      callback?.(undefined, subs.map((s, i) => ({ topic: s.topic, qos: e.reasonCodes[i] ?? 0x80 })));
    }, (error) => callback?.(error));
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

  /** Unsubscribes; per-subscription handlers stop receiving messages on these filters. */
  unsubscribe(topic: string | string[], callback?: UnsubscribeCallback): this;
  unsubscribe(topic: string | string[], options?: IClientUnsubscribeOptions,
              callback?: UnsubscribeCallback): this;
  unsubscribe(topic: string | string[], options?: IClientUnsubscribeOptions | UnsubscribeCallback,
              callback?: UnsubscribeCallback): this {
    if (typeof options === 'function') {
      callback = options;
      options = undefined;
    }
    const topics = typeof topic === 'string' ? [topic] : topic;
    const props = coreProperties(options?.properties);
    this.#command((d) => {
      const r = d.unsubscribe(topics, props);
      if (typeof r === 'number') this.#dropHandlers(topics);
      return r;
    }, (e) => {
      const error = operationError(e);
      if (error) callback?.(error);
      else callback?.(undefined, { cmd: 'unsuback', reasonCode: e.reasonCodes });
    }, (error) => callback?.(error));
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

  #dropHandlers(filters: string[]): void {
    for (const [id, sub] of this.#handlers) {
      filters.forEach((f) => sub.filters.delete(f));
      if (!sub.filters.size) this.#handlers.delete(id);
    }
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

  // ---- end ---------------------------------------------------------------------------------

  /**
   * Ends the client: waits for in-flight outgoing messages unless `force`, sends DISCONNECT
   * (with `options.reasonCode`/`properties` on MQTT 5), closes the WebSocket and frees the
   * client's wasm memory; then emits `end` and calls `callback`. No reconnection follows.
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
    if (this.#ending) return this;
    this.#ending = true;
    this.disconnecting = true;
    const o = options ?? {};
    const props = coreProperties(o.properties);
    const driver = this.#driver;
    if (!driver) {
      // Not started (the wasm is still loading, or it failed): nothing to disconnect.
      for (const w of this.#waiting.splice(0)) w.fail(endedError());
      this.#enqueue({ type: 'ended' });
      return this;
    }
    this.#pendingEnd = () => {
      driver.disconnect(o.reasonCode ?? 0, props);  // refused only when already closed
      this.#enqueue({ type: 'ended' });
    };
    this.#tryEnd(force === true);
    return this;
  }

  /** Promise form of {@link end}. */
  endAsync(force?: boolean, options?: IDisconnectOptions): Promise<void> {
    return new Promise((resolve, reject) => {
      this.end(force, options ?? {}, (error) => (error ? reject(error) : resolve()));
    });
  }

  /** Runs a pending end() once nothing is in flight (or at once when forced or offline). */
  #tryEnd(force = false): void {
    const end = this.#pendingEnd;
    if (!end || !this.#driver) return;
    if (!force && this.connected) {
      const s = this.#driver.stats();
      if (s.inflight + s.queued > 0) return;
    }
    this.#pendingEnd = undefined;
    end();
  }

  #finishEnd(): void {
    if (this.#driver) {
      this.#driver.delete();  // frees the session, the socket, every byte it held
      this.#driver = undefined;
    }
    this.#ops.clear();
    this.#handlers.clear();
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
      inflight: 0, inflightIncoming: 0, queued: 0, reconnectAttempts: 0, connections: 0,
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

