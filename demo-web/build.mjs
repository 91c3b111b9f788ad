// Builds the dashboard into dist/: type-checks (tsc, no output), bundles src/main.ts and
// styles.css with esbuild, copies index.html. Exits non-zero on any error.
// Usage: node build.mjs   (after `npm install` and installing the mqttws tarball)
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, 'dist');

try {
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', root],
               { stdio: 'inherit' });
} catch {
  console.error('build.mjs: type check failed');
  process.exit(1);
}

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist);
try {
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: [{ in: 'src/main.ts', out: 'app' }, { in: 'styles.css', out: 'app' }],
    outdir: dist,
    bundle: true,
    format: 'esm',
    minify: true,
    sourcemap: true,
    target: 'es2022',
    platform: 'browser',
    charset: 'utf8',
    legalComments: 'eof',
    logLevel: 'warning',
  });
} catch {
  // esbuild has already printed the errors.
  console.error('build.mjs: bundling failed');
  process.exit(1);
}
copyFileSync(join(root, 'index.html'), join(dist, 'index.html'));
// The shared connection's worker, next to the bundle where mqttws looks for it (esbuild
// leaves `new URL('./worker.mjs', import.meta.url)` as it is).
copyFileSync(join(root, 'node_modules/mqttws/dist/worker.mjs'), join(dist, 'worker.mjs'));
console.log('built dist/ (index.html, app.js, app.css, worker.mjs)');
