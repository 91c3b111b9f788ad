// The messages between a tab's shared client (src/shared.ts) and the worker (src/worker.ts),
// over a MessagePort (structured clone; message payloads as transferred ArrayBuffers).

import type { IClientOptions } from './options.js';

export interface WireError {
  message: string;
  code: string;
  reasonCode?: number | undefined;
}

export interface WireSubscription {
  topic: string;
  qos: 0 | 1 | 2;
  nl: boolean;
  rap: boolean;
  rh: 0 | 1 | 2;
}

/** Tab → worker. `id` numbers a request whose answer is a `done` with the same id. */
export type ToWorker =
  | { t: 'open'; key: string; url: string; options: IClientOptions; graceMs: number; lock?: string }
  | { t: 'ping' }
  | { t: 'bye' }
  | { t: 'subscribe'; id: number; subs: WireSubscription[]; properties?: object | undefined }
  | { t: 'unsubscribe'; id: number; topics: string[]; properties?: object | undefined }
  | { t: 'publish'; id: number; topic: string; payload: ArrayBuffer; options: object }
  | { t: 'call'; id: number; method: 'request' | 'authenticate'; args: unknown[] }
  | { t: 'reconnect' };

/** Worker → tab. */
export type ToTab =
  | { t: 'status'; connected: boolean; reconnecting: boolean; clientId: string; stats: object }
  | { t: 'event'; name: string; arg?: unknown; error?: WireError | undefined }
  | { t: 'message'; packet: object; payload: ArrayBuffer }
  | { t: 'done'; id: number; error?: WireError | undefined; result?: unknown };

/**
 * Whether `topic` matches `filter` (MQTT-4.7): `+` one level, `#` the rest; a filter starting
 * with a wildcard does not match `$...` topics (MQTT-4.7.2-1); `$share/{group}/` is stripped.
 */
export function topicMatches(filter: string, topic: string): boolean {
  if (filter.startsWith('$share/')) filter = filter.split('/').slice(2).join('/');
  const f = filter.split('/');
  const t = topic.split('/');
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}
