// bench_peer: the far end of bench/run's client-only modes (publish, receive). No MQTT library.
//
// It measures nothing itself. It stands in for the broker so that a client is measured alone,
// and is built to be much faster than any client (one epoll loop, large batched writes,
// pre-encoded packets), so that the client is what limits the figure:
//   - sink: every PUBLISH is acknowledged (QoS 1: PUBACK; QoS 2: PUBREC, then PUBREL -> PUBCOMP);
//     nothing is routed or stored.
//   - source: a SUBSCRIBE whose first filter is bench/source/<n>/<B> gets a SUBACK granting the
//     requested QoS, then n PUBLISHes of that topic with B-byte payloads at that QoS, pre-encoded
//     once and written as fast as the socket takes them, never more QoS>0 messages unacknowledged
//     than the client's Receive Maximum (MQTT 5 CONNECT property; default 65535). Any other
//     SUBSCRIBE gets its SUBACK and nothing else.
//   - CONNECT (any credentials) -> CONNACK success, PINGREQ -> PINGRESP, UNSUBSCRIBE -> UNSUBACK.
// MQTT 3.1.1 and 5, over tcp and over WebSocket (RFC 6455, any path, subprotocol "mqtt").
//
// Run:    bench_peer [--tcp-port P] [--ws-port W]    (0 or absent: a free port; binds 127.0.0.1)
// Prints: {"tcp_port":P,"ws_port":W} on stdout once listening; serves until SIGTERM or SIGINT.
// A client's protocol error closes that connection with a one-line note on stderr; the others
// are served on.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bitset>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "mqtt_varint.h"
#include "websocket_accept.h"

namespace {

// A source fill stops once this much is queued: large enough that one send() moves a lot,
// small enough that acks queued behind it are not held back long.
constexpr size_t k_batch_bytes = 256 * 1024;
constexpr size_t k_read_bytes = 256 * 1024;
// A client that floods us without reading its acks: stop reading it until it drains.
constexpr size_t k_max_out = 32 * 1024 * 1024;
constexpr uint32_t k_max_remaining = 268435455;  // the largest MQTT Remaining Length
constexpr size_t k_max_http = 16 * 1024;

// The key's length is checked before (at most WEBSOCKET_KEY_MAX).
std::string websocket_accept(const std::string& key) {
  char out[29];
  ::websocket_accept(key.data(), key.size(), out);
  return out;
}

// ---- buffers and encodings ------------------------------------------------------------------

// A byte queue that reads land in and writes leave from; unlike std::vector::resize it does not
// zero the room it makes, which the hot paths would pay for on every read.
class byte_buffer {
 public:
  uint8_t* head() { return data_.get() + begin_; }
  size_t size() const { return end_ - begin_; }
  bool empty() const { return begin_ == end_; }
  // Room for at least n more bytes at the tail; commit() what was written there.
  uint8_t* tail(size_t n) {
    if (cap_ - end_ < n) {
      const size_t live = size();
      if (live + n <= cap_) {
        std::memmove(data_.get(), head(), live);
      } else {
        const size_t cap = std::max(cap_ * 2, live + n);
        std::unique_ptr<uint8_t[]> grown(new uint8_t[cap]);
        if (live) std::memcpy(grown.get(), head(), live);
        data_ = std::move(grown);
        cap_ = cap;
      }
      begin_ = 0;
      end_ = live;
    }
    return data_.get() + end_;
  }
  void commit(size_t n) { end_ += n; }
  void append(const void* p, size_t n) {
    if (n == 0) return;
    std::memcpy(tail(n), p, n);
    end_ += n;
  }
  void consume(size_t n) {
    begin_ += n;
    if (begin_ == end_) begin_ = end_ = 0;
  }
  void clear() { begin_ = end_ = 0; }

