// The HTTP server the Chromium tests load their pages from: 127.0.0.1 on a free port, serving
// a table of routes (run.mjs, recovery.mjs, persistence.mjs, shared.mjs) or a folder (the
// install tests' examples and bundled apps).
import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';

export const html = 'text/html; charset=utf-8';
export const js = 'text/javascript; charset=utf-8';
const types = { '.html': html, '.js': js, '.mjs': js, '.wasm': 'application/wasm' };

/**
 * Serves what `find(pathname)` gives: `{ type, body }` or `{ type, path }` (the file, read at
 * each request), with a Content-Security-Policy header when it has `csp`. Nothing found is a
 * 404, or a 204 for /favicon.ico (which Chromium asks for by itself). Resolves once listening
 * to `{ origin, port, close() }`.
 */
export async function serve(find) {
  const server = createServer((req, res) => {
    const pathname = new URL(req.url, 'http://x').pathname;
    const f = find(pathname);
    if (!f) {
      res.writeHead(pathname === '/favicon.ico' ? 204 : 404).end();
      return;
    }
    const headers = { 'content-type': f.type };
    if (f.csp) headers['content-security-policy'] = f.csp;
    res.writeHead(200, headers).end(f.body ?? readFileSync(f.path));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { origin: `http://127.0.0.1:${port}`, port, close: () => server.close() };
}

/** Serves `routes`: a pathname to `{ type, body }` or `{ type, path }`, and `csp` if any. */
export function serveRoutes(routes) {
  return serve((pathname) => (Object.hasOwn(routes, pathname) ? routes[pathname] : undefined));
}

/** Serves the files below `root`, index.html for `/`, typed by their extension. */
export function serveFolder(root) {
  return serve((pathname) => {
    const path = join(root, normalize(pathname).replace(/^\/+/, '') || 'index.html');
    if (!statSync(path, { throwIfNoEntry: false })?.isFile()) return undefined;
    return { type: types[extname(path)] ?? 'application/octet-stream', path };
  });
}
