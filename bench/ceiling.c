/* ceiling: the C ceiling of bench/run — what an MQTT client could do at best, with no library.
 *
 * What it measures: the same cases as the client drivers, done with MQTT 5 packets encoded once
 * before the clock starts and written in large batches (one WebSocket frame per batch, masked
 * with a fixed key so the mask is applied once too). It still speaks real MQTT over the socket:
 * CONNECT and a checked CONNACK, SUBSCRIBE and a checked SUBACK, and the QoS 1/2 handshakes
 * (PUBACK; PUBREC -> PUBREL -> PUBCOMP) on both sides, counting messages by parsing no more than
 * the fixed header, the Remaining Length and, where an ack needs it, the packet id.
 * One thread per connection, blocking sockets: on these 2-core machines the broker needs the
 * CPU more than we do, and a thread blocked in send() or recv() costs it nothing. Readers set
 * SO_RCVLOWAT (with a 1 ms SO_RCVTIMEO so the tail still arrives), so that the broker's many
 * small writes do not each pay for waking one of our threads: through mosquitto at QoS 0 that
 * alone moved the figure from ~170k to ~250k+ msg/s over tcp here. The cost: a message may be
 * counted up to 1 ms late, which the clock includes.
 *
 * Run:
 *   ceiling throughput --url mqtt://127.0.0.1:P|ws://127.0.0.1:P/ [-u USER -P PASS]
 *                      [--qos Q] [--messages N] [--bytes B] [--publishers K]
 *       K publishers -> 1 subscriber through a broker; clock: first publish -> last message
 *       received (QoS 0: once everything is written, 1 s without a message ends the wait).
 *   ceiling publish --url ... [--qos Q] [--messages N] [--bytes B]
 *       against bench_peer's sink: n publishes to bench/sink; clock: first publish -> last
 *       completion (QoS 0: written; QoS 1: PUBACK; QoS 2: PUBCOMP).
 *   ceiling receive --url ... [--qos Q] [--messages N] [--bytes B]
 *       against bench_peer's source: subscribes to bench/source/<n>/<B>; clock: SUBACK -> nth
 *       message.
 *   Other options: --window W (QoS>0 publishes awaiting completion per publisher; default 1000,
 *   as the clients, but 256 at QoS 2: the contract allows at most 1000, and mosquitto looks
 *   each incoming QoS 2 PUBLISH up in a list of that client's unreleased ones, so 1000 in flight
 *   made it ~20-45% slower here than 200-400, e.g. 4 publishers of 4 KB over tcp 23k -> 44k),
 *   --timeout S (bound on the whole run, default 120), --topic PREFIX (throughput),
 *   --batch BYTES (bytes per write, default 65536), --sndbuf BYTES (SO_SNDBUF, default: the
 *   kernel's), --lowat-sub BYTES / --lowat-pub BYTES (SO_RCVLOWAT of the subscriber and of
 *   each QoS>0 publisher; throughput mode: 65536 and W, but no publisher mark at QoS 2 over
 *   ws; publish and receive: 0, off).
 *   --ping 0|1 (the subscriber sends a PINGREQ when a read has waited 1 ms, at most every 5 ms;
 *   default 1 in throughput mode: mosquitto 2.0 services WebSocket clients only when its loop
 *   wakes, so without input the last messages it holds for us wait ~100 ms for its timeout,
 *   which at 20000 messages over ws cost the ceiling up to 3/4 of its figure).
 *   Credentials default to $MQTTWS_BENCH_USER / $MQTTWS_BENCH_PASSWORD.
 * Prints one JSON line on stdout:
 *   {"client":"ceiling-c","mode":"throughput","transport":"ws","qos":0,"bytes":64,
 *    "publishers":1,"n":200000,"received":200000,"seconds":0.9,"msgs_per_s":222222.2}
 *   ("window":W after "publishers" when QoS > 0 and the mode publishes)
 * Exit 0; 1 with a one-line reason on stderr on a timeout or a lost or refused connection;
 * 2 on bad usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "mqtt_varint.h"
#include "websocket_accept.h"

enum { HEADROOM = 14 }; /* room before a payload for the largest client frame header */
enum { READ_BYTES = 256 * 1024 };
static const uint8_t mask_key[4] = {0x5a, 0xc3, 0x19, 0x7e};

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("ceiling: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

static void usage(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("ceiling: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputs(" (see the header of bench/ceiling.c; modes: throughput, publish, receive)\n", stderr);
  va_end(ap);
  exit(2);
}

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) die("out of memory");
  return p;
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void on_alarm(int sig) {
  (void)sig;
  static const char msg[] = "ceiling: timed out\n";
  if (write(2, msg, sizeof msg - 1) < 0) { /* nothing more to do */ }
  _exit(1);
}

/* ---- MQTT encoding helpers ------------------------------------------------------------------ */

static size_t put_string(uint8_t *p, const char *s, size_t n) {
  p[0] = (uint8_t)(n >> 8);
  p[1] = (uint8_t)n;
  memcpy(p + 2, s, n);
  return 2 + n;
}

/* Client frame header (FIN, binary, masked with mask_key), written so that it ends at `end`.
 * Returns its length. */
static size_t ws_header_before(uint8_t *end, uint64_t len) {
  uint8_t h[HEADROOM];
  size_t n;
  h[0] = 0x82;
  if (len < 126) {
    h[1] = (uint8_t)(0x80 | len);
    n = 2;
  } else if (len < 65536) {
    h[1] = 0x80 | 126;
    h[2] = (uint8_t)(len >> 8);
    h[3] = (uint8_t)len;
    n = 4;
  } else {
    h[1] = 0x80 | 127;
    for (int i = 0; i < 8; i++) h[2 + i] = (uint8_t)(len >> (56 - 8 * i));
    n = 10;
  }
  memcpy(h + n, mask_key, 4);
  n += 4;
  memcpy(end - n, h, n);
  return n;
}

/* XOR with mask_key, payload offset 0 at p (the key is fixed, so masking is position-only). */
static void apply_mask(uint8_t *p, size_t n) {
  uint64_t m;
  uint8_t m8[8];
  for (int j = 0; j < 8; j++) m8[j] = mask_key[j & 3];
  memcpy(&m, m8, 8);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t v;
    memcpy(&v, p + i, 8);
    v ^= m;
    memcpy(p + i, &v, 8);
  }
  for (; i < n; i++) p[i] ^= mask_key[i & 3];
}

