// The Node link (link.ts): mqtt:// over a TCP socket (node:net), mqtts:// over TLS (node:tls).
// node:net and node:tls are never imported statically: browsers and their bundlers must not
// see them. They are loaded on the first mqtt(s):// connection with process.getBuiltinModule
// (Node >= 20.16) or else a dynamic import hidden from bundlers. The close code: 1000 when
// the socket ends without an error (the broker's FIN: an orderly end, as a WebSocket close
// frame would be), 1006 after any 'error' (a reset, a refused or failed TLS handshake) —
// Node's own hadError flag misses TLS alerts.

import { describe, type Link, type LinkEvents, type LinkOptions } from './link.js';

/** The part of a net.Socket / tls.TLSSocket used here. */
interface NodeSocket {
  on(event: string, listener: (arg: never) => void): unknown;
  write(bytes: Uint8Array): unknown;
  end(callback: () => void): unknown;
  destroy(): unknown;
  setTimeout(ms: number, callback: () => void): unknown;
}

interface NodeSockets {
  net: { connect(options: object): NodeSocket; isIP(host: string): number };
  tls: { connect(options: object): NodeSocket };
}

type NodeProcess = {
  versions?: { node?: string };
  getBuiltinModule?: (name: string) => unknown;
};

function nodeProcess(): NodeProcess | undefined {
  return (globalThis as { process?: NodeProcess }).process;
}

/** True where mqtt:// and mqtts:// can be opened (Node and runtimes compatible with it). */
export function hasSockets(): boolean {
  return typeof nodeProcess()?.versions?.node === 'string';
}

let sockets: NodeSockets | Promise<NodeSockets> | undefined;

/** node:net and node:tls, loaded once: at once where getBuiltinModule exists. */
function loadSockets(): NodeSockets | Promise<NodeSockets> {
  if (sockets) return sockets;
  const get = nodeProcess()?.getBuiltinModule;
  if (get) return sockets = { net: get('node:net'), tls: get('node:tls') } as NodeSockets;
  // Older Node: an import() no bundler can see (a literal one would be bundled, one with a
  // variable specifier makes webpack warn, and the minifier drops webpackIgnore comments).
  // Never reached in browsers, so their Content-Security-Policy never sees it.
  const load = new Function('s', 'return import(s)') as (name: string) => Promise<unknown>;
  return sockets = Promise.all([load('node:net'), load('node:tls')])
    .then(([net, tls]) => sockets = { net, tls } as NodeSockets);
}

/**
 * Opens a link for mqtt:// or mqtts:// `url` (checked by options.ts, parseUrl: it has a port).
 * Throws when tls.connect() refuses its options.
 */
export function socketLink(url: string, o: LinkOptions, on: LinkEvents): Link {
  const u = new URL(url);
  const secure = u.protocol === 'mqtts:';
  // An IPv6 host comes in brackets.
  const target = { host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port: +u.port, noDelay: true };
  let socket: NodeSocket | undefined;
  let opened = false;
  let done = false;
  let failed = false;
  let why: string | undefined;
  const closed = (code: number) => {
    if (done) return;
    done = true;
    on.close(opened, code, why);
  };
  const start = (m: NodeSockets) => {
    if (done) return;
    // SNI names the host unless it is an address (Node sends none without `servername`).
    const s = secure
      ? m.tls.connect({ servername: m.net.isIP(target.host) ? undefined : target.host, ...o.tls,
                        ...target })
      : m.net.connect(target);
    // tls: 'secureConnect' only once the certificate is verified (unless rejectUnauthorized
    // is false); a failed verification is an 'error', then a 'close'.
    s.on(secure ? 'secureConnect' : 'connect', () => {
      opened = true;
      if (!done) on.open();
    });
    s.on('data', (bytes: Uint8Array) => {
      if (!done) on.data(bytes);
    });
    // An 'error' is followed by 'close', whose hadError says nothing of TLS alerts.
    s.on('error', (e: unknown) => {
      failed = true;
      why ??= describe(e);
    });
    s.on('close', () => closed(failed ? 1006 : 1000));
    socket = s;
  };
  const m = loadSockets();
  if (m instanceof Promise) {
    m.then(start).catch((e: unknown) => {
      why = describe(e) ?? String(e);
      closed(1006);
    });
  } else {
    start(m);  // tls.connect() throws on options it refuses (say, a `key` that is not PEM)
  }
  return {
    send(bytes) {
      if (!opened || done) return;
      try {
        socket!.write(bytes.slice());
      } catch {
        // an 'error' and the 'close' follow
      }
    },
    close() {
      if (done) return;
      done = true;
      const s = socket;
      if (!s) return;
      // Flush what was written (a DISCONNECT), then let go; a peer that never takes it gets 2 s.
      const destroy = () => s.destroy();
      s.setTimeout(2000, destroy);
      s.end(destroy);
    },
  };
}
