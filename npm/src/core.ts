// The wasm core as this package uses it: the types of its Embind surface (declared in C++,
// wasm/src/bindings.cpp and wasm/src/driver.hpp; Emscripten 3.1.6 cannot emit them) and
// CoreDriver, which gives one driver its host — the WebSocket and the timer — and turns what
// the driver hands over into events for the MQTT.js-shaped wrapper. Internal: only the
// wrapper in this package talks to it. No MQTT encoding lives here: options, properties and
// events cross the boundary as plain objects, payloads and socket bytes as typed_memory_view.

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
  | { type: 'packet'; sent: boolean; cmd: string; messageId?: number; qos?: number; topic?: string };

export interface CoreStats {
  state: unknown;
  inflightOutgoing: number;
  inflightIncoming: number;
  queued: number;
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

/** An enum value of Embind's (SessionState.closed, ...): compared by identity. */
type EnumValue = { readonly value: number };

interface BoundDriver {
  connect(options: CoreOptions): CoreResult;
  publish(topic: string, size: number, qos: number, retain: boolean,
          properties: CoreProperties): CoreResult;
  request(topic: string, size: number, qos: number, retain: boolean, properties: CoreProperties,
          timeoutMs: number): CoreResult;
  subscribe(subscriptions: CoreSubscription[], properties: CoreProperties): CoreResult;
  unsubscribe(topics: string[], properties: CoreProperties): CoreResult;
  disconnect(reasonCode: number, properties: CoreProperties): CoreResult;
  authenticate(reasonCode: number, properties: CoreProperties): CoreResult;
  stage(size: number): Uint8Array;
  stats(): CoreStats;
  state(): EnumValue;
  clientId(): string;
  setPacketTap(on: boolean): void;
  socketOpen(): void;
  socketData(size: number): void;
  socketClosed(wasOpen: boolean, code: number): void;
  timer(): void;
  flush(): void;
  delete(): void;
}

/** The instantiated module: what createMqttwsCore() resolves to. */
export interface CoreModule {
  Driver: new (host: Host) => BoundDriver;
  SessionState: Record<'idle' | 'connecting' | 'awaitingConnack' | 'connected' |
                       'waitingToReconnect' | 'disconnecting' | 'closed', EnumValue>;
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
  #d: BoundDriver;
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
    this.#d = new m.Driver({
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
          if (!self.#deleted) self.#d.timer();
        }, ms);
      },
      schedule: () => queueMicrotask(() => {
        if (!self.#deleted) self.#d.flush();
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
          cmd: 'publish', topic, payload: payload.slice(), qos, retain, dup,
        };
        if (qos) packet.messageId = messageId;
        if (properties) packet.properties = properties;
        onEvent({
          type: 'message', packet,
          subscriptions: subscriptions.length === 1 ? [subscriptions[0]!] : Array.from(subscriptions),
        });
      },
      event: (e) => onEvent(e),
    });
  }

  /** `bytes` copied into the staging buffer; the driver is then told their length. */
  #stage(bytes: Uint8Array): void {
    let v = this.#view;
    // A view becomes empty when wasm memory grows; one over 64 KiB is freed after its call.
    if (!v || v.length < Math.max(bytes.length, 1)) {
      v = this.#d.stage(bytes.length);
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
    const d = this.#d;
    ws.onopen = () => {
      opened = true;
      d.socketOpen();
    };
    ws.onmessage = (event: { data: ArrayBuffer | Uint8Array | string }) => {
      // Text frames are not MQTT: the decoder rejects them.
      const data = typeof event.data === 'string' ? encoder.encode(event.data)
        : event.data instanceof Uint8Array ? event.data : new Uint8Array(event.data);
      if (!data.length) return;
      this.#stage(data);
      d.socketData(data.length);
    };
    ws.onerror = noop;  // a close event always follows
    ws.onclose = (event: { code: number }) => {
      this.#socket = undefined;
      d.socketClosed(opened, event.code);
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
    return orNull(this.#d.connect(o));
  }

  publish(topic: string, payload: Uint8Array, qos: number, retain: boolean,
          properties: CoreProperties): CoreResult {
    this.#stage(payload);
    return this.#d.publish(String(topic), payload.length, qos, retain, properties);
  }

  request(topic: string, payload: Uint8Array, qos: number, retain: boolean,
          properties: CoreProperties, timeoutMs: number): CoreResult {
    this.#stage(payload);
    return this.#d.request(String(topic), payload.length, qos, retain, properties, timeoutMs);
  }

  subscribe(subscriptions: CoreSubscription[], properties: CoreProperties): CoreResult {
    return this.#d.subscribe(subscriptions, properties);
  }

  unsubscribe(topics: string[], properties: CoreProperties): CoreResult {
    return this.#d.unsubscribe(topics, properties);
  }

  disconnect(reasonCode: number, properties: CoreProperties): CoreError | null {
    return orNull(this.#d.disconnect(reasonCode, properties));
  }

  authenticate(reasonCode: number, properties: CoreProperties): CoreError | null {
    return orNull(this.#d.authenticate(reasonCode, properties));
  }

  stats(): CoreStats {
    return this.#d.stats();
  }

  /** True once the session is closed for good. */
  get closed(): boolean {
    return this.#d.state() === this.#m.SessionState.closed;
  }

  clientId(): string {
    return this.#d.clientId();
  }

  setPacketTap(on: boolean): void {
    this.#d.setPacketTap(on);
  }

  /** Frees the C++ driver (closes its socket, cancels its timer). */
  delete(): void {
    if (this.#deleted) return;
    this.#deleted = true;
    this.#d.delete();
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
