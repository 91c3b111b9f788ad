// The raw surface of the wasm module, and the only code that knows its C ABI: the exports of
// wasm/src/abi.cpp, the imports of wasm/src/host.hpp (the WebSocket and the timer live here)
// and the byte records of wasm/src/record.hpp. Internal: only the wrapper in this package
// talks to it.

/** An error as the core reports it. */
export interface RawError {
  /** errc name ("connection_refused") or POSIX name for transport errors ("ECONNREFUSED"). */
  code: string;
  message: string;
}

/** A command's immediate answer: an operation id, or why it was refused. */
export type RawResult = number | RawError;

export interface RawOptions {
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

export interface RawSubscription {
  topic: string;
  qos: number;
  nl: boolean;
  rap: boolean;
  rh: number;
}

export interface RawMessage {
  topic: string;
  payload: Uint8Array;
  qos: 0 | 1 | 2;
  retain: boolean;
  dup: boolean;
  messageId?: number;
  properties?: Record<string, unknown>;
}

export type RawEvent =
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
      error: RawError | null;
      reasonCode?: number;
      reasonString?: string;
      serverReference?: string;
      willReconnect: boolean;
    }
  | { type: 'reconnect'; attempt: number; delay: number; endpoint: string }
  | (RawMessage & { type: 'message'; subscriptions: number[] })
  | {
      type: 'operation';
      id: number;
      kind: 'publish' | 'subscribe' | 'unsubscribe' | 'request';
      error: RawError | null;
      reasonCodes: number[];
      reasonString?: string;
      response?: RawMessage;
    }
  | { type: 'auth'; reasonCode: number; properties: Record<string, unknown> }
  | { type: 'packet'; sent: boolean; cmd: string; messageId?: number; qos?: number; topic?: string };

export interface RawStats {
  state: number;
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

export interface RawDriver {
  connect(options: RawOptions): RawError | null;
  publish(topic: string, payload: Uint8Array, qos: number, retain: boolean,
          properties: object | undefined): RawResult;
  subscribe(subscriptions: RawSubscription[], properties: object | undefined): RawResult;
  unsubscribe(topics: string[], properties: object | undefined): RawResult;
  request(topic: string, payload: Uint8Array, qos: number, retain: boolean,
          properties: object | undefined, timeoutMs: number): RawResult;
  disconnect(reasonCode: number, properties: object | undefined): RawError | null;
  authenticate(reasonCode: number, properties: object | undefined): RawError | null;
  stats(): RawStats;
  state(): number;
  clientId(): string;
  setPacketTap(on: boolean): void;
  /** Frees the C++ driver (closes its socket, cancels its timer). */
  delete(): void;
}

export interface RawModule {
  Driver: new (webSocket: unknown, onEvent: (event: RawEvent) => void) => RawDriver;
  heapInUse(): number;
}

// ---- implementation ------------------------------------------------------------------------

interface Exports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  mqttws_alloc(size: number): number;
  mqttws_free(p: number): void;
  mqttws_heap_in_use(): number;
  mqttws_create(): number;
  mqttws_destroy(d: number): void;
  mqttws_connect(d: number, p: number, n: number): number;
  mqttws_publish(d: number, p: number, n: number, request: number): number;
  mqttws_subscribe(d: number, p: number, n: number): number;
  mqttws_unsubscribe(d: number, p: number, n: number): number;
  mqttws_disconnect(d: number, p: number, n: number, auth: number): number;
  mqttws_stats(d: number): number;
  mqttws_state(d: number): number;
  mqttws_client_id(d: number): void;
  mqttws_packet_tap(d: number, on: number): void;
  mqttws_on_open(d: number): void;
  mqttws_on_data(d: number, p: number, n: number): void;
  mqttws_on_close(d: number, wasOpen: number, code: number): void;
  mqttws_on_timer(d: number): void;
}

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

/** What the module's imports need per driver. */
interface Host {
  ctor: new (url: string, protocol: string) => WebSocketLike;
  onEvent: (event: RawEvent) => void;
  socket?: WebSocketLike | undefined;
  timer?: ReturnType<typeof setTimeout> | undefined;
  answer?: RawError | string | undefined;  // error / client_id records of the current call
}

const utf8 = new TextDecoder();
const encoder = new TextEncoder();

