'use strict';
// src/lzma.ts, the decoder of the package's own wasm bytes, against streams made by xz (the
// tool scripts/build.mjs packs the module with): exact round trips over every kind of data
// LZMA codes differently, and corrupt or cut streams refused with an Error, never a crash or
// a read outside the buffers.
const { execFileSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const esbuild = require('esbuild');

const source = readFileSync(join(__dirname, '../src/lzma.ts'), 'utf8');
const { code } = esbuild.transformSync(source, { loader: 'ts', format: 'cjs' });
const decoder = { exports: {} };
new Function('module', 'exports', code)(decoder, decoder.exports);
const { unlzma } = decoder.exports;

/** `data` as scripts/build.mjs packs it: xz's .lzma format, the size put in the header. */
function pack(data, options = '-9e') {
  const packed = execFileSync('xz', ['--format=lzma', options, '--stdout'],
                              { input: data, maxBuffer: 1 << 28 });
  packed.writeUInt32LE(data.length, 5);
  packed.writeUInt32LE(0, 9);
  return new Uint8Array(packed);
}

/** Bytes from a fixed-seed generator: incompressible, and the same on every run. */
function noise(n, seed = 1) {
  const out = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

function expectRoundTrip(data, options) {
  const out = unlzma(pack(data, options));
  expect(out).toBeInstanceOf(Uint8Array);
  expect(out.length).toBe(data.length);
  expect(Buffer.compare(Buffer.from(out), data)).toBe(0);
}

describe('unlzma', () => {
  test('decodes an empty stream to no bytes', () => {
    expectRoundTrip(Buffer.alloc(0));
  });

  test('decodes a single byte', () => {
    expectRoundTrip(Buffer.from('a'));
  });

  test('decodes incompressible data (literals only)', () => {
    expectRoundTrip(noise(200000));
  });

  test('decodes one byte repeated a million times (the longest matches, short repeats)', () => {
    expectRoundTrip(Buffer.alloc(1 << 20, 0x5a));
  });

  test('decodes text (literals coded against the match byte, all four repeated distances)', () => {
    expectRoundTrip(readFileSync(join(__dirname, '../../README.md')));
  });

  test('decodes distances over 2^23 (direct bits and the align coder)', () => {
    const block = noise(70000, 7);
    expectRoundTrip(Buffer.concat([block, Buffer.alloc(9000000), block]),
                    '--lzma1=preset=6,dict=16MiB');
  });

  test('decodes the wasm module the package carries to what xz decodes it to', () => {
    const base64 = readFileSync(join(__dirname, '../gen/wasm_binary.js'), 'utf8')
      .match(/^export const wasmLzma = '([A-Za-z0-9+/=]+)';$/m)[1];
    const packed = Buffer.from(base64, 'base64');
    const wasm = execFileSync('xz', ['--decompress', '--format=lzma', '--stdout'],
                              { input: packed, maxBuffer: 1 << 26 });
    const out = unlzma(new Uint8Array(packed));
    expect(Buffer.compare(Buffer.from(out), wasm)).toBe(0);
    expect(WebAssembly.validate(out)).toBe(true);
  });

  test.each([
    ['lc=0,lp=0,pb=0'], ['lc=0,lp=4,pb=4'], ['lc=4,lp=0,pb=2'], ['lc=1,lp=3,pb=1'], ['lc=2,lp=2,pb=3'],
  ])('decodes streams made with %s (literal and position contexts)', (props) => {
    const data = Buffer.concat([readFileSync(join(__dirname, '../src/client.ts')), noise(5000)]);
    expectRoundTrip(data, `--lzma1=preset=6,${props}`);
  });

  test('refuses a stream whose header gives no size', () => {
    const packed = pack(Buffer.from('hello hello hello'));
    packed.fill(0xff, 5, 13);
    expect(() => unlzma(packed)).toThrow(new Error('lzma: size missing or too large'));
  });

  test('refuses properties out of range', () => {
    const packed = pack(Buffer.from('hello'));
    packed[0] = 225;
    expect(() => unlzma(packed)).toThrow(new Error('lzma: not an .lzma stream'));
  });

  test('refuses a stream shorter than its header', () => {
    expect(() => unlzma(new Uint8Array(17))).toThrow(new Error('lzma: not an .lzma stream'));
  });

  test('refuses a range coder that does not start with a zero byte', () => {
    const packed = pack(Buffer.from('hello'));
    packed[13] = 1;
    expect(() => unlzma(packed)).toThrow(new Error('lzma: corrupt data'));
  });

  test('refuses a stream cut short', () => {
    const packed = pack(noise(10000));
    expect(() => unlzma(packed.subarray(0, packed.length - 200)))
      .toThrow(new Error('lzma: data cut short'));
  });

  test('a header claiming more bytes than the data codes is refused, not padded', () => {
    const data = Buffer.from('abcabcabcabcabcabcabc');
    const packed = pack(data);
    new DataView(packed.buffer).setUint32(5, data.length + 1000, true);
    // After the data comes xz's end marker (a distance of 2^32 - 1): refused as corrupt.
    expect(() => unlzma(packed)).toThrow(new Error('lzma: corrupt data'));
  });

  test('corrupted bytes give an lzma error or bytes of the stated size, nothing else', () => {
    const data = readFileSync(join(__dirname, '../src/client.ts'));
    const packed = pack(data);
    let refused = 0;
    for (let i = 0; i < 300; i++) {
      const bad = packed.slice();
      const at = 14 + ((i * 7919) % (bad.length - 14));
      bad[at] ^= 1 << (i % 8);
      let out;
      try {
        out = unlzma(bad);
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
        expect(e.message).toMatch(/^lzma: (corrupt data|data cut short)$/);
        refused++;
        continue;
      }
      expect(out.length).toBe(data.length);
    }
    // LZMA has no checksum: some flips decode to other bytes, most derail the decoder.
    expect(refused).toBeGreaterThan(150);
  });
});
