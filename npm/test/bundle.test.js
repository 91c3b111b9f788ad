'use strict';
// The built files as users load them: a browser bundle of dist/index.mjs must pull in no Node
// module (node:net and node:tls are loaded only in Node, out of bundlers' sight), and both
// dist/index.cjs and dist/index.mjs must open mqtt:// in a plain Node process, with
// process.getBuiltinModule (Node >= 20.16) and without it (the dynamic import fallback).
const { execFile } = require('node:child_process');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const esbuild = require('esbuild');
const { useBroker } = require('./helpers.js');

const dist = path.join(__dirname, '../dist');

describe('a browser bundle of dist/index.mjs', () => {
  let result;
  beforeAll(async () => {
    result = await esbuild.build({
      stdin: {
        contents: "import { connect } from './index.mjs'; globalThis.connectMqtt = connect;",
        resolveDir: dist,
      },
      bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true,
      logLevel: 'silent',
    });
  });

  test('builds with no configuration, no error and no warning', () => {
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
  });

  test('contains only the package: no Node module is imported or bundled', () => {
    const pkg = path.relative(process.cwd(), path.join(dist, 'index.mjs'));  // esbuild's names
    expect(Object.keys(result.metafile.inputs).sort()).toEqual(['<stdin>', pkg].sort());
    const [output] = Object.values(result.metafile.outputs);
    expect(output.imports).toEqual([]);
  });
});

describe('the browser build (dist/browser.mjs)', () => {
  const fs = require('node:fs');
  const pkg = require('../package.json');

  test('is what the "browser" condition of package.json names', () => {
    expect(pkg.exports['.'].browser).toBe('./dist/browser.mjs');
    expect(Object.keys(pkg.exports['.'])).toEqual(['types', 'browser', 'import', 'require']);
    expect(pkg.files).toEqual(expect.arrayContaining(['dist/browser.mjs', 'dist/browser.mjs.map']));
  });

  // A text only each part's code has (for the hub, the name keepNames keeps of a function).
  test.each([
    ['idb_store', 'the IndexedDB store', 'the database is being upgraded or deleted'],
    ['shared_hub', "a shared connection's in-page hub", '"sendMessage"'],
  ])('loads %s (%s) from a file of its own, dist/%s.mjs, on first use', (name, _what, text) => {
    const browser = fs.readFileSync(path.join(dist, 'browser.mjs'), 'utf8');
    const chunk = fs.readFileSync(path.join(dist, `${name}.mjs`), 'utf8');
    expect(pkg.files).toEqual(expect.arrayContaining([`dist/${name}.mjs`, `dist/${name}.mjs.map`]));
    expect(browser.split(`import("./${name}.mjs")`)).toHaveLength(2);
    expect(browser).not.toContain(text);
    expect(chunk).toContain(text);
    // The chunk imports nothing (no code shared with the bundle, no third file) ...
    expect(chunk).not.toMatch(/\bimport\s*[({"'*]/);
    expect(chunk.endsWith(`\n//# sourceMappingURL=${name}.mjs.map\n`)).toBe(true);
    // ... and the Node builds and the shared connection's worker carry it inline.
    for (const file of ['index.mjs', 'index.cjs', 'worker.mjs']) {
      const bundle = fs.readFileSync(path.join(dist, file), 'utf8');
      expect([file, bundle.includes(text), bundle.includes(`import("./${name}`)])
        .toEqual([file, true, false]);
    }
  });

  test('leaves out the Node link that the Node build carries', () => {
    // socket.ts's loader of node:net/node:tls, by the name it calls.
    expect(fs.readFileSync(path.join(dist, 'index.mjs'), 'utf8')).toContain('getBuiltinModule');
    expect(fs.readFileSync(path.join(dist, 'browser.mjs'), 'utf8')).not.toContain('getBuiltinModule');
  });
});

describe('the built files in a plain Node process', () => {
  const ctx = useBroker();

  /** Runs a round trip over mqtt:// with dist/index.<format> in a child process. */
  function roundTrip(format, withBuiltin) {
    const load = format === 'cjs'
      ? `Promise.resolve(require(${JSON.stringify(path.join(dist, 'index.cjs'))}))`
      : `import(${JSON.stringify(pathToFileURL(path.join(dist, 'index.mjs')).href)})`;
    const script = `
      ${withBuiltin ? '' : 'delete process.getBuiltinModule;'}
      ${load}.then(async ({ connectAsync }) => {
        const { URL, USERNAME, PASSWORD } = process.env;
        const client = await connectAsync(URL, { username: USERNAME, password: PASSWORD });
        await client.subscribeAsync('bundle/${format}', { qos: 1 });
        const got = new Promise((resolve) => client.once('message', (topic, payload) =>
          resolve(topic + '=' + new TextDecoder().decode(payload))));
        await client.publishAsync('bundle/${format}', 'over tcp', { qos: 1 });
        const message = await got;
        await client.endAsync();
        process.stdout.write(typeof process.getBuiltinModule + ' ' + message);
      }).catch((e) => { console.error(e); process.exit(1); });`;
    const env = {
      ...process.env, URL: ctx.broker.urls.mqtt, USERNAME: ctx.broker.username,
      PASSWORD: ctx.broker.password,
    };
    return new Promise((resolve, reject) => {
      execFile(process.execPath, ['-e', script], { env, timeout: 20000 }, (error, stdout, stderr) =>
        (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)));
    });
  }

  test.each([
    ['cjs', true, 'function'],
    ['cjs', false, 'undefined'],
    ['mjs', true, 'function'],
    ['mjs', false, 'undefined'],
  ])('dist/index.%s opens mqtt:// (process.getBuiltinModule present: %s)',
    async (format, withBuiltin, builtinType) => {
      await expect(roundTrip(format, withBuiltin))
        .resolves.toBe(`${builtinType} bundle/${format}=over tcp`);
    });
});
