// An LZMA decoder for the package's own wasm bytes (scripts/build.mjs compresses them with
// xz's LZMA1, `.lzma` format). LZMA packs the module 14 % below zopfli's deflate: 9 KB less
// download, of which this decoder takes 1 KB back. Written from the format's description: a
// range coder over adaptive bit probabilities, literals coded against the byte at the last
// match distance, and matches as a length plus a distance or one of the four distances used
// last.

/**
 * The bytes `src` (an `.lzma` stream: 13-byte header, then LZMA1 data) decompress to. The
 * header must give the size (streams with an end marker and no size are refused: the package
 * always knows the size). Throws an Error naming the fault for data that is cut short or
 * corrupt; never reads or writes outside its buffers.
 */
export function unlzma(src: Uint8Array): Uint8Array {
  if (src.length < 18 || src[0]! >= 225) throw new Error('lzma: not an .lzma stream');
  let props = src[0]!;
  const lc = props % 9;
  props = (props / 9) | 0;
  const lp = props % 5;
  const pb = (props / 5) | 0;
  // Sizes of 4 GiB and over (and "unknown", all ones) are refused by the high word.
  const header = new DataView(src.buffer, src.byteOffset, 13);
  const size = header.getUint32(5, true);
  if (header.getUint32(9, true)) throw new Error('lzma: size missing or too large');
  const out = new Uint8Array(size);

  // Probabilities, 11-bit, all starting at one half. Offsets into one array:
  const IS_MATCH = 0; // [state][posState]: 12 * 16
  const IS_REP = 192; // [state], then IsRepG0, IsRepG1, IsRepG2 at +12, +24, +36
  const IS_REP0_LONG = 240; // [state][posState]
  const POS_SLOT = 432; // [lenState][64]
  const SPEC_POS = 688; // the reverse bit trees of distance slots 4..13 (115)
  const ALIGN = 803; // the low 4 bits of long distances (16)
  const LEN = 819; // the length coder: choice, choice2, low[16][8], mid[16][8], high[256]
  const REP_LEN = LEN + 514; // the same for repeated distances
  const LITERAL = REP_LEN + 514; // [litState][0x300]
  const p = new Uint16Array(LITERAL + (0x300 << (lc + lp))).fill(1024);

  let inPos = 13;
  const byte = (): number => {
    if (inPos >= src.length) throw new Error('lzma: data cut short');
    return src[inPos++]!;
  };
  if (byte() !== 0) throw new Error('lzma: corrupt data');
  let range = 0xffffffff;
  let code = 0;
  for (let i = 0; i < 4; i++) code = ((code << 8) | byte()) >>> 0;

  const bit = (i: number): number => {
    const q = p[i]!;
    const bound = (range >>> 11) * q;
    let b;
    if (code < bound) {
      range = bound;
      p[i] = q + ((2048 - q) >> 5);
      b = 0;
    } else {
      range -= bound;
      code -= bound;
      p[i] = q - (q >> 5);
      b = 1;
    }
    if (range < 0x1000000) {
      range = (range * 256) >>> 0;
      code = ((code << 8) | byte()) >>> 0;
    }
    return b;
  };
  const tree = (base: number, bits: number): number => {
    let m = 1;
    for (let i = 0; i < bits; i++) m = (m << 1) | bit(base + m);
    return m - (1 << bits);
  };
  const reverse = (base: number, bits: number): number => {
    let m = 1;
    let v = 0;
    for (let i = 0; i < bits; i++) {
      const b = bit(base + m);
      m = (m << 1) | b;
      v |= b << i;
    }
    return v;
  };
  const length = (base: number, posState: number): number =>
    !bit(base) ? tree(base + 2 + posState * 8, 3)
      : !bit(base + 1) ? 8 + tree(base + 130 + posState * 8, 3) : 16 + tree(base + 258, 8);

  let state = 0;
  let rep0 = 0;
  let rep1 = 0;
  let rep2 = 0;
  let rep3 = 0;
  let pos = 0;
  const posMask = (1 << pb) - 1;
  while (pos < size) {
    const posState = pos & posMask;
    if (!bit(IS_MATCH + state * 16 + posState)) {
      const prev = pos ? out[pos - 1]! : 0;
      const base = LITERAL + 0x300 * (((pos & ((1 << lp) - 1)) << lc) + (prev >> (8 - lc)));
      let s = 1;
      if (state >= 7) {
        // After a match the literal is coded against the byte the match would have given.
        let match = out[pos - rep0 - 1]!;
        while (s < 0x100) {
          const m = (match >> 7) & 1;
          match <<= 1;
          const b = bit(base + ((1 + m) << 8) + s);
          s = (s << 1) | b;
          if (b !== m) break;
        }
      }
      while (s < 0x100) s = (s << 1) | bit(base + s);
      out[pos++] = s;
      state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
      continue;
    }
    let len;
    if (bit(IS_REP + state)) {
      if (!pos) throw new Error('lzma: corrupt data');
      if (!bit(IS_REP + 12 + state)) {
        if (!bit(IS_REP0_LONG + state * 16 + posState)) {
          // One byte from the last distance.
          state = state < 7 ? 9 : 11;
          out[pos] = out[pos - rep0 - 1]!;
          pos++;
          continue;
        }
      } else {
        let d;
        if (!bit(IS_REP + 24 + state)) {
          d = rep1;
        } else {
          if (!bit(IS_REP + 36 + state)) {
            d = rep2;
          } else {
            d = rep3;
            rep3 = rep2;
          }
          rep2 = rep1;
        }
        rep1 = rep0;
        rep0 = d;
      }
      len = length(REP_LEN, posState);
      state = state < 7 ? 8 : 11;
    } else {
      rep3 = rep2;
      rep2 = rep1;
      rep1 = rep0;
      len = length(LEN, posState);
      state = state < 7 ? 7 : 10;
      const slot = tree(POS_SLOT + (len < 3 ? len : 3) * 64, 6);
      if (slot < 4) {
        rep0 = slot;
      } else {
        const direct = (slot >> 1) - 1;
        if (slot < 14) {
          rep0 = (2 | (slot & 1)) << direct;
          rep0 += reverse(SPEC_POS + rep0 - slot, direct);
        } else {
          // Up to 2^32 - 1: arithmetic, not 32-bit shifts.
          rep0 = 2 | (slot & 1);
          for (let i = direct - 4; i > 0; i--) {
            range >>>= 1;
            const b = code >= range ? 1 : 0;
            if (b) code -= range;
            rep0 = rep0 * 2 + b;
            if (range < 0x1000000) {
              range = (range * 256) >>> 0;
              code = ((code << 8) | byte()) >>> 0;
            }
          }
          rep0 = rep0 * 16 + reverse(ALIGN, 4);
        }
      }
    }
    // An end marker (distance 2^32 - 1) lands here too: it lies beyond any data decoded.
    if (rep0 >= pos) throw new Error('lzma: corrupt data');
    len += 2;
    if (len > size - pos) throw new Error('lzma: corrupt data');
    for (; len > 0; len--, pos++) out[pos] = out[pos - rep0 - 1]!;
  }
  return out;
}
