// Links: what carries the session's bytes for CoreDriver (core.ts). The wasm core sees only
// bytes, so one interface covers every transport: a WebSocket (ws://, wss://: browsers, and
// Node with a WebSocket implementation) and, in Node only, a TCP or TLS socket (mqtt://,
// mqtts://). Both behave the same:
//   - open, then data (each chunk valid during the call only), then one close;
//   - close(wasOpen, code, why): `code` is a WebSocket close code as the driver expects it
//     (wasm/src/driver.hpp, socket_closed): a socket reports 1000 for an orderly end (the
//     peer's FIN) and 1006 after an error (ECONNRESET, a TLS alert, ...); wasOpen
//     false makes it a refused connection (ECONNREFUSED) whatever the code. `why` is what the
//     platform said went wrong, when it said anything (browsers never do);
//   - send() copies: the bytes view wasm memory, and both a WebSocket and a socket keep what
//     they are given until it is written;
//   - after close() nothing is reported any more.
// The TCP/TLS link is socket.ts.

/** What a link reports to its owner: never from inside the call that opened it. */
export interface LinkEvents {
  open(): void;
  /** Bytes received: a view valid during the call only. */
  data(bytes: Uint8Array): void;
  /** The connection ended by itself (`wasOpen`, `code`, `why`: see the top of link.ts). */
  close(wasOpen: boolean, code: number, why?: string): void;
}

/** One open (or opening) connection. */
export interface Link {
  /** Writes `bytes` (copied first) once open; never throws. */
  send(bytes: Uint8Array): void;
  /** Ends the connection after what was sent; no events after it. */
  close(): void;
}

/** What the links of one client are opened with (options.ts, transportOf()). */
export interface LinkOptions {
  /** The WebSocket constructor for ws:// and wss://. */
  WebSocket?: unknown;
  /** Its third argument (the `ws` package's options). */
  wsOptions?: object;
  /** tls.connect() options for mqtts://. */
  tls: object;
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

type WebSocketCtor = new (url: string, protocol: string, options?: object) => WebSocketLike;

const encoder = new TextEncoder();
const noop = () => {};

/**
 * What went wrong, from a platform error (a Node Error with a `code`, or a `ws` ErrorEvent's
 * error); undefined when it says nothing. Certificate failures say so.
 */
export function describe(e: unknown): string | undefined {
  const { code, message: m } = (e ?? {}) as { code?: unknown; message?: unknown };
  if (typeof m !== 'string' || !m) return undefined;
  // OpenSSL's "[<id>:]error:<code>:<lib>:<function>:<reason>[:<file>:<line>:...]" -> <reason>
  const message = m.trim().replace(/^(\w+:)?error:\w+:[^:]*:[^:]*:([^:]+)(:.*)?$/s, '$2');
  const c = typeof code === 'string' ? code : '';
  return (/CERT|UNABLE_TO_(GET|VERIFY)/.test(c) ? 'TLS certificate problem: ' : '') + message +
    (c && !message.includes(c) ? ` (${c})` : '');
}

/**
 * Opens a WebSocket link for ws:// or wss:// `url` (checked by options.ts, parseUrl). Throws
 * when the WebSocket constructor does (a URL or options it refuses).
 */
export function webSocketLink(url: string, o: LinkOptions, on: LinkEvents): Link {
  const ws = new (o.WebSocket as WebSocketCtor)(url, 'mqtt', o.wsOptions);
  // Node's `ws` hands a Buffer without a copy into an ArrayBuffer; browsers know only
  // 'blob' and 'arraybuffer' (and ignore other values).
  try {
    ws.binaryType = 'nodebuffer';
  } catch {
    // a WebSocket that throws on unknown types
  }
  if (ws.binaryType !== 'nodebuffer') ws.binaryType = 'arraybuffer';
  let opened = false;
  let why: string | undefined;
  ws.onopen = () => {
    opened = true;
    on.open();
  };
  ws.onmessage = (event: { data: ArrayBuffer | Uint8Array | string }) => {
    // Text frames are not MQTT: the decoder rejects them.
    const data = event.data;
    on.data(typeof data === 'string' ? encoder.encode(data)
      : data instanceof Uint8Array ? data : new Uint8Array(data));
  };
  // A close event always follows; `ws` says why in the event's error (browsers never do).
  ws.onerror = (event: { error?: unknown }) => {
    why ??= describe(event.error);
  };
  ws.onclose = (event: { code: number }) => on.close(opened, event.code, why);
  return {
    send(bytes) {
      if (ws.readyState !== 1) return;
      // A send that fails is a connection about to report its close.
      try {
        ws.send(bytes.slice());
      } catch {
        // the close event follows
      }
    },
    close() {
      // Handlers stay installed as no-ops: Node's `ws` throws on an 'error' nobody listens to.
      ws.onopen = ws.onmessage = ws.onerror = ws.onclose = noop;
      try {
        ws.close(1000);
      } catch {
        // already closing
      }
    },
  };
}