 private:
  std::unique_ptr<uint8_t[]> data_;
  size_t cap_ = 0;
  size_t begin_ = 0;
  size_t end_ = 0;
};

// Server frames: FIN set, never masked (RFC 6455 5.1). Returns the header length.
size_t ws_header(uint8_t* h, uint8_t opcode, uint64_t len) {
  h[0] = uint8_t(0x80 | opcode);
  if (len < 126) {
    h[1] = uint8_t(len);
    return 2;
  }
  if (len < 65536) {
    h[1] = 126;
    h[2] = uint8_t(len >> 8);
    h[3] = uint8_t(len);
    return 4;
  }
  h[1] = 127;
  for (int i = 0; i < 8; ++i) h[2 + i] = uint8_t(len >> (56 - 8 * i));
  return 10;
}

// Walks MQTT 5 properties; picks out Receive Maximum. False if malformed.
bool walk_properties(const uint8_t* p, size_t n, uint32_t* receive_max) {
  size_t i = 0;
  while (i < n) {
    const uint8_t id = p[i++];
    size_t len = 0;
    switch (id) {
      case 0x01: case 0x17: case 0x19: case 0x24: case 0x25: case 0x28: case 0x29: case 0x2A:
        len = 1;
        break;
      case 0x13: case 0x21: case 0x22: case 0x23:
        len = 2;
        break;
      case 0x02: case 0x11: case 0x18: case 0x27:
        len = 4;
        break;
      case 0x0B: {
        uint32_t v;
        const int used = get_varint(p + i, n - i, &v);
        if (used <= 0) return false;
        len = size_t(used);
        break;
      }
      case 0x03: case 0x08: case 0x09: case 0x12: case 0x15: case 0x16: case 0x1A: case 0x1C:
      case 0x1F:
        if (n - i < 2) return false;
        len = 2 + (size_t(p[i]) << 8 | p[i + 1]);
        break;
      case 0x26: {
        if (n - i < 2) return false;
        const size_t first = 2 + (size_t(p[i]) << 8 | p[i + 1]);
        if (n - i < first + 2) return false;
        len = first + 2 + (size_t(p[i + first]) << 8 | p[i + first + 1]);
        break;
      }
      default:
        return false;
    }
    if (n - i < len) return false;
    if (id == 0x21) {
      *receive_max = uint32_t(p[i]) << 8 | p[i + 1];
      if (*receive_max == 0) return false;  // a protocol error by the spec (3.1.2.11.3)
    }
    i += len;
  }
  return true;
}

// ---- connections ----------------------------------------------------------------------------

struct source_run {
  std::string topic;
  uint64_t n;
  uint32_t bytes;
  int qos;
};

// One run's PUBLISHes pre-encoded: `count` copies back to back; for QoS>0 only the packet ids
// (at id_offset + i * packet_len) change between fills.
struct publish_block {
  std::vector<uint8_t> data;
  size_t packet_len = 0;
  size_t id_offset = 0;
  size_t count = 0;
};

struct connection {
  int fd = -1;
  bool ws = false;
  bool upgraded = false;   // ws: the HTTP handshake is done
  bool closing = false;    // close once `out` is written (after a WebSocket close)
  bool close_requested = false;
  std::vector<uint8_t> close_payload;
  uint32_t events = 0;     // what epoll watches now
  std::string name;        // for notes: address and transport

  byte_buffer raw;         // ws: bytes as read, before frames are taken apart
  byte_buffer in;          // the MQTT byte stream
  byte_buffer out;         // bytes to write
  std::vector<uint8_t> acks;  // replies from one read, sent as one frame

  // ws frame state: a data frame's payload is unmasked as it arrives, not when it is complete
  uint64_t frame_left = 0;
  uint8_t mask[4] = {0, 0, 0, 0};
  unsigned mask_pos = 0;
  bool fragmented = false;  // inside a message whose last frame has not come

  int version = 0;          // 0 until CONNECT; then 3, 4 or 5
  uint32_t receive_max = 65535;

  std::deque<source_run> runs;  // front is being sent
  publish_block block;
  uint64_t sent = 0;
  std::bitset<65536> in_flight;
  uint32_t in_flight_count = 0;
  uint16_t next_id = 0;
};

class peer {
 public:
  bool listen_on(int tcp_port, int ws_port);
  int run();

 private:
  int make_listener(int port, int* bound);
  void accept_all(int listener, bool ws);
  void close_conn(connection& c);
  void fail(connection& c, const char* why);
  bool on_readable(connection& c);
  bool flush(connection& c);
  void update_interest(connection& c);
  bool handshake(connection& c);
  bool ws_decode(connection& c);
  bool mqtt_process(connection& c);
  bool handle_packet(connection& c, uint8_t type, uint8_t flags, const uint8_t* body, size_t len);
  bool on_connect(connection& c, const uint8_t* body, size_t len);
  bool skip_properties(connection& c, const uint8_t* body, size_t len, size_t& i,
                       const char* packet);
  bool on_subscribe(connection& c, const uint8_t* body, size_t len);
  bool on_unsubscribe(connection& c, const uint8_t* body, size_t len);
  void finish_acks(connection& c);
  void start_run(connection& c);
  void fill(connection& c);
  bool can_send(const connection& c) const;
  void release(connection& c, uint16_t id);

