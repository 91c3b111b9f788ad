// The tab half of `connect(url, { shared: true })`: an MqttClient-shaped object whose session
// lives in dist/worker.mjs (src/worker.ts), reached over a MessagePort (src/shared_wire.ts).
//
// Where the worker comes from. SharedWorkers are matched by script URL (+ name), and a blob:
// URL is unique per document, so only a real same-origin script is shared between tabs: the
// package ships dist/worker.mjs (its own bundle, wasm included) and finds it with
// `new URL('./worker.mjs', import.meta.url)` written literally inside `new SharedWorker(...)`
// with literal options, the form Vite bundles with no configuration. esbuild leaves that expression alone, so the
// URL then points next to the app's bundle: copy dist/worker.mjs there, or pass `workerUrl`.
// When the script cannot be loaded, the connection runs in the page itself (src/shared_hub.ts
// over a MessageChannel, the same code the worker runs): one `error` event and one console
// warning say that connections are then per tab. (An inline blob worker would need the whole
// client and wasm as a string in the main bundle, doubling the download of every page.)
//
// Tab liveness: the tab holds a Web Lock for as long as it lives and the worker waits on it,
// so a closed or crashed tab is released at once (no timers, which background tabs throttle).

import { TypedEmitter } from './emitter.js';
import { MqttError } from './errors.js';
import type { Port } from './shared_hub.js';
import { openClient } from './client.js';
import type {
  AuthHandler, ClientStats, EndCallback, MqttClient, MqttClientEvents, PublishCallback,
  SubscribeCallback, UnsubscribeCallback,
} from './client.js';
import { filterList, optionsAndCallback, subscriptionList, type IClientOptions } from './options.js';
import type {
  IAuthPacket, IClientPublishOptions, IClientRequestOptions, IClientSubscribeOptions,
  IClientUnsubscribeOptions, IConnackPacket, IDisconnectOptions, IPubackPacket, IPublishPacket,
  IResponse, ISubscriptionGrant, ISubscriptionMap, IUnsubackPacket, MessageHandler,
} from './packets.js';
import { MqttPayload, toBytes, type Payload } from './payload.js';
import type { ParsedStateOptions, StateOptions, StateView } from './state.js';
import { StateRegistry } from './state_source.js';
import type { ToTab, ToWorker, WireError, WireSubscription } from './shared_wire.js';
import { topicMatches } from './shared_wire.js';

/**
 * `extendedLifetime` (Chromium): the worker outlives its last document for a while, as the
 * grace period needs across a reload; without it the browser may stop the worker (and its
 * connection) as soon as the last tab has gone. Browsers without it ignore the member.
 */
const sharedOptions = { type: 'module', name: 'mqttws', extendedLifetime: true } as WorkerOptions;

const unshareable = ['beforeConnect', 'transformWsUrl', 'WebSocket', 'wsOptions'] as const;

function fromWire(e: WireError): MqttError {
  return new MqttError(e.message, e.code, e.reasonCode);
}

interface LockManager {
  request(name: string, callback: () => Promise<void>): Promise<void>;
}

type Op = { resolve: (result: unknown) => void; reject: (error: MqttError) => void };

/**
 * The tab's client of a shared connection: the API, events and types of {@link MqttClient}
 * (it is returned as one), backed by the worker's connection. `end()` releases this tab's
 * subscriptions only; the connection ends a grace period after the last tab has gone.
 * packetsend/packetreceive are not reported to tabs, and AUTH challenges get the default
 * answer (handleAuth is a function, and functions do not cross to the worker).
 */
export class SharedClient extends TypedEmitter<MqttClientEvents> {
  readonly options: Readonly<IClientOptions>;
  handleAuth: AuthHandler = (_p, cb) => cb(new MqttError('AUTH challenges are answered in the ' +
    'shared worker: use a connection without shared for enhanced authentication', 'auth_failed'));
  connected = false;
  reconnecting = false;
  disconnecting = false;
  disconnected = false;

