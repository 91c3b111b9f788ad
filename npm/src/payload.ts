// Payloads and binary properties: Uint8Array in; received payloads are MqttPayload, a
// Uint8Array that decodes as text where MQTT.js code expects a Buffer. Strings are UTF-8.

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What a payload may be given as. */
export type Payload = string | Uint8Array | ArrayBuffer | ArrayBufferView;

/** The encodings {@link MqttPayload.toString} accepts (any letter case, as Buffer does). */
export type PayloadEncoding = 'utf8' | 'utf-8' | 'hex' | 'base64';

/**
 * A received payload: the message's bytes, as a `Uint8Array` (no `Buffer`, no Node
 * polyfills). Where MQTT.js code treats the payload as a Buffer it reads as text:
 * `toString()` decodes UTF-8, so `message.toString()`, `JSON.parse(message)` and
 * `` `${message}` `` work as they do with MQTT.js.
 *
 * `slice()`, `subarray()` and the other typed-array methods that make a new array return
 * an MqttPayload too (as they return a Buffer from a Buffer): `message.subarray(0, 4).toString()`
 * is text. The bytes are the client's copy, the receiver's to keep or modify.
 */
export class MqttPayload extends Uint8Array {
  /**
   * The bytes from `start` to `end` (default: all of them) as text: UTF-8 (the default;
   * malformed sequences become U+FFFD, as with Buffer; a leading byte-order mark is dropped,
   * as TextDecoder does), or in hex or base64. Throws a TypeError naming the encodings for
   * any other encoding.
   */
  override toString(encoding: PayloadEncoding = 'utf8', start?: number, end?: number): string {
    const bytes = start === undefined && end === undefined ? this : this.subarray(start, end);
    const e = encoding.toLowerCase();
    if (e === 'utf8' || e === 'utf-8') return decoder.decode(bytes);
    if (e === 'hex') {
      let s = '';
      for (const b of bytes) s += (b < 16 ? '0' : '') + b.toString(16);
      return s;
    }
    if (e === 'base64') {
      let s = '';
      for (const b of bytes) s += String.fromCharCode(b);
      return btoa(s);
    }
    throw new TypeError(`Unknown encoding: ${encoding} (takes utf8, hex, base64)`);
  }

  /** The payload as UTF-8 text (as `toString()`). */
  text(): string {
    return decoder.decode(this);
  }

  /** The payload parsed as JSON (UTF-8 text); throws JSON.parse's SyntaxError if it is not. */
  json<T = unknown>(): T {
    return JSON.parse(this.text()) as T;
  }
}

// What the typed-array methods return (Symbol.species): an MqttPayload. The declarations only
// say so to TypeScript, whose Uint8Array methods return Uint8Array.
export interface MqttPayload {
  /** A copy of bytes `start` to `end`, as an MqttPayload. */
  slice(start?: number, end?: number): MqttPayload;
  /** A view of bytes `begin` to `end` (no copy), as an MqttPayload. */
  subarray(begin?: number, end?: number): MqttPayload;
}

/** The bytes of `p` (a view, not a copy, when it already is bytes). */
export function toBytes(p: Payload | null | undefined): Uint8Array {
  if (p === null || p === undefined) return new Uint8Array(0);
  if (typeof p === 'string') return encoder.encode(p);
  if (p instanceof Uint8Array) return p;
  if (p instanceof ArrayBuffer) return new Uint8Array(p);
  if (ArrayBuffer.isView(p)) return new Uint8Array(p.buffer, p.byteOffset, p.byteLength);
  throw new TypeError('payload must be a string, Uint8Array, ArrayBuffer or ArrayBufferView');
}
