// Builds the npm package from the linked wasm module (Emscripten's factory + the .wasm):
//   the .wasm optimised once more by a current wasm-opt (npm's binaryen: far newer than
//                       Debian's Emscripten 3.1.6 toolchain) with -Oz --converge
//   gen/mqttws_core.js  the Emscripten factory (Embind's JavaScript half) as an ES module
//   gen/wasm_binary.js  the wasm bytes, compressed once with LZMA (xz) and in base64: the
//                       page decodes them with src/lzma.ts. Served gzipped, base64 of
//                       compressed bytes costs ~0.4% over the compressed bytes themselves; a
//                       byte-per-character string cost 8% over gzip of the .wasm, and LZMA
//                       compresses 18% below gzip -9 (zopfli's deflate, used before, 5%).
//   dist/index.mjs, dist/index.cjs  one minified bundle each (esbuild), wasm included, the
//                       package's own names kept; dist/*.map their source maps (to src/*.ts)
//   dist/browser.mjs    the same for browsers (package.json's "browser" condition), without
//                       the Node link (src/no-socket.ts for src/socket.ts)
//   dist/types/         declarations (tsc)
// and prints the gzip size of what a browser downloads (dist/browser.mjs).
// Usage: node scripts/build.mjs <dir with mqttws_wasm.js and mqttws_wasm.wasm> [--profiling]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { wasmOptPasses } from './wasm_opt.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [wasmDir, flag] = process.argv.slice(2);
if (!wasmDir || (flag && flag !== '--profiling')) {
  throw new Error('usage: node scripts/build.mjs <wasm build dir> [--profiling]');
}
// --profiling skips the final wasm-opt, so that `node --cpu-prof`'s wasm-function[N] are the
// indices of a module linked with --emit-symbol-map (or named, if linked with
// --profiling-funcs).
const keepNames = flag === '--profiling';

const linked = join(wasmDir, 'mqttws_wasm.wasm');
const optimised = join(wasmDir, 'mqttws_wasm.opt.wasm');
if (keepNames) {
  // As linked: function indices stay those of the linker's symbol map (--emit-symbol-map).
  writeFileSync(optimised, readFileSync(linked));
} else {
  execFileSync(process.execPath, [join(root, 'node_modules/binaryen/bin/wasm-opt'), linked,
    ...wasmOptPasses, '--strip-debug', '-o', optimised], { stdio: 'inherit' });
}
const wasm = readFileSync(optimised);

// The factory is a script defining createMqttwsCore (a UMD module.exports tail, if any, gives
// way to an ES export).
const glue = readFileSync(join(wasmDir, 'mqttws_wasm.js'), 'utf8');
if (!glue.includes('var createMqttwsCore')) throw new Error('unexpected Emscripten output');
const tail = glue.indexOf("if (typeof exports === 'object' && typeof module === 'object')");
// Two fixes to Emscripten 3.1.6's minimal runtime, whose output assumes sloppy mode: it may
// assign an undeclared `asm` (a ReferenceError in an ES module; it declares it when the
// module's exports are listed, as they are here), and a failed instantiation or start-up
// would leave the factory's promise pending for ever instead of rejecting it.
const start = 'WebAssembly.instantiate(Module["wasm"],imports).then(function(output){';
const end = 'initRuntime(asm);ready()});';
const declared = glue.includes(`${start}var asm=`);
if (!(declared || glue.includes(`${start}asm=`)) || !glue.includes(end)) {
  throw new Error('unexpected Emscripten output: minimal runtime start-up not found');
}
const fixed = (tail < 0 ? glue : glue.slice(0, tail))
  .replace(start, declared ? start : `var asm;${start}`)
  .replace(end, 'initRuntime(asm);ready()}).catch(readyPromiseReject);');
writeFileSync(join(root, 'gen/mqttws_core.js'), `${fixed}\nexport default createMqttwsCore;\n`);

// LZMA (xz's LZMA1 in its .lzma format, the size written into the header: xz leaves it
// unknown) packs the module 14 % below zopfli's deflate; src/lzma.ts decodes it. lc=4 lp=0
// pb=0 (wasm is byte-oriented) and the longest matches: 80 bytes below -9e's defaults. The
// round trip runs through the package's own decoder, so a fault in it fails the build.
const packed = execFileSync('xz', ['--format=lzma', '--lzma1=preset=9e,lc=4,lp=0,pb=0,nice=273',
                                   '--stdout'], { input: wasm, maxBuffer: 1 << 26 });
