#include "fault_proxy.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <limits>
#include <list>
#include <system_error>
#include <vector>

namespace mqttws::test {

namespace {

using clock_type = std::chrono::steady_clock;

[[noreturn]] void fail(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

void nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

void no_delay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// Closes with RST rather than FIN: what a cut link looks like to both ends.
void reset_close(int fd) {
  if (fd < 0) return;
  linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd);
}

std::uint64_t splitmix(std::uint64_t& s) {
  std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

struct chunk {
  clock_type::time_point ready;
  std::vector<std::uint8_t> bytes;
  std::size_t sent = 0;
};

// One direction of a connection: what was read from `from` and waits to be written to `to`.
struct pipe_dir {
  std::deque<chunk> queue;
  bool eof = false;       // `from` ended: shut `to` down for writing once the queue is empty
  bool shut = false;
};

struct link {
  int down = -1;  // the client's side
  int up = -1;    // the server's side
  bool up_connected = false;
  std::size_t budget = std::numeric_limits<std::size_t>::max();  // bytes left before a cut
  std::size_t stall_budget = std::numeric_limits<std::size_t>::max();
  bool stalled = false;
  bool cut_pending = false;  // the budget is spent: reset once what it allowed is written
  bool dead = false;
  pipe_dir to_up, to_down;
};

}  // namespace

struct fault_proxy::engine {
  int listen_fd = -1;
  int wake[2] = {-1, -1};
  std::uint16_t target = 0;

  mutable std::mutex m;  // guards plan, requests and stats
  fault_plan plan;
  std::uint64_t rng = 0;
  bool stop = false;
  bool cut_requested = false;
  bool stalled = false;
  bool stall_changed = false;
  fault_stats stats;

  std::list<link> links;

  void poke() {
    const char c = 1;
    (void)!::write(wake[1], &c, 1);
  }

  void run() {
    std::vector<std::uint8_t> buf(16384);
    for (;;) {
      bool cut_now = false;
      bool stall_now = false, stall_value = false;
      fault_plan p;
      {
        std::lock_guard<std::mutex> g(m);
        if (stop) return;
        cut_now = cut_requested;
        cut_requested = false;
        stall_now = stall_changed;
        stall_value = stalled;
        stall_changed = false;
        p = plan;
      }
      if (cut_now) {
        for (link& l : links) {
          if (!l.dead) kill(l, true);
        }
      }
      if (stall_now) {
        for (link& l : links) l.stalled = stall_value;
      }
      links.remove_if([](const link& l) { return l.dead; });

      const auto now = clock_type::now();
      int timeout_ms = -1;
      std::vector<pollfd> fds;
      fds.push_back({listen_fd, POLLIN, 0});
      fds.push_back({wake[0], POLLIN, 0});
      std::vector<std::pair<link*, bool>> owners;  // (link, is_down) per fd after the first two
      for (link& l : links) {
        auto wants_write = [&](const pipe_dir& d) {
          if (d.queue.empty()) return d.eof && !d.shut;
          const auto wait = d.queue.front().ready - now;
          if (wait > clock_type::duration::zero()) {
            const int ms = static_cast<int>(
                std::chrono::duration_cast<std::chrono::milliseconds>(wait).count() + 1);
            if (timeout_ms < 0 || ms < timeout_ms) timeout_ms = ms;
            return false;
          }
          return true;
        };
        short down_ev = 0, up_ev = 0;
        if (!l.stalled && !l.cut_pending && !l.to_up.eof) down_ev |= POLLIN;
        // What was let through before a stall still arrives; nothing is read after it.
        if (wants_write(l.to_down)) down_ev |= POLLOUT;
        if (!l.up_connected) {
          up_ev |= POLLOUT;
        } else {
          if (!l.stalled && !l.cut_pending && !l.to_down.eof) up_ev |= POLLIN;
          if (wants_write(l.to_up)) up_ev |= POLLOUT;
        }
        fds.push_back({l.down, down_ev, 0});
        owners.emplace_back(&l, true);
        fds.push_back({l.up, up_ev, 0});
        owners.emplace_back(&l, false);
      }
      if (::poll(fds.data(), fds.size(), timeout_ms) < 0 && errno != EINTR) return;

      if (fds[1].revents & POLLIN) {
        char drain[64];
        while (::read(wake[0], drain, sizeof drain) > 0) {
        }
      }
      if (fds[0].revents & POLLIN) accept_one(p);
      for (std::size_t i = 2; i < fds.size(); ++i) {
        link& l = *owners[i - 2].first;
        const bool is_down = owners[i - 2].second;
        if (l.dead || fds[i].revents == 0) continue;
        const int fd = fds[i].fd;
        if (!is_down && !l.up_connected && (fds[i].revents & (POLLOUT | POLLERR | POLLHUP))) {
          int err = 0;
          socklen_t len = sizeof err;
          ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
          if (err != 0) {
            kill(l, false);
            continue;
          }
          l.up_connected = true;
          continue;
        }
        if (fds[i].revents & POLLIN) {
          pipe_dir& d = is_down ? l.to_up : l.to_down;
          const ssize_t n = ::read(fd, buf.data(), buf.size());
          if (n == 0) {
            d.eof = true;
          } else if (n < 0) {
            if (errno != EAGAIN && errno != EINTR) kill(l, false);
            continue;
          } else {
            forward(l, d, buf.data(), static_cast<std::size_t>(n), is_down, p);
          }
        } else if (fds[i].revents & (POLLERR | POLLHUP)) {
          kill(l, false);
          continue;
        }
        if (!l.dead && (fds[i].revents & POLLOUT)) flush(l, is_down ? l.to_down : l.to_up, fd, p);
      }
      for (link& l : links) {
        if (l.dead) continue;
        if (l.cut_pending && l.to_up.queue.empty() && l.to_down.queue.empty()) kill(l, true);
        else if (l.to_up.shut && l.to_down.shut) kill(l, false);
      }
    }
  }