  int epoll_ = -1;
  int tcp_listener_ = -1;
  int ws_listener_ = -1;
  int signal_fd_ = -1;
  std::vector<std::unique_ptr<connection>> conns_;  // by fd
  std::vector<uint8_t> read_scratch_;
};

int peer::make_listener(int port, int* bound) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(uint16_t(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd, 512) != 0) {
    close(fd);
    return -1;
  }
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  *bound = ntohs(a.sin_port);
  return fd;
}

bool peer::listen_on(int tcp_port, int ws_port) {
  epoll_ = epoll_create1(EPOLL_CLOEXEC);
  int tcp_bound = 0, ws_bound = 0;
  tcp_listener_ = make_listener(tcp_port, &tcp_bound);
  if (tcp_listener_ < 0) {
    std::fprintf(stderr, "bench_peer: cannot listen on 127.0.0.1:%d: %s\n", tcp_port,
                 std::strerror(errno));
    return false;
  }
  ws_listener_ = make_listener(ws_port, &ws_bound);
  if (ws_listener_ < 0) {
    std::fprintf(stderr, "bench_peer: cannot listen on 127.0.0.1:%d: %s\n", ws_port,
                 std::strerror(errno));
    return false;
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  signal_fd_ = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  for (int fd : {tcp_listener_, ws_listener_, signal_fd_}) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
  }
  std::printf("{\"tcp_port\":%d,\"ws_port\":%d}\n", tcp_bound, ws_bound);
  std::fflush(stdout);
  return true;
}

int peer::run() {
  epoll_event events[256];
  for (;;) {
    const int n = epoll_wait(epoll_, events, 256, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::fprintf(stderr, "bench_peer: epoll_wait: %s\n", std::strerror(errno));
      return 1;
    }
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      const uint32_t ev = events[i].events;
      if (fd == signal_fd_) {
        for (auto& c : conns_)
          if (c) close(c->fd);
        return 0;
      }
      if (fd == tcp_listener_ || fd == ws_listener_) {
        accept_all(fd, fd == ws_listener_);
        continue;
      }
      if (size_t(fd) >= conns_.size() || !conns_[fd]) continue;  // closed earlier in this batch
      connection& c = *conns_[fd];
      if (ev & EPOLLERR) {
        close_conn(c);
        continue;
      }
      if ((ev & (EPOLLIN | EPOLLHUP)) && !on_readable(c)) continue;
      if (ev & EPOLLOUT) flush(c);
    }
  }
}

void peer::accept_all(int listener, bool ws) {
  for (;;) {
    sockaddr_in a{};
    socklen_t len = sizeof a;
    const int fd =
        accept4(listener, reinterpret_cast<sockaddr*>(&a), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN, or a connection that died in the backlog
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (size_t(fd) >= conns_.size()) conns_.resize(size_t(fd) + 64);
    auto c = std::make_unique<connection>();
    c->fd = fd;
    c->ws = ws;
    char addr[INET_ADDRSTRLEN] = "?";
    inet_ntop(AF_INET, &a.sin_addr, addr, sizeof addr);
    c->name = std::string(addr) + ":" + std::to_string(ntohs(a.sin_port)) + (ws ? " (ws)" : " (tcp)");
    c->events = EPOLLIN;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
    conns_[fd] = std::move(c);
  }
}

void peer::close_conn(connection& c) {
  const int fd = c.fd;
  epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
  close(fd);
  conns_[fd].reset();
}

void peer::fail(connection& c, const char* why) {
  std::fprintf(stderr, "bench_peer: %s: %s; connection closed\n", c.name.c_str(), why);
  close_conn(c);
}

bool peer::can_send(const connection& c) const {
  if (c.closing || c.runs.empty()) return false;
  return c.runs.front().qos == 0 || c.in_flight_count < c.receive_max;
}

void peer::update_interest(connection& c) {
  uint32_t ev = 0;
  if (!c.closing && c.out.size() < k_max_out) ev |= EPOLLIN;
  if (!c.out.empty() || can_send(c)) ev |= EPOLLOUT;
  if (ev == c.events) return;
  epoll_event e{};
  e.events = ev;
  e.data.fd = c.fd;
  epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &e);
  c.events = ev;
}

