/*
 * paho_bench: the Eclipse Paho C client (MQTTAsync, MQTT 5) driven through the same benchmark
 * modes as the other clients of bench/run, so that its figures sit beside theirs.
 *
 *   paho_bench throughput --url URL [-u USER -P PASS] --qos Q --messages N --bytes B
 *                         [--publishers K] [--timeout S]
 *       K publisher connections -> 1 subscriber connection through the broker; the subscriber
 *       takes <prefix>/# at QoS Q, publisher i sends its share of N messages to <prefix>/<i>.
 *       Clock: first publish -> last message received. At QoS 0, once every publish has
 *       completed, 1 s without a message ends the wait and `received` may be < N.
 *   paho_bench publish    --url URL --qos Q --messages N --bytes B [--timeout S]
 *       one connection publishes N messages to bench/sink (bench_peer's sink, no broker).
 *       Clock: first publish -> last completion.
 *   paho_bench receive    --url URL --qos Q --messages N --bytes B [--timeout S]
 *       one connection subscribes to bench/source/<N>/<B> (bench_peer's source), which then
 *       sends N PUBLISHes. Clock: SUBACK (the subscribe's onSuccess) -> Nth message delivered.
 *   paho_bench latency    --url URL [-u USER -P PASS] --qos Q --messages N --bytes B --rate R
 *                         [--timeout S]
 *       one connection subscribes to <prefix> and publishes to it N messages at R msg/s
 *       (message i at t0 + i/R); each payload carries its sequence number in its first 4 bytes,
 *       so each delivery is matched to its send time (publish call -> message callback).
 *   paho_bench idle       --url URL [-u USER -P PASS] --connections N [--timeout S]
 *       N connections open and connected (CONNACK) in this process, idle 1 s; VmRSS from
 *       /proc/self/status before the first client object is created and after.
 *
 *   URL: mqtt://host:port or tcp://host:port (MQTT over TCP; Paho's tcp://), ws://host:port[/path]
 *   (MQTT over WebSocket). USER/PASS default to $MQTTWS_BENCH_USER / $MQTTWS_BENCH_PASSWORD.
 *   --timeout bounds every wait (default 120 s). --nagle (all modes but idle) leaves Paho's
 *   sockets without TCP_NODELAY, as Paho 1.3.11 makes them (see below).
 *
 * Output: exactly one JSON line on stdout, e.g.
 *   {"client":"paho-c","mode":"throughput","transport":"tcp","qos":1,"bytes":64,"publishers":1,
 *    "n":50000,"received":50000,"seconds":0.81,"msgs_per_s":61728.4}
 *   publish: ...,"n":..,"seconds":..,"msgs_per_s":..      receive: ...,"n":..,"received":..,...
 *   latency: ...,"rate":R,"n":..,"received":..,"p50_us":..,"p99_us":..,"max_us":.. (nearest rank)
 *   idle:    ...,"connections":N,"rss_before":bytes,"rss_after":bytes,"bytes_per_connection":..
 * Exit 0 on success; 1 with a one-line reason on stderr when a run fails (refused, timeout,
 * connection lost); 2 for bad usage.
 *
 * How Paho is configured, and why (its best for this job, as a performance-minded user would):
 *  - MQTTAsync, not MQTTClient: the synchronous API waits for each acknowledgement in turn.
 *  - MQTTCLIENT_PERSISTENCE_NONE: the default file persistence writes every QoS>0 message to
 *    disk, which would measure the file system rather than the client.
 *  - connectOptions.maxInflight = 65535: Paho holds QoS>0 publishes back once this many are
 *    unacknowledged, and lowers it itself to the broker's Receive Maximum from CONNACK, so this
 *    is "as many as the broker allows". Our own window (1000) is then the only limit.
 *  - createOptions.maxBufferedMessages = 2 * window: Paho refuses a send once that many publish
 *    commands are queued but not yet written, even while connected (its default is 100, which
 *    would refuse our window of 1000). sendWhileDisconnected stays 0: we never publish while
 *    disconnected, and a publish then is a failure to report, not something to buffer.
 *  - keepalive 60 s, clean start, no automatic reconnect, Paho's trace off (its default).
 *  - TCP_NODELAY on every connection once it is up, set by us on the sockets Paho opened: the
 *    installed Paho (Debian's 1.3.12 package, which reports 1.3.11) has no option for it, and
 *    Paho 1.3.16 sets it by default. Without it a QoS 1/2 acknowledgement written behind an
 *    unacknowledged small write waits for the peer's delayed ACK: ~23 ms median latency on
 *    loopback instead of ~0.1 ms. --nagle measures the library exactly as shipped.
 * Known limits of this Paho over ws:// (they show as timeouts, exit 1, or received < n at QoS 0,
 * never as made-up figures): MQTT packets that Paho has already read into its WebSocket buffer
 * are not handled until more bytes reach the socket, so a WebSocket frame split across TCP reads
 * (payloads of a few hundred bytes and up, through mosquitto) or one frame holding several MQTT
 * packets (as bench_peer sends) can stall until the next keepalive exchange.
 * Paho runs its I/O on two threads of its own (one sends the queued commands, one receives and
 * runs the callbacks); the counters they share with ours are under one mutex or atomic.
 */
#define _POSIX_C_SOURCE 200809L

#include <MQTTAsync.h>

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { WINDOW = 1000 };  /* publishes awaiting completion, per publisher (the shared contract) */

enum mode { MODE_THROUGHPUT, MODE_PUBLISH, MODE_RECEIVE, MODE_LATENCY, MODE_IDLE };

/* Which flags each mode takes, so that a flag given to the wrong mode is a usage error. */
enum {
  F_URL = 1 << 0, F_USER = 1 << 1, F_PASS = 1 << 2, F_QOS = 1 << 3, F_MESSAGES = 1 << 4,
  F_BYTES = 1 << 5, F_PUBLISHERS = 1 << 6, F_RATE = 1 << 7, F_CONNECTIONS = 1 << 8,
  F_TIMEOUT = 1 << 9, F_NAGLE = 1 << 10
};