/* ---- connections ---------------------------------------------------------------------------- */

typedef struct {
  int ws;
  char host[256];
  char port[16];
  char path[1024];
} url_t;

typedef struct {
  int fd;
  int ws;
  /* ws: bytes as read, before frames are taken apart */
  uint8_t *raw;
  size_t raw_beg, raw_end, raw_cap;
  uint64_t frame_left; /* payload bytes of the current data frame still to come */
  /* the MQTT byte stream; packets handed out by next_packet() stay valid until the next read */
  uint8_t *in;
  size_t in_beg, in_end, in_cap;
  uint32_t server_receive_max;
} conn_t;

static void write_all(conn_t *c, const uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      die("connection lost while writing: %s", strerror(errno));
    }
    p += w;
    n -= (size_t)w;
  }
}

static void writev_all(conn_t *c, struct iovec *iov, int cnt) {
  while (cnt > 0) {
    ssize_t w = writev(c->fd, iov, cnt);
    if (w < 0) {
      if (errno == EINTR) continue;
      die("connection lost while writing: %s", strerror(errno));
    }
    size_t left = (size_t)w;
    while (cnt > 0 && left >= iov[0].iov_len) {
      left -= iov[0].iov_len;
      iov++;
      cnt--;
    }
    if (cnt > 0) {
      iov[0].iov_base = (uint8_t *)iov[0].iov_base + left;
      iov[0].iov_len -= left;
    }
  }
}

/* Frames (ws) and writes MQTT bytes that sit at p with HEADROOM bytes free before them;
 * masks them in place. Returns the iovec for writev instead of writing when `iov` is given. */
static void frame_mqtt(conn_t *c, uint8_t *p, size_t n, struct iovec *iov) {
  uint8_t *start = p;
  size_t len = n;
  if (c->ws) {
    apply_mask(p, n);
    size_t h = ws_header_before(p, n);
    start = p - h;
    len = n + h;
  }
  if (iov) {
    iov->iov_base = start;
    iov->iov_len = len;
  } else {
    write_all(c, start, len);
  }
}

static void grow(uint8_t **buf, size_t *beg, size_t *end, size_t *cap, size_t need) {
  size_t live = *end - *beg;
  if (*beg > 0) {
    memmove(*buf, *buf + *beg, live);
    *beg = 0;
    *end = live;
  }
  if (*cap - *end < need) {
    size_t ncap = *cap * 2 > live + need ? *cap * 2 : live + need;
    uint8_t *nb = realloc(*buf, ncap);
    if (!nb) die("out of memory");
    *buf = nb;
    *cap = ncap;
  }
}

/* Takes WebSocket frames apart into the MQTT stream; answers pings. */
static void ws_decode(conn_t *c) {
  for (;;) {
    uint8_t *p = c->raw + c->raw_beg;
    size_t avail = c->raw_end - c->raw_beg;
    if (avail == 0) break;
    if (c->frame_left > 0) {
      size_t take = c->frame_left < avail ? (size_t)c->frame_left : avail;
      if (c->in_cap - c->in_end < take) grow(&c->in, &c->in_beg, &c->in_end, &c->in_cap, take);
      memcpy(c->in + c->in_end, p, take);
      c->in_end += take;
      c->raw_beg += take;
      c->frame_left -= take;
      continue;
    }
    if (avail < 2) break;
    uint8_t opcode = p[0] & 0x0F;
    if (p[1] & 0x80) die("the server sent a masked WebSocket frame");
    uint8_t len7 = p[1] & 0x7F;
    size_t hlen = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0);
    if (avail < hlen) break;
    uint64_t len = len7;
    if (len7 == 126) {
      len = (uint64_t)p[2] << 8 | p[3];
    } else if (len7 == 127) {
      len = 0;
      for (int i = 0; i < 8; i++) len = len << 8 | p[2 + i];
    }
    if (opcode >= 8) {
      if (len > 125) die("oversized WebSocket control frame from the server");
      if (avail < hlen + len) break;
      if (opcode == 0x8) die("the server closed the WebSocket");
      if (opcode == 0x9) { /* ping: answer with a pong carrying the same payload */
        uint8_t pong[HEADROOM + 125];
        memcpy(pong + HEADROOM, p + hlen, len);
        apply_mask(pong + HEADROOM, len);
        size_t h = ws_header_before(pong + HEADROOM, len);
        pong[HEADROOM - h] = 0x8A;
        write_all(c, pong + HEADROOM - h, h + len);
      }
      c->raw_beg += hlen + len;
      continue;
    }
    if (opcode == 0x1) die("the server sent a WebSocket text frame");
    c->frame_left = len;
    c->raw_beg += hlen;
  }
}

