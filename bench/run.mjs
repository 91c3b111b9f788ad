// bench/run: throughput side by side, and the download size. See bench/README.md.
//   node bench/run.mjs [--quick] [--write]
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'npm/'));
const { Broker } = require('./test/broker.js');

const quick = process.argv.includes('--quick');
const write = process.argv.includes('--write');
const runs = quick ? 1 : 3;
const bytes = 64;
const counts = quick ? { 0: 20000, 1: 10000, 2: 10000 } : { 0: 200000, 1: 100000, 2: 50000 };

// The broker as the issue asks for it: nothing dropped, no in-flight cap, no Nagle delay.
const broker = await Broker.start({ extraConfig: ['max_inflight_messages 0'] });
const env = { ...process.env, MQTTWS_BENCH_USER: broker.username, MQTTWS_BENCH_PASSWORD: broker.password };
const wsUrl = `ws://127.0.0.1:${broker.port}/`;

function json(out) {
  const line = out.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  return JSON.parse(line);
}

const clients = {
  'mqttws native (C++)': (q, n) => json(execFileSync(join(root, 'build/native/bin/mqttws'), [
    'bench', '-L', wsUrl, '-u', broker.username, '-P', broker.password, '-n', String(n), '-q',
    String(q), '-s', String(bytes), '-c', '1'], { encoding: 'utf8', timeout: 300000 })),
  'mqttws npm (wasm, Node 20)': (q, n) => node('mqttws', q, n),
  'MQTT.js 5 (Node 20)': (q, n) => node('mqtt', q, n),
  'ceiling: pre-encoded frames, Node ws': (q, n) => (q === 0 ? node('ceiling', q, n) : null),
};

function node(client, q, n) {
  return json(execFileSync(process.execPath, [join(root, 'bench/node-throughput.js'), client,
    wsUrl, String(q), String(n), String(bytes)], { env, encoding: 'utf8', timeout: 300000 }));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};  // client -> qos -> [msgs/s]
const lines = [];
for (let r = 0; r < runs; r++) {
  for (const q of [0, 1, 2]) {
    for (const [name, run] of Object.entries(clients)) {
      const res = run(q, counts[q]);
      if (!res) continue;
      ((results[name] ??= {})[q] ??= []).push(res.msgs_per_s);
      lines.push({ figure: 'throughput', client: name, transport: 'ws', qos: q, bytes,
                   publishers: 1, run: r + 1, msgs_per_s: res.msgs_per_s });
      process.stderr.write(`${name} QoS ${q}: ${res.msgs_per_s} msg/s\n`);
    }
  }
}
await broker.close();

// Size: what a browser downloads, gzip -9.
const gz = (file) => gzipSync(readFileSync(file), { level: 9 }).length;
const sizes = {
  'mqttws (dist/index.mjs, JS + wasm)': gz(join(root, 'npm/dist/index.mjs')),
  'MQTT.js 5 (dist/mqtt.min.js)': gz(join(root, 'npm/node_modules/mqtt/dist/mqtt.min.js')),
};
for (const [name, b] of Object.entries(sizes)) lines.push({ figure: 'size', client: name, gzip_bytes: b });

const k = (x) => `${(x / 1000).toFixed(1)}k`;
const cell = (xs) => (xs ? `${k(median(xs))}${xs.length > 1 ? ` (${k(Math.min(...xs))}–${k(Math.max(...xs))})` : ''}` : '—');
const ratio = (a, b) => (a && b ? `${(median(a) / median(b)).toFixed(2)}×` : '—');
const peer = results['MQTT.js 5 (Node 20)'];
const ceil = results['ceiling: pre-encoded frames, Node ws'];
let md = `Throughput, msg/s (median of ${runs}, range), ${bytes}-byte payloads, 1 publisher → 1 subscriber, ws://, mosquitto 2.0.11:\n\n`;
md += '| client | QoS 0 | QoS 1 | QoS 2 | vs MQTT.js (0 / 1 / 2) | QoS 0 vs Node ceiling |\n|---|---|---|---|---|---|\n';
for (const [name, r] of Object.entries(results)) {
  md += `| ${name} | ${cell(r[0])} | ${cell(r[1])} | ${cell(r[2])} | ` +
        `${[0, 1, 2].map((q) => ratio(r[q], peer?.[q])).join(' / ')} | ${ratio(r[0], ceil?.[0])} |\n`;
}
md += '\nBrowser download, gzip -9:\n\n| package | bytes |\n|---|---|\n';
for (const [name, b] of Object.entries(sizes)) md += `| ${name} | ${b.toLocaleString('en')} |\n`;

console.log(md);
for (const l of lines) console.log(JSON.stringify(l));
if (write) {
  const machine = `${cpus()[0].model.trim()}, ${cpus().length} cores, Node ${process.version}`;
  writeFileSync(join(root, 'bench/results.md'),
                `# Benchmark results\n\nLast full run of \`bench/run\` on ${machine}, ` +
                `${new Date().toISOString().slice(0, 10)}. On these 2-core machines figures vary ` +
                `by ±30 % between runs: compare ratios within one run.\n\n${md}`);
}
