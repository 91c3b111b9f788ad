// Port checks: every port the demo needs is tested before anything starts, so a second demo
// (or anything else on those ports) is reported instead of half-starting.
import net from 'node:net';

/** Resolves true when `port` can be listened on at `host`. */
function canListen(port, host) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Throws an Error naming the first taken port and its variable. mosquitto's websockets
 * listeners bind every interface, so both the wildcard address and loopback are checked.
 * @param {{port:number, variable:string, what:string}[]} wanted
 */
export async function checkPortsFree(wanted) {
  for (const { port, variable, what } of wanted) {
    if (!(await canListen(port, '0.0.0.0')) || !(await canListen(port, '127.0.0.1'))) {
      throw new Error(`port ${port} (${what}) is taken: is the demo already running? ` +
                      `Stop it, or choose another port with ${variable}=...`);
    }
  }
}

/** Resolves once something accepts TCP connections on 127.0.0.1:`port`. */
export async function waitForPort(port, { timeoutMs = 10000, exited } = {}) {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  exited?.then(() => { gone = true; });
  while (Date.now() < deadline && !gone) {
    const open = await new Promise((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' });
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(gone ? 'the process exited before listening' :
                         `nothing listens on port ${port} after ${timeoutMs} ms`);
}

/** A port nothing listens on now (for tests). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