/* One read. Returns the bytes read, or -1 when a receive timeout (SO_RCVTIMEO) passed. */
static ssize_t conn_read(conn_t *c) {
  uint8_t **buf = c->ws ? &c->raw : &c->in;
  size_t *beg = c->ws ? &c->raw_beg : &c->in_beg;
  size_t *end = c->ws ? &c->raw_end : &c->in_end;
  size_t *cap = c->ws ? &c->raw_cap : &c->in_cap;
  if (*cap - *end < READ_BYTES / 2 || *beg > 0) grow(buf, beg, end, cap, READ_BYTES / 2);
  if (c->ws && c->in_beg > 0) grow(&c->in, &c->in_beg, &c->in_end, &c->in_cap, 0);
  for (;;) {
    ssize_t r = recv(c->fd, *buf + *end, *cap - *end, 0);
    if (r > 0) {
      *end += (size_t)r;
      if (c->ws) ws_decode(c);
      return r;
    }
    if (r == 0) die("connection closed by the server");
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return -1;
    die("connection lost: %s", strerror(errno));
  }
}

/* The next whole packet in the stream, or 0. `body` stays valid until the next conn_read. */
static inline int next_packet(conn_t *c, uint8_t *first, const uint8_t **body, uint32_t *len) {
  const uint8_t *p = c->in + c->in_beg;
  size_t avail = c->in_end - c->in_beg;
  if (avail < 2) return 0;
  uint32_t rl;
  int used;
  if (!(p[1] & 0x80)) {
    rl = p[1];
    used = 1;
  } else {
    used = get_varint(p + 1, avail - 1, &rl);
    if (used < 0) die("malformed Remaining Length from the server");
    if (used == 0) return 0;
  }
  size_t total = 1 + (size_t)used + rl;
  if (avail < total) return 0;
  *first = p[0];
  *body = p + 1 + used;
  *len = rl;
  c->in_beg += total;
  return 1;
}

static uint8_t wait_packet(conn_t *c, const uint8_t **body, uint32_t *len) {
  uint8_t first;
  while (!next_packet(c, &first, body, len)) conn_read(c);
  return first;
}

static void parse_url(const char *s, url_t *u) {
  const char *rest;
  memset(u, 0, sizeof *u);
  if (strncmp(s, "ws://", 5) == 0) {
    u->ws = 1;
    rest = s + 5;
  } else if (strncmp(s, "mqtt://", 7) == 0) {
    rest = s + 7;
  } else if (strncmp(s, "tcp://", 6) == 0) {
    rest = s + 6;
  } else {
    usage("unsupported URL %s (mqtt://host:port or ws://host:port/path)", s);
  }
  const char *slash = strchr(rest, '/');
  const char *colon = strchr(rest, ':');
  if (!colon || (slash && colon > slash)) usage("URL %s needs a port", s);
  size_t hl = (size_t)(colon - rest);
  size_t pl = slash ? (size_t)(slash - colon - 1) : strlen(colon + 1);
  if (hl == 0 || hl >= sizeof u->host || pl == 0 || pl >= sizeof u->port) usage("bad URL %s", s);
  memcpy(u->host, rest, hl);
  memcpy(u->port, colon + 1, pl);
  snprintf(u->path, sizeof u->path, "%s", slash ? slash : "/");
}

static void ws_handshake(conn_t *c, const url_t *u) {
  uint8_t nonce[16];
  if (getrandom(nonce, sizeof nonce, 0) != (ssize_t)sizeof nonce) die("getrandom failed");
  char key[32];
  websocket_base64(nonce, sizeof nonce, key);
  char req[2048];
  int n = snprintf(req, sizeof req,
                   "GET %s HTTP/1.1\r\nHost: %s:%s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
                   "Sec-WebSocket-Protocol: mqtt\r\n\r\n",
                   u->path, u->host, u->port, key);
  write_all(c, (const uint8_t *)req, (size_t)n);
  char expect[29];
  websocket_accept(key, strlen(key), expect);
  /* Read the response header; anything after it is already WebSocket frames. */
  char resp[8192];
  size_t got = 0;
  char *end = NULL;
  while (!end) {
    if (got == sizeof resp - 1) die("WebSocket handshake: response header too long");
    ssize_t r = recv(c->fd, resp + got, sizeof resp - 1 - got, 0);
    if (r <= 0) die("WebSocket handshake: connection closed");
    got += (size_t)r;
    resp[got] = '\0';
    end = strstr(resp, "\r\n\r\n");
  }
  if (strncmp(resp, "HTTP/1.1 101", 12) != 0) {
    char *eol = strstr(resp, "\r\n");
    *eol = '\0';
    die("WebSocket handshake refused: %s", resp);
  }
  int accepted = 0;
  for (char *line = strstr(resp, "\r\n") + 2; line < end; line = strstr(line, "\r\n") + 2) {
    if (strncasecmp(line, "Sec-WebSocket-Accept:", 21) == 0) {
      char *v = line + 21;
      while (*v == ' ') v++;
      accepted = strncmp(v, expect, strlen(expect)) == 0;
    }
  }
  if (!accepted) die("WebSocket handshake: wrong or missing Sec-WebSocket-Accept");
  size_t extra = got - (size_t)(end + 4 - resp);
  if (extra) {
    memcpy(c->raw, end + 4, extra);
    c->raw_end = extra;
    ws_decode(c);
  }
}