  #port: { postMessage(m: ToWorker, t?: Transferable[]): void } | undefined;
  /** Sent before the worker answered: resent to the in-page hub if the worker fails to load. */
  #unanswered: Array<[ToWorker, Transferable[]]> | undefined = [];
  /**
   * What the tab said before its `open` went out (the Web Lock is granted asynchronously): the
   * worker knows a port only after `open`, so commands made at once (a subscribe right after
   * connect) wait here and follow it in order.
   */
  #beforeOpen: Array<[ToWorker, Transferable[]]> | undefined = [];
  #ops = new Map<number, Op>();
  #nextId = 0;
  #handlers = new Map<string, Set<MessageHandler>>();
  #stats: ClientStats | undefined;
  #clientId = '';
  #release: (() => void) | undefined;
  #ended = false;
  #states: StateRegistry | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;

  /** @internal Use `connect(url, { shared: true })`. */
  constructor(url: string, options: IClientOptions) {
    super();
    for (const k of unshareable) {
      if (options[k] !== undefined) {
        throw new MqttError(`option ${k} cannot be used with shared: true (the connection ` +
                            'runs in a worker, and functions do not cross to it)', 'invalid_options');
      }
    }
    const { shared: _s, workerUrl, sharedGracePeriod, ...rest } = options;
    this.options = Object.freeze({ ...options });
    const key = `${url}\n${options.clientId ?? ''}`;
    const open: ToWorker = { t: 'open', key, url, options: rest, graceMs: sharedGracePeriod ?? 3000 };
    this.#start(workerUrl);
    const locks = (globalThis.navigator as { locks?: LockManager } | undefined)?.locks;
    if (!locks) {
      this.#send(open);
      return;
    }
    // The lock is ours once its callback runs; only then may the worker wait on it.
    const lock = `mqttws-tab-${Math.random().toString(36).slice(2)}-${Date.now()}`;
    void locks.request(lock, () => new Promise<void>((resolve) => {
      this.#release = resolve;
      if (this.#ended) resolve();
      else this.#send({ ...open, lock } as ToWorker);
    }));
  }

  #start(workerUrl: string | URL | undefined): void {
    const g = globalThis as { SharedWorker?: typeof SharedWorker; Worker?: typeof Worker };
    let worker: SharedWorker | Worker | undefined;
    try {
      if (workerUrl !== undefined) {
        worker = g.SharedWorker ? new SharedWorker(workerUrl, sharedOptions)
          : new Worker(workerUrl, { type: 'module', name: 'mqttws' });
      } else if (g.SharedWorker) {
        // The options written out, not `sharedOptions`: Vite reads them to decide how to
        // bundle the worker and refuses a value it cannot evaluate at build time.
        worker = new SharedWorker(new URL('./worker.mjs', import.meta.url),
                                  { type: 'module', name: 'mqttws', extendedLifetime: true } as WorkerOptions);
      } else if (g.Worker) {
        worker = new Worker(new URL('./worker.mjs', import.meta.url), { type: 'module', name: 'mqttws' });
      }
    } catch (e) {
      this.#inPage(`cannot start the worker: ${String(e)}`);
      return;
    }
    if (!worker) {
      this.#inPage('');  // no workers at all (Node): tabs of one process share in-process
      return;
    }
    const port = 'port' in worker ? worker.port : worker;
    worker.addEventListener('error', () => {
      if (this.#unanswered) this.#inPage('the worker script did not load');
    });
    port.onmessage = (e: MessageEvent<ToTab>) => this.#onMessage(e.data);
    this.#port = port;
    if ('start' in port) port.start();
    this.#heartbeat = setInterval(() => this.#port?.postMessage({ t: 'ping' }), 10000);
  }

  /** The worker is unavailable: the connection runs in this page (one per tab). */
  #inPage(why: string): void {
    const channel = new MessageChannel();
    // The hub is a file of its own in the browser build (dist/shared_hub.mjs), loaded only
    // now; what this tab posts meanwhile waits in the channel.
    import('./shared_hub.js').then((hub) => hub.attach(channel.port2 as unknown as Port, openClient),
                                   (e: unknown) => this.emit('error', new MqttError(
      `shared: the in-page connection's code did not load either (${String(e)}; ` +
      'dist/shared_hub.mjs belongs next to dist/browser.mjs): this client cannot connect',
      'worker_unavailable')));
    channel.port1.onmessage = (e: MessageEvent<ToTab>) => this.#onMessage(e.data);
    this.#port = channel.port1;
    const pending = this.#unanswered ?? [];
    this.#unanswered = undefined;
    for (const [m, t] of pending) channel.port1.postMessage(m, t);
    if (!why) return;
    const error = new MqttError(`shared: ${why} (mqttws/dist/worker.mjs next to the bundle, or ` +
      'the workerUrl option): the connection runs in this page, one per tab', 'worker_unavailable');
    console.warn(error.message);
    queueMicrotask(() => this.emit('error', error));
  }

