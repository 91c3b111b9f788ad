#!/usr/bin/env node
// Writes a seed corpus for tests/fuzz/stream_decoder_fuzzer from the mqtt-packet byte vectors
// (build/mqtt-packet-vectors.json): one file per vector, prefixed with the fuzzer's control
// byte for the vector's protocol version. Vectors stored compressed (huge payloads) are skipped.
// Usage: node scripts/fuzz-seeds.js VECTORS.json OUT_DIR
'use strict';
const fs = require('fs');
const path = require('path');

const [vectorsFile, outDir] = process.argv.slice(2);
if (!vectorsFile || !outDir) {
  console.error('usage: fuzz-seeds.js VECTORS.json OUT_DIR');
  process.exit(2);
}
const { vectors } = JSON.parse(fs.readFileSync(vectorsFile, 'utf8'));
fs.mkdirSync(outDir, { recursive: true });

// Control byte: bits 0-1 select 3.1 / 3.1.1 / 5; the chunk-size bits are left at 0 (1 byte
// per read) for half the seeds and 63 (64 bytes per read) for the other half.
const versionBits = { 3: 0, 4: 1, 5: 2 };
let written = 0;
vectors.forEach((v, i) => {
  if (typeof v.hex !== 'string' || v.hex.length === 0 || v.hex.length > 8192) return;
  const bits = versionBits[v.protocolVersion] ?? 1;
  const control = bits | ((i % 2 ? 63 : 0) << 2);
  const bytes = Buffer.concat([Buffer.from([control]), Buffer.from(v.hex, 'hex')]);
  fs.writeFileSync(path.join(outDir, `seed-${String(i).padStart(4, '0')}`), bytes);
  written++;
});
console.error(`fuzz-seeds: wrote ${written} seeds to ${outDir}`);