typedef struct {
  const char *user;
  const char *pass;
} creds_t;

/* Connects, sends CONNECT (MQTT 5, clean start, keepalive off: the subscriber may only listen)
 * and checks the CONNACK. */
static void conn_open(conn_t *c, const url_t *u, const creds_t *cr, const char *client_id,
                      int sndbuf) {
  memset(c, 0, sizeof *c);
  c->ws = u->ws;
  c->raw_cap = c->ws ? READ_BYTES : 0;
  c->raw = c->ws ? xmalloc(c->raw_cap) : NULL;
  c->in_cap = READ_BYTES;
  c->in = xmalloc(c->in_cap);
  c->server_receive_max = 65535;

  struct addrinfo hints = {0}, *res;
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  int e = getaddrinfo(u->host, u->port, &hints, &res);
  if (e) die("cannot resolve %s: %s", u->host, gai_strerror(e));
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (c->fd < 0) die("socket: %s", strerror(errno));
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (sndbuf > 0) setsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  if (connect(c->fd, res->ai_addr, res->ai_addrlen) != 0)
    die("cannot connect to %s:%s: %s", u->host, u->port, strerror(errno));
  freeaddrinfo(res);
  if (c->ws) ws_handshake(c, u);

  uint8_t pkt[HEADROOM + 1024];
  uint8_t *b = pkt + HEADROOM + 5; /* leave room for the fixed header */
  size_t n = 0;
  n += put_string(b + n, "MQTT", 4);
  b[n++] = 5;
  uint8_t flags = 0x02;
  if (cr->user) flags |= 0x80;
  if (cr->pass) flags |= 0x40;
  b[n++] = flags;
  b[n++] = 0;
  b[n++] = 0;  /* keepalive 0 */
  b[n++] = 0;  /* no properties */
  size_t idl = strlen(client_id), ul = cr->user ? strlen(cr->user) : 0,
         pl = cr->pass ? strlen(cr->pass) : 0;
  if (idl + ul + pl > 900) die("client id or credentials too long");
  n += put_string(b + n, client_id, idl);
  if (cr->user) n += put_string(b + n, cr->user, ul);
  if (cr->pass) n += put_string(b + n, cr->pass, pl);
  uint8_t fh[5];
  fh[0] = 0x10;
  size_t fl = 1 + put_varint(fh + 1, (uint32_t)n);
  memcpy(b - fl, fh, fl);
  frame_mqtt(c, b - fl, n + fl, NULL);

  const uint8_t *body;
  uint32_t len;
  uint8_t first = wait_packet(c, &body, &len);
  if (first != 0x20 || len < 2) die("expected CONNACK, got packet type %d", first >> 4);
  if (body[1] != 0) die("connection refused: CONNACK reason code 0x%02x", body[1]);
  /* MQTT 5 properties: only Receive Maximum matters here (it caps our window). */
  uint32_t pl_len;
  int used = len > 2 ? get_varint(body + 2, len - 2, &pl_len) : 0;
  if (used > 0 && 2 + (size_t)used + pl_len <= len) {
    const uint8_t *q = body + 2 + used, *qe = q + pl_len;
    while (q < qe) {
      uint8_t id = *q++;
      size_t skip;
      switch (id) {
        case 0x01: case 0x17: case 0x19: case 0x24: case 0x25: case 0x28: case 0x29: case 0x2A:
          skip = 1; break;
        case 0x13: case 0x21: case 0x22: case 0x23: skip = 2; break;
        case 0x02: case 0x11: case 0x18: case 0x27: skip = 4; break;
        case 0x0B: {
          uint32_t v;
          int k = get_varint(q, (size_t)(qe - q), &v);
          skip = k > 0 ? (size_t)k : (size_t)(qe - q);
          break;
        }
        case 0x26:
          skip = 2 + ((size_t)q[0] << 8 | q[1]);
          if (q + skip + 2 <= qe) skip += 2 + ((size_t)q[skip] << 8 | q[skip + 1]);
          break;
        default: skip = 2 + ((size_t)q[0] << 8 | q[1]); break; /* strings and binary data */
      }
      if (q + skip > qe) break;
      if (id == 0x21) c->server_receive_max = (uint32_t)q[0] << 8 | q[1];
      q += skip;
    }
  }
}

static void conn_subscribe(conn_t *c, const char *filter, int qos) {
  size_t fl = strlen(filter);
  if (fl > 60000) die("topic filter too long");
  uint8_t *pkt = xmalloc(HEADROOM + 5 + fl + 16);
  uint8_t *b = pkt + HEADROOM + 5;
  size_t n = 0;
  b[n++] = 0;
  b[n++] = 1; /* packet id 1 */
  b[n++] = 0; /* no properties */
  n += put_string(b + n, filter, fl);
  b[n++] = (uint8_t)qos;
  uint8_t fh[5];
  fh[0] = 0x82;
  size_t hl = 1 + put_varint(fh + 1, (uint32_t)n);
  memcpy(b - hl, fh, hl);
  frame_mqtt(c, b - hl, n + hl, NULL);
  free(pkt);
  const uint8_t *body;
  uint32_t len;
  uint8_t first = wait_packet(c, &body, &len);
  if (first != 0x90 || len < 4) die("expected SUBACK, got packet type %d", first >> 4);
  uint32_t pl;
  int used = get_varint(body + 2, len - 2, &pl);
  if (used <= 0 || 2 + (size_t)used + pl >= len) die("malformed SUBACK");
  uint8_t rc = body[2 + used + pl];
  if (rc >= 0x80) die("subscription refused: SUBACK reason code 0x%02x", rc);
  if (rc != qos) die("subscription granted QoS %d, not %d", rc, qos);
}