  #send(m: ToWorker, transfer: Transferable[] = []): void {
    if (this.#beforeOpen && m.t !== 'open') {
      this.#beforeOpen.push([m, transfer]);
      return;
    }
    this.#post(m, transfer);
    if (m.t === 'open') {
      const waiting = this.#beforeOpen ?? [];
      this.#beforeOpen = undefined;
      for (const [w, t] of waiting) this.#post(w, t);
    }
  }

  #post(m: ToWorker, transfer: Transferable[]): void {
    this.#unanswered?.push([m, transfer]);
    this.#port?.postMessage(m, transfer);
  }

  #request<T>(build: (id: number) => ToWorker, transfer?: Transferable[]): Promise<T> {
    return new Promise((resolve, reject) => {
      if (this.#ended || this.disconnecting) {
        reject(new MqttError('the client is ending or has ended', 'invalid_state'));
        return;
      }
      const id = ++this.#nextId;
      this.#ops.set(id, { resolve: resolve as (r: unknown) => void, reject });
      this.#send(build(id), transfer);
    });
  }

  #onMessage(m: ToTab): void {
    this.#unanswered = undefined;
    switch (m.t) {
      case 'status':
        this.connected = m.connected;
        this.reconnecting = m.reconnecting;
        this.#clientId = m.clientId;
        this.#stats = m.stats as ClientStats;
        return;
      case 'done': {
        const op = this.#ops.get(m.id);
        this.#ops.delete(m.id);
        if (m.error) op?.reject(fromWire(m.error));
        else op?.resolve(m.result);
        this.#maybeEnd();
        return;
      }
      case 'message':
        this.#onPublish(m.packet as IPublishPacket, new MqttPayload(m.payload));
        return;
      case 'event':
        this.#onEvent(m.name, m.arg, m.error);
    }
  }

  #onEvent(name: string, arg: unknown, error: WireError | undefined): void {
    if (this.#ended) return;
    if (name === 'connect') {
      this.connected = true;
      this.reconnecting = false;
      this.emit('connect', arg as IConnackPacket);
    } else if (name === 'close') {
      this.connected = false;
      this.emit('close');
    } else if (name === 'reconnect') {
      this.reconnecting = true;
      this.emit('reconnect', arg as never);
    } else if (name === 'error' && error) {
      this.emit('error', fromWire(error));
    } else if (name === 'offline' || name === 'disconnect') {
      (this.emit as (n: string, ...a: unknown[]) => boolean)(name, ...(arg ? [arg] : []));
    }
  }

  #onPublish(packet: IPublishPacket, payload: MqttPayload): void {
    if (this.#ended) return;
    packet.payload = payload;
    this.emit('message', packet.topic, payload, packet);
    for (const [filter, handlers] of this.#handlers) {
      if (!topicMatches(filter, packet.topic)) continue;
      for (const h of handlers) h(packet.topic, payload, packet);
    }
  }

  // ---- publish / subscribe / unsubscribe ---------------------------------------------------

  /** As {@link MqttClient.publish}: the callback runs in this tab. */
  publish(topic: string, message: Payload, options?: IClientPublishOptions | PublishCallback,
          callback?: PublishCallback): this {
    const [o, cb] = optionsAndCallback(options, callback);
    const bytes = toBytes(message).slice().buffer;
    this.#request<IPubackPacket | undefined>((id) => ({ t: 'publish', id, topic, payload: bytes, options: o }),
      [bytes]).then((p) => cb?.(undefined, p), (e: MqttError) => cb?.(e));
    return this;
  }

  publishAsync(topic: string, message: Payload,
               options?: IClientPublishOptions): Promise<IPubackPacket | undefined> {
    return new Promise((resolve, reject) => this.publish(topic, message, options ?? {},
      (e, p) => (e ? reject(e) : resolve(p))));
  }

  /** As {@link MqttClient.subscribe}; the broker sees a SUBSCRIBE only for a filter no tab holds. */
  subscribe(topic: string | string[] | ISubscriptionMap,
            options?: IClientSubscribeOptions | SubscribeCallback, callback?: SubscribeCallback): this {
    const [o, cb] = optionsAndCallback(options, callback);
    const subs: WireSubscription[] = subscriptionList(topic, o);
    const handler = o.handler;
    if (handler) {
      // Before the SUBACK: the retained messages follow it at once.
      for (const s of subs) {
        let set = this.#handlers.get(s.topic);
        if (!set) this.#handlers.set(s.topic, set = new Set());
        set.add(handler);
      }
    }
    this.#request<ISubscriptionGrant[]>((id) => ({ t: 'subscribe', id, subs, properties: o.properties }))
      .then((granted) => cb?.(undefined, granted), (e: MqttError) => {
        if (handler) subs.forEach((s) => this.#handlers.get(s.topic)?.delete(handler));
        cb?.(e);
      });
    return this;
  }

  subscribeAsync(topic: string | string[] | ISubscriptionMap,
                 options?: IClientSubscribeOptions): Promise<ISubscriptionGrant[]> {
    return new Promise((resolve, reject) => this.subscribe(topic, options ?? {},
      (e, g) => (e ? reject(e) : resolve(g!))));
  }

  /** As {@link MqttClient.unsubscribe}; the broker sees an UNSUBSCRIBE when no tab holds it. */
  unsubscribe(topic: string | string[], options?: IClientUnsubscribeOptions | UnsubscribeCallback,
              callback?: UnsubscribeCallback): this {
    const [o, cb] = optionsAndCallback(options, callback);
    const topics = filterList(topic);
    topics.forEach((t) => this.#handlers.delete(t));
    this.#request<IUnsubackPacket>((id) => ({ t: 'unsubscribe', id, topics, properties: o.properties }))
      .then((p) => cb?.(undefined, p), (e: MqttError) => cb?.(e));
    return this;
  }

  unsubscribeAsync(topic: string | string[],
                   options?: IClientUnsubscribeOptions): Promise<IUnsubackPacket | undefined> {
    return new Promise((resolve, reject) => this.unsubscribe(topic, options ?? {},
      (e, p) => (e ? reject(e) : resolve(p))));
  }

  /** As {@link MqttClient.request}: the response topic's subscription is the worker's. */
  async request(topic: string, payload: Payload, options: IClientRequestOptions = {}): Promise<IResponse> {
    const r = await this.#request<IResponse>((id) => ({
      t: 'call', id, method: 'request', args: [topic, toBytes(payload), options],
    }));
    const bytes = new MqttPayload(r.payload);
    return { topic: r.topic, payload: bytes, packet: { ...r.packet, payload: bytes } };
  }

  /** As {@link MqttClient.authenticate}, on the shared connection. */
  authenticate(properties: IAuthPacket['properties'] = {}): Promise<void> {
    return this.#request((id) => ({ t: 'call', id, method: 'authenticate', args: [properties] }));
  }

  /** Reconnects the shared connection (every tab sees it go and come back). */
  reconnect(): this {
    if (!this.#ended) this.#send({ t: 'reconnect' });
    return this;
  }

  getLastMessageId(): number {
    return this.#nextId;
  }

  /** Detaches the callback of an unfinished publish (its exchange with the broker goes on). */
  removeOutgoingMessage(messageId: number): this {
    const op = this.#ops.get(messageId);
    this.#ops.delete(messageId);
    op?.reject(new MqttError('removed by removeOutgoingMessage()', 'cancelled'));
    return this;
  }

  state<T>(filter: string, options: ParsedStateOptions<T>): StateView<T>;
  state(filter: string, options?: StateOptions): StateView<MqttPayload>;
  state<T>(filter: string, options: StateOptions & Partial<ParsedStateOptions<T>> = {}):
      StateView<T> | StateView<MqttPayload> {
    this.#states ??= new StateRegistry(this as unknown as MqttClient);
    return this.#states.open(filter, options, options.parse);
  }

  // ---- end ---------------------------------------------------------------------------------

  #endCallbacks: EndCallback[] = [];
  #forced = false;

  /**
   * This tab leaves the shared connection: once its own publishes and subscriptions have
   * completed (at once with `force`), its subscriptions are released (an UNSUBSCRIBE for
   * each filter no other tab holds) and `end` is emitted. The connection itself ends a grace
   * period after the last tab has left.
   */
  end(force?: boolean | EndCallback, options?: IDisconnectOptions | EndCallback,
      callback?: EndCallback): this {
    if (typeof force === 'function') callback = force;
    else if (typeof options === 'function') callback = options;
    if (callback) this.#endCallbacks.push(callback);
    if (this.#ended) {
      const cbs = this.#endCallbacks.splice(0);
      queueMicrotask(() => cbs.forEach((cb) => cb()));
      return this;
    }
    this.#forced ||= force === true;
    this.disconnecting = true;
    this.#maybeEnd();
    return this;
  }

  endAsync(force?: boolean, options?: IDisconnectOptions): Promise<void> {
    return new Promise((resolve) => this.end(force, options ?? {}, () => resolve()));
  }

  #maybeEnd(): void {
    if (!this.disconnecting || this.#ended || (this.#ops.size && !this.#forced)) return;
    this.#ended = true;
    clearInterval(this.#heartbeat);
    const pending = [...this.#ops.values()];
    this.#ops.clear();
    pending.forEach((op) => op.reject(new MqttError('the client ended', 'invalid_state')));
    this.#send({ t: 'bye' });
    this.#release?.();
    this.#states?.ended();
    this.#states = undefined;
    this.#handlers.clear();
    queueMicrotask(() => {
      const wasConnected = this.connected;
      this.connected = false;
      this.reconnecting = false;
      this.disconnecting = false;
      this.disconnected = true;
      if (wasConnected) this.emit('close');
      this.emit('end');
      for (const cb of this.#endCallbacks.splice(0)) cb();
    });
  }

  stats(): ClientStats {
    return this.#stats ?? {
      inflight: 0, inflightIncoming: 0, queued: 0, queuedBytes: 0, reconnectAttempts: 0,
      connections: 0, packetsSent: 0, packetsReceived: 0, bytesSent: 0, bytesReceived: 0,
      messagesSent: 0, messagesReceived: 0,
    };
  }

  /** The shared connection's client identifier (the first tab's). */
  get clientId(): string {
    return this.#clientId;
  }

  get closed(): boolean {
    return this.#ended;
  }
}
