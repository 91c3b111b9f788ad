// The demo: mosquitto, the house (mqttws-house, native C++ over wss://) and the dashboard's
// web server, each configured under one directory (build/demo by default). Used by
// scripts/demo.sh (run as a program) and by the end-to-end test (imported), so both start
// exactly the same thing.
//
//   node demo-web/scripts/demo.mjs            # ports and password from the environment
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Broker } from './broker.mjs';
import { Child } from './child.mjs';
import { checkPortsFree } from './ports.mjs';
import { serveDashboard } from './serve.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const ROOMS = ['living_room', 'kitchen', 'bedroom', 'bathroom', 'garage'];

/** The environment variables of scripts/demo.sh, and their defaults. */
export const VARIABLES = {
  MQTTWS_BROKER_PORT: { key: 'brokerPort', default: 9001, what: 'broker, WebSocket, for the dashboard' },
  MQTTWS_DEVICES_PORT: { key: 'devicesPort', default: 9443, what: 'broker, WSS, for the devices' },
  MQTTWS_DASHBOARD_PORT: { key: 'dashboardPort', default: 8080, what: 'dashboard web server' },
};

/** Settings from `env`; throws on a value that is not a port. */
export function settingsFromEnv(env = process.env) {
  const s = {
    password: env.MQTTWS_DEMO_PASSWORD ?? 'demo',
    dashboardHost: env.MQTTWS_DASHBOARD_HOST ?? '127.0.0.1',
  };
  for (const [name, v] of Object.entries(VARIABLES)) {
    const text = env[name] ?? String(v.default);
    const port = Number(text);
    if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
      throw new Error(`${name}=${text} is not a port number (1..65535)`);
    }
    s[v.key] = port;
  }
  if (s.password === '') throw new Error('MQTTWS_DEMO_PASSWORD must not be empty');
  return s;
}

/** The house: one mqttws-house process simulating every room. */
class Devices {
  constructor({ binary, url, caFile, password, confirmDelayMs, seed, logFile }) {
    this.binary = binary;
    this.args = ['--url', url, '--cafile', caFile];
    if (confirmDelayMs !== undefined) this.args.push('--confirm-delay-ms', String(confirmDelayMs));
    if (seed !== undefined) this.args.push('--seed', String(seed));
    this.env = { ...process.env, MQTTWS_PASSWORD: password };  // not on the command line
    this.logFile = logFile;
    this.child = undefined;
  }

  start() {
    this.child = new Child('devices', this.binary, this.args, { logFile: this.logFile, env: this.env });
  }

  /** SIGTERM: the rooms disconnect with their Will; SIGKILL: the broker sends the Wills. */
  async stop(signal = 'SIGTERM') {
    await this.child?.stop(signal);
  }

  get pid() {
    return this.child?.running ? this.child.pid : undefined;
  }
}

/**
 * Starts everything, after checking every port is free and every artifact is built.
 * Options beyond settingsFromEnv(): dir (default build/demo), house (the mqttws-house
 * binary), dist (the built dashboard), confirmDelayMs, commandTimeoutMs, seed.
 * Resolves with { url, broker, devices, server, stop() }.
 */
export async function startDemo(o) {
  const dir = resolve(o.dir ?? join(ROOT, 'build/demo'));
  const house = o.house ?? join(ROOT, 'build/demo-native/bin/mqttws-house');
  const dist = o.dist ?? join(ROOT, 'demo-web/dist');
  for (const [what, path] of [['the device simulator', house],
                              ['the dashboard', join(dist, 'index.html')]]) {
    if (!existsSync(path)) throw new Error(`${what} is not built (${path}): run scripts/demo.sh`);
  }
  await checkPortsFree(Object.entries(VARIABLES).map(([variable, v]) =>
    ({ port: o[v.key], variable, what: v.what })));

  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const broker = new Broker({ dir, port: o.brokerPort, devicesPort: o.devicesPort,
                              password: o.password });
  await broker.start();
  const devices = new Devices({
    binary: house, url: `wss://127.0.0.1:${o.devicesPort}/`, caFile: broker.caFile,
    password: o.password, confirmDelayMs: o.confirmDelayMs, seed: o.seed,
    logFile: join(dir, 'house.log'),
  });
  devices.start();
  let server;
  try {
    server = await serveDashboard({
      root: dist, host: o.dashboardHost ?? '127.0.0.1', port: o.dashboardPort,
      config: {
        brokerPort: o.brokerPort, username: 'dashboard', password: o.password,
        commandTimeoutMs: o.commandTimeoutMs ?? 5000, keepalive: 10,
      },
    });
  } catch (e) {
    await devices.stop();
    await broker.stop();
    throw new Error(`the dashboard server cannot listen on port ${o.dashboardPort}: ${e.message}`);
  }
  // Whatever ends this process (an uncaught error included), its children end with it.
  const orphans = () => {
    for (const c of [devices.child, broker.child]) if (c?.running) c.process.kill('SIGTERM');
  };
  process.once('exit', orphans);
  const pids = () => ({ mosquitto: broker.pid, devices: devices.pid, demo: process.pid });
  writeFileSync(join(dir, 'pids.json'), `${JSON.stringify(pids())}\n`);

  let stopping;
  return {
    url: `http://${o.dashboardHost ?? '127.0.0.1'}:${o.dashboardPort}/`,
    dir, broker, devices, server, pids,
    /** Stops the devices (so they say offline), the broker and the server. */
    stop() {
      stopping ??= (async () => {
        await devices.stop();
        await broker.stop();
        process.off('exit', orphans);
        await new Promise((r) => server.close(r));
        server.closeAllConnections?.();
      })();
      return stopping;
    },
  };
}

async function main() {
  let demo, s;
  try {
    s = settingsFromEnv();
    demo = await startDemo({ ...s, house: process.env.MQTTWS_HOUSE_BINARY,
                             dir: process.env.MQTTWS_DEMO_DIR });
  } catch (e) {
    console.error(`demo: ${e.message}`);
    process.exit(1);
  }
  const rel = (p) => relative(process.cwd(), p) || '.';
  console.log(`
  mqttws smart-home demo

  dashboard   ${demo.url}
              log in as "dashboard", password "${s.password}" (the form is prefilled)
  broker      mosquitto: ws://127.0.0.1:${s.brokerPort} (dashboard), wss://127.0.0.1:${s.devicesPort} (devices)
              CA certificate ${rel(demo.broker.caFile)}, generated for this run
  devices     ${ROOMS.join(', ')}: mqttws-house (native C++, user "devices")
  logs        ${rel(demo.broker.logFile)}, ${rel(demo.devices.logFile)}

  Press Ctrl-C to stop everything.
`);
  let stopping = false;
  const shutdown = async (signal) => {
    stopping = true;
    console.log(`\ndemo: ${signal}: stopping the devices, the broker and the dashboard server`);
    await demo.stop();
    console.log('demo: stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  // A component dying on its own is worth saying, with where to look.
  demo.broker.child.exited.then(({ code, signal }) => {
    if (!stopping) console.error(`demo: mosquitto exited (${signal ?? code}); see ${rel(demo.broker.logFile)}`);
  });
  demo.devices.child.exited.then(({ code, signal }) => {
    if (!stopping) console.error(`demo: the devices exited (${signal ?? code}); see ${rel(demo.devices.logFile)}`);
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
