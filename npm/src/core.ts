// The wasm core as this package uses it: the types of its Embind surface (declared in C++,
// wasm/src/bindings.cpp and wasm/src/driver.hpp; Emscripten 3.1.6 cannot emit them) and
// CoreDriver, which gives one driver its host — the link (link.ts) and the timer — and turns
// what the driver hands over into events for the MQTT.js-shaped wrapper. Internal: only the
// wrapper in this package talks to it. No MQTT encoding lives here: options, properties and
// events cross the boundary as plain objects, payloads and socket bytes as typed_memory_view.

import type { ClientStats } from './client.js';
import { MqttError } from './errors.js';
import { describe, webSocketLink, type Link, type LinkOptions } from './link.js';
import { socketLink } from './socket.js';
import { MqttPayload } from './payload.js';
import type { DurableStore } from './idb_store.js';


/** An error as the core reports it. */
export interface CoreError {
  /** errc name ("connection_refused") or POSIX name for socket errors ("ECONNREFUSED"). */
  code: string;
  message: string;
  /** The application's own error this one stands for (a beforeConnect rejection). */
  error?: MqttError;
}

/** A command's immediate answer: an operation id, or why it was refused. */
export type CoreResult = number | CoreError;

/** Properties, MQTT.js-shaped; the core knows the names and rejects unknown ones. */
export type CoreProperties = object | undefined;

/** The driver's connect options (wasm/src/driver.hpp). Times in ms. */
export interface CoreOptions {
  protocolVersion: 3 | 4 | 5;
  clientId: string;
  clean: boolean;
  keepalive: number;
  username?: string;
  password?: Uint8Array;
  will?: {
    topic: string;
    payload: Uint8Array;
    qos: number;
    retain: boolean;
    properties?: object;
  };
  properties?: object;
  servers: string[];
  connectTimeout: number;
  reconnect: boolean;
  initialDelay: number;
  maxDelay: number;
  multiplier: number;
  jitter: number;
  seed: number;
  maxQueued: number;
  /** Bound of the outgoing queue by encoded size (0: none). */
  maxQueuedBytes: number;
  /** PINGRESP wait in ms (0: half the keep alive in force). */
  pingTimeout: number;
  queueQoSZero: boolean;
  autoTopicAlias: boolean;
  /** Reconnect after refusals that would repeat (credentials refreshed by beforeConnect). */
  reconnectAfterRefusal: boolean;
  /**
   * A host-kept session store (wasm/src/host_store.hpp), loaded at connect; the driver's
   * sends wait for its writes (CoreDriver). Default: none (the session's state lives as long
   * as the driver).
   */
  store?: DurableStore;
}

export interface CoreSubscription {
  topic: string;
  qos: number;
  nl: boolean;
  rap: boolean;
  rh: number;
}

export interface CoreMessage {
  topic: string;
  payload: Uint8Array;
  qos: 0 | 1 | 2;
  retain: boolean;
  dup: boolean;
  messageId?: number;
  properties?: Record<string, unknown>;
}

export type OperationEvent = {
  type: 'operation';
  id: number;
  kind: 'publish' | 'subscribe' | 'unsubscribe' | 'request';
  error: CoreError | null;
  reasonCodes: number[];
  reasonString?: string;
  properties?: Record<string, unknown>;
  response?: CoreMessage;
};

export type CoreEvent =
  | {
      type: 'connect';
      sessionPresent: boolean;
      assignedClientId: string;
      keepalive: number;
      receiveMaximum: number;
      maximumPacketSize: number;
      topicAliasMaximum: number;
      maximumQoS: number;
      retainAvailable: boolean;
      properties: Record<string, unknown>;
    }
  | {
      type: 'disconnect';
      error: CoreError | null;
      reasonCode?: number;
      reasonString?: string;
      serverReference?: string;
      willReconnect: boolean;
      properties: Record<string, unknown>;
    }
  | { type: 'reconnect'; attempt: number; delay: number; endpoint: string }
  // The message already in its MQTT.js form (cmd 'publish'): one object per message.
  | { type: 'message'; packet: CoreMessage & { cmd: 'publish' }; subscriptions: number[] }
  | OperationEvent
  | { type: 'auth'; reasonCode: number; properties: Record<string, unknown> }
  // A filter of subscribe operation `id` stopped routing; `last`: the operation routes nothing
  // any more (wasm/src/js_output.cpp; core subscription_ended_event).
  | { type: 'subscriptionEnded'; id: number; last: boolean }
  // A whole packet, in MQTT.js's (mqtt-packet's) shape: { cmd, messageId?, ... }.
  | { type: 'packet'; sent: boolean; cmd: string; [field: string]: unknown };

