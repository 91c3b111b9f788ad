// What an app pays in download size for each library: an esbuild bundle (minified, browser
// platform, ESM) of the same five-line app (connect, subscribe, on message -> console.log,
// publish) written against mqttws and against MQTT.js, and the raw files a page can load
// without a bundler (mqttws's dist/browser.mjs, JavaScript with the wasm core inside, and
// MQTT.js's dist/mqtt.min.js). Sizes raw and gzipped at level 9 by Node's zlib (as bench/run.mjs
// and the package's dist/size.json count them; GNU `gzip -9 -n` comes out about 0.2 % smaller).
// The wasm inside mqttws's files is compressed, in base64 (npm/scripts/build.mjs), so the
// bundle and dist/browser.mjs are about the same size.
//
//   node bench/bundle-size.mjs
//
// mqttws is imported as 'mqttws' from the package directory npm/ (its package.json decides
// what a bundler takes: dist/browser.mjs); MQTT.js as 'mqtt' from npm/node_modules/mqtt (for a
// browser ESM bundle its exports map gives dist/mqtt.esm.js). Nothing is written to disk.
//
// Prints one JSON line per figure:
//   {"client":"mqttws-npm","mode":"bundle","bytes":..,"gzip_bytes":..,"esbuild":"0.x"}
//   {"client":"mqttws-npm","mode":"download","file":"dist/browser.mjs","bytes":..,"gzip_bytes":..}
//   (and the same two for "mqttjs", file "dist/mqtt.min.js"). Exit 1 with a one-line reason if
//   a bundle fails, 2 on any argument.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (process.argv.length > 2) {
  process.stderr.write(`bundle-size: takes no arguments (got "${process.argv[2]}")\n`);
  process.exit(2);
}
const require = createRequire(join(root, 'npm/'));
const esbuild = require('esbuild');

// The same app, in each library's own idiom (mqttws has named exports; MQTT.js's ESM build a
// default export).
const apps = {
  'mqttws-npm': `import { connect } from 'mqttws';
const client = connect('ws://127.0.0.1:9001/', { protocolVersion: 5 });
client.on('connect', () => client.subscribe('demo/#'));
client.on('message', (topic, payload) => console.log(topic, new TextDecoder().decode(payload)));
client.publish('demo/hello', 'hi');
`,
  mqttjs: `import mqtt from 'mqtt';
const client = mqtt.connect('ws://127.0.0.1:9001/', { protocolVersion: 5 });
client.on('connect', () => client.subscribe('demo/#'));
client.on('message', (topic, payload) => console.log(topic, new TextDecoder().decode(payload)));
client.publish('demo/hello', 'hi');
`,
};
const downloads = {
  'mqttws-npm': ['dist/browser.mjs', join(root, 'npm/dist/browser.mjs')],
  mqttjs: ['dist/mqtt.min.js', join(root, 'npm/node_modules/mqtt/dist/mqtt.min.js')],
};

const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;
const line = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

for (const [client, contents] of Object.entries(apps)) {
  let result;
  try {
    result = await esbuild.build({
      stdin: { contents, resolveDir: join(root, 'npm'), sourcefile: 'app.js', loader: 'js' },
      alias: { mqttws: join(root, 'npm') },
      bundle: true, minify: true, platform: 'browser', format: 'esm', target: 'es2022',
      write: false, logLevel: 'silent', legalComments: 'none',
    });
  } catch (e) {
    process.stderr.write(`bundle-size: ${client}: ${e.errors?.[0]?.text ?? e.message}\n`);
    process.exit(1);
  }
  const out = result.outputFiles[0].contents;
  line({ client, mode: 'bundle', bytes: out.length, gzip_bytes: gzip(out), esbuild: esbuild.version });
  const [file, path] = downloads[client];
  const raw = readFileSync(path);
  line({ client, mode: 'download', file, bytes: raw.length, gzip_bytes: gzip(raw) });
}