bool peer::on_readable(connection& c) {
  // Bounded so that one busy client cannot starve the others (epoll is level-triggered).
  for (int round = 0; round < 16 && c.out.size() < k_max_out && !c.closing; ++round) {
    byte_buffer& dst = c.ws ? c.raw : c.in;
    const ssize_t r = recv(c.fd, dst.tail(k_read_bytes), k_read_bytes, 0);
    if (r == 0) {
      close_conn(c);
      return false;
    }
    if (r < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == EINTR) continue;
      close_conn(c);
      return false;
    }
    dst.commit(size_t(r));
    if (c.ws) {
      if (!c.upgraded && !handshake(c)) return false;
      if (c.upgraded && !ws_decode(c)) return false;
    }
    if (!mqtt_process(c)) return false;
    finish_acks(c);
    if (size_t(r) < k_read_bytes) break;  // drained; spare the recv that would say EAGAIN
  }
  return flush(c);
}

// Replies gathered while reading go out as one frame (ws) or one run of bytes (tcp), then a
// pending WebSocket close, which must be the last frame.
void peer::finish_acks(connection& c) {
  if (!c.acks.empty()) {
    if (c.ws) {
      uint8_t h[10];
      c.out.append(h, ws_header(h, 2, c.acks.size()));
    }
    c.out.append(c.acks.data(), c.acks.size());
    c.acks.clear();
  }
  if (c.close_requested && !c.closing) {
    uint8_t h[10];
    c.out.append(h, ws_header(h, 8, c.close_payload.size()));
    c.out.append(c.close_payload.data(), c.close_payload.size());
    c.closing = true;
  }
}

bool peer::flush(connection& c) {
  for (int round = 0; round < 64; ++round) {
    fill(c);
    if (c.out.empty()) break;
    const ssize_t w = send(c.fd, c.out.head(), c.out.size(), MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == EINTR) continue;
      close_conn(c);
      return false;
    }
    c.out.consume(size_t(w));
    if (!c.out.empty()) break;  // the socket is full: EPOLLOUT calls us back
  }
  if (c.closing && c.out.empty()) {
    close_conn(c);
    return false;
  }
  update_interest(c);
  return true;
}

bool peer::handshake(connection& c) {
  const auto* begin = reinterpret_cast<const char*>(c.raw.head());
  const std::string text(begin, c.raw.size());
  const size_t end = text.find("\r\n\r\n");
  if (end == std::string::npos) {
    if (text.size() > k_max_http) {
      fail(c, "WebSocket handshake: request header too long");
      return false;
    }
    return true;  // wait for the rest
  }
  c.raw.consume(end + 4);  // what follows is already WebSocket frames
  std::string key, upgrade, protocols;
  bool first = true;
  bool is_get = false;
  size_t pos = 0;
  while (pos < end) {
    size_t eol = text.find("\r\n", pos);
    if (eol == std::string::npos || eol > end) eol = end;
    const std::string line = text.substr(pos, eol - pos);
    pos = eol + 2;
    if (first) {
      is_get = line.compare(0, 4, "GET ") == 0;
      first = false;
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (auto& ch : name) ch = char(std::tolower(uint8_t(ch)));
    size_t v = colon + 1;
    while (v < line.size() && (line[v] == ' ' || line[v] == '\t')) ++v;
    std::string value = line.substr(v);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
    if (name == "sec-websocket-key") key = value;
    else if (name == "upgrade") upgrade = value;
    else if (name == "sec-websocket-protocol") protocols += (protocols.empty() ? "" : ",") + value;
  }
  for (auto& ch : upgrade) ch = char(std::tolower(uint8_t(ch)));
  if (!is_get || key.empty() || key.size() > WEBSOCKET_KEY_MAX ||
      upgrade.find("websocket") == std::string::npos) {
    static const char bad[] =
        "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    send(c.fd, bad, sizeof bad - 1, MSG_NOSIGNAL);
    fail(c, "not a WebSocket upgrade request");
    return false;
  }
  // Answer "mqtt" when offered (the MQTT spec's name); an old client's "mqttv3.1" otherwise.
  std::string chosen;
  size_t p = 0;
  while (p <= protocols.size()) {
    size_t comma = protocols.find(',', p);
    if (comma == std::string::npos) comma = protocols.size();
    std::string one = protocols.substr(p, comma - p);
    one.erase(0, one.find_first_not_of(" \t"));
    one.erase(one.find_last_not_of(" \t") + 1);
    if (one == "mqtt") chosen = one;
    else if (one == "mqttv3.1" && chosen.empty()) chosen = one;
    p = comma + 1;
  }
  std::string reply =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: " + websocket_accept(key) + "\r\n";
  if (!chosen.empty()) reply += "Sec-WebSocket-Protocol: " + chosen + "\r\n";
  reply += "\r\n";
  c.out.append(reply.data(), reply.size());
  c.upgraded = true;
  return true;
}

// XORs n bytes from src into dst with the frame's mask, starting at mask position pos.
void unmask(uint8_t* dst, const uint8_t* src, size_t n, const uint8_t mask[4], unsigned pos) {
  uint8_t m8[8];
  for (int j = 0; j < 8; ++j) m8[j] = mask[(pos + j) & 3];
  uint64_t m;
  std::memcpy(&m, m8, 8);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t v;
    std::memcpy(&v, src + i, 8);
    v ^= m;
    std::memcpy(dst + i, &v, 8);
  }
  for (; i < n; ++i) dst[i] = src[i] ^ m8[i & 7];
}