typedef struct options {
  enum mode mode;
  const char* mode_name;
  char uri[512];          /* what Paho is given (mqtt:// rewritten to tcp://) */
  const char* transport;  /* "tcp" or "ws" */
  const char* user;
  const char* password;
  int qos;
  long messages;
  long bytes;
  int publishers;
  double rate;
  int connections;
  double timeout_s;
  int nagle;              /* leave Paho's sockets as 1.3.11 makes them (Nagle on) */
} options;

typedef struct conn {
  MQTTAsync handle;
  pthread_cond_t cv;  /* its publisher thread waits here for room in the window */
  int state;          /* CONN_* (g_mu) */
  int subscribed;     /* (g_mu) */
  int disconnected;   /* (g_mu) */
  long to_publish;
  long outstanding;   /* publishes awaiting completion (g_mu) */
  long completed;     /* (g_mu) */
  int waiting;        /* its publisher is blocked on the window (g_mu) */
  char topic[128];
  char client_id[96];
} conn;

enum { CONN_PENDING, CONN_UP, CONN_FAILED };

/* ---- state shared with Paho's threads ---------------------------------------------------- */
static options g_opt;
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv;          /* the main thread waits here (g_mu) */
static int g_failed;                 /* (g_mu) */
static char g_reason[600];           /* (g_mu) */
static int g_shutting_down;          /* connection losses are expected from here on (g_mu) */
static conn* g_conns;
static int g_nconns;
static int g_go;                     /* publisher threads start (g_mu) */
static long g_total_completed;       /* (g_mu) */
static int64_t g_last_completion_ns; /* (g_mu) */
static int64_t g_suback_ns;          /* (g_mu) */
static atomic_long g_received;
static atomic_llong g_last_rx_ns;
static long g_expected;              /* messages the subscriber waits for */
static _Atomic int64_t* g_send_ns;   /* latency: send time per sequence number */
static _Atomic int64_t* g_lat_ns;    /* latency: -1 until delivered, then its latency */

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static struct timespec to_timespec(int64_t ns) {
  struct timespec ts;
  ts.tv_sec = (time_t)(ns / 1000000000);
  ts.tv_nsec = (long)(ns % 1000000000);
  return ts;
}

static int64_t timeout_ns(void) { return (int64_t)(g_opt.timeout_s * 1e9); }

static void usage_error(const char* fmt, ...) {
  va_list ap;
  fputs("paho_bench: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputs(" (try --help)\n", stderr);
  exit(2);
}

static void die(const char* fmt, ...) {
  va_list ap;
  fputs("paho_bench: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(1);
}

/* Records the first failure and wakes every waiter; callable from Paho's threads. g_mu held. */
static void fail_locked(const char* fmt, ...) {
  if (!g_failed) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g_reason, sizeof g_reason, fmt, ap);
    va_end(ap);
    g_failed = 1;
  }
  pthread_cond_broadcast(&g_cv);
  for (int i = 0; i < g_nconns; i++) pthread_cond_broadcast(&g_conns[i].cv);
}

/* Exits with the recorded reason if a failure has been recorded. g_mu held. */
static void check_failed_locked(void) {
  if (g_failed) {
    char reason[sizeof g_reason];
    memcpy(reason, g_reason, sizeof reason);
    pthread_mutex_unlock(&g_mu);
    die("%s", reason);
  }
}

/* Paho's description of a failed operation: the MQTT 5 reason code when there is one. */
static void describe_failure(char* out, size_t size, const MQTTAsync_failureData5* f) {
  if (f == NULL) {
    snprintf(out, size, "no details");
  } else if (f->reasonCode != MQTTREASONCODE_SUCCESS) {
    snprintf(out, size, "reason 0x%02x %s%s%s", (unsigned)f->reasonCode,
             MQTTReasonCode_toString(f->reasonCode), f->message ? ": " : "",
             f->message ? f->message : "");
  } else if (f->code > 0 && f->code < 256) {
    /* a refusing CONNACK: Paho passes its reason code as a positive code */
    snprintf(out, size, "CONNACK reason 0x%02x %s", (unsigned)f->code,
             MQTTReasonCode_toString((enum MQTTReasonCodes)f->code));
  } else {
    const char* e = MQTTAsync_strerror(f->code);
    snprintf(out, size, "%s (code %d)%s%s", e ? e : "error", f->code, f->message ? ": " : "",
             f->message ? f->message : "");
  }
}

/* ---- Paho callbacks (run on Paho's threads) ---------------------------------------------- */
static void on_connected(void* context, MQTTAsync_successData5* response) {
  (void)response;
  conn* c = context;
  pthread_mutex_lock(&g_mu);
  c->state = CONN_UP;
  pthread_cond_broadcast(&g_cv);
  pthread_mutex_unlock(&g_mu);
}

static void on_connect_failed(void* context, MQTTAsync_failureData5* response) {
  conn* c = context;
  char why[400];
  describe_failure(why, sizeof why, response);
  pthread_mutex_lock(&g_mu);
  c->state = CONN_FAILED;
  fail_locked("connect to %s refused or failed: %s", g_opt.uri, why);
  pthread_mutex_unlock(&g_mu);
}

static void on_connection_lost(void* context, char* cause) {
  conn* c = context;
  pthread_mutex_lock(&g_mu);
  if (!g_shutting_down)
    fail_locked("connection %s lost: %s", c->client_id, cause ? cause : "no cause given");
  pthread_mutex_unlock(&g_mu);
  if (cause) MQTTAsync_free(cause);
}

