// Loads the wasm core once per process (or page). The module's Emscripten factory
// (gen/mqttws_core.js) and the wasm bytes (gen/wasm_binary.js) are part of this bundle; the
// bytes are handed to the factory as wasmBinary, so nothing is fetched by file path and it
// loads the same way in browsers, workers and Node.

import createMqttwsCore from '../gen/mqttws_core.js';
import { wasmBinary } from '../gen/wasm_binary.js';
import type { CoreModule } from './core.js';

let loading: Promise<CoreModule> | undefined;

/** The wasm module, instantiated on first use. */
export function loadWasm(): Promise<CoreModule> {
  loading ??= createMqttwsCore({ wasmBinary: decode(wasmBinary) }) as Promise<CoreModule>;
  return loading;
}

/** The bytes of a string holding one byte per UTF-16 code unit (0..255). */
function decode(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