bool peer::ws_decode(connection& c) {
  while (!c.raw.empty() && !c.close_requested) {
    const uint8_t* p = c.raw.head();
    const size_t avail = c.raw.size();
    if (c.frame_left > 0) {
      const size_t take = size_t(std::min<uint64_t>(c.frame_left, avail));
      unmask(c.in.tail(take), p, take, c.mask, c.mask_pos);
      c.in.commit(take);
      c.raw.consume(take);
      c.frame_left -= take;
      c.mask_pos = (c.mask_pos + unsigned(take)) & 3;
      continue;
    }
    if (avail < 2) break;
    const bool fin = p[0] & 0x80;
    const uint8_t opcode = p[0] & 0x0F;
    if (p[0] & 0x70) {
      fail(c, "WebSocket frame with reserved bits set (no extension was agreed)");
      return false;
    }
    if (!(p[1] & 0x80)) {
      fail(c, "unmasked WebSocket frame from a client");
      return false;
    }
    const uint8_t len7 = p[1] & 0x7F;
    const size_t hlen = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + 4;
    if (avail < hlen) break;
    uint64_t len = len7;
    if (len7 == 126) {
      len = uint64_t(p[2]) << 8 | p[3];
    } else if (len7 == 127) {
      len = 0;
      for (int i = 0; i < 8; ++i) len = len << 8 | p[2 + i];
    }
    const uint8_t* mask = p + hlen - 4;
    if (opcode >= 8) {  // control frames: whole and short (RFC 6455 5.5)
      if (!fin || len > 125) {
        fail(c, "fragmented or oversized WebSocket control frame");
        return false;
      }
      if (avail < hlen + len) break;
      std::vector<uint8_t> payload(len);
      unmask(payload.data(), p + hlen, len, mask, 0);
      c.raw.consume(hlen + len);
      if (opcode == 0x8) {
        // Echo the status code, then close once it is written.
        c.close_payload.assign(payload.begin(), payload.begin() + std::min<size_t>(2, len));
        c.close_requested = true;
      } else if (opcode == 0x9) {
        uint8_t h[10];
        c.out.append(h, ws_header(h, 0xA, len));
        c.out.append(payload.data(), len);
      } else if (opcode != 0xA) {
        fail(c, "unknown WebSocket control opcode");
        return false;
      }
      continue;
    }
    if (opcode == 0x1) {
      fail(c, "WebSocket text frame (MQTT needs binary frames)");
      return false;
    }
    if (opcode == 0x2) {
      if (c.fragmented) {
        fail(c, "new WebSocket message inside a fragmented one");
        return false;
      }
    } else if (opcode == 0x0) {
      if (!c.fragmented) {
        fail(c, "WebSocket continuation frame outside a message");
        return false;
      }
    } else {
      fail(c, "unknown WebSocket data opcode");
      return false;
    }
    c.fragmented = !fin;
    std::memcpy(c.mask, mask, 4);
    c.mask_pos = 0;
    c.frame_left = len;
    c.raw.consume(hlen);
  }
  return true;
}

bool peer::mqtt_process(connection& c) {
  for (;;) {
    const uint8_t* p = c.in.head();
    const size_t avail = c.in.size();
    if (avail < 2) break;
    uint32_t remaining;
    const int used = get_varint(p + 1, avail - 1, &remaining);
    if (used < 0) {
      fail(c, "malformed Remaining Length");
      return false;
    }
    if (used == 0) break;
    const size_t total = 1 + size_t(used) + remaining;
    if (avail < total) break;
    if (!handle_packet(c, p[0] >> 4, p[0] & 0x0F, p + 1 + used, remaining)) return false;
    c.in.consume(total);
  }
  return true;
}