static void on_subscribed(void* context, MQTTAsync_successData5* response) {
  conn* c = context;
  int64_t t = now_ns();
  pthread_mutex_lock(&g_mu);
  /* For one filter Paho passes the SUBACK's reason code, which is the granted QoS. */
  if (response->reasonCode >= 0x80)
    fail_locked("subscribe refused: reason 0x%02x %s", (unsigned)response->reasonCode,
                MQTTReasonCode_toString(response->reasonCode));
  else if ((int)response->reasonCode < g_opt.qos)
    fail_locked("subscribe granted QoS %d, asked %d", (int)response->reasonCode, g_opt.qos);
  c->subscribed = 1;
  g_suback_ns = t;
  pthread_cond_broadcast(&g_cv);
  pthread_mutex_unlock(&g_mu);
}

static void on_subscribe_failed(void* context, MQTTAsync_failureData5* response) {
  (void)context;
  char why[400];
  describe_failure(why, sizeof why, response);
  pthread_mutex_lock(&g_mu);
  fail_locked("subscribe failed: %s", why);
  pthread_mutex_unlock(&g_mu);
}

static void on_published(void* context, MQTTAsync_successData5* response) {
  (void)response;
  conn* c = context;
  int64_t t = now_ns();
  pthread_mutex_lock(&g_mu);
  c->outstanding--;
  c->completed++;
  g_total_completed++;
  if (c->waiting) pthread_cond_signal(&c->cv);
  if (c->completed == c->to_publish) {
    g_last_completion_ns = t;
    pthread_cond_broadcast(&g_cv);
  }
  pthread_mutex_unlock(&g_mu);
}

static void on_publish_failed(void* context, MQTTAsync_failureData5* response) {
  conn* c = context;
  char why[400];
  describe_failure(why, sizeof why, response);
  pthread_mutex_lock(&g_mu);
  fail_locked("publish on %s failed: %s%s", c->client_id, why,
              response && response->code == MQTTASYNC_OPERATION_INCOMPLETE
                  ? " (Paho closed the connection)" : "");
  pthread_mutex_unlock(&g_mu);
}

static int on_message(void* context, char* topic, int topic_len, MQTTAsync_message* m) {
  (void)context;
  (void)topic_len;
  int64_t t = now_ns();
  int counted = 1;
  if (g_opt.mode == MODE_LATENCY) {
    /* Count each sequence number once: a QoS 1 duplicate is not a second delivery. */
    counted = 0;
    uint32_t seq;
    if (m->payloadlen >= (int)sizeof seq) {
      memcpy(&seq, m->payload, sizeof seq);
      if (seq < (uint64_t)g_opt.messages) {
        int64_t sent = atomic_load(&g_send_ns[seq]);
        int64_t unseen = -1;
        if (sent > 0 && atomic_compare_exchange_strong(&g_lat_ns[seq], &unseen, t - sent))
          counted = 1;
      }
    }
  }
  if (counted) {
    atomic_store(&g_last_rx_ns, t);
    long r = atomic_fetch_add(&g_received, 1) + 1;
    if (r == g_expected) {
      pthread_mutex_lock(&g_mu);
      pthread_cond_broadcast(&g_cv);
      pthread_mutex_unlock(&g_mu);
    }
  }
  MQTTAsync_freeMessage(&m);
  MQTTAsync_free(topic);
  return 1;
}

static void on_disconnected(void* context, MQTTAsync_successData5* response) {
  (void)response;
  conn* c = context;
  pthread_mutex_lock(&g_mu);
  c->disconnected = 1;
  pthread_cond_broadcast(&g_cv);
  pthread_mutex_unlock(&g_mu);
}

static void on_disconnect_failed(void* context, MQTTAsync_failureData5* response) {
  on_disconnected(context, NULL);
  (void)response;
}

/* ---- connections ------------------------------------------------------------------------- */
static void conns_alloc(int n) {
  g_conns = calloc((size_t)n, sizeof *g_conns);
  if (g_conns == NULL) die("out of memory for %d connections", n);
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  for (int i = 0; i < n; i++) pthread_cond_init(&g_conns[i].cv, &attr);
  pthread_condattr_destroy(&attr);
  pthread_mutex_lock(&g_mu);
  g_nconns = n;
  pthread_mutex_unlock(&g_mu);
}

static void conn_create(conn* c, const char* role, int index) {
  snprintf(c->client_id, sizeof c->client_id, "paho-bench-%ld-%s%d", (long)getpid(), role, index);
  MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer5;
  co.sendWhileDisconnected = 0;
  co.maxBufferedMessages = 2 * WINDOW;
  int rc = MQTTAsync_createWithOptions(&c->handle, g_opt.uri, c->client_id,
                                       MQTTCLIENT_PERSISTENCE_NONE, NULL, &co);
  if (rc != MQTTASYNC_SUCCESS) die("cannot create a client for %s: %s", g_opt.uri, MQTTAsync_strerror(rc));
  rc = MQTTAsync_setCallbacks(c->handle, c, on_connection_lost, on_message, NULL);
  if (rc != MQTTASYNC_SUCCESS) die("MQTTAsync_setCallbacks: %s", MQTTAsync_strerror(rc));
}

static void conn_start_connect(conn* c) {
  MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer5;
  o.keepAliveInterval = 60;
  o.cleanstart = 1;
  o.maxInflight = 65535;
  o.automaticReconnect = 0;
  o.username = g_opt.user;
  o.password = g_opt.password;
  o.connectTimeout = g_opt.timeout_s < 1 ? 1 : (int)g_opt.timeout_s;
  o.onSuccess5 = on_connected;
  o.onFailure5 = on_connect_failed;
  o.context = c;
  int rc = MQTTAsync_connect(c->handle, &o);
  if (rc != MQTTASYNC_SUCCESS) die("connect to %s: %s", g_opt.uri, MQTTAsync_strerror(rc));
}

