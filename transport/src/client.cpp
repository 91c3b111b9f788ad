// The client driver: one session, one transport, one timer, on the user's executor.
//
// After every input (a command, a transport callback, the timer) drive() does what the
// session asks, in the order the session rule fixes: write what poll_transmit() gives, act
// on poll_transport_action(), deliver poll_event(); then re-arm the timer at next_timeout().
#include "mqttws/client.hpp"

#include <algorithm>
#include <chrono>
#include <random>
#include <unordered_map>

#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>

#include "mqttws/endpoint_url.hpp"
#include "mqttws/error.hpp"
#include "mqttws/transport.hpp"
#include "client_log.hpp"

namespace mqttws {
namespace {

namespace asio = boost::asio;

// The session part of the options, as the session gets it: all of it, with a backoff seed of
// its own unless the user gave one — clients started together (a fleet, CLI processes) must not
// retry on the same schedule after a broker restart.
session_config session_part(const client_options& o) {
  session_config c = o;
  // Per-subscription handlers live until the session says their subscription ended.
  c.report_subscription_ends = true;
  if (!c.backoff.seed) {
    std::random_device rd;
    c.backoff.seed = (std::uint64_t{rd()} << 32) ^ rd();
  }
  return c;
}

std::error_code validate_endpoints(const client_options& o) {
  for (const std::string& e : o.endpoints) {
    endpoint_url url;
    if (std::error_code ec = parse_url(e, url)) return ec;
  }
  return {};
}

}  // namespace

struct client::impl : std::enable_shared_from_this<impl> {
  impl(executor_type e, client_options o)
      : ex(std::move(e)),
        opts(std::move(o)),
        log(opts.log),
        store(opts.store ? *opts.store : own_store, log),
        timer(ex) {
    username = opts.username;
    password = opts.password;
    headers = opts.headers;
    make_session();
  }

  // ---- state -----------------------------------------------------------------------------
  executor_type ex;
  client_options opts;
  // Credentials and headers as before_connect last left them.
  std::optional<std::string> username, password;
  std::vector<string_pair> headers;
  client_log log;          // opts.log's lines
  memory_store own_store;  // survives reconnects and a reconnect after disconnect
  logged_store store;      // opts.store or own_store, its errors logged
  std::unique_ptr<session> s;
  asio::steady_timer timer;
  std::uint64_t timer_seq = 0;
  std::optional<time_point> armed;  // the deadline the pending wait is for
  const std::chrono::steady_clock::time_point origin = std::chrono::steady_clock::now();

  std::shared_ptr<transport> t;
  bool t_open = false, t_closing = false;
  std::uint64_t generation = 0;  // of `t`: callbacks of older transports are ignored
  std::uint32_t attempts = 0;
  transport_stats old_transports;  // counters of transports already gone
  std::uint64_t transports_opened = 0;
  std::vector<std::uint8_t> tx;

  // Pending operations.
  connect_completion connecting;
  std::size_t connect_failures = 0;
  std::unordered_map<operation_id, publish_completion> publishes;
  std::unordered_map<operation_id, subscribe_completion> acks;  // subscribe and unsubscribe
  std::unordered_map<operation_id, request_completion> requests;
  std::vector<disconnect_completion> disconnects;

  // Per-subscription handlers, by subscribe operation, until the session reports that the
  // operation's last filter ended (subscription_ended_event::last).
  std::unordered_map<operation_id, message_handler> subscriptions;

  // Event handlers.
  std::function<void(const connected_event&)> on_connected;
  std::function<void(const disconnected_event&)> on_disconnected;
  std::function<void(const reconnecting_event&)> on_reconnecting;
  std::function<void(const auth_event&)> on_auth;
  message_handler on_message;

  bool driving = false, again = false, dead = false;

  // ---- helpers ---------------------------------------------------------------------------
  time_point now() const {
    return at_ms(std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - origin)
                     .count());
  }

  void make_session() {
    s = std::make_unique<session>(session_part(opts), &store);
  }

  void account(const std::shared_ptr<transport>& x) {
    const transport_stats st = x->stats();
    old_transports.writes += st.writes;
    old_transports.bytes_written += st.bytes_written;
    old_transports.bytes_read += st.bytes_read;
  }

  // ---- the driver rule ---------------------------------------------------------------------
  void drive() {
    if (dead) return;
    if (driving) {
      again = true;  // a handler called us back: the outer loop goes round once more
      return;
    }
    const std::shared_ptr<impl> keep = shared_from_this();  // handlers may destroy the client
    driving = true;
    do {
      again = false;
      pump();
    } while (again && !dead);
    driving = false;
    if (!dead) arm_timer();
  }