  void accept_one(const fault_plan& p) {
    const int fd = ::accept(listen_fd, nullptr, nullptr);
    if (fd < 0) return;
    nonblocking(fd);
    no_delay(fd);
    const int up = ::socket(AF_INET, SOCK_STREAM, 0);
    if (up < 0) {
      ::close(fd);
      return;
    }
    nonblocking(up);
    no_delay(up);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(target);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(up, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno != EINPROGRESS) {
      ::close(up);
      reset_close(fd);
      return;
    }
    link l;
    l.down = fd;
    l.up = up;
    {
      std::lock_guard<std::mutex> g(m);
      stats.connections++;
      if (p.cut_max > 0) {
        const std::size_t span = p.cut_max - p.cut_min + 1;
        l.budget = p.cut_min + static_cast<std::size_t>(splitmix(rng) % span);
      }
      if (p.stall_after > 0) l.stall_budget = p.stall_after;
      l.stalled = stalled;
    }
    links.push_back(std::move(l));
  }

  void forward(link& l, pipe_dir& d, const std::uint8_t* data, std::size_t n, bool up,
               const fault_plan& p) {
    std::size_t pass = n;
    if (pass >= l.budget) {
      pass = l.budget;
      l.cut_pending = true;
    }
    l.budget -= pass;
    if (pass >= l.stall_budget) {
      pass = l.stall_budget;
      l.stalled = true;  // half-open from here on: both sockets stay, nothing moves
    }
    l.stall_budget -= pass;
    if (pass == 0) return;
    {
      std::lock_guard<std::mutex> g(m);
      (up ? stats.bytes_up : stats.bytes_down) += pass;
    }
    chunk c;
    c.ready = clock_type::now() + p.delay;
    c.bytes.assign(data, data + pass);
    d.queue.push_back(std::move(c));
  }

  void flush(link& l, pipe_dir& d, int fd, const fault_plan& p) {
    const auto now = clock_type::now();
    while (!d.queue.empty() && d.queue.front().ready <= now) {
      chunk& c = d.queue.front();
      const std::size_t want = p.split ? 1 : c.bytes.size() - c.sent;
      const ssize_t n = ::send(fd, c.bytes.data() + c.sent, want, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno != EAGAIN && errno != EINTR) kill(l, false);
        return;
      }
      c.sent += static_cast<std::size_t>(n);
      if (c.sent == c.bytes.size()) d.queue.pop_front();
      if (p.split) return;  // one byte per poll round: separate segments
    }
    if (d.queue.empty() && d.eof && !d.shut) {
      ::shutdown(fd, SHUT_WR);
      d.shut = true;
    }
  }

  void kill(link& l, bool counted_cut) {
    if (l.dead) return;
    l.dead = true;
    if (counted_cut) {  // counted first: whoever sees the reset may read the stats at once
      std::lock_guard<std::mutex> g(m);
      stats.cuts++;
    }
    reset_close(l.down);
    reset_close(l.up);
  }
};

fault_proxy::fault_proxy(std::uint16_t target_port, fault_plan plan) : e_(new engine) {
  e_->target = target_port;
  e_->plan = plan;
  e_->rng = plan.seed;
  if (::pipe(e_->wake) != 0) fail("pipe");
  nonblocking(e_->wake[0]);
  e_->listen_fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (e_->listen_fd < 0) fail("socket");
  int one = 1;
  ::setsockopt(e_->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(e_->listen_fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) fail("bind");
  if (::listen(e_->listen_fd, 128) != 0) fail("listen");
  socklen_t len = sizeof a;
  ::getsockname(e_->listen_fd, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  nonblocking(e_->listen_fd);
  thread_ = std::thread([this] { e_->run(); });
}

fault_proxy::~fault_proxy() {
  {
    std::lock_guard<std::mutex> g(e_->m);
    e_->stop = true;
  }
  e_->poke();
  thread_.join();
  for (link& l : e_->links) e_->kill(l, false);
  ::close(e_->listen_fd);
  ::close(e_->wake[0]);
  ::close(e_->wake[1]);
}

void fault_proxy::set_plan(const fault_plan& plan) {
  {
    std::lock_guard<std::mutex> g(e_->m);
    e_->plan = plan;
    e_->rng = plan.seed;
  }
  e_->poke();
}

void fault_proxy::cut_all() {
  {
    std::lock_guard<std::mutex> g(e_->m);
    e_->cut_requested = true;
  }
  e_->poke();
}

void fault_proxy::set_stalled(bool stalled) {
  {
    std::lock_guard<std::mutex> g(e_->m);
    e_->stalled = stalled;
    e_->stall_changed = true;
  }
  e_->poke();
}

fault_stats fault_proxy::stats() const {
  std::lock_guard<std::mutex> g(e_->m);
  return e_->stats;
}

}  // namespace mqttws::test
