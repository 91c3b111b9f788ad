/* mqtt_varint.h: MQTT's Variable Byte Integer (MQTT 5 §1.5.5), one copy for the benchmarks'
 * standalone programs (bench_peer.cpp, ceiling.c): plain C that also compiles as C++. */
#ifndef MQTTWS_BENCH_MQTT_VARINT_H
#define MQTTWS_BENCH_MQTT_VARINT_H

#include <stddef.h>
#include <stdint.h>

/* Writes v (at most 268,435,455) at p; returns the bytes written, 1 to 4. */
static inline size_t put_varint(uint8_t *p, uint32_t v) {
  size_t n = 0;
  do {
    uint8_t b = (uint8_t)(v & 0x7F);
    v >>= 7;
    if (v) b |= 0x80;
    p[n++] = b;
  } while (v);
  return n;
}

/* Reads the integer at p[0, n) into *v; returns the bytes it used, 0 if it is incomplete, -1
 * if it is longer than 4 bytes (malformed). */
static inline int get_varint(const uint8_t *p, size_t n, uint32_t *v) {
  uint32_t value = 0;
  for (int i = 0; i < 4; i++) {
    if ((size_t)i >= n) return 0;
    value |= (uint32_t)(p[i] & 0x7F) << (7 * i);
    if (!(p[i] & 0x80)) {
      *v = value;
      return i + 1;
    }
  }
  return -1;
}

#endif