/* Waits (bounded) until every connection has its CONNACK. */
static void wait_connected(int first, int count) {
  int64_t deadline = now_ns() + timeout_ns();
  struct timespec ts = to_timespec(deadline);
  pthread_mutex_lock(&g_mu);
  for (int i = first; i < first + count; i++) {
    while (g_conns[i].state == CONN_PENDING && !g_failed) {
      if (pthread_cond_timedwait(&g_cv, &g_mu, &ts) == ETIMEDOUT) {
        int up = 0;
        for (int j = first; j < first + count; j++) up += g_conns[j].state == CONN_UP;
        fail_locked("timeout after %.0f s: %d of %d connections to %s have their CONNACK",
                    g_opt.timeout_s, up, count, g_opt.uri);
      }
    }
    check_failed_locked();
  }
  pthread_mutex_unlock(&g_mu);
}

/* Sets TCP_NODELAY on every TCP socket of this process, i.e. on the ones Paho opened (this
   program opens none itself). Paho 1.3.11 has no option for it; Paho 1.3.16 sets it by default.
   Without it, a QoS 1/2 acknowledgement written behind an unacknowledged small write waits for
   the peer's delayed ACK (Nagle): ~40 ms on loopback. Returns how many sockets it set. */
static int set_nodelay_on_tcp_sockets(void) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == NULL) return 0;
  int set = 0;
  struct dirent* e;
  while ((e = readdir(dir)) != NULL) {
    char* end;
    long fd = strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0' || fd == dirfd(dir)) continue;
    int type = 0;
    socklen_t len = sizeof type;
    if (getsockopt((int)fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM) continue;
    struct sockaddr_storage addr;
    len = sizeof addr;
    if (getsockname((int)fd, (struct sockaddr*)&addr, &len) != 0) continue;
    if (addr.ss_family != AF_INET && addr.ss_family != AF_INET6) continue;
    int one = 1;
    if (setsockopt((int)fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0) set++;
  }
  closedir(dir);
  return set;
}

/* Connects g_conns[first, first + count), created already, all at once: Paho's receive thread
   takes a new socket into its poll set only when its 1 s poll times out, and sends CONNECT only
   after the next one, so a connection started once another is up costs ~2 s of set-up. */
static void connect_created(int first, int count) {
  for (int i = first; i < first + count; i++) conn_start_connect(&g_conns[i]);
  wait_connected(first, count);
  if (!g_opt.nagle && g_opt.mode != MODE_IDLE && set_nodelay_on_tcp_sockets() < count)
    fprintf(stderr, "paho_bench: warning: could not set TCP_NODELAY on every connection\n");
}

static void connect_all(const char* role, int first, int count) {
  for (int i = first; i < first + count; i++) conn_create(&g_conns[i], role, i - first);
  connect_created(first, count);
}

static void subscribe(conn* c, const char* filter) {
  MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;
  ro.onSuccess5 = on_subscribed;
  ro.onFailure5 = on_subscribe_failed;
  ro.context = c;
  int rc = MQTTAsync_subscribe(c->handle, filter, g_opt.qos, &ro);
  if (rc != MQTTASYNC_SUCCESS) die("subscribe to %s: %s", filter, MQTTAsync_strerror(rc));
  struct timespec ts = to_timespec(now_ns() + timeout_ns());
  pthread_mutex_lock(&g_mu);
  while (!c->subscribed && !g_failed)
    if (pthread_cond_timedwait(&g_cv, &g_mu, &ts) == ETIMEDOUT)
      fail_locked("timeout after %.0f s waiting for the SUBACK of %s", g_opt.timeout_s, filter);
  check_failed_locked();
  pthread_mutex_unlock(&g_mu);
}

/* Disconnects and destroys every client; the measurement is over, so problems are warnings. */
static void close_all(void) {
  pthread_mutex_lock(&g_mu);
  g_shutting_down = 1;
  for (int i = 0; i < g_nconns; i++)
    if (g_conns[i].handle == NULL || g_conns[i].state != CONN_UP) g_conns[i].disconnected = 1;
  pthread_mutex_unlock(&g_mu);
  for (int i = 0; i < g_nconns; i++) {
    conn* c = &g_conns[i];
    pthread_mutex_lock(&g_mu);
    int skip = c->disconnected;
    pthread_mutex_unlock(&g_mu);
    if (skip) continue;
    MQTTAsync_disconnectOptions d = MQTTAsync_disconnectOptions_initializer5;
    d.timeout = 1000;  /* ms Paho waits for outstanding work before it closes anyway */
    d.onSuccess5 = on_disconnected;
    d.onFailure5 = on_disconnect_failed;
    d.context = c;
    if (MQTTAsync_disconnect(c->handle, &d) != MQTTASYNC_SUCCESS) {
      pthread_mutex_lock(&g_mu);
      c->disconnected = 1;
      pthread_mutex_unlock(&g_mu);
    }
  }
  struct timespec ts = to_timespec(now_ns() + 10 * (int64_t)1000000000);
  pthread_mutex_lock(&g_mu);
  for (int i = 0; i < g_nconns; i++) {
    while (!g_conns[i].disconnected) {
      if (pthread_cond_timedwait(&g_cv, &g_mu, &ts) == ETIMEDOUT) {
        fprintf(stderr, "paho_bench: warning: %s did not finish disconnecting\n",
                g_conns[i].client_id);
        break;
      }
    }
  }
  pthread_mutex_unlock(&g_mu);
  for (int i = 0; i < g_nconns; i++)
    if (g_conns[i].handle != NULL) MQTTAsync_destroy(&g_conns[i].handle);
}

/* ---- publishing -------------------------------------------------------------------------- */
/* Takes a place in c's window of WINDOW outstanding publishes, waiting (bounded) if it is full. */
static int acquire_window(conn* c) {
  pthread_mutex_lock(&g_mu);
  if (c->outstanding >= WINDOW && !g_failed) {
    struct timespec ts = to_timespec(now_ns() + timeout_ns());
    c->waiting = 1;
    while (c->outstanding >= WINDOW && !g_failed)
      if (pthread_cond_timedwait(&c->cv, &g_mu, &ts) == ETIMEDOUT)
        fail_locked("timeout after %.0f s: no publish of %s completed (%ld outstanding)",
                    g_opt.timeout_s, c->client_id, c->outstanding);
    c->waiting = 0;
  }
  int ok = !g_failed;
  if (ok) c->outstanding++;
  pthread_mutex_unlock(&g_mu);
  return ok;
}

static int send_one(conn* c, MQTTAsync_message* msg) {
  MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;
  ro.onSuccess5 = on_published;
  ro.onFailure5 = on_publish_failed;
  ro.context = c;
  int rc = MQTTAsync_sendMessage(c->handle, c->topic, msg, &ro);
  if (rc == MQTTASYNC_SUCCESS) return 1;
  pthread_mutex_lock(&g_mu);
  fail_locked("publish on %s refused by Paho: %s", c->client_id, MQTTAsync_strerror(rc));
  pthread_mutex_unlock(&g_mu);
  return 0;
}

static char* g_payload;

static void* publisher_main(void* arg) {
  conn* c = arg;
  MQTTAsync_message msg = MQTTAsync_message_initializer;
  msg.payload = g_payload;
  msg.payloadlen = (int)g_opt.bytes;
  msg.qos = g_opt.qos;
  pthread_mutex_lock(&g_mu);
  while (!g_go && !g_failed) pthread_cond_wait(&c->cv, &g_mu);
  pthread_mutex_unlock(&g_mu);
  for (long i = 0; i < c->to_publish; i++)
    if (!acquire_window(c) || !send_one(c, &msg)) break;
  return NULL;
}

/* Waits until every publish of the publishers [first, first+count) has completed. */
static void wait_published(int first, int count) {
  struct timespec ts = to_timespec(now_ns() + timeout_ns());
  pthread_mutex_lock(&g_mu);
  for (int i = first; i < first + count; i++)
    while (g_conns[i].completed < g_conns[i].to_publish && !g_failed)
      if (pthread_cond_timedwait(&g_cv, &g_mu, &ts) == ETIMEDOUT)
        fail_locked("timeout after %.0f s: %ld of %ld publishes of %s completed", g_opt.timeout_s,
                    g_conns[i].completed, g_conns[i].to_publish, g_conns[i].client_id);
  check_failed_locked();
  pthread_mutex_unlock(&g_mu);
}

/* Waits for g_expected messages; at QoS 0, once all publishes [first, first+count) completed,
   1 s without a message ends the wait. Returns when done; exits on failure or timeout. */
static void wait_received(int first, int count) {
  const int64_t quiet = 1000000000;
  int64_t deadline = now_ns() + timeout_ns();
  pthread_mutex_lock(&g_mu);
  for (;;) {
    check_failed_locked();
    long r = atomic_load(&g_received);
    if (r >= g_expected) break;
    int64_t t = now_ns();
    int64_t wake = deadline;
    if (g_opt.qos == 0) {
      long done = 0, total = 0;
      for (int i = first; i < first + count; i++) {
        done += g_conns[i].completed;
        total += g_conns[i].to_publish;
      }
      if (done == total) {
        int64_t last = atomic_load(&g_last_rx_ns);
        if (g_last_completion_ns > last) last = g_last_completion_ns;
        if (t - last >= quiet) break;
        if (last + quiet < wake) wake = last + quiet;
      }
    }
    if (t >= deadline) {
      fail_locked("timeout after %.0f s: received %ld of %ld messages", g_opt.timeout_s, r,
                  g_expected);
      continue;
    }
    struct timespec ts = to_timespec(wake);
    pthread_cond_timedwait(&g_cv, &g_mu, &ts);
  }
  pthread_mutex_unlock(&g_mu);
}

static void make_prefix(char* out, size_t size, const char* what) {
  snprintf(out, size, "bench/%ld-%" PRId64 "/paho-%s", (long)getpid(), now_ns() % 1000000007, what);
}

/* ---- the modes --------------------------------------------------------------------------- */
static void run_throughput(void) {
  const int k = g_opt.publishers;
  conns_alloc(k + 1);
  conn* sub = &g_conns[k];
  char prefix[96], filter[128];
  make_prefix(prefix, sizeof prefix, "tp");
  snprintf(filter, sizeof filter, "%s/#", prefix);
  g_expected = g_opt.messages;

  for (int i = 0; i < k; i++) conn_create(&g_conns[i], "pub", i);
  conn_create(sub, "sub", 0);
  connect_created(0, k + 1);
  subscribe(sub, filter);
  for (int i = 0; i < k; i++) {
    conn* c = &g_conns[i];
    c->to_publish = g_opt.messages / k + (i < g_opt.messages % k ? 1 : 0);
    snprintf(c->topic, sizeof c->topic, "%s/%d", prefix, i);
  }

  pthread_t* threads = calloc((size_t)k, sizeof *threads);
  if (threads == NULL) die("out of memory");
  for (int i = 0; i < k; i++)
    if (pthread_create(&threads[i], NULL, publisher_main, &g_conns[i]) != 0) die("pthread_create failed");
  pthread_mutex_lock(&g_mu);
  int64_t t0 = now_ns();
  g_go = 1;
  for (int i = 0; i < k; i++) pthread_cond_signal(&g_conns[i].cv);
  pthread_mutex_unlock(&g_mu);

  wait_received(0, k);
  for (int i = 0; i < k; i++) pthread_join(threads[i], NULL);
  free(threads);
  long received = atomic_load(&g_received);
  if (received == 0) die("no message received");
  double seconds = (double)(atomic_load(&g_last_rx_ns) - t0) / 1e9;
  close_all();
  printf("{\"client\":\"paho-c\",\"mode\":\"throughput\",\"transport\":\"%s\",\"qos\":%d,"
         "\"bytes\":%ld,\"publishers\":%d,\"n\":%ld,\"received\":%ld,\"seconds\":%.6f,"
         "\"msgs_per_s\":%.1f}\n",
         g_opt.transport, g_opt.qos, g_opt.bytes, k, g_opt.messages, received, seconds,
         (double)received / seconds);
}

static void run_publish(void) {
  conns_alloc(1);
  conn* c = &g_conns[0];
  c->to_publish = g_opt.messages;
  snprintf(c->topic, sizeof c->topic, "bench/sink");
  connect_all("pub", 0, 1);
  pthread_mutex_lock(&g_mu);
  g_go = 1;
  pthread_mutex_unlock(&g_mu);
  int64_t t0 = now_ns();
  publisher_main(c);
  wait_published(0, 1);
  pthread_mutex_lock(&g_mu);
  double seconds = (double)(g_last_completion_ns - t0) / 1e9;
  pthread_mutex_unlock(&g_mu);
  close_all();
  printf("{\"client\":\"paho-c\",\"mode\":\"publish\",\"transport\":\"%s\",\"qos\":%d,"
         "\"bytes\":%ld,\"n\":%ld,\"seconds\":%.6f,\"msgs_per_s\":%.1f}\n",
         g_opt.transport, g_opt.qos, g_opt.bytes, g_opt.messages, seconds,
         (double)g_opt.messages / seconds);
}

static void run_receive(void) {
  conns_alloc(1);
  conn* c = &g_conns[0];
  char filter[128];
  snprintf(filter, sizeof filter, "bench/source/%ld/%ld", g_opt.messages, g_opt.bytes);
  g_expected = g_opt.messages;
  connect_all("recv", 0, 1);
  subscribe(c, filter);
  pthread_mutex_lock(&g_mu);
  g_last_completion_ns = g_suback_ns;  /* at QoS 0, the 1 s of quiet counts from the SUBACK */
  pthread_mutex_unlock(&g_mu);
  wait_received(0, 0);  /* count 0: no publishers, so at QoS 0 the 1 s quiet rule applies too */
  long received = atomic_load(&g_received);
  if (received == 0) die("no message received from the source");
  pthread_mutex_lock(&g_mu);
  double seconds = (double)(atomic_load(&g_last_rx_ns) - g_suback_ns) / 1e9;
  pthread_mutex_unlock(&g_mu);
  close_all();
  printf("{\"client\":\"paho-c\",\"mode\":\"receive\",\"transport\":\"%s\",\"qos\":%d,"
         "\"bytes\":%ld,\"n\":%ld,\"received\":%ld,\"seconds\":%.6f,\"msgs_per_s\":%.1f}\n",
         g_opt.transport, g_opt.qos, g_opt.bytes, g_opt.messages, received, seconds,
         (double)received / seconds);
}

static int compare_i64(const void* a, const void* b) {
  int64_t x = *(const int64_t*)a, y = *(const int64_t*)b;
  return (x > y) - (x < y);
}

/* Nearest rank: the smallest value with at least p% of the values at or below it. */
static int64_t nearest_rank(const int64_t* sorted, long count, double p) {
  long rank = (long)((p / 100.0) * (double)count + 0.999999999);
  if (rank < 1) rank = 1;
  if (rank > count) rank = count;
  return sorted[rank - 1];
}

static void run_latency(void) {
  const long n = g_opt.messages;
  conns_alloc(1);
  conn* c = &g_conns[0];
  g_send_ns = calloc((size_t)n, sizeof *g_send_ns);
  g_lat_ns = calloc((size_t)n, sizeof *g_lat_ns);
  if (g_send_ns == NULL || g_lat_ns == NULL) die("out of memory for %ld messages", n);
  for (long i = 0; i < n; i++) {
    atomic_init(&g_send_ns[i], 0);
    atomic_init(&g_lat_ns[i], -1);
  }
  make_prefix(c->topic, sizeof c->topic, "lat");
  c->to_publish = n;
  g_expected = n;
  connect_all("lat", 0, 1);
  subscribe(c, c->topic);

  MQTTAsync_message msg = MQTTAsync_message_initializer;
  msg.payload = g_payload;
  msg.payloadlen = (int)g_opt.bytes;
  msg.qos = g_opt.qos;
  const double period_ns = 1e9 / g_opt.rate;
  int64_t t0 = now_ns();
  for (long i = 0; i < n; i++) {
    struct timespec at = to_timespec(t0 + (int64_t)((double)i * period_ns));
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL) == EINTR) {
    }
    if (!acquire_window(c)) break;
    uint32_t seq = (uint32_t)i;
    memcpy(g_payload, &seq, sizeof seq);  /* Paho copies the payload inside sendMessage */
    atomic_store(&g_send_ns[i], now_ns());
    if (!send_one(c, &msg)) break;
  }
  wait_received(0, 1);
  close_all();  /* no callback runs after this, so the latencies can be read plainly */

  int64_t* lat = malloc((size_t)n * sizeof *lat);
  if (lat == NULL) die("out of memory");
  long m = 0;
  for (long i = 0; i < n; i++) {
    int64_t v = atomic_load(&g_lat_ns[i]);
    if (v >= 0) lat[m++] = v;
  }
  if (m == 0) die("no message received");
  qsort(lat, (size_t)m, sizeof *lat, compare_i64);
  printf("{\"client\":\"paho-c\",\"mode\":\"latency\",\"transport\":\"%s\",\"qos\":%d,"
         "\"bytes\":%ld,\"rate\":%g,\"n\":%ld,\"received\":%ld,\"p50_us\":%.1f,\"p99_us\":%.1f,"
         "\"max_us\":%.1f}\n",
         g_opt.transport, g_opt.qos, g_opt.bytes, g_opt.rate, n, m,
         (double)nearest_rank(lat, m, 50) / 1e3, (double)nearest_rank(lat, m, 99) / 1e3,
         (double)lat[m - 1] / 1e3);
  free(lat);
}

