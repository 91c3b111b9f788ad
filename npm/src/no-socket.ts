// The Node link's stand-in in the browser build (dist/browser.mjs, package.json's "browser"
// condition): browsers have no TCP, and parseUrl refuses mqtt:// and mqtts:// there before a
// link is ever asked for, so the 1 KB of socket code (socket.ts) is left out of what a page
// downloads.

import type { Link, LinkEvents, LinkOptions } from './link.js';

/** False: no mqtt:// or mqtts:// here. */
export function hasSockets(): boolean {
  return false;
}

/** Never reached (parseUrl refuses these URLs in browsers); refuses like a failed open. */
export function socketLink(url: string, _o: LinkOptions, _on: LinkEvents): Link {
  throw new Error(`${url}: browsers have only WebSocket`);
}
