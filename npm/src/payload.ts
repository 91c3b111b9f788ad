// Payloads and binary properties: Uint8Array in, Uint8Array out; strings are UTF-8.

const encoder = new TextEncoder();

/** What a payload may be given as. */
export type Payload = string | Uint8Array | ArrayBuffer | ArrayBufferView;

/** The bytes of `p` (a view, not a copy, when it already is bytes). */
export function toBytes(p: Payload | null | undefined): Uint8Array {
  if (p === null || p === undefined) return new Uint8Array(0);
  if (typeof p === 'string') return encoder.encode(p);
  if (p instanceof Uint8Array) return p;
  if (p instanceof ArrayBuffer) return new Uint8Array(p);
  if (ArrayBuffer.isView(p)) return new Uint8Array(p.buffer, p.byteOffset, p.byteLength);
  throw new TypeError('payload must be a string, Uint8Array, ArrayBuffer or ArrayBufferView');
}