// Property identifier -> [MQTT.js name, type]. Types: 1 byte, 2 u16, 3 u32, 4 varint,
// 5 UTF-8 string, 6 binary, 7 string pair, 8 byte shown as a boolean.
const PROPS: Record<number, [string, number]> = {
  0x01: ['payloadFormatIndicator', 8], 0x02: ['messageExpiryInterval', 3],
  0x03: ['contentType', 5], 0x08: ['responseTopic', 5], 0x09: ['correlationData', 6],
  0x0b: ['subscriptionIdentifier', 4], 0x11: ['sessionExpiryInterval', 3],
  0x12: ['assignedClientIdentifier', 5], 0x13: ['serverKeepAlive', 2],
  0x15: ['authenticationMethod', 5], 0x16: ['authenticationData', 6],
  0x17: ['requestProblemInformation', 8], 0x18: ['willDelayInterval', 3],
  0x19: ['requestResponseInformation', 8], 0x1a: ['responseInformation', 5],
  0x1c: ['serverReference', 5], 0x1f: ['reasonString', 5], 0x21: ['receiveMaximum', 2],
  0x22: ['topicAliasMaximum', 2], 0x23: ['topicAlias', 2], 0x24: ['maximumQoS', 1],
  0x25: ['retainAvailable', 8], 0x26: ['userProperties', 7], 0x27: ['maximumPacketSize', 3],
  0x28: ['wildcardSubscriptionAvailable', 8], 0x29: ['subscriptionIdentifiersAvailable', 8],
  0x2a: ['sharedSubscriptionAvailable', 8],
};

const CMDS = ['', 'connect', 'connack', 'publish', 'puback', 'pubrec', 'pubrel', 'pubcomp',
  'subscribe', 'suback', 'unsubscribe', 'unsuback', 'pingreq', 'pingresp', 'disconnect', 'auth'];
const KINDS = ['publish', 'subscribe', 'unsubscribe', 'request'] as const;

/** Builds a record: float64 numbers, u32-length-prefixed byte strings (record.hpp). */
class Writer {
  b = new Uint8Array(256);
  n = 0;
  #room(k: number): DataView {
    if (this.n + k > this.b.length) {
      const b = new Uint8Array(Math.max(this.b.length * 2, this.n + k));
      b.set(this.b);
      this.b = b;
    }
    return new DataView(this.b.buffer);
  }
  u8(v: number | boolean): this {
    this.#room(1);
    this.b[this.n++] = +v;
    return this;
  }
  num(v: number): this {
    this.#room(8).setFloat64(this.n, v, true);
    this.n += 8;
    return this;
  }
  bytes(v: Uint8Array): this {
    this.#room(4 + v.length).setUint32(this.n, v.length, true);
    this.b.set(v, this.n + 4);
    this.n += 4 + v.length;
    return this;
  }
  str(v: string): this {
    return this.bytes(encoder.encode(v));
  }
  /** MQTT.js-style properties in MQTT wire form (Property Length + properties); unknown
   *  names are ignored, none at all is an empty byte string. */
  props(o: object | undefined): this {
    if (!o) return this.bytes(new Uint8Array(0));
    const c: number[] = [];
    const varint = (v: number) => {
      do {
        c.push((v % 128) | (v >= 128 ? 128 : 0));
        v = Math.floor(v / 128);
      } while (v > 0);
    };
    const string = (v: unknown) => {
      const b = v instanceof Uint8Array ? v : encoder.encode(String(v));
      c.push(b.length >> 8 & 255, b.length & 255, ...b);
    };
    for (const [idText, [name, type]] of Object.entries(PROPS)) {
      const v = (o as Record<string, unknown>)[name];
      if (v === undefined || v === null) continue;
      const id = +idText;
      if (type === 7) {
        for (const [k, vs] of Object.entries(v as Record<string, string | string[]>)) {
          for (const x of Array.isArray(vs) ? vs : [vs]) {
            c.push(id);
            string(k);
            string(x);
          }
        }
      } else if (type === 4) {
        for (const x of Array.isArray(v) ? v : [v]) {
          c.push(id);
          varint(Number(x) >>> 0);
        }
      } else {
        c.push(id);
        if (type === 5 || type === 6) string(v);
        else {
          const x = type === 8 ? +!!v : Number(v) >>> 0;
          if (type === 3) c.push(x >>> 24, x >> 16 & 255, x >> 8 & 255, x & 255);
          else if (type === 2) c.push(x >> 8 & 255, x & 255);
          else c.push(x & 255);
        }
      }
    }
    const out: number[] = [];
    let n = c.length;
    do {
      out.push((n % 128) | (n >= 128 ? 128 : 0));
      n = Math.floor(n / 128);
    } while (n > 0);
    return this.bytes(new Uint8Array([...out, ...c]));
  }
}