/* Wake this reader only once `lowat` bytes are queued (or `usec` passed with fewer): every
 * wakeup of a blocked reader is paid for by the broker's write that caused it, and on two cores
 * the broker's CPU is what every figure here is bounded by. */
static void conn_batch_reads(conn_t *c, int lowat, long usec) {
  if (lowat <= 1) return;
  struct timeval tv = {usec / 1000000, usec % 1000000};
  setsockopt(c->fd, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof lowat);
  setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

static void conn_disconnect(conn_t *c) {
  uint8_t pkt[HEADROOM + 2];
  pkt[HEADROOM] = 0xE0;
  pkt[HEADROOM + 1] = 0;
  frame_mqtt(c, pkt + HEADROOM, 2, NULL);
  shutdown(c->fd, SHUT_WR);
}

/* ---- the two roles -------------------------------------------------------------------------- */

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

typedef struct {
  conn_t c;
  char topic[512];
  uint64_t count;
  int qos;
  uint32_t bytes;
  uint32_t window;
  size_t batch_bytes;
  double t_first, t_done;
  uint64_t completed;
  /* throughput mode: the thread opens its connection, then waits for the start */
  const url_t *url;
  const creds_t *creds;
  char client_id[64];
  int sndbuf;
  int lowat;
  pthread_barrier_t *start;
  atomic_int *done;
} publisher_t;

/* Publishes p->count messages: QoS 0 as fast as the socket takes them; QoS>0 with at most
 * `window` awaiting completion, topping the window up after every read of acks. */
static void publisher_run(publisher_t *p) {
  conn_t *c = &p->c;
  size_t tl = strlen(p->topic);
  uint32_t rl = (uint32_t)(2 + tl + (p->qos ? 2 : 0) + 1 + p->bytes);
  uint8_t fh[5];
  fh[0] = (uint8_t)(0x30 | p->qos << 1);
  size_t fl = 1 + put_varint(fh + 1, rl);
  size_t plen = fl + rl, id_off = fl + 2 + tl;
  uint32_t window = p->window < c->server_receive_max ? p->window : c->server_receive_max;
  size_t per_batch = p->batch_bytes / plen;
  if (per_batch == 0) per_batch = 1;
  if (p->qos && per_batch > window) per_batch = window;

  /* Pre-encode a batch: one packet, copied; masked once for ws (the key never changes, so a
   * byte's mask depends only on its offset in the frame, and a batch always starts one). */
  uint8_t *buf = xmalloc(HEADROOM + per_batch * plen);
  uint8_t *pk = buf + HEADROOM;
  size_t o = 0;
  memcpy(pk, fh, fl);
  o += fl;
  o += put_string(pk + o, p->topic, tl);
  if (p->qos) {
    pk[o++] = 0;
    pk[o++] = 0;
  }
  pk[o++] = 0; /* no properties */
  for (uint32_t i = 0; i < p->bytes; i++) pk[o++] = (uint8_t)('a' + i % 26);
  for (size_t i = 1; i < per_batch; i++) memcpy(pk + i * plen, pk, plen);
  if (c->ws) apply_mask(pk, per_batch * plen);

  if (p->qos == 0) {
    uint64_t sent = 0;
    p->t_first = now_s();
    while (sent < p->count) {
      uint64_t k = p->count - sent < per_batch ? p->count - sent : per_batch;
      size_t n = (size_t)k * plen;
      if (c->ws) {
        size_t h = ws_header_before(pk, n);
        write_all(c, pk - h, n + h);
      } else {
        write_all(c, pk, n);
      }
      sent += k;
    }
    p->completed = sent;
    p->t_done = now_s();
    free(buf);
    return;
  }

  uint8_t *in_flight = calloc(65536, 1);
  if (!in_flight) die("out of memory");
  uint16_t next_id = 0;
  uint64_t sent = 0, outstanding = 0;
  size_t rel_cap = (size_t)window * 4 + 16, rel_n = 0;
  uint8_t *rel = xmalloc(HEADROOM + rel_cap);
  uint8_t m0 = 0, m1 = 0;
  int tail = 0;
  conn_batch_reads(c, p->lowat, 1000);
  p->t_first = now_s();
  while (p->completed < p->count) {
    /* PUBRELs owed, then as many batches as the window has room for, then read acks. */
    struct iovec iov[2];
    int cnt = 0;
    if (rel_n) {
      frame_mqtt(c, rel + HEADROOM, rel_n, &iov[cnt++]);
      rel_n = 0;
    }
    for (;;) {
      uint64_t k = window - outstanding;
      if (k > p->count - sent) k = p->count - sent;
      if (k > per_batch) k = per_batch;
      if (k == 0) break;
      for (uint64_t j = 0; j < k; j++) {
        do {
          next_id = next_id == 65535 ? 1 : (uint16_t)(next_id + 1);
        } while (in_flight[next_id]);
        in_flight[next_id] = 1;
        size_t pos = (size_t)j * plen + id_off;
        if (c->ws) {
          m0 = mask_key[pos & 3];
          m1 = mask_key[(pos + 1) & 3];
        }
        pk[pos] = (uint8_t)(next_id >> 8) ^ m0;
        pk[pos + 1] = (uint8_t)next_id ^ m1;
      }
      size_t n = (size_t)k * plen;
      size_t h = c->ws ? ws_header_before(pk, n) : 0;
      iov[cnt].iov_base = pk - h;
      iov[cnt++].iov_len = n + h;
      sent += k;
      outstanding += k;
      writev_all(c, iov, cnt); /* the batch buffer is reused: write before the next patch */
      cnt = 0;
    }
    if (cnt) writev_all(c, iov, cnt);
    if (sent == p->count && p->lowat > 1 && !tail) {
      /* Everything is out: from now on fewer acks come than the low-water mark asks for, and
       * waiting 1 ms per read for them cost a fixed ~90 ms at QoS 2 over ws (the broker
       * releases a QoS 2 message to the subscriber only on our PUBREL). Read them as they come. */
      int one = 1;
      setsockopt(c->fd, SOL_SOCKET, SO_RCVLOWAT, &one, sizeof one);
      tail = 1;
    }
    conn_read(c);
    uint8_t first;
    const uint8_t *body;
    uint32_t len;
    while (next_packet(c, &first, &body, &len)) {
      uint8_t type = first >> 4;
      if (len < 2 && type >= 4 && type <= 7) die("malformed acknowledgement from the server");
      if ((type == 4 && p->qos == 1) || (type == 7 && p->qos == 2)) {
        uint16_t id = be16(body);
        if (len >= 3 && body[2] >= 0x80) die("publish refused: reason code 0x%02x", body[2]);
        if (in_flight[id]) {
          in_flight[id] = 0;
          outstanding--;
          p->completed++;
        }
      } else if (type == 5 && p->qos == 2) {
        if (len >= 3 && body[2] >= 0x80) die("publish refused: PUBREC reason code 0x%02x", body[2]);
        if (rel_n + 4 > rel_cap) {
          frame_mqtt(c, rel + HEADROOM, rel_n, NULL);
          rel_n = 0;
        }
        uint8_t *r = rel + HEADROOM + rel_n;
        r[0] = 0x62;
        r[1] = 2;
        r[2] = body[0];
        r[3] = body[1];
        rel_n += 4;
      } else if (type == 14) {
        die("the server sent DISCONNECT");
      }
    }
  }
  p->t_done = now_s();
  free(rel);
  free(in_flight);
  free(buf);
}

/* Counts PUBLISHes until n arrived (or, when pubs_done is given and the QoS is 0, until 1 s
 * without a message once every publisher is done), acknowledging QoS 1/2 with pre-encoded
 * acks, one write per read. Returns the count; *t_last is when the last message arrived. */
static uint64_t subscriber_run(conn_t *c, uint64_t n, int qos, atomic_int *pubs_done, int npubs,
                               int lowat, int ping, double *t_last) {
  if (lowat > 1) {
    conn_batch_reads(c, lowat, 1000);
  } else if (pubs_done && qos == 0) {
    struct timeval tv = {0, 100000};
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  size_t ack_cap = 0;
  uint8_t *ack = NULL;
  uint64_t got = 0;
  double last = 0, idle_from = 0, last_ping = 0;
  for (;;) {
    if (ack_cap < c->in_cap) { /* acks are never longer than what they answer */
      free(ack);
      ack_cap = c->in_cap;
      ack = xmalloc(HEADROOM + ack_cap);
    }
    uint8_t *a = ack + HEADROOM;
    size_t an = 0;
    uint64_t before = got;
    uint8_t first;
    const uint8_t *body;
    uint32_t len;
    while (next_packet(c, &first, &body, &len)) {
      uint8_t type = first >> 4;
      if (type == 3) {
        got++;
        int q = (first >> 1) & 3;
        if (q) {
          size_t tl = len >= 2 ? be16(body) : 0;
          if (len < 2 + tl + 2) die("malformed PUBLISH from the server");
          a[an] = q == 1 ? 0x40 : 0x50;
          a[an + 1] = 2;
          a[an + 2] = body[2 + tl];
          a[an + 3] = body[3 + tl];
          an += 4;
        }
      } else if (type == 6) {
        if (len < 2) die("malformed PUBREL from the server");
        a[an] = 0x70;
        a[an + 1] = 2;
        a[an + 2] = body[0];
        a[an + 3] = body[1];
        an += 4;
      } else if (type == 14) {
        die("the server sent DISCONNECT");
      }
    }
    if (got != before) last = now_s();
    if (an) frame_mqtt(c, a, an, NULL);
    if (got >= n) break;
    if (conn_read(c) >= 0) continue;
    /* A read timed out: mosquitto services its WebSocket clients only when its loop wakes, and
     * with nothing coming in, output it still holds for us waits ~100 ms for the loop's timeout.
     * A PINGREQ (allowed at any time, MQTT 5 3.12.4) wakes it; at most one per 5 ms. */
    double t = now_s();
    if (ping && t - last_ping >= 0.005) {
      static const uint8_t pingreq[2] = {0xC0, 0};
      uint8_t pk2[HEADROOM + 2];
      memcpy(pk2 + HEADROOM, pingreq, 2);
      frame_mqtt(c, pk2 + HEADROOM, 2, NULL);
      last_ping = t;
    }
    if (pubs_done && qos == 0 && atomic_load(pubs_done) == npubs) {
      if (idle_from == 0) idle_from = t;
      if (t - (last > idle_from ? last : idle_from) >= 1.0) break;
    }
  }
  free(ack);
  *t_last = last;
  return got;
}

static void *publisher_thread(void *arg) {
  publisher_t *p = arg;
  conn_open(&p->c, p->url, p->creds, p->client_id, p->sndbuf);
  pthread_barrier_wait(p->start);
  publisher_run(p);
  atomic_fetch_add(p->done, 1);
  return NULL;
}

/* ---- command line --------------------------------------------------------------------------- */

static uint64_t parse_uint(const char *flag, const char *v, uint64_t lo, uint64_t hi) {
  char *end;
  errno = 0;
  unsigned long long x = strtoull(v, &end, 10);
  if (*v == '\0' || *v == '-' || *end != '\0' || errno || x < lo || x > hi)
    usage("bad value for %s: %s (expected %llu..%llu)", flag, v, (unsigned long long)lo,
          (unsigned long long)hi);
  return x;
}

static void print_result(const char *mode, const url_t *u, int qos, uint32_t bytes, int pubs,
                         uint32_t window, uint64_t n, uint64_t received, double seconds) {
  char w[32] = "";
  if (qos > 0 && window > 0) snprintf(w, sizeof w, "\"window\":%u,", window);
  printf("{\"client\":\"ceiling-c\",\"mode\":\"%s\",\"transport\":\"%s\",\"qos\":%d,\"bytes\":%u,"
         "\"publishers\":%d,%s\"n\":%llu,\"received\":%llu,\"seconds\":%.6f,"
         "\"msgs_per_s\":%.1f}\n",
         mode, u->ws ? "ws" : "tcp", qos, bytes, pubs, w, (unsigned long long)n,
         (unsigned long long)received, seconds, seconds > 0 ? (double)received / seconds : 0.0);
}

int main(int argc, char **argv) {
  if (argc < 2) usage("missing mode");
  const char *mode = argv[1];
  if (!strcmp(mode, "--help") || !strcmp(mode, "-h")) {
    printf("usage: ceiling throughput|publish|receive --url URL [-u USER -P PASS] [--qos Q]\n"
           "       [--messages N] [--bytes B] [--publishers K] [--window W] [--timeout S]\n"
           "       [--topic PREFIX] [--batch BYTES] [--sndbuf BYTES] [--lowat-sub BYTES]\n"
           "       [--lowat-pub BYTES] [--ping 0|1]\n");
    return 0;
  }
  int throughput = !strcmp(mode, "throughput"), publish = !strcmp(mode, "publish"),
      receive = !strcmp(mode, "receive");
  if (!throughput && !publish && !receive) usage("unknown mode %s", mode);
  const char *url_s = NULL, *prefix = NULL;
  creds_t cr = {getenv("MQTTWS_BENCH_USER"), getenv("MQTTWS_BENCH_PASSWORD")};
  int qos = 0, pubs = 1, sndbuf = 0, lowat_pub = -1, lowat_sub = -1, ping = -1;
  uint64_t n = 10000, timeout = 120;
  uint32_t bytes = 64, window = 0;
  size_t batch = 64 * 1024;
  for (int i = 2; i < argc; i++) {
    const char *f = argv[i];
    if (i + 1 >= argc) usage("missing value for %s", f);
    const char *v = argv[++i];
    if (!strcmp(f, "--url")) url_s = v;
    else if (!strcmp(f, "-u") || !strcmp(f, "--user")) cr.user = v;
    else if (!strcmp(f, "-P") || !strcmp(f, "--password")) cr.pass = v;
    else if (!strcmp(f, "--qos")) qos = (int)parse_uint(f, v, 0, 2);
    else if (!strcmp(f, "--messages")) n = parse_uint(f, v, 1, UINT64_C(1) << 40);
    else if (!strcmp(f, "--bytes")) bytes = (uint32_t)parse_uint(f, v, 0, 64u << 20);
    else if (!strcmp(f, "--publishers")) pubs = (int)parse_uint(f, v, 1, 1024);
    else if (!strcmp(f, "--window")) window = (uint32_t)parse_uint(f, v, 1, 65535);
    else if (!strcmp(f, "--timeout")) timeout = parse_uint(f, v, 1, 86400);
    else if (!strcmp(f, "--topic")) prefix = v;
    else if (!strcmp(f, "--batch")) batch = (size_t)parse_uint(f, v, 1, 64u << 20);
    else if (!strcmp(f, "--sndbuf")) sndbuf = (int)parse_uint(f, v, 1, 1u << 30);
    else if (!strcmp(f, "--lowat-pub")) lowat_pub = (int)parse_uint(f, v, 0, 1u << 24);
    else if (!strcmp(f, "--ping")) ping = (int)parse_uint(f, v, 0, 1);
    else if (!strcmp(f, "--lowat-sub")) lowat_sub = (int)parse_uint(f, v, 0, 1u << 24);
    else usage("unknown option %s", f);
  }
  if (!url_s) usage("--url is required");
  /* At most 1000 awaiting completion, as the clients; at QoS 2 fewer, see the header. */
  if (window == 0) window = qos == 2 ? 256 : 1000;
  /* Through a broker that writes packet by packet: publishers wake for about a quarter of the
   * window's acks (4 bytes each), the subscriber for 64 KB. bench_peer writes in large batches
   * already, so against it the low-water marks would only add the 1 ms waits at the tails. */
  url_t url;
  parse_url(url_s, &url);
  /* Except QoS 2 over ws: mosquitto sends a ws client each PUBREC/PUBCOMP in a frame of its own
   * and releases a QoS 2 message only on our PUBREL, so waiting for a quarter window of acks
   * stalled the pipeline (measured: 69k msg/s with it, 86k without, and a fixed ~90 ms on
   * short runs; over tcp the low-water mark still wins, 48k against 36k). */
  if (lowat_pub < 0) lowat_pub = throughput && !(qos == 2 && url.ws) ? (int)window : 0;
  if (lowat_sub < 0) lowat_sub = throughput ? 65536 : 0;
  if (ping < 0) ping = throughput;
  if (!throughput && pubs != 1) usage("--publishers is for the throughput mode only");
  if (cr.user && !*cr.user) cr.user = NULL;
  if (cr.pass && !*cr.pass) cr.pass = NULL;
  signal(SIGPIPE, SIG_IGN);
  signal(SIGALRM, on_alarm);
  alarm((unsigned)timeout);

  char id[64];
  if (publish) {
    publisher_t *p = calloc(1, sizeof *p);
    if (!p) die("out of memory");
    snprintf(id, sizeof id, "ceiling-pub-%d", (int)getpid());
    conn_open(&p->c, &url, &cr, id, sndbuf);
    snprintf(p->topic, sizeof p->topic, "bench/sink");
    p->count = n;
    p->qos = qos;
    p->bytes = bytes;
    p->window = window;
    p->batch_bytes = batch;
    p->lowat = lowat_pub;
    publisher_run(p);
    print_result(mode, &url, qos, bytes, 1, window, n, p->completed, p->t_done - p->t_first);
    conn_disconnect(&p->c);
    return 0;
  }
  if (receive) {
    conn_t c;
    snprintf(id, sizeof id, "ceiling-sub-%d", (int)getpid());
    conn_open(&c, &url, &cr, id, 0);
    char filter[128];
    snprintf(filter, sizeof filter, "bench/source/%llu/%u", (unsigned long long)n, bytes);
    conn_subscribe(&c, filter, qos);
    double t0 = now_s(), t_last;
    uint64_t got = subscriber_run(&c, n, qos, NULL, 0, lowat_sub, ping, &t_last);
    print_result(mode, &url, qos, bytes, 1, 0, n, got, t_last - t0);
    conn_disconnect(&c);
    return 0;
  }

  char topic_prefix[256];
  if (prefix) snprintf(topic_prefix, sizeof topic_prefix, "%s", prefix);
  else snprintf(topic_prefix, sizeof topic_prefix, "ceiling-bench/%d", (int)getpid());
  conn_t sub;
  snprintf(id, sizeof id, "ceiling-sub-%d", (int)getpid());
  conn_open(&sub, &url, &cr, id, 0);
  char filter[300];
  snprintf(filter, sizeof filter, "%s/#", topic_prefix);
  conn_subscribe(&sub, filter, qos);

  publisher_t *p = calloc((size_t)pubs, sizeof *p);
  pthread_t *threads = calloc((size_t)pubs, sizeof *threads);
  if (!p || !threads) die("out of memory");
  pthread_barrier_t start;
  pthread_barrier_init(&start, NULL, (unsigned)pubs + 1);
  atomic_int done = 0;
  for (int i = 0; i < pubs; i++) {
    snprintf(p[i].topic, sizeof p[i].topic, "%s/%d", topic_prefix, i);
    p[i].count = n / (uint64_t)pubs + ((uint64_t)i < n % (uint64_t)pubs ? 1 : 0);
    p[i].qos = qos;
    p[i].bytes = bytes;
    p[i].window = window;
    p[i].batch_bytes = batch;
    p[i].url = &url;
    p[i].creds = &cr;
    snprintf(p[i].client_id, sizeof p[i].client_id, "ceiling-pub-%d-%d", (int)getpid(), i);
    p[i].sndbuf = sndbuf;
    p[i].lowat = lowat_pub;
    p[i].start = &start;
    p[i].done = &done;
    if (pthread_create(&threads[i], NULL, publisher_thread, &p[i]) != 0)
      die("cannot start a publisher thread");
  }
  pthread_barrier_wait(&start);
  double t_last;
  uint64_t got = subscriber_run(&sub, n, qos, &done, pubs, lowat_sub, ping, &t_last);
  for (int i = 0; i < pubs; i++) pthread_join(threads[i], NULL);
  if (got == 0) die("no message arrived");
  double t0 = p[0].t_first;
  for (int i = 1; i < pubs; i++)
    if (p[i].t_first < t0) t0 = p[i].t_first;
  print_result(mode, &url, qos, bytes, pubs, window, n, got, t_last - t0);
  for (int i = 0; i < pubs; i++) conn_disconnect(&p[i].c);
  conn_disconnect(&sub);
  return 0;
}
