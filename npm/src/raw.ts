// The raw Embind surface of the wasm module (wasm/src/bindings.cpp, driver.hpp). Internal:
// only the wrapper in this package talks to it.

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
  /** Frees the C++ object (Embind). */
  delete(): void;
}

export interface RawModule {
  Driver: new (webSocket: unknown, onEvent: (event: RawEvent) => void) => RawDriver;
  heapInUse(): number;
}