  void pump() {
    for (bool progress = true; progress && !dead;) {
      progress = false;
      // All of it before any transport action (session::poll_transmit): a close follows the
      // bytes queued before it.
      for (tx.clear(); s->poll_transmit(tx); tx.clear()) {
        progress = true;
        if (t && t_open) t->write(tx.data(), tx.size());
      }
      while (!dead) {
        std::optional<transport_action> a = s->poll_transport_action();
        if (!a) break;
        progress = true;
        act(*a);
      }
      while (!dead) {
        std::optional<session_event> e = s->poll_event();
        if (!e) break;
        progress = true;
        deliver(std::move(*e));
      }
    }
    if (!dead && s->state() == session_state::closed) settle_closed();
  }

  void arm_timer() {
    const std::optional<time_point> next = s->next_timeout();
    if (!next) {
      // Nothing to wake up for (e.g. the session closed): a wait left pending would keep the
      // user's io_context.run() from returning until it expired.
      if (armed) {
        armed.reset();
        ++timer_seq;
        timer.cancel();
      }
      return;
    }
    if (armed && *armed <= *next) return;  // an earlier wake-up is pending and re-arms then
    armed = next;
    const std::uint64_t seq = ++timer_seq;
    timer.expires_at(origin + std::chrono::milliseconds(next->time_since_epoch().count()));
    timer.async_wait([w = weak_from_this(), seq](boost::system::error_code) {
      std::shared_ptr<impl> self = w.lock();
      if (!self || self->dead || seq != self->timer_seq) return;  // replaced by a new wait
      self->armed.reset();
      self->s->handle_timeout(self->now());
      self->drive();
    });
  }

  // ---- transport ---------------------------------------------------------------------------
  void act(const transport_action& a) {
    if (a.what == transport_action::kind::close) {
      if (t && !t_closing) {
        t_closing = true;
        t->close(opts.close_timeout);
      }
      return;
    }
    drop_transport();
    const std::uint64_t gen = ++generation;

    connect_attempt attempt;
    attempt.endpoint = a.endpoint;
    attempt.attempt = attempts++;
    attempt.username = username;
    attempt.password = password;
    attempt.headers = headers;
    if (opts.before_connect) {
      opts.before_connect(attempt);
      if (dead) return;
      username = std::move(attempt.username);
      password = std::move(attempt.password);
      headers = std::move(attempt.headers);
    }
    std::error_code ec = s->set_credentials(
        username ? std::optional<std::string_view>(*username) : std::nullopt,
        password ? std::optional<std::string_view>(*password) : std::nullopt);

    endpoint_url url;
    if (!ec) ec = parse_url(a.endpoint, url);
    if (!ec) {
      transport_config config;
      config.tls = opts.tls;
      config.headers = headers;
      config.max_message_bytes = opts.max_transmit_bytes;
      t = make_transport(ex, url, config, ec);
    }
    if (ec) {
      // The attempt fails like a failed open: the session moves on (next endpoint, backoff).
      log.not_opened(a.endpoint, ec);
      s->on_transport_closed(ec, now());
      return;
    }
    log.opening(a.endpoint, attempt.attempt);
    transport_handlers h;
    const std::weak_ptr<impl> w = weak_from_this();
    h.on_open = [w, gen] {
      if (std::shared_ptr<impl> self = live(w, gen)) {
        self->t_open = true;
        self->transports_opened++;
        self->log.transport_open();
        self->s->on_transport_open(self->now());
        if (self->s->state() == session_state::awaiting_connack) {
          self->log.connect_sent(self->opts, self->s->client_id());
        }
        self->drive();
      }
    };
    h.on_data = [w, gen](const std::uint8_t* data, std::size_t size) {
      if (std::shared_ptr<impl> self = live(w, gen)) {
        self->s->receive(data, size, self->now());
        self->drive();
      }
    };
    h.on_closed = [w, gen](std::error_code e) {
      if (std::shared_ptr<impl> self = live(w, gen)) {
        self->drop_transport();
        self->log.transport_closed(e);
        self->s->on_transport_closed(e, self->now());
        self->drive();
      }
    };
    t->open(std::move(h));
  }

  static std::shared_ptr<impl> live(const std::weak_ptr<impl>& w, std::uint64_t gen) {
    std::shared_ptr<impl> self = w.lock();
    if (!self || self->dead || self->generation != gen) return nullptr;
    return self;
  }