/** Reads an event record (record.hpp); byte strings are copied out of wasm memory. */
class Reader {
  v: DataView;
  p = 0;
  constructor(buffer: ArrayBuffer, p: number, n: number) {
    this.v = new DataView(buffer, p, n);
  }
  u8(): number {
    return this.v.getUint8(this.p++);
  }
  bool(): boolean {
    return this.u8() !== 0;
  }
  num(): number {
    this.p += 8;
    return this.v.getFloat64(this.p - 8, true);
  }
  bytes(): Uint8Array {
    const n = this.v.getUint32(this.p, true);
    const start = this.v.byteOffset + this.p + 4;
    this.p += 4 + n;
    return new Uint8Array(this.v.buffer.slice(start, start + n));
  }
  str(): string {
    return utf8.decode(this.bytes());
  }
  error(): RawError | null {
    return this.bool() ? { code: this.str(), message: this.str() } : null;
  }
  /** Wire-form properties as MQTT.js shapes them. */
  props(): Record<string, unknown> {
    const b = this.bytes();
    const o: Record<string, unknown> = {};
    let p = 0;
    const varint = () => {
      let v = 0;
      for (let m = 1; ; m *= 128) {
        const x = b[p++]!;
        v += (x & 127) * m;
        if (x < 128) return v;
      }
    };
    const binary = () => {
      const n = b[p]! << 8 | b[p + 1]!;
      p += 2 + n;
      return b.subarray(p - n, p);
    };
    const end = b.length && varint() + p;
    while (p < end) {
      const [name, type] = PROPS[b[p++]!]!;
      if (type === 7) {
        const users = (o[name] ??= {}) as Record<string, string | string[]>;
        const k = utf8.decode(binary());
        const v = utf8.decode(binary());
        const had = users[k];
        users[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
      } else if (type === 4) {
        const v = varint();
        const had = o[name] as number | number[] | undefined;
        o[name] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
      } else if (type === 5) o[name] = utf8.decode(binary());
      else if (type === 6) o[name] = binary().slice();
      else if (type === 3) {
        o[name] = (b[p]! * 2 ** 24) + (b[p + 1]! << 16 | b[p + 2]! << 8 | b[p + 3]!);
        p += 4;
      } else if (type === 2) {
        o[name] = b[p]! << 8 | b[p + 1]!;
        p += 2;
      } else o[name] = type === 8 ? b[p++] !== 0 : b[p++];
    }
    return o;
  }
  message(): RawMessage {
    const m: RawMessage = {
      topic: this.str(), payload: this.bytes(), qos: this.u8() as 0 | 1 | 2, retain: this.bool(),
      dup: this.bool(),
    };
    const id = this.num();
    if (m.qos) m.messageId = id;
    const props = this.props();
    if (Object.keys(props).length) m.properties = props;
    return m;
  }
  event(): RawEvent | RawError | string {
    const r = this;
    switch (r.u8()) {
      case 1:
        return {
          type: 'connect', sessionPresent: r.bool(), assignedClientId: r.str(),
          keepalive: r.num(), receiveMaximum: r.num(), maximumPacketSize: r.num(),
          topicAliasMaximum: r.num(), maximumQoS: r.u8(), retainAvailable: r.bool(),
          properties: r.props(),
        };
      case 2: {
        const error = r.error();
        const code = r.num();
        const reasonString = r.str();
        const serverReference = r.str();
        return {
          type: 'disconnect', error, ...(code >= 0 ? { reasonCode: code } : {}),
          ...(reasonString ? { reasonString } : {}),
          ...(serverReference ? { serverReference } : {}), willReconnect: r.bool(),
        };
      }
      case 3:
        return { type: 'reconnect', attempt: r.num(), delay: r.num(), endpoint: r.str() };
      case 4: {
        const m = r.message();
        const subscriptions = Array.from({ length: r.num() }, () => r.num());
        return { ...m, type: 'message', subscriptions };
      }
      case 5: {
        const id = r.num();
        const kind = KINDS[r.u8()]!;
        const error = r.error();
        const reasonCodes = Array.from({ length: r.num() }, () => r.u8());
        const reasonString = r.str();
        return {
          type: 'operation', id, kind, error, reasonCodes,
          ...(reasonString ? { reasonString } : {}),
          ...(r.bool() ? { response: r.message() } : {}),
        };
      }
      case 6:
        return { type: 'auth', reasonCode: r.u8(), properties: r.props() };
      case 7: {
        const sent = r.bool();
        const t = r.u8();
        const id = r.num();
        const e: RawEvent = { type: 'packet', sent, cmd: CMDS[t]! };
        if (t === 3) {
          e.qos = r.u8();
          e.topic = r.str();
        }
        if (id >= 0) e.messageId = id;
        return e;
      }
      case 8:
        return r.error()!;
      default:
        return r.str();  // 9: client id
    }
  }
}

/** Instantiates the wasm module from its bytes. */
export async function createRawModule(bytes: Uint8Array): Promise<RawModule> {
  const hosts = new Map<number, Host>();
  const host = (d: number) => hosts.get(d)!;
  let x!: Exports;
  const env = {
    mqttws_now: () => performance.now(),
    mqttws_timer: (d: number, delay: number) => {
      const h = host(d);
      clearTimeout(h.timer);
      h.timer = delay < 0 ? undefined : setTimeout(() => {
        h.timer = undefined;
        x.mqttws_on_timer(d);
      }, delay);
    },
    mqttws_open: (d: number, p: number, n: number) => {
      const h = host(d);
      let ws: WebSocketLike;
      try {
        ws = new h.ctor(utf8.decode(new Uint8Array(x.memory.buffer, p, n)), 'mqtt');
      } catch {
        return 0;  // invalid URL: the constructor throws
      }
      ws.binaryType = 'arraybuffer';
      let opened = false;
      ws.onopen = () => {
        opened = true;
        x.mqttws_on_open(d);
      };
      ws.onmessage = (event: { data: ArrayBuffer | string }) => {
        // Text frames are not MQTT: the decoder rejects them.
        const data = typeof event.data === 'string' ? encoder.encode(event.data)
                                                     : new Uint8Array(event.data);
        if (!data.length) return;
        const q = x.mqttws_alloc(data.length);
        new Uint8Array(x.memory.buffer).set(data, q);
        x.mqttws_on_data(d, q, data.length);
        x.mqttws_free(q);
      };
      ws.onerror = () => {};  // a close event always follows
      ws.onclose = (event: { code: number }) => {
        h.socket = undefined;
        x.mqttws_on_close(d, opened ? 1 : 0, event.code);
      };
      h.socket = ws;
      return 1;
    },
    mqttws_send: (d: number, p: number, n: number) => {
      const ws = host(d).socket;
      if (ws && ws.readyState === 1) ws.send(new Uint8Array(x.memory.buffer.slice(p, p + n)));
    },
    mqttws_close: (d: number) => {
      const h = host(d);
      const ws = h.socket;
      if (!ws) return;
      h.socket = undefined;
      // Handlers stay installed as no-ops: Node's `ws` throws on an 'error' nobody listens to.
      ws.onopen = ws.onmessage = ws.onerror = ws.onclose = () => {};
      try {
        ws.close(1000);
      } catch {
        // already closing
      }
    },
    mqttws_event: (d: number, p: number, n: number) => {
      const h = host(d);
      const e = new Reader(x.memory.buffer, p, n).event();
      if (typeof e === 'string' || !('type' in e)) h.answer = e;
      else h.onEvent(e);
    },
    // Views are made afresh from memory.buffer on every use: nothing to update.
    emscripten_notify_memory_growth: () => {},
  };
  const { instance } = await WebAssembly.instantiate(bytes as Uint8Array<ArrayBuffer>, {
    env,
    wasi_snapshot_preview1: {
      proc_exit: (code: number) => {
        throw new Error(`mqttws wasm core aborted (${code})`);
      },
    },
  });
  x = instance.exports as unknown as Exports;
  x._initialize();

  class Driver implements RawDriver {
    #d: number;
    constructor(webSocket: unknown, onEvent: (event: RawEvent) => void) {
      this.#d = x.mqttws_create();
      hosts.set(this.#d, { ctor: webSocket as Host['ctor'], onEvent });
    }
    /** Runs `f` on a copy of `w` in wasm memory: its result, or the error record it sent. */
    #call(w: Writer, f: (d: number, p: number, n: number) => number): RawResult {
      const h = host(this.#d);
      h.answer = undefined;
      const p = x.mqttws_alloc(w.n);
      new Uint8Array(x.memory.buffer).set(w.b.subarray(0, w.n), p);
      const r = f(this.#d, p, w.n);
      x.mqttws_free(p);
      return r < 0 ? h.answer as unknown as RawError : r;
    }
    #done(w: Writer, f: (d: number, p: number, n: number) => number): RawError | null {
      const r = this.#call(w, f);
      return typeof r === 'number' ? null : r;
    }
    connect(o: RawOptions): RawError | null {
      const w = new Writer().num(o.protocolVersion).str(o.clientId).u8(o.clean)
        .num(o.keepalive).u8(o.username !== undefined).str(o.username ?? '')
        .u8(o.password !== undefined).bytes(o.password ?? new Uint8Array(0))
        .props(o.properties).u8(!!o.will);
      if (o.will) {
        w.str(o.will.topic).bytes(o.will.payload).num(o.will.qos).u8(o.will.retain)
          .props(o.will.properties);
      }
      w.num(o.servers.length);
      o.servers.forEach((s) => w.str(s));
      w.num(o.connectTimeout).u8(o.reconnect).num(o.initialDelay).num(o.maxDelay)
        .num(o.multiplier).num(o.jitter).num(o.seed).num(o.maxQueued);
      return this.#done(w, x.mqttws_connect);
    }
    #publish(topic: string, payload: Uint8Array, qos: number, retain: boolean,
             properties: object | undefined): Writer {
      return new Writer().str(topic).bytes(payload).num(qos).u8(retain).props(properties);
    }
    publish(topic: string, payload: Uint8Array, qos: number, retain: boolean,
            properties: object | undefined): RawResult {
      return this.#call(this.#publish(topic, payload, qos, retain, properties),
                        (d, p, n) => x.mqttws_publish(d, p, n, 0));
    }
    request(topic: string, payload: Uint8Array, qos: number, retain: boolean,
            properties: object | undefined, timeoutMs: number): RawResult {
      return this.#call(this.#publish(topic, payload, qos, retain, properties).num(timeoutMs),
                        (d, p, n) => x.mqttws_publish(d, p, n, 1));
    }
    subscribe(subscriptions: RawSubscription[], properties: object | undefined): RawResult {
      const w = new Writer().num(subscriptions.length);
      for (const s of subscriptions) w.str(s.topic).num(s.qos).u8(s.nl).u8(s.rap).num(s.rh);
      return this.#call(w.props(properties), x.mqttws_subscribe);
    }
    unsubscribe(topics: string[], properties: object | undefined): RawResult {
      const w = new Writer().num(topics.length);
      topics.forEach((t) => w.str(t));
      return this.#call(w.props(properties), x.mqttws_unsubscribe);
    }
    disconnect(reasonCode: number, properties: object | undefined): RawError | null {
      return this.#done(new Writer().num(reasonCode).props(properties),
                        (d, p, n) => x.mqttws_disconnect(d, p, n, 0));
    }
    authenticate(reasonCode: number, properties: object | undefined): RawError | null {
      return this.#done(new Writer().num(reasonCode).props(properties),
                        (d, p, n) => x.mqttws_disconnect(d, p, n, 1));
    }
    stats(): RawStats {
      const v = new DataView(x.memory.buffer, x.mqttws_stats(this.#d), 13 * 8);
      const f = (i: number) => v.getFloat64(i * 8, true);
      const s: RawStats = {
        state: f(0), inflightOutgoing: f(1), inflightIncoming: f(2), queued: f(3),
        reconnectAttempts: f(5), connections: f(6), packetsSent: f(7), packetsReceived: f(8),
        bytesSent: f(9), bytesReceived: f(10), messagesSent: f(11), messagesReceived: f(12),
      };
      if (f(4) >= 0) s.lastPingRtt = f(4);
      return s;
    }
    state(): number {
      return x.mqttws_state(this.#d);
    }
    clientId(): string {
      x.mqttws_client_id(this.#d);
      return host(this.#d).answer as string;
    }
    setPacketTap(on: boolean): void {
      x.mqttws_packet_tap(this.#d, +on);
    }
    delete(): void {
      x.mqttws_destroy(this.#d);  // closes the socket, cancels the timer
      clearTimeout(host(this.#d).timer);
      hosts.delete(this.#d);
    }
  }
  return { Driver, heapInUse: () => x.mqttws_heap_in_use() };
}