packed.writeUInt32LE(wasm.length, 5);
packed.writeUInt32LE(0, 9);
const decoder = esbuild.transformSync(readFileSync(join(root, 'src/lzma.ts'), 'utf8'),
                                      { loader: 'ts', format: 'esm' }).code;
const { unlzma } = await import(`data:text/javascript,${encodeURIComponent(decoder)}`);
if (Buffer.compare(Buffer.from(unlzma(new Uint8Array(packed))), wasm) !== 0) {
  throw new Error('lzma round trip failed');
}
writeFileSync(join(root, 'gen/wasm_binary.js'),
              `export const wasmLzma = '${packed.toString('base64')}';\n`);

rmSync(join(root, 'dist'), { recursive: true, force: true });
mkdirSync(join(root, 'dist'));
const common = {
  bundle: true,
  charset: 'utf8',
  target: 'es2022',
  platform: 'neutral',
  legalComments: 'none',
  logLevel: 'warning',
  sourcemap: 'linked',
};
// Two passes, so that the package's own classes and functions keep their names (MqttClient,
// MqttError, connect, ... in console.log and stack traces) and Emscripten's glue does not pay
// for it: keepNames over the whole bundle cost 1.2 KB gzipped, over src/ alone 0.3 KB. The second
// pass also lays the bundle out as the bytes, then all of the JavaScript in one run (glue and
// API; src/wasm.ts imports the bytes first): 0.7 KB smaller gzipped than one pass, whose
// modules put the base64 between the glue and the API and split the API around it.
// 1. src/ bundled with its names kept, gen/ left as imports: gen/api.js and its source map;
// and gen/api-browser.js, the same with src/no-socket.ts for src/socket.ts (browsers have no
// TCP: the Node link is 1 KB of download no page can use).
const noSocket = {
  name: 'no-socket',
  setup(build) {
    build.onResolve({ filter: /^\.\/socket\.js$/ }, () => ({ path: join(root, 'src/no-socket.ts') }));
  },
};
// gen/worker-api.js: src/worker.ts (the shared connection's worker), browser-only like the latter.
// The browser build leaves out two parts that client.ts and shared.ts import() when they are
// needed, each a file of its own: the IndexedDB store (src/idb_store.ts) and the in-page hub
// of a shared connection whose worker cannot start (src/shared_hub.ts). Pages keeping their
// session in memory, or whose worker runs, never load them; the Node builds and the worker
// have them inline. Each is bundled by itself, not by esbuild's code splitting: that moves
// code two outputs share (keepNames' helper, here) into a third file, which every page would
// then load as well. They import no module the main bundle has (a second MqttError or
// MqttClient would fail instanceof), only stateless shared_wire.ts: the build refuses more.
const lazy = { idb_store: ['src/idb_store.ts'], shared_hub: ['src/shared_hub.ts', 'src/shared_wire.ts'] };
const lazyChunks = (ext) => ({
  name: 'lazy-chunks',
  setup(build) {
    build.onResolve({ filter: new RegExp(`^\\./(${Object.keys(lazy).join('|')})\\.m?js$`) }, (a) =>
      (a.kind === 'dynamic-import'
        ? { path: a.path.replace(/\.m?js$/, ext), external: true } : undefined));
  },
});
for (const [out, plugins, entry] of [['api.js', []],
                                     ['api-browser.js', [noSocket, lazyChunks('.js')]],
                                     ['idb_store.js', [], 'src/idb_store.ts'],
                                     ['shared_hub.js', [], 'src/shared_hub.ts'],
                                     ['worker-api.js', [noSocket], 'src/worker.ts']]) {
  const result = await esbuild.build({
    ...common, entryPoints: [join(root, entry ?? 'src/index.ts')], format: 'esm', keepNames: true,
    external: ['../gen/*'], outfile: join(root, 'gen', out), plugins, metafile: true,
  });
  const allowed = lazy[out.replace(/\.js$/, '')];
  const inputs = Object.keys(result.metafile.inputs).sort();
  if (allowed && inputs.some((f) => !allowed.includes(f))) {
    throw new Error(`${entry} may import only ${allowed.join(', ')} (it imports ${inputs.join(', ')})`);
  }
}
// 2. That, the glue and the bytes, minified: one file per module format. esbuild follows
// gen/api.js's map, so dist/*.map lead to src/*.ts (sourcesContent carries them: src/ is not
// in the package). The maps are not part of the download; the bundles end with a one-line
// sourceMappingURL comment.
for (const [format, api, file] of [['esm', 'api.js', 'index.mjs'], ['cjs', 'api.js', 'index.cjs'],
                                    ['esm', 'api-browser.js', 'browser.mjs'],
                                    ['esm', 'idb_store.js', 'idb_store.mjs'],
                                    ['esm', 'shared_hub.js', 'shared_hub.mjs'],
                                    ['esm', 'worker-api.js', 'worker.mjs']]) {
  const browser = file === 'browser.mjs';
  const result = await esbuild.build({
    ...common, entryPoints: [join(root, 'gen', api)], format, minify: true, metafile: true,
    outfile: join(root, 'dist', file), plugins: browser ? [lazyChunks('.mjs')] : [],
    // shared: true needs import.meta.url only where workers exist (browsers: the ES modules);
    // in Node's CommonJS bundle it is never evaluated (no Worker: the in-process hub).
    logOverride: format === 'cjs' ? { 'empty-import-meta': 'silent' } : {},
  });
  // Every bundle is one file; the browser build's only imports are its two parts, on use.
  const imports = result.metafile.outputs[`dist/${file}`]?.imports ?? [];
  const expected = browser
    ? Object.keys(lazy).map((n) => ({ path: `./${n}.mjs`, kind: 'dynamic-import', external: true }))
    : [];
  const key = (i) => JSON.stringify([i.path, i.kind, i.external]);
  if (JSON.stringify(imports.map(key).sort()) !== JSON.stringify(expected.map(key).sort())) {
    throw new Error(`dist/${file} imports ${JSON.stringify(imports)}`);
  }
}
for (const file of ['index.mjs', 'index.cjs', 'browser.mjs', 'idb_store.mjs', 'shared_hub.mjs',
                    'worker.mjs']) {
  // The map's copy of gen/wasm_binary.js is the base64 once more: 76 KB of no use to a reader.
  // A line says so in its place (null would send tools looking for a file the package does
  // not ship: Vite's dev server warns "points to missing source files").
  const mapFile = join(root, 'dist', `${file}.map`);
  const map = JSON.parse(readFileSync(mapFile, 'utf8'));
  map.sourcesContent = map.sourcesContent.map((text, i) =>
    (map.sources[i].endsWith('gen/wasm_binary.js')
      ? '// The WebAssembly module (LZMA-compressed, base64): its bytes are left out of this map.\n'
      : text));
  if (!map.sources.some((f) => /^\.\.\/src\/(client|shared_hub|idb_store)\.ts$/.test(f))) {
    throw new Error(`${mapFile} does not lead to src/: ${map.sources.join(', ')}`);
  }
  writeFileSync(mapFile, JSON.stringify(map));
}

execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', root],
             { stdio: 'inherit' });

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
// What a page downloads: the browser build (bundlers pick it by the "browser" condition).
const gzipped = (bytes) => gzipSync(bytes, { level: 9 }).length;
const dist = (file) => readFileSync(join(root, 'dist', file));
const bundle = dist('browser.mjs');
const gz = gzipped(bundle);
const report = {
  wasmLinked: readFileSync(linked).length,
  wasm: wasm.length,
  wasmGzip: gzipped(wasm),
  bundle: bundle.length,
  bundleGzip: gz,
  // dist/idb_store.mjs: downloaded only by pages with store: 'indexeddb'.
  storeChunk: dist('idb_store.mjs').length,
  storeChunkGzip: gzipped(dist('idb_store.mjs')),
  // dist/shared_hub.mjs: only by pages with shared: true whose worker cannot start.
  hubChunk: dist('shared_hub.mjs').length,
  hubChunkGzip: gzipped(dist('shared_hub.mjs')),
  // dist/worker.mjs: downloaded (once per origin, by the worker) only with shared: true.
  worker: dist('worker.mjs').length,
  workerGzip: gzipped(dist('worker.mjs')),
};
writeFileSync(join(root, 'dist/size.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(`browser download (dist/browser.mjs, JS + wasm in one file): ${kb(bundle.length)}, ` +
            `${kb(gz)} gzipped (wasm alone: ${kb(report.wasm)}, ${kb(report.wasmGzip)} gzipped)`);