  // Forgets the current transport. One that is closing finishes its orderly close on its own
  // (its callbacks are stale by then); any other is aborted.
  void drop_transport() {
    if (!t) return;
    account(t);
    if (!t_closing) t->abort();
    t.reset();
    t_open = t_closing = false;
    ++generation;
  }

  // ---- events --------------------------------------------------------------------------------
  void deliver(session_event&& e) {
    std::visit([this](auto&& ev) { on_event(std::move(ev)); }, std::move(e));
  }

  void on_event(connected_event&& e) {
    log.connected(e);
    if (connecting) {
      connect_result r;
      r.connected = e;
      connecting({}, std::move(r));
    }
    if (on_connected) on_connected(e);
  }

  void on_event(disconnected_event&& e) {
    log.disconnected(e);
    if (connecting) {
      ++connect_failures;
      if (!e.will_reconnect || connect_failures >= std::max<std::size_t>(1, opts.endpoints.size())) {
        connect_result r;
        r.reason = e.reason;
        r.reason_string = e.reason_string;
        r.properties = e.properties;
        connecting(e.ec ? e.ec : make_error_code(errc::session_closed), std::move(r));
      }
    }
    if (on_disconnected) on_disconnected(e);
  }

  void on_event(reconnecting_event&& e) {
    log.reconnecting(e);
    if (on_reconnecting) on_reconnecting(e);
  }

  void on_event(auth_event&& e) {
    if (on_auth) on_auth(e);
  }

  void on_event(message_event&& e) {
    if (on_message) {
      message_handler h = on_message;  // the handler may replace itself
      h(e.message);
      if (dead) return;
    }
    // The session names the subscriptions this copy is for (by the Subscription Identifiers
    // it assigns, or by topic matching).
    for (operation_id op : e.subscriptions) {
      auto it = subscriptions.find(op);
      if (it == subscriptions.end()) continue;
      message_handler h = it->second;  // the handler may unsubscribe, or destroy the client
      h(e.message);
      if (dead) return;
    }
  }

  void on_event(operation_event&& e) {
    switch (e.kind) {
      case operation_kind::publish: {
        auto it = publishes.find(e.id);
        if (it == publishes.end()) return;
        publish_completion c = std::move(it->second);
        publishes.erase(it);
        publish_result r;
        if (!e.codes.empty()) r.code = e.codes.front();
        r.reason_string = std::move(e.reason_string);
        r.properties = std::move(e.properties);
        c(e.ec, std::move(r));
        return;
      }
      case operation_kind::subscribe:
      case operation_kind::unsubscribe: {
        log.operation_failed(e);
        auto it = acks.find(e.id);
        if (it == acks.end()) return;
        subscribe_completion c = std::move(it->second);
        acks.erase(it);
        subscribe_result r;
        r.codes = std::move(e.codes);
        r.reason_string = std::move(e.reason_string);
        r.properties = std::move(e.properties);
        c(e.ec, std::move(r));
        return;
      }
      case operation_kind::request: {
        auto it = requests.find(e.id);
        if (it == requests.end()) return;
        request_completion c = std::move(it->second);
        requests.erase(it);
        c(e.ec, std::move(e.response));
        return;
      }
    }
  }

  void on_event(subscription_ended_event&& e) {
    if (e.last) subscriptions.erase(e.subscription);
  }

  // The session has ended: whatever still waits completes now.
  void settle_closed() {
    if (t && !t_closing) return;  // wait for the transport's close
    if (t) return;
    fail_all(make_error_code(errc::session_closed));
    std::vector<disconnect_completion> d = std::move(disconnects);
    disconnects.clear();
    for (disconnect_completion& c : d) c({});
  }

  void fail_all(std::error_code ec) {
    if (connecting) connecting(ec, connect_result{});
    auto p = std::move(publishes);
    publishes.clear();
    for (auto& [id, c] : p) c(ec, publish_result{});
    auto a = std::move(acks);
    acks.clear();
    for (auto& [id, c] : a) c(ec, subscribe_result{});
    auto r = std::move(requests);
    requests.clear();
    for (auto& [id, c] : r) c(ec, message{});
  }

  void shutdown() {
    dead = true;
    if (t) {
      t->abort();
      t.reset();
    }
    timer.cancel();
    on_connected = nullptr;
    on_disconnected = nullptr;
    on_reconnecting = nullptr;
    on_auth = nullptr;
    on_message = nullptr;
    subscriptions.clear();
    opts.before_connect = nullptr;
    opts.log = nullptr;  // nothing more to say, and the hook may capture what is going away
    const std::error_code aborted = std::make_error_code(std::errc::operation_canceled);
    fail_all(aborted);
    for (disconnect_completion& c : disconnects) c(aborted);
    disconnects.clear();
  }
};