/** The session's counters, in the public API's names. */
export type CoreStats = ClientStats;

// ---- the Embind surface (wasm/src/bindings.cpp) ----------------------------------------------

/** What the C++ driver calls; see wasm/src/driver.hpp for the contract of each. */
interface Host {
  open(url: string): boolean;
  send(bytes: Uint8Array): void;
  close(): void;
  timer(ms: number): void;
  schedule(): void;
  completed(ids: Float64Array, codes: Uint8Array): void;
  message(topic: string, payload: Uint8Array, qos: 0 | 1 | 2, retain: boolean, dup: boolean,
          messageId: number, properties: Record<string, unknown> | undefined,
          subscriptions: Float64Array): void;
  event(e: CoreEvent): void;
}

/** A driver, as the module names it (wasm/src/driver_slots.hpp): a stale one is refused. */
type Handle = number;

/** The instantiated module: what createMqttwsCore() resolves to (wasm/src/bindings.cpp). */
export interface CoreModule {
  createDriver(host: Host): Handle;
  /** Frees the C++ driver (closes its socket, cancels its timer). */
  destroyDriver(h: Handle): void;
  connect(h: Handle, options: CoreOptions): CoreResult;
  publish(h: Handle, topic: string, size: number, qos: number, retain: boolean,
          properties: CoreProperties): CoreResult;
  request(h: Handle, topic: string, size: number, qos: number, retain: boolean,
          properties: CoreProperties, timeoutMs: number): CoreResult;
  subscribe(h: Handle, subscriptions: CoreSubscription[], properties: CoreProperties): CoreResult;
  unsubscribe(h: Handle, topics: string[], properties: CoreProperties): CoreResult;
  /** `drainMs` >= 0: session::disconnect_after_drain() with that timeout; < 0: no drain. */
  disconnect(h: Handle, reasonCode: number, properties: CoreProperties,
             drainMs: number): CoreResult;
  authenticate(h: Handle, reasonCode: number, properties: CoreProperties): CoreResult;
  reconnect(h: Handle): CoreResult;
  ping(h: Handle): CoreResult;
  cancel(h: Handle, id: number): CoreResult;
  setCredentials(h: Handle, username: string | undefined,
                 password: Uint8Array | undefined): CoreResult;
  stage(h: Handle, size: number): Uint8Array;
  stats(h: Handle): CoreStats;
  /** True once the session is closed for good (and for a stale handle). */
  closed(h: Handle): boolean;
  clientId(h: Handle): string;
  setPacketTap(h: Handle, on: boolean): void;
  socketOpen(h: Handle): void;
  socketData(h: Handle, size: number): void;
  socketClosed(h: Handle, wasOpen: boolean, code: number): void;
  networkDown(h: Handle): void;
  timer(h: Handle): void;
  flush(h: Handle): void;
  heapInUse(): number;
}

// ---- one driver and its host -----------------------------------------------------------------

function orNull(r: CoreResult): CoreError | null {
  return typeof r === 'number' ? null : r;
}

/**
 * One session: the C++ driver, its link (link.ts: a WebSocket, or a TCP/TLS socket in Node)
 * and its timer. Events are handed to `onEvent` synchronously, from inside calls into the
 * driver: the receiver must queue them and never call back into the driver from there.
 */
export class CoreDriver {
  #m: CoreModule;
  #h: Handle;
  #links: LinkOptions;
  #link: Link | undefined;
  /** What the platform said about the last link's failure, for the disconnect it causes. */
  #why: string | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #deleted = false;
  #beforeOpen: ((url: string) => string | Promise<string>) | undefined;
  /** Why the last beforeOpen failed, for the disconnect event it causes. */
  #hookError: CoreError | undefined;
  /** Counts opens and closes: an asynchronous open finding it changed is stale. */
  #attempt = 0;
  /** The driver's staging buffer, kept while it is at most 64 KiB (driver.hpp, stage()). */
  #view: Uint8Array | undefined;
  #store: DurableStore | undefined;
  /**
   * Bytes held back until the store writes made before them are durable (`mark`), in order;
   * `bytes` null: the link closes there (a DISCONNECT held before it goes first).
   */
  #held: Array<{ link: Link; bytes: Uint8Array | null; mark: number }> = [];