uint16_t be16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }

void push_ack(std::vector<uint8_t>& acks, uint8_t first, uint16_t id) {
  const uint8_t a[4] = {first, 2, uint8_t(id >> 8), uint8_t(id)};
  acks.insert(acks.end(), a, a + 4);
}

void peer::release(connection& c, uint16_t id) {
  if (!c.in_flight[id]) return;  // not ours, or a duplicate: nothing to free
  c.in_flight[id] = false;
  --c.in_flight_count;
}

bool peer::handle_packet(connection& c, uint8_t type, uint8_t flags, const uint8_t* body,
                         size_t len) {
  if (c.version == 0 && type != 1) {
    fail(c, "first packet is not CONNECT");
    return false;
  }
  switch (type) {
    case 1:
      if (c.version != 0) {
        fail(c, "second CONNECT");
        return false;
      }
      return on_connect(c, body, len);
    case 3: {  // PUBLISH to the sink
      const int qos = (flags >> 1) & 3;
      if (qos == 3) {
        fail(c, "PUBLISH with QoS 3");
        return false;
      }
      if (len < 2) {
        fail(c, "PUBLISH too short");
        return false;
      }
      const size_t topic_len = be16(body);
      if (qos > 0) {
        if (len < 2 + topic_len + 2) {
          fail(c, "PUBLISH too short for its packet id");
          return false;
        }
        push_ack(c.acks, qos == 1 ? 0x40 : 0x50, be16(body + 2 + topic_len));
      } else if (len < 2 + topic_len) {
        fail(c, "PUBLISH too short for its topic");
        return false;
      }
      return true;
    }
    case 4:  // PUBACK for the source's QoS 1
    case 7:  // PUBCOMP for the source's QoS 2
      if (len < 2) {
        fail(c, "acknowledgement too short");
        return false;
      }
      release(c, be16(body));
      return true;
    case 5:  // PUBREC for the source's QoS 2
      if (len < 2) {
        fail(c, "PUBREC too short");
        return false;
      }
      if (len >= 3 && body[2] >= 0x80) {
        release(c, be16(body));  // MQTT 5: a refused message ends its flow here
      } else {
        push_ack(c.acks, 0x62, be16(body));
      }
      return true;
    case 6:  // PUBREL to the sink
      if (flags != 2 || len < 2) {
        fail(c, "malformed PUBREL");
        return false;
      }
      push_ack(c.acks, 0x70, be16(body));
      return true;
    case 8:
      if (flags != 2) {
        fail(c, "SUBSCRIBE with wrong flags");
        return false;
      }
      return on_subscribe(c, body, len);
    case 10:
      if (flags != 2) {
        fail(c, "UNSUBSCRIBE with wrong flags");
        return false;
      }
      return on_unsubscribe(c, body, len);
    case 12:
      c.acks.push_back(0xD0);
      c.acks.push_back(0);
      return true;
    case 14:  // DISCONNECT: the client is done
      close_conn(c);
      return false;
    default: {
      char why[64];
      std::snprintf(why, sizeof why, "unexpected packet type %d from a client", type);
      fail(c, why);
      return false;
    }
  }
}

bool peer::on_connect(connection& c, const uint8_t* body, size_t len) {
  if (len < 2) {
    fail(c, "CONNECT too short");
    return false;
  }
  const size_t name_len = be16(body);
  size_t i = 2 + name_len;
  if (len < i + 4) {
    fail(c, "CONNECT too short");
    return false;
  }
  const std::string name(reinterpret_cast<const char*>(body + 2), name_len);
  const uint8_t level = body[i];
  if (!((name == "MQTT" && (level == 4 || level == 5)) || (name == "MQIsdp" && level == 3))) {
    fail(c, "CONNECT with an unsupported protocol name or level");
    return false;
  }
  i += 4;  // level, flags, keepalive
  if (level == 5) {
    uint32_t props_len;
    const int used = get_varint(body + i, len - i, &props_len);
    if (used <= 0 || len - i - size_t(used) < props_len ||
        !walk_properties(body + i + used, props_len, &c.receive_max)) {
      fail(c, "CONNECT with malformed properties");
      return false;
    }
  }
  c.version = level;
  if (level == 5) {
    const uint8_t ack[5] = {0x20, 3, 0, 0, 0};
    c.acks.insert(c.acks.end(), ack, ack + 5);
  } else {
    const uint8_t ack[4] = {0x20, 2, 0, 0};
    c.acks.insert(c.acks.end(), ack, ack + 4);
  }
  return true;
}