/* VmRSS of this process, in bytes. */
static long rss_bytes(void) {
  FILE* f = fopen("/proc/self/status", "r");
  if (f == NULL) die("cannot open /proc/self/status");
  char line[256];
  long kb = -1;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "VmRSS: %ld kB", &kb) == 1) break;
  fclose(f);
  if (kb < 0) die("no VmRSS in /proc/self/status");
  return kb * 1024;
}

static void run_idle(void) {
  const int n = g_opt.connections;
  long before = rss_bytes();
  conns_alloc(n);
  connect_all("idle", 0, n);
  struct timespec idle = {1, 0};
  while (nanosleep(&idle, &idle) == -1 && errno == EINTR) {
  }
  pthread_mutex_lock(&g_mu);
  check_failed_locked();  /* a connection lost while idle */
  pthread_mutex_unlock(&g_mu);
  long after = rss_bytes();
  close_all();
  printf("{\"client\":\"paho-c\",\"mode\":\"idle\",\"transport\":\"%s\",\"connections\":%d,"
         "\"rss_before\":%ld,\"rss_after\":%ld,\"bytes_per_connection\":%.1f}\n",
         g_opt.transport, n, before, after, (double)(after - before) / n);
}

/* ---- command line ------------------------------------------------------------------------ */
static const char usage_text[] =
    "usage: paho_bench throughput --url URL [-u USER -P PASS] --qos Q --messages N --bytes B\n"
    "                             [--publishers K] [--timeout S] [--nagle]\n"
    "       paho_bench publish    --url URL --qos Q --messages N --bytes B [--timeout S] [--nagle]\n"
    "       paho_bench receive    --url URL --qos Q --messages N --bytes B [--timeout S] [--nagle]\n"
    "       paho_bench latency    --url URL [-u USER -P PASS] --qos Q --messages N --bytes B\n"
    "                             --rate R [--timeout S] [--nagle]\n"
    "       paho_bench idle       --url URL [-u USER -P PASS] --connections N [--timeout S]\n"
    "URL: mqtt://host:port, tcp://host:port or ws://host:port[/path]\n"
    "--nagle: leave Paho's sockets without TCP_NODELAY (as Paho 1.3.11 makes them).\n"
    "USER/PASS default to $MQTTWS_BENCH_USER / $MQTTWS_BENCH_PASSWORD; --timeout defaults to 120.\n";