  /**
   * `beforeOpen`, when given, runs before every link is opened and names the URL to open
   * (it may refresh credentials with setCredentials() first); when it throws or rejects, the
   * attempt fails with that error (its `code` if it has one, else before_connect_failed) as
   * the disconnect event's error, and the backoff applies.
   */
  constructor(m: CoreModule, links: LinkOptions, onEvent: (e: CoreEvent) => void,
              beforeOpen?: (url: string) => string | Promise<string>) {
    this.#m = m;
    this.#links = links;
    this.#beforeOpen = beforeOpen;
    const self = this;
    this.#h = m.createDriver({
      open: (url) => self.#open(url),
      // Never throws back into the driver (it would unwind C++ frames); the link copies.
      send: (bytes) => self.#send(bytes),
      close: () => self.#close(),
      timer: (ms) => {
        clearTimeout(self.#timer);
        self.#timer = ms < 0 ? undefined : setTimeout(() => {
          self.#timer = undefined;
          if (!self.#deleted) m.timer(self.#h);
        }, ms);
      },
      schedule: () => queueMicrotask(() => {
        if (!self.#deleted) m.flush(self.#h);
      }),
      completed: (ids, codes) => {
        for (let i = 0; i < ids.length; i++) {
          onEvent({
            type: 'operation', id: ids[i]!, kind: 'publish', error: null,
            reasonCodes: [codes[i]!],
          });
        }
      },
      message: (topic, payload, qos, retain, dup, messageId, properties, subscriptions) => {
        const packet: CoreMessage & { cmd: 'publish' } = {
          cmd: 'publish', topic, payload: new MqttPayload(payload), qos, retain, dup,
        };
        if (qos) packet.messageId = messageId;
        if (properties) packet.properties = properties;
        const subs = subscriptions.length === 1 ? [subscriptions[0]!] : Array.from(subscriptions);
        onEvent({ type: 'message', packet, subscriptions: subs });
      },
      event: (e) => {
        if (e.type === 'packet' && e.cmd === 'publish' && e.payload instanceof Uint8Array) {
          // The same payload type as the message event's (an MqttPayload over this copy).
          e.payload = new MqttPayload(e.payload.buffer as ArrayBuffer, e.payload.byteOffset,
                                      e.payload.length);
        }
        // The core names the failure (ECONNREFUSED, ECONNRESET, EINVAL); the platform's words
        // (a certificate problem, a DNS failure) are added to its message.
        if (e.type === 'disconnect' && e.error && self.#hookError) {
          // No link was opened: the hook's error is the attempt's, not a refused connection.
          e.error = self.#hookError;
          self.#hookError = undefined;
          self.#why = undefined;
        } else if (e.type === 'disconnect' && e.error && self.#why) {
          e.error.message += `: ${self.#why}`;
          self.#why = undefined;
        }
        onEvent(e);
      },
    });
  }

  /** `bytes` copied into the staging buffer; the driver is then told their length. */
  #stage(bytes: Uint8Array): void {
    let v = this.#view;
    // A view becomes empty when wasm memory grows; one over 64 KiB is freed after its call.
    if (!v || v.length < Math.max(bytes.length, 1)) {
      v = this.#m.stage(this.#h, bytes.length);
      this.#view = v.length <= 65536 ? v : undefined;
    }
    v.set(bytes);
  }

  /**
   * A send, or held back: with a persistent store, no packet leaves before the state it
   * implies is durable (host_store.hpp). Everything after a held send is held too, so the
   * order on the link is the driver's.
   */
  #send(bytes: Uint8Array): void {
    const link = this.#link;
    if (!link) return;
    const mark = this.#store?.mark() ?? 0;
    if (!mark && !this.#held.length) {
      link.send(bytes);
      return;
    }
    this.#held.push({ link, bytes: bytes.slice(), mark });
    if (mark) this.#store!.whenDurable(mark, () => this.#release());
  }

  /** Sends (or closes) what is held, up to the first entry whose writes are not durable yet. */
  #release(): void {
    const held = this.#held;
    const store = this.#store!;
    let i = 0;
    // Mark 0: nothing of its own to wait for, only what is held before it.
    for (; i < held.length && (!held[i]!.mark || store.durable(held[i]!.mark)); i++) {
      const { link, bytes } = held[i]!;
      if (bytes) link.send(bytes);
      else link.close();
    }
    held.splice(0, i);
  }

  #open(url: string): boolean {
    this.#close();
    const hook = this.#beforeOpen;
    if (!hook) return this.#connect(url);
    // The hook may be asynchronous (a token refresh): the driver is told the link exists
    // now, and hears of it again when it opens or fails. A close or a newer open meanwhile
    // makes this attempt stale: its result is dropped.
    const attempt = this.#attempt;
    const fail = () => this.#m.socketClosed(this.#h, false, 1006);
    const current = () => attempt === this.#attempt && !this.#deleted;
    Promise.resolve().then(() => hook(url)).then((final) => {
      if (current() && !this.#connect(final)) fail();
    }, (error: unknown) => {
      if (!current()) return;
      const code = (error as { code?: unknown } | null)?.code;
      this.#hookError = error instanceof MqttError ? { code: error.code, message: error.message, error }
        : typeof code === 'string' && error instanceof Error ? { code, message: error.message }
        : { code: 'before_connect_failed', message: `beforeConnect failed: ${describe(error) ?? String(error)}` };
      fail();
    });
    return true;
  }

  #connect(url: string): boolean {
    this.#why = undefined;
    const m = this.#m;
    const h = this.#h;
    // A link whose close waits behind held bytes (#close) reports nothing any more.
    let link: Link | undefined;
    const current = () => link === this.#link;
    try {
      // parseUrl let through only what the platform has: ws(s):// and, in Node, mqtt(s)://.
      link = this.#link = (url.startsWith('ws') ? webSocketLink : socketLink)(url, this.#links, {
        open: () => {
          if (current()) m.socketOpen(h);
        },
        data: (bytes) => {
          if (!bytes.length || !current()) return;
          this.#stage(bytes);
          m.socketData(h, bytes.length);
        },
        close: (wasOpen, code, why) => {
          if (!current()) return;
          this.#link = undefined;
          this.#why = why;
          m.socketClosed(h, wasOpen, code);
        },
      });
    } catch (e) {
      this.#why = describe(e);
      return false;  // the driver reports EINVAL: an invalid URL or options the platform refused
    }
    return true;
  }

  #close(): void {
    this.#attempt++;
    const link = this.#link;
    this.#link = undefined;
    if (link && this.#held.length) this.#held.push({ link, bytes: null, mark: 0 });
    else link?.close();
  }

  connect(o: CoreOptions): CoreError | null {
    this.#store = o.store;
    return orNull(this.#m.connect(this.#h, o));
  }

  publish(topic: string, payload: Uint8Array, qos: number, retain: boolean,
          properties: CoreProperties): CoreResult {
    this.#stage(payload);
    return this.#m.publish(this.#h, String(topic), payload.length, qos, retain, properties);
  }

  request(topic: string, payload: Uint8Array, qos: number, retain: boolean,
          properties: CoreProperties, timeoutMs: number): CoreResult {
    this.#stage(payload);
    return this.#m.request(this.#h, String(topic), payload.length, qos, retain, properties,
                          timeoutMs);
  }

  subscribe(subscriptions: CoreSubscription[], properties: CoreProperties): CoreResult {
    return this.#m.subscribe(this.#h, subscriptions, properties);
  }

  unsubscribe(topics: string[], properties: CoreProperties): CoreResult {
    return this.#m.unsubscribe(this.#h, topics, properties);
  }

  /**
   * Ends the session (session::disconnect), or with `drainMs` >= 0 once the QoS 1/2 publishes
   * in flight or queued have completed or `drainMs` has passed (disconnect_after_drain).
   */
  disconnect(reasonCode: number, properties: CoreProperties, drainMs = -1): CoreError | null {
    return orNull(this.#m.disconnect(this.#h, reasonCode, properties, drainMs));
  }

  authenticate(reasonCode: number, properties: CoreProperties): CoreError | null {
    return orNull(this.#m.authenticate(this.#h, reasonCode, properties));
  }

  /** Connects again at once, the backoff reset. */
  reconnect(): CoreError | null {
    return orNull(this.#m.reconnect(this.#h));
  }

  /** A PINGREQ now (refused when not connected). */
  ping(): CoreError | null {
    return orNull(this.#m.ping(this.#h));
  }

  /** Withdraws queued publish `id`; refused (invalid_state) once it was sent. */
  cancel(id: number): CoreError | null {
    return orNull(this.#m.cancel(this.#h, id));
  }

  /** The user name and password of the CONNECTs sent from now on. */
  setCredentials(username: string | undefined, password: Uint8Array | undefined): CoreError | null {
    return orNull(this.#m.setCredentials(this.#h, username, password));
  }

  /** The network went away: the connection is lost now, not at the next keep alive. */
  networkDown(): void {
    this.#m.networkDown(this.#h);
  }

  stats(): CoreStats {
    return this.#m.stats(this.#h);
  }

  /** True once the session is closed for good. */
  get closed(): boolean {
    return this.#m.closed(this.#h);
  }

  clientId(): string {
    return this.#m.clientId(this.#h);
  }

  setPacketTap(on: boolean): void {
    this.#m.setPacketTap(this.#h, on);
  }

  /** Frees the C++ driver (closes its socket, cancels its timer). */
  delete(): void {
    if (this.#deleted) return;
    this.#deleted = true;
    this.#m.destroyDriver(this.#h);
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
