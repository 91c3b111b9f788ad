// Loads the wasm core once per process (or page). The wasm bytes are part of this bundle
// (gen/wasm_binary.js) and instantiated by raw.ts: nothing is fetched by file path, so it
// loads the same way in browsers, workers and Node.

import { wasmBinary } from '../gen/wasm_binary.js';
import { createRawModule, type RawModule } from './raw.js';

let loading: Promise<RawModule> | undefined;

/** The wasm module, instantiated on first use. */
export function loadWasm(): Promise<RawModule> {
  loading ??= createRawModule(decode(wasmBinary));
  return loading;
}

/** The bytes of a string holding one byte per UTF-16 code unit (0..255). */
function decode(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