// bench/source/<n>/<B>, both decimal; false for anything else.
bool parse_source(const std::string& f, uint64_t* n, uint32_t* bytes) {
  static const std::string prefix = "bench/source/";
  if (f.compare(0, prefix.size(), prefix) != 0) return false;
  const size_t slash = f.find('/', prefix.size());
  if (slash == std::string::npos) return false;
  const std::string a = f.substr(prefix.size(), slash - prefix.size());
  const std::string b = f.substr(slash + 1);
  auto digits = [](const std::string& s) {
    return !s.empty() && s.size() <= 12 && s.find_first_not_of("0123456789") == std::string::npos;
  };
  if (!digits(a) || !digits(b)) return false;
  *n = std::stoull(a);
  const uint64_t v = std::stoull(b);
  if (v > 64u * 1024 * 1024) return false;  // a sanity bound far above any bench case
  *bytes = uint32_t(v);
  return true;
}

// After a packet identifier, MQTT 5 properties (none before 5): moves `i` past them.
bool peer::skip_properties(connection& c, const uint8_t* body, size_t len, size_t& i,
                           const char* packet) {
  if (c.version != 5) return true;
  uint32_t props_len;
  const int used = get_varint(body + i, len - i, &props_len);
  if (used <= 0 || len - i - size_t(used) < props_len) {
    fail(c, (std::string(packet) + " with malformed properties").c_str());
    return false;
  }
  i += size_t(used) + props_len;
  return true;
}

bool peer::on_subscribe(connection& c, const uint8_t* body, size_t len) {
  if (len < 2) {
    fail(c, "SUBSCRIBE too short");
    return false;
  }
  const uint16_t id = be16(body);
  size_t i = 2;
  if (!skip_properties(c, body, len, i, "SUBSCRIBE")) return false;
  std::vector<uint8_t> codes;
  std::string first_filter;
  int first_qos = 0;
  while (i < len) {
    if (len - i < 2) {
      fail(c, "SUBSCRIBE filter cut short");
      return false;
    }
    const size_t flen = be16(body + i);
    if (len - i < 2 + flen + 1) {
      fail(c, "SUBSCRIBE filter cut short");
      return false;
    }
    const int qos = body[i + 2 + flen] & 3;
    if (qos == 3) {
      fail(c, "SUBSCRIBE with QoS 3");
      return false;
    }
    if (codes.empty()) {
      first_filter.assign(reinterpret_cast<const char*>(body + i + 2), flen);
      first_qos = qos;
    }
    codes.push_back(uint8_t(qos));
    i += 2 + flen + 1;
  }
  if (codes.empty()) {
    fail(c, "SUBSCRIBE without a filter");
    return false;
  }
  uint8_t h[5];
  const size_t rl = 2 + (c.version == 5 ? 1 : 0) + codes.size();
  h[0] = 0x90;
  const size_t hl = 1 + put_varint(h + 1, uint32_t(rl));
  c.acks.insert(c.acks.end(), h, h + hl);
  c.acks.push_back(uint8_t(id >> 8));
  c.acks.push_back(uint8_t(id));
  if (c.version == 5) c.acks.push_back(0);
  c.acks.insert(c.acks.end(), codes.begin(), codes.end());

  uint64_t n;
  uint32_t bytes;
  if (parse_source(first_filter, &n, &bytes)) {
    c.runs.push_back(source_run{first_filter, n, bytes, first_qos});
    if (c.runs.size() == 1) start_run(c);
  }
  return true;
}

bool peer::on_unsubscribe(connection& c, const uint8_t* body, size_t len) {
  if (len < 2) {
    fail(c, "UNSUBSCRIBE too short");
    return false;
  }
  const uint16_t id = be16(body);
  size_t i = 2;
  if (!skip_properties(c, body, len, i, "UNSUBSCRIBE")) return false;
  size_t filters = 0;
  while (i < len) {
    if (len - i < 2 || len - i < 2 + size_t(be16(body + i))) {
      fail(c, "UNSUBSCRIBE filter cut short");
      return false;
    }
    i += 2 + be16(body + i);
    ++filters;
  }
  if (filters == 0) {
    fail(c, "UNSUBSCRIBE without a filter");
    return false;
  }
  uint8_t h[5];
  h[0] = 0xB0;
  if (c.version == 5) {
    const size_t hl = 1 + put_varint(h + 1, uint32_t(2 + 1 + filters));
    c.acks.insert(c.acks.end(), h, h + hl);
    c.acks.push_back(uint8_t(id >> 8));
    c.acks.push_back(uint8_t(id));
    c.acks.push_back(0);
    c.acks.insert(c.acks.end(), filters, 0);  // success for each
  } else {
    push_ack(c.acks, 0xB0, id);
  }
  return true;
}

