// Loads the wasm core once per process (or page). The module's Emscripten factory
// (gen/mqttws_core.js) and the wasm bytes (gen/wasm_binary.js: LZMA-compressed, in base64) are
// part of this bundle; the bytes are decoded here (src/lzma.ts) and handed to the factory
// (Module.wasm), so nothing is fetched by file path and it loads the same way in browsers,
// workers and Node.

// The bytes first: the bundle (scripts/build.mjs) then starts with them and its JavaScript is
// one run that gzip compresses as a whole.
import { wasmLzma } from '../gen/wasm_binary.js';
import createMqttwsCore from '../gen/mqttws_core.js';
import type { CoreModule } from './core.js';
import { MqttError } from './errors.js';
import { unlzma } from './lzma.js';

let loading: Promise<CoreModule> | undefined;

/**
 * The wasm module, instantiated on first use. Rejects with MqttError `wasm_load_failed`
 * (for good: a page's policy does not change) when it cannot be loaded.
 */
export function loadWasm(): Promise<CoreModule> {
  // Decoded in a microtask, after the caller's call has returned.
  loading ??= Promise.resolve().then(() => createMqttwsCore({
    wasm: unlzma(Uint8Array.from(atob(wasmLzma), (c) => c.charCodeAt(0))),
  }) as Promise<CoreModule>).catch((e: unknown) => {
    // The bytes are this bundle's own: a CompileError (Chromium, Firefox) or EvalError
    // (WebKit) is the engine refusing WebAssembly, as it does under a Content-Security-Policy
    // without 'wasm-unsafe-eval' (or 'unsafe-eval').
    const cause = String(e);
    throw new MqttError(`cannot load the wasm core: ${/^(Compile|Eval)Error/.test(cause)
      ? "WebAssembly refused, likely by the page's Content-Security-Policy (allow it with " +
        "script-src 'wasm-unsafe-eval'): " : ''}${cause}`, 'wasm_load_failed');
  });
  return loading;
}
