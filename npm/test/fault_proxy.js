// The fault-injecting TCP proxy of tests/support (built natively as
// build/native/tests/support/fault_proxy), driven from Jest: it cuts, stalls, delays and splits
// the connections it forwards to a broker's port. MQTTWS_FAULT_PROXY names another binary.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');

const BINARY = process.env.MQTTWS_FAULT_PROXY ??
  path.join(__dirname, '../../build/native/tests/support/fault_proxy');

class FaultProxy {
  /**
   * Starts a proxy to 127.0.0.1:`target`. Options: cut [min, max] bytes per connection (both
   * directions), seed, stallAfter (bytes), delay (ms), split (one byte per write).
   */
  static async start(target, { cut, seed = 1, stallAfter, delay, split } = {}) {
    if (!fs.existsSync(BINARY)) {
      throw new Error(`${BINARY} is missing: build the native tests first (scripts/build.sh native)`);
    }
    const args = ['--target', String(target), '--seed', String(seed)];
    if (cut) args.push('--cut', `${cut[0]}:${cut[1]}`);
    if (stallAfter) args.push('--stall-after', String(stallAfter));
    if (delay) args.push('--delay', String(delay));
    if (split) args.push('--split');
    const p = new FaultProxy(spawn(BINARY, args, { stdio: ['pipe', 'pipe', 'inherit'] }));
    const { port } = await p.#line();
    p.port = port;
    p.url = `ws://127.0.0.1:${port}`;
    return p;
  }

  #child;
  #lines = [];
  #waiters = [];

  constructor(child) {
    this.#child = child;
    readline.createInterface({ input: child.stdout }).on('line', (l) => {
      const w = this.#waiters.shift();
      if (w) w(JSON.parse(l));
      else this.#lines.push(JSON.parse(l));
    });
  }

  #line() {
    const l = this.#lines.shift();
    if (l) return Promise.resolve(l);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Resets every open connection. */
  cut() {
    this.#child.stdin.write('cut\n');
  }

  /** Stops forwarding on every connection (a half-open link), or resumes. */
  stall(on = true) {
    this.#child.stdin.write(on ? 'stall\n' : 'resume\n');
  }

  /** {connections, cuts, bytesUp, bytesDown} so far. */
  stats() {
    this.#child.stdin.write('stats\n');
    return this.#line();
  }

  async close() {
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.stdin.end();
    await exited;
  }
}

module.exports = { FaultProxy };