static long parse_long(const char* flag, const char* text, long lo, long hi) {
  char* end;
  errno = 0;
  long v = strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || v < lo || v > hi)
    usage_error("%s wants an integer in [%ld, %ld], got '%s'", flag, lo, hi, text);
  return v;
}

static double parse_double(const char* flag, const char* text, double lo, double hi) {
  char* end;
  errno = 0;
  double v = strtod(text, &end);
  if (errno != 0 || end == text || *end != '\0' || !(v >= lo && v <= hi))
    usage_error("%s wants a number in [%g, %g], got '%s'", flag, lo, hi, text);
  return v;
}

static void set_url(const char* url) {
  const char* rest;
  if (strncmp(url, "mqtt://", 7) == 0) {
    rest = url + 7;
    g_opt.transport = "tcp";
    snprintf(g_opt.uri, sizeof g_opt.uri, "tcp://%s", rest);
  } else if (strncmp(url, "tcp://", 6) == 0) {
    rest = url + 6;
    g_opt.transport = "tcp";
    snprintf(g_opt.uri, sizeof g_opt.uri, "%s", url);
  } else if (strncmp(url, "ws://", 5) == 0) {
    rest = url + 5;
    g_opt.transport = "ws";
    snprintf(g_opt.uri, sizeof g_opt.uri, "%s", url);
  } else {
    usage_error("--url must start with mqtt://, tcp:// or ws://, got '%s'", url);
    return;
  }
  if (strlen(url) >= sizeof g_opt.uri - 8) usage_error("--url is too long");
  /* Paho wants an explicit port; a missing one would fail later with a vaguer message. */
  const char* colon = strrchr(rest, ':');
  const char* slash = strchr(rest, '/');
  if (colon == NULL || (slash != NULL && colon > slash) || colon[1] == '\0' || colon[1] == '/')
    usage_error("--url needs host:port, got '%s'", url);
}

