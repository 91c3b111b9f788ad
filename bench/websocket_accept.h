/* websocket_accept.h: Sec-WebSocket-Accept (RFC 6455 §4.2.2) — base64 of the SHA-1 (FIPS
 * 180-4) of the client's key and the protocol's GUID. One copy for the benchmarks' WebSocket
 * server (bench_peer.cpp) and client (ceiling.c): plain C that also compiles as C++, no
 * allocation. Nothing else here needs a hash, so this is all of SHA-1 it implements. */
#ifndef MQTTWS_BENCH_WEBSOCKET_ACCEPT_H
#define MQTTWS_BENCH_WEBSOCKET_ACCEPT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The longest Sec-WebSocket-Key taken (a real one is 24 characters). */
#define WEBSOCKET_KEY_MAX 128

static inline uint32_t websocket_rol32(uint32_t v, int s) { return (v << s) | (v >> (32 - s)); }

/* SHA-1 of msg[0, n), n ≤ 247 (what fits five 64-byte blocks with the padding). */
static inline void websocket_sha1(const uint8_t *msg, size_t n, uint8_t out[20]) {
  uint8_t m[320];
  uint32_t h[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
  const size_t total = ((n + 8) / 64 + 1) * 64;
  memset(m, 0, total);
  memcpy(m, msg, n);
  m[n] = 0x80;
  const uint64_t bits = (uint64_t)n * 8;
  for (int i = 0; i < 8; i++) m[total - 1 - (size_t)i] = (uint8_t)(bits >> (8 * i));
  for (size_t chunk = 0; chunk < total; chunk += 64) {
    uint32_t w[80];
    for (int i = 0; i < 16; i++) {
      const uint8_t *p = m + chunk + 4 * (size_t)i;
      w[i] = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    }
    for (int i = 16; i < 80; i++) {
      w[i] = websocket_rol32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; i++) {
      uint32_t f, k;
      if (i < 20) {
        f = (b & c) | (~b & d);
        k = 0x5A827999u;
      } else if (i < 40) {
        f = b ^ c ^ d;
        k = 0x6ED9EBA1u;
      } else if (i < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8F1BBCDCu;
      } else {
        f = b ^ c ^ d;
        k = 0xCA62C1D6u;
      }
      const uint32_t t = websocket_rol32(a, 5) + f + e + k + w[i];
      e = d;
      d = c;
      c = websocket_rol32(b, 30);
      b = a;
      a = t;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
  }
  for (int i = 0; i < 5; i++) {
    for (int j = 0; j < 4; j++) out[4 * i + j] = (uint8_t)(h[i] >> (24 - 8 * j));
  }
}

/* Base64 of p[0, n) into out (4 * ceil(n / 3) characters and a NUL). */
static inline void websocket_base64(const uint8_t *p, size_t n, char *out) {
  static const char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t o = 0;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16;
    if (i + 1 < n) v |= (uint32_t)p[i + 1] << 8;
    if (i + 2 < n) v |= p[i + 2];
    out[o++] = alphabet[v >> 18 & 63];
    out[o++] = alphabet[v >> 12 & 63];
    out[o++] = i + 1 < n ? alphabet[v >> 6 & 63] : '=';
    out[o++] = i + 2 < n ? alphabet[v & 63] : '=';
  }
  out[o] = '\0';
}

/* The Sec-WebSocket-Accept for key[0, n) into out (28 characters and a NUL). Returns 0, or -1
 * for a key longer than WEBSOCKET_KEY_MAX. */
static inline int websocket_accept(const char *key, size_t n, char out[29]) {
  static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  uint8_t joined[WEBSOCKET_KEY_MAX + sizeof guid];
  uint8_t digest[20];
  if (n > WEBSOCKET_KEY_MAX) return -1;
  memcpy(joined, key, n);
  memcpy(joined + n, guid, sizeof guid - 1);
  websocket_sha1(joined, n + sizeof guid - 1, digest);
  websocket_base64(digest, sizeof digest, out);
  return 0;
}

#endif
