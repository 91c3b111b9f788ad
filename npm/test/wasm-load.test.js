'use strict';
// A client whose wasm core cannot load. Each case runs the built package in a fresh Node, in
// a vm context created with codeGeneration { wasm: false }: V8 then refuses to compile
// WebAssembly exactly as it does for a page whose Content-Security-Policy lacks
// 'wasm-unsafe-eval' (the browser test, test/browser, covers the page itself).
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const dist = path.join(__dirname, '../dist/index.cjs');
const ws = require.resolve('ws');
const refused = "cannot load the wasm core: WebAssembly refused, likely by the page's " +
  "Content-Security-Policy (allow it with script-src 'wasm-unsafe-eval'): CompileError: " +
  'WebAssembly.instantiate(): Wasm code generation disallowed by embedder';

/**
 * Runs `body` in a fresh Node with `mqttws` (dist/index.cjs, loaded in a context that refuses
 * WebAssembly, or has none when `wasm` is 'absent') and `WebSocket` in scope; `show(e)`
 * prints an error's name, code and message as JSON.
 */
function run(body, { wasm = 'refused' } = {}) {
  const code = `
    const fs = require('node:fs');
    const vm = require('node:vm');
    const WebSocket = require(${JSON.stringify(ws)});
    const globals = { console, TextEncoder, TextDecoder, Blob, DecompressionStream, Response, atob,
                      btoa, queueMicrotask, setTimeout, clearTimeout, URL, WebSocket };
    if (${JSON.stringify(wasm)} === 'absent') globals.WebAssembly = undefined;
    const context = vm.createContext(globals, { codeGeneration: { strings: false, wasm: false } });
    const module = { exports: {} };
    vm.runInContext('(function (module, exports) {' + fs.readFileSync(${JSON.stringify(dist)}, 'utf8') +
                    '\\n})', context)(module, module.exports);
    const mqttws = module.exports;
    const show = (e) => console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message }));
    ${body}`;
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout.trim().split('\n').filter(Boolean), stderr: r.stderr };
}

const shown = (message) => JSON.stringify({ name: 'MqttError', code: 'wasm_load_failed', message });

describe('when the wasm core cannot load', () => {
  test("the client emits error: MqttError wasm_load_failed naming the cause and 'wasm-unsafe-eval'", () => {
    const r = run(`
      const client = mqttws.connect('ws://127.0.0.1:9', { WebSocket });
      client.on('error', (e) => {
        show(e);
        console.log(e instanceof mqttws.MqttError, client.disconnected);
      });`);
    expect(r.stdout).toEqual([shown(refused), 'true true']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('without an error listener the failure is written to console.error and nothing throws', () => {
    const r = run(`
      mqttws.connect('ws://127.0.0.1:9', { WebSocket });
      setTimeout(() => console.log('still running'), 100);`);
    expect(r.stdout).toEqual(['still running']);
    expect(r.stderr.split('\n')[0]).toBe(`MqttError: ${refused}`);
    expect(r.stderr).toContain("code: 'wasm_load_failed'");
    expect(r.status).toBe(0);
  });

  test('connectAsync rejects with wasm_load_failed and logs nothing', () => {
    const r = run("mqttws.connectAsync('ws://127.0.0.1:9', { WebSocket }).catch(show);");
    expect(r.stdout).toEqual([shown(refused)]);
    expect(r.stderr).toBe('');
  });

  test('commands issued while it was loading fail with the same error', () => {
    const r = run(`
      const client = mqttws.connect('ws://127.0.0.1:9', { WebSocket });
      client.on('error', () => {});
      client.publish('t', 'x', { qos: 1 }, show);
      client.subscribe('t', show);`);
    expect(r.stdout).toEqual([shown(refused), shown(refused)]);
  });

  test('a later client fails the same way (the refusal is not retried)', () => {
    const r = run(`
      mqttws.connectAsync('ws://127.0.0.1:9', { WebSocket }).catch((e) => {
        show(e);
        mqttws.connectAsync('ws://127.0.0.1:9', { WebSocket }).catch(show);
      });`);
    expect(r.stdout).toEqual([shown(refused), shown(refused)]);
  });

  test('a failure that is no refusal (no WebAssembly at all) carries no CSP hint', () => {
    const r = run("mqttws.connectAsync('ws://127.0.0.1:9', { WebSocket }).catch(show);",
                  { wasm: 'absent' });
    expect(r.stdout).toEqual([shown("cannot load the wasm core: TypeError: Cannot read " +
                                    "properties of undefined (reading 'instantiate')")]);
  });
});