static void parse_args(int argc, char** argv) {
  if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
    fputs(usage_text, stdout);
    exit(0);
  }
  if (argc < 2) usage_error("missing mode (throughput, publish, receive, latency, idle)");
  static const struct { const char* name; enum mode mode; unsigned allowed, required; } modes[] = {
      {"throughput", MODE_THROUGHPUT,
       F_URL | F_USER | F_PASS | F_QOS | F_MESSAGES | F_BYTES | F_PUBLISHERS | F_TIMEOUT | F_NAGLE,
       F_URL | F_QOS | F_MESSAGES | F_BYTES},
      {"publish", MODE_PUBLISH,
       F_URL | F_USER | F_PASS | F_QOS | F_MESSAGES | F_BYTES | F_TIMEOUT | F_NAGLE,
       F_URL | F_QOS | F_MESSAGES | F_BYTES},
      {"receive", MODE_RECEIVE,
       F_URL | F_USER | F_PASS | F_QOS | F_MESSAGES | F_BYTES | F_TIMEOUT | F_NAGLE,
       F_URL | F_QOS | F_MESSAGES | F_BYTES},
      {"latency", MODE_LATENCY,
       F_URL | F_USER | F_PASS | F_QOS | F_MESSAGES | F_BYTES | F_RATE | F_TIMEOUT | F_NAGLE,
       F_URL | F_QOS | F_MESSAGES | F_BYTES | F_RATE},
      {"idle", MODE_IDLE, F_URL | F_USER | F_PASS | F_CONNECTIONS | F_TIMEOUT,
       F_URL | F_CONNECTIONS},
  };
  unsigned allowed = 0, required = 0, seen = 0;
  int found = 0;
  for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
    if (strcmp(argv[1], modes[i].name) == 0) {
      g_opt.mode = modes[i].mode;
      g_opt.mode_name = modes[i].name;
      allowed = modes[i].allowed;
      required = modes[i].required;
      found = 1;
    }
  }
  if (!found) usage_error("unknown mode '%s'", argv[1]);

  g_opt.user = getenv("MQTTWS_BENCH_USER");
  g_opt.password = getenv("MQTTWS_BENCH_PASSWORD");
  g_opt.publishers = 1;
  g_opt.timeout_s = 120;
  static const struct { const char* name; unsigned flag; } flags[] = {
      {"--url", F_URL}, {"-u", F_USER}, {"--user", F_USER}, {"-P", F_PASS},
      {"--password", F_PASS}, {"--qos", F_QOS}, {"--messages", F_MESSAGES},
      {"--bytes", F_BYTES}, {"--publishers", F_PUBLISHERS}, {"--rate", F_RATE},
      {"--connections", F_CONNECTIONS}, {"--timeout", F_TIMEOUT}, {"--nagle", F_NAGLE},
  };
  for (int i = 2; i < argc; i++) {
    const char* arg = argv[i];
    unsigned flag = 0;
    for (size_t j = 0; j < sizeof flags / sizeof flags[0]; j++)
      if (strcmp(arg, flags[j].name) == 0) flag = flags[j].flag;
    if (flag == 0) usage_error("unknown flag '%s'", arg);
    if (!(allowed & flag)) usage_error("%s is not used by the %s mode", arg, g_opt.mode_name);
    if (flag == F_NAGLE) {  /* the one flag without a value */
      g_opt.nagle = 1;
      continue;
    }
    if (i + 1 >= argc) usage_error("%s needs a value", arg);
    const char* v = argv[++i];
    seen |= flag;
    switch (flag) {
      case F_URL: set_url(v); break;
      case F_USER: g_opt.user = v; break;
      case F_PASS: g_opt.password = v; break;
      case F_QOS: g_opt.qos = (int)parse_long(arg, v, 0, 2); break;
      case F_MESSAGES: g_opt.messages = parse_long(arg, v, 1, 100000000); break;
      case F_BYTES: g_opt.bytes = parse_long(arg, v, 0, 64L * 1024 * 1024); break;
      case F_PUBLISHERS: g_opt.publishers = (int)parse_long(arg, v, 1, 1000); break;
      case F_RATE: g_opt.rate = parse_double(arg, v, 0.001, 1e7); break;
      case F_CONNECTIONS: g_opt.connections = (int)parse_long(arg, v, 1, 100000); break;
      case F_TIMEOUT: g_opt.timeout_s = parse_double(arg, v, 0.1, 86400); break;
      default: break;
    }
  }
  static const struct { unsigned flag; const char* name; } names[] = {
      {F_URL, "--url"}, {F_QOS, "--qos"}, {F_MESSAGES, "--messages"}, {F_BYTES, "--bytes"},
      {F_RATE, "--rate"}, {F_CONNECTIONS, "--connections"},
  };
  for (size_t j = 0; j < sizeof names / sizeof names[0]; j++)
    if ((required & names[j].flag) && !(seen & names[j].flag))
      usage_error("the %s mode needs %s", g_opt.mode_name, names[j].name);
  if (g_opt.mode == MODE_THROUGHPUT && g_opt.messages < g_opt.publishers)
    usage_error("--messages (%ld) must be at least --publishers (%d)", g_opt.messages, g_opt.publishers);
  if (g_opt.mode == MODE_LATENCY && g_opt.bytes < 4)
    usage_error("latency needs --bytes >= 4 (the payload carries a sequence number)");
  if (g_opt.mode == MODE_LATENCY && g_opt.messages > UINT32_MAX)
    usage_error("latency: --messages is too large");
  if ((g_opt.user == NULL) != (g_opt.password == NULL) && g_opt.mode != MODE_PUBLISH &&
      g_opt.mode != MODE_RECEIVE)
    usage_error("give both a user and a password, or neither");
}

int main(int argc, char** argv) {
  parse_args(argc, argv);

  /* Many idle connections need many descriptors: take the hard limit. */
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  if (g_opt.mode == MODE_IDLE && getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
      rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)g_opt.connections + 64)
    die("%d connections need more file descriptors than the limit of %ld", g_opt.connections,
        (long)rl.rlim_cur);

  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&g_cv, &attr);
  pthread_condattr_destroy(&attr);
  atomic_init(&g_received, 0);
  atomic_init(&g_last_rx_ns, 0);

  if (g_opt.mode != MODE_IDLE) {
    g_payload = malloc(g_opt.bytes > 0 ? (size_t)g_opt.bytes : 1);
    if (g_payload == NULL) die("out of memory for a %ld-byte payload", g_opt.bytes);
    memset(g_payload, 'x', g_opt.bytes > 0 ? (size_t)g_opt.bytes : 1);
  }
  switch (g_opt.mode) {
    case MODE_THROUGHPUT: run_throughput(); break;
    case MODE_PUBLISH: run_publish(); break;
    case MODE_RECEIVE: run_receive(); break;
    case MODE_LATENCY: run_latency(); break;
    case MODE_IDLE: run_idle(); break;
  }
  fflush(stdout);
  return 0;
}
