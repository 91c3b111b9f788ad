// dist/worker.mjs, the worker of `connect(url, { shared: true })`: src/shared_hub.ts (the
// connections and the tabs' reference-counted subscriptions) behind a worker's ports.
//
// As a SharedWorker, `onconnect` hands it one port per tab: every tab of the origin shares its
// connections. Where SharedWorker is missing (Chrome on Android) the tab starts it as a
// dedicated Worker, whose own global scope is the one port: one connection per tab then, but
// its keepalive still runs in the worker, off the page's throttled timers.

import { openClient } from './client.js';
import { attach, type Port } from './shared_hub.js';

const scope = globalThis as unknown as { onconnect?: (e: MessageEvent) => void };
if ('SharedWorkerGlobalScope' in globalThis) {
  scope.onconnect = (e) => attach(e.ports[0] as unknown as Port, openClient);
} else {
  attach(globalThis as unknown as Port, openClient);
}
