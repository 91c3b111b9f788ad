// The final wasm-opt pass over the linked module, as one list: npm/scripts/build.mjs ships its
// output, bench/wasm-sizes.mjs measures a named copy made with the same passes.
//
// Features: MVP plus the two the module is compiled with (the top-level CMakeLists.txt):
// saturating float-to-int conversions, which spare every double-to-integer cast of the
// JavaScript inputs its range check, and sign extension. Every engine the bundle's ES2022
// already needs has both (Safari 15, Chrome 75, Firefox 64, Node 12.5).
// Memory below 1024 is unused (the data starts there) and the module's own memory starts
// zeroed. -aimfs=5 inlines functions of up to 5 instructions everywhere (-Oz's 2 left libc++'s
// one-line helpers, such as allocator::construct inside byte-copy loops, as calls): measured
// 1.5 KB smaller gzipped and ~15 % faster at QoS 0; 8 and above grow the module.
// --reorder-functions numbers the most-called functions first (shorter call indices).
// Tried and left out: --ignore-implicit-traps (Emscripten's IGNORE_IMPLICIT_TRAPS), 444 bytes
// less LZMA, but the module it gives reads out of bounds (loads it hoists above their guards
// see pointers that are not yet valid): 187 Jest tests failed with it.
export const wasmOptPasses = [
  '--mvp-features', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
  '-Oz', '-aimfs=5', '--generate-global-effects', '--converge',
  '--low-memory-unused', '--zero-filled-memory', '--reorder-locals', '--reorder-functions',
  '--strip-producers',
];
