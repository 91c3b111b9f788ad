// The wasm core as this package uses it: the types of its Embind surface (declared in C++,
// wasm/src/bindings.cpp and wasm/src/driver.hpp; Emscripten 3.1.6 cannot emit them) and
// CoreDriver, which gives one driver its host — the WebSocket and the timer — and turns what
// the driver hands over into events for the MQTT.js-shaped wrapper. Internal: only the
// wrapper in this package talks to it. No MQTT encoding lives here: options, properties and
// events cross the boundary as plain objects, payloads and socket bytes as typed_memory_view.

import type { ClientStats } from './client.js';
import { MqttPayload } from './payload.js';

/** An error as the core reports it. */
export interface CoreError {
  /** errc name ("connection_refused") or POSIX name for socket errors ("ECONNREFUSED"). */
  code: string;
  message: string;
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
  | {
      type: 'packet'; sent: boolean; cmd: string; messageId?: number; qos?: number;
      topic?: string;
    };

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
  disconnect(h: Handle, reasonCode: number, properties: CoreProperties): CoreResult;
  authenticate(h: Handle, reasonCode: number, properties: CoreProperties): CoreResult;
  stage(h: Handle, size: number): Uint8Array;
  stats(h: Handle): CoreStats;
  /** True once the session is closed for good (and for a stale handle). */
  closed(h: Handle): boolean;
  clientId(h: Handle): string;
  setPacketTap(h: Handle, on: boolean): void;
  socketOpen(h: Handle): void;
  socketData(h: Handle, size: number): void;
  socketClosed(h: Handle, wasOpen: boolean, code: number): void;
  timer(h: Handle): void;
  flush(h: Handle): void;
  heapInUse(): number;
}

// ---- one driver and its host -----------------------------------------------------------------

type WebSocketLike = {
  binaryType: string;
  readyState: number;
  onopen: unknown;
  onmessage: unknown;
  onerror: unknown;
  onclose: unknown;
  send(data: Uint8Array): void;
  close(code: number): void;
};

export type WebSocketCtor = new (url: string, protocol: string) => WebSocketLike;

const encoder = new TextEncoder();
const noop = () => {};

function orNull(r: CoreResult): CoreError | null {
  return typeof r === 'number' ? null : r;
}

/**
 * One session: the C++ driver, its WebSocket and its timer. Events are handed to `onEvent`
 * synchronously, from inside calls into the driver: the receiver must queue them and never
 * call back into the driver from there.
 */
export class CoreDriver {
  #m: CoreModule;
  #h: Handle;
  #ctor: WebSocketCtor;
  #onEvent: (e: CoreEvent) => void;
  #socket: WebSocketLike | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #deleted = false;
  /** The driver's staging buffer, kept while it is at most 64 KiB (driver.hpp, stage()). */
  #view: Uint8Array | undefined;

  constructor(m: CoreModule, webSocket: unknown, onEvent: (e: CoreEvent) => void) {
    this.#m = m;
    this.#ctor = webSocket as WebSocketCtor;
    this.#onEvent = onEvent;
    const self = this;
    this.#h = m.createDriver({
      open: (url) => self.#open(url),
      send: (bytes) => {
        const ws = self.#socket;
        if (!ws || ws.readyState !== 1) return;
        // A copy: the view is into wasm memory, and a WebSocket may keep what it is given.
        // Nothing may throw back into the driver (it would unwind C++ frames): a send that
        // fails is a connection about to report its close.
        try {
          ws.send(bytes.slice());
        } catch {
          // the close event follows
        }
      },
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
      event: (e) => onEvent(e),
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

  #open(url: string): boolean {
    this.#close();
    let ws: WebSocketLike;
    try {
      ws = new this.#ctor(url, 'mqtt');
    } catch {
      return false;  // invalid URL: the constructor throws
    }
    // Node's `ws` hands a Buffer without a copy into an ArrayBuffer; browsers know only
    // 'blob' and 'arraybuffer' (and ignore other values).
    try {
      ws.binaryType = 'nodebuffer';
    } catch {
      // a WebSocket that throws on unknown types
    }
    if (ws.binaryType !== 'nodebuffer') ws.binaryType = 'arraybuffer';
    let opened = false;
    const m = this.#m;
    const h = this.#h;
    ws.onopen = () => {
      opened = true;
      m.socketOpen(h);
    };
    ws.onmessage = (event: { data: ArrayBuffer | Uint8Array | string }) => {
      // Text frames are not MQTT: the decoder rejects them.
      const data = typeof event.data === 'string' ? encoder.encode(event.data)
        : event.data instanceof Uint8Array ? event.data : new Uint8Array(event.data);
      if (!data.length) return;
      this.#stage(data);
      m.socketData(h, data.length);
    };
    ws.onerror = noop;  // a close event always follows
    ws.onclose = (event: { code: number }) => {
      this.#socket = undefined;
      m.socketClosed(h, opened, event.code);
    };
    this.#socket = ws;
    return true;
  }

  #close(): void {
    const ws = this.#socket;
    if (!ws) return;
    this.#socket = undefined;
    // Handlers stay installed as no-ops: Node's `ws` throws on an 'error' nobody listens to.
    ws.onopen = ws.onmessage = ws.onerror = ws.onclose = noop;
    try {
      ws.close(1000);
    } catch {
      // already closing
    }
  }

  connect(o: CoreOptions): CoreError | null {
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

  disconnect(reasonCode: number, properties: CoreProperties): CoreError | null {
    return orNull(this.#m.disconnect(this.#h, reasonCode, properties));
  }

  authenticate(reasonCode: number, properties: CoreProperties): CoreError | null {
    return orNull(this.#m.authenticate(this.#h, reasonCode, properties));
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