// ---- client ---------------------------------------------------------------------------------

client::client(executor_type ex, client_options options)
    : ex_(ex), impl_(std::make_shared<impl>(std::move(ex), std::move(options))) {}

client::~client() { impl_->shutdown(); }

client::executor_type client::get_executor() const { return ex_; }

std::error_code client::validate(const client_options& options) {
  if (std::error_code ec = validate_endpoints(options)) return ec;
  return session::validate(static_cast<const session_config&>(options));
}

void client::on_connected(std::function<void(const connected_event&)> h) {
  impl_->on_connected = std::move(h);
}
void client::on_disconnected(std::function<void(const disconnected_event&)> h) {
  impl_->on_disconnected = std::move(h);
}
void client::on_reconnecting(std::function<void(const reconnecting_event&)> h) {
  impl_->on_reconnecting = std::move(h);
}
void client::on_message(message_handler h) { impl_->on_message = std::move(h); }
void client::on_auth(std::function<void(const auth_event&)> h) { impl_->on_auth = std::move(h); }

void client::start_connect(connect_completion c) {
  impl& d = *impl_;
  if (d.connecting) return c(std::error_code(errc::invalid_state), connect_result{});
  if (std::error_code ec = validate_endpoints(d.opts)) return c(ec, connect_result{});
  if (d.s->state() == session_state::closed && !d.t) {
    // A new session after a disconnect; a persistent one resumes from the store.
    d.make_session();
  }
  if (std::error_code ec = d.s->connect(d.now())) return c(ec, connect_result{});
  d.connecting = std::move(c);
  d.connect_failures = 0;
  d.drive();
}

void client::start_publish(const mqttws::publish& p, publish_completion c) {
  impl& d = *impl_;
  result<operation_id> r = d.s->publish(p, d.now());
  if (!r) return c(r.error(), publish_result{});
  d.publishes.emplace(*r, std::move(c));
  d.drive();
}

void client::start_subscribe(subscription_list subs, const properties& props,
                             message_handler handler, subscribe_completion c) {
  impl& d = *impl_;
  result<operation_id> r = d.s->subscribe(subs, props, d.now());
  if (!r) return c(r.error(), subscribe_result{});
  if (handler) d.subscriptions.emplace(*r, std::move(handler));
  d.acks.emplace(*r, std::move(c));
  d.drive();
}

void client::start_unsubscribe(topic_filter_list filters, const properties& props,
                               subscribe_completion c) {
  impl& d = *impl_;
  result<operation_id> r = d.s->unsubscribe(filters, props, d.now());
  if (!r) return c(r.error(), subscribe_result{});
  d.acks.emplace(*r, std::move(c));
  d.drive();
}

void client::start_request(const mqttws::publish& p, duration timeout, request_completion c) {
  impl& d = *impl_;
  result<operation_id> r = d.s->request(p, timeout, d.now());
  if (!r) return c(r.error(), message{});
  d.requests.emplace(*r, std::move(c));
  d.drive();
}

void client::start_disconnect(reason_code code, const properties& props,
                              std::optional<duration> drain, disconnect_completion c) {
  impl& d = *impl_;
  if (d.s->state() == session_state::closed) {
    if (d.t) {
      d.disconnects.push_back(std::move(c));  // an orderly close still under way
    } else {
      c({});
    }
    return;
  }
  const std::error_code ec = drain ? d.s->disconnect_after_drain(d.now(), *drain, code, props)
                                   : d.s->disconnect(d.now(), code, props);
  if (ec) return c(ec);
  d.log.disconnecting(code);
  d.disconnects.push_back(std::move(c));
  d.drive();
}

std::error_code client::authenticate(reason_code code, const properties& props) {
  impl& d = *impl_;
  std::error_code ec = d.s->authenticate(code, props, d.now());
  if (!ec) d.drive();
  return ec;
}

session_state client::state() const { return impl_->s->state(); }

client_stats client::stats() const {
  const impl& d = *impl_;
  client_stats st;
  st.session = d.s->stats();
  transport_stats t = d.old_transports;
  if (d.t) {
    const transport_stats cur = d.t->stats();
    t.writes += cur.writes;
    t.bytes_written += cur.bytes_written;
  }
  st.transport_writes = t.writes;
  st.transport_bytes_written = t.bytes_written;
  st.transports_opened = d.transports_opened;
  return st;
}

std::string client::client_id() const { return std::string(impl_->s->client_id()); }

}  // namespace mqttws