// Pre-encodes the front run's PUBLISH once, copied as many times as one batch holds.
void peer::start_run(connection& c) {
  const source_run& r = c.runs.front();
  const size_t topic_len = r.topic.size();
  const size_t rl = 2 + topic_len + (r.qos > 0 ? 2 : 0) + (c.version == 5 ? 1 : 0) + r.bytes;
  std::vector<uint8_t> packet;
  uint8_t h[5];
  h[0] = uint8_t(0x30 | r.qos << 1);
  const size_t hl = 1 + put_varint(h + 1, uint32_t(rl));
  packet.insert(packet.end(), h, h + hl);
  packet.push_back(uint8_t(topic_len >> 8));
  packet.push_back(uint8_t(topic_len));
  packet.insert(packet.end(), r.topic.begin(), r.topic.end());
  c.block.id_offset = packet.size();
  if (r.qos > 0) packet.insert(packet.end(), 2, 0);
  if (c.version == 5) packet.push_back(0);  // no properties
  for (uint32_t k = 0; k < r.bytes; ++k) packet.push_back(uint8_t('a' + k % 26));
  c.block.packet_len = packet.size();
  c.block.count = std::max<size_t>(1, k_batch_bytes / packet.size());
  c.block.data.clear();
  c.block.data.reserve(c.block.count * packet.size());
  for (size_t k = 0; k < c.block.count; ++k)
    c.block.data.insert(c.block.data.end(), packet.begin(), packet.end());
  c.sent = 0;
}

void peer::fill(connection& c) {
  while (!c.closing && !c.runs.empty() && c.out.size() < k_batch_bytes) {
    const source_run& r = c.runs.front();
    if (c.sent >= r.n) {
      c.runs.pop_front();
      if (!c.runs.empty()) start_run(c);
      continue;
    }
    size_t k = size_t(std::min<uint64_t>(c.block.count, r.n - c.sent));
    if (r.qos > 0) {
      const uint32_t window = c.receive_max;
      if (c.in_flight_count >= window) return;
      k = std::min<size_t>(k, window - c.in_flight_count);
    }
    const size_t len = k * c.block.packet_len;
    if (c.ws) {
      uint8_t h[10];
      c.out.append(h, ws_header(h, 2, len));
    }
    uint8_t* dst = c.out.tail(len);
    std::memcpy(dst, c.block.data.data(), len);
    if (r.qos > 0) {
      for (size_t j = 0; j < k; ++j) {
        do {
          c.next_id = c.next_id == 65535 ? 1 : uint16_t(c.next_id + 1);
        } while (c.in_flight[c.next_id]);
        c.in_flight[c.next_id] = true;
        ++c.in_flight_count;
        uint8_t* id = dst + j * c.block.packet_len + c.block.id_offset;
        id[0] = uint8_t(c.next_id >> 8);
        id[1] = uint8_t(c.next_id);
      }
    }
    c.out.commit(len);
    c.sent += k;
  }
}

int usage(const char* why) {
  std::fprintf(stderr, "bench_peer: %s\nusage: bench_peer [--tcp-port P] [--ws-port W]\n", why);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int tcp_port = 0, ws_port = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::printf("usage: bench_peer [--tcp-port P] [--ws-port W]\n");
      return 0;
    }
    if (a != "--tcp-port" && a != "--ws-port") return usage(("unknown option " + a).c_str());
    if (i + 1 >= argc) return usage(("missing value for " + a).c_str());
    char* end = nullptr;
    const long v = std::strtol(argv[++i], &end, 10);
    if (*argv[i] == '\0' || *end != '\0' || v < 0 || v > 65535)
      return usage(("bad port for " + a + ": " + argv[i]).c_str());
    (a == "--tcp-port" ? tcp_port : ws_port) = int(v);
  }
  signal(SIGPIPE, SIG_IGN);
  peer p;
  if (!p.listen_on(tcp_port, ws_port)) return 1;
  return p.run();
}
