// Builds the npm package from the linked wasm module (Emscripten's factory + the .wasm):
//   the .wasm optimised once more by a current wasm-opt (npm's binaryen: far newer than
//                       Debian's Emscripten 3.1.6 toolchain) with -Oz --converge
//   gen/mqttws_core.js  the Emscripten factory (Embind's JavaScript half) as an ES module
//   gen/wasm_binary.js  the wasm bytes as a string, one byte per character (gzips to within a
//                       few % of the binary itself; base64 would cost a third more)
//   dist/index.mjs, dist/index.cjs  one minified bundle each (esbuild), wasm included
//   dist/types/         declarations (tsc)
// and prints the gzip size of what a browser downloads (dist/index.mjs).
// Usage: node scripts/build.mjs <dir with mqttws_wasm.js and mqttws_wasm.wasm>
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wasmDir = process.argv[2];
if (!wasmDir) throw new Error('usage: node scripts/build.mjs <wasm build dir>');

const linked = join(wasmDir, 'mqttws_wasm.wasm');
const optimised = join(wasmDir, 'mqttws_wasm.opt.wasm');
execFileSync(process.execPath, [join(root, 'node_modules/binaryen/bin/wasm-opt'), linked,
  '-Oz', '--converge', '--strip-debug', '--strip-producers', '-o', optimised],
             { stdio: 'inherit' });
const wasm = readFileSync(optimised);

// The factory is a UMD script: its module.exports tail gives way to an ES export.
const glue = readFileSync(join(wasmDir, 'mqttws_wasm.js'), 'utf8');
const tail = glue.indexOf("if (typeof exports === 'object' && typeof module === 'object')");
if (tail < 0) throw new Error('unexpected Emscripten output: no module.exports tail');
writeFileSync(join(root, 'gen/mqttws_core.js'),
              `${glue.slice(0, tail)}export default createMqttwsCore;\n`);

let chars = '';
for (const b of wasm) chars += String.fromCharCode(b);
writeFileSync(join(root, 'gen/wasm_binary.js'),
              `export const wasmBinary = ${JSON.stringify(chars)};\n`);

rmSync(join(root, 'dist'), { recursive: true, force: true });
mkdirSync(join(root, 'dist'));
const common = {
  entryPoints: [join(root, 'src/index.ts')],
  bundle: true,
  minify: true,
  charset: 'utf8',
  target: 'es2022',
  platform: 'neutral',
  legalComments: 'none',
  logLevel: 'warning',
};
await esbuild.build({ ...common, format: 'esm', outfile: join(root, 'dist/index.mjs') });
await esbuild.build({ ...common, format: 'cjs', outfile: join(root, 'dist/index.cjs') });

execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', root],
             { stdio: 'inherit' });

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const bundle = readFileSync(join(root, 'dist/index.mjs'));
const gz = gzipSync(bundle, { level: 9 }).length;
const report = {
  wasmLinked: readFileSync(linked).length,
  wasm: wasm.length,
  wasmGzip: gzipSync(wasm, { level: 9 }).length,
  bundle: bundle.length,
  bundleGzip: gz,
};
writeFileSync(join(root, 'dist/size.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(`browser download (dist/index.mjs, JS + wasm in one file): ${kb(bundle.length)}, ` +
            `${kb(gz)} gzipped (wasm alone: ${kb(report.wasm)}, ${kb(report.wasmGzip)} gzipped)`);
