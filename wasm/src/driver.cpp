#include "driver.hpp"

#include <emscripten/emscripten.h>

#include <algorithm>
#include <cstring>
#include <string_view>
#include <variant>

#include "js_object.hpp"
#include "js_output.hpp"
#include "mqttws/error.hpp"

namespace mqttws::wasm {
namespace {

using emscripten::typed_memory_view;
using emscripten::val;

duration ms(double v) { return duration(static_cast<std::int64_t>(v)); }

/// Coalesced bytes are sent at once beyond this (16 of the session's pieces of 4 KiB), so a
/// burst is not held in memory whole and a cut connection loses a bounded amount.
constexpr std::size_t max_coalesced = 64 * 1024;
/// A staging buffer grown beyond this for one large payload is freed after use; up to it the
/// buffer is kept (and the host may keep its view).
constexpr std::size_t max_kept_stage = 64 * 1024;

/// Coalescing capacity kept between bursts.
constexpr std::size_t max_kept_tx = 8 * 1024;
/// Received bytes are fed to the session at most this many at a time (socket_data()).
constexpr std::size_t max_receive_step = 2048;

/// A publish completion that carries nothing but its id and one reason code.
bool plain_completion(const operation_event& e) {
  return e.kind == operation_kind::publish && !e.ec && e.codes.size() <= 1 &&
         e.reason_string.empty() && e.properties.bytes().size() <= 1 && e.response.empty();
}

input_error invalid_options(const char* what) {
  return {make_error_code(errc::invalid_options), what};
}

/// A string (UTF-8) or bytes (Uint8Array) into `out`; false for other types.
bool text(const val& v, std::string& out) {
  if (!v.isString() && !v.instanceof(val::global("Uint8Array"))) return false;
  out = v.as<std::string>();
  return true;
}

/// The will of the connect options into `w`.
input_error read_will(const val& v, protocol_version version, will_options& w) {
  double x = 0;
  if (!text(v["topic"], w.topic)) return invalid_options("will.topic");
  if (!text(v["payload"], w.payload)) return invalid_options("will.payload");
  if (!js_input::number(v["qos"], x) || x < 0 || x > 2) return invalid_options("will.qos");
  w.qos = static_cast<qos>(x);
  w.retain = v["retain"].isTrue();
  js_input in;  // the views of the properties, until they are copied into `w`
  properties props;
  if (input_error e = in.properties(v["properties"], props)) return e;
  if (std::error_code ec = set_will_properties(props, version, w)) return {ec, "will.properties"};
  return {};
}

/// The CONNECT fields of the connect options (driver.hpp) into `c`.
input_error read_connect(const val& o, session_config& c) {
  double x = 0;
  if (!js_input::number(o["protocolVersion"], x)) return invalid_options("protocolVersion");
  c.version = x == 5 ? protocol_version::v5 : x == 3 ? protocol_version::v31
                                                     : protocol_version::v311;
  if (!text(o["clientId"], c.client_id)) return invalid_options("clientId");
  c.clean_start = o["clean"].isTrue();
  if (!js_input::number(o["keepalive"], x) || x < 0 || x > 65535) {
    return invalid_options("keepalive");
  }
  c.keep_alive = static_cast<std::uint16_t>(x);
  if (const val u = o["username"]; !u.isUndefined()) {
    if (!text(u, c.username.emplace())) return invalid_options("username");
  }
  if (const val p = o["password"]; !p.isUndefined()) {
    if (!text(p, c.password.emplace())) return invalid_options("password");
  }
  js_input in;  // the views of the properties, until they are copied into `c`
  properties props;
  if (input_error e = in.properties(o["properties"], props)) return e;
  if (std::error_code ec = set_connect_properties(props, c)) return {ec, "properties"};
  if (const val w = o["will"]; !w.isUndefined()) {
    if (input_error e = read_will(w, c.version, c.will.emplace())) return e;
  }
  return {};
}

/// The connect options (driver.hpp) into `c`, which the session then keeps as it is.
input_error read_options(const val& o, session_config& c) {
  if (input_error e = read_connect(o, c)) return e;
  const val servers = o["servers"];
  if (!servers.isArray()) return invalid_options("servers");
  const auto n = servers["length"].as<unsigned>();
  c.endpoints.resize(n);
  for (unsigned i = 0; i < n; ++i) {
    if (!text(servers[i], c.endpoints[i])) return invalid_options("servers");
  }
  c.reconnect = o["reconnect"].isTrue();
  c.reconnect_after_refusal = o["reconnectAfterRefusal"].isTrue();
  // The numeric options, checked in this order, each a number; all but the two backoff
  // factors not negative.
  enum : std::size_t {
    connect_timeout, initial_delay, max_delay, multiplier, jitter, seed, max_queued,
    max_queued_bytes, ping_timeout, count
  };
  static constexpr const char* names[count] = {
      "connectTimeout", "initialDelay", "maxDelay", "multiplier", "jitter", "seed",
      "maxQueued", "maxQueuedBytes", "pingTimeout"};
  double v[count];
  for (std::size_t i = 0; i < count; ++i) {
    if (!js_input::number(o[names[i]], v[i]) || (i != multiplier && i != jitter && v[i] < 0)) {
      return invalid_options(names[i]);
    }
  }
  c.connect_timeout = ms(v[connect_timeout]);
  c.backoff.initial_delay = ms(v[initial_delay]);
  c.backoff.max_delay = ms(v[max_delay]);
  c.backoff.multiplier = v[multiplier];
  c.backoff.jitter = v[jitter];
  c.backoff.seed = static_cast<std::uint64_t>(v[seed]);
  c.max_queued = static_cast<std::size_t>(v[max_queued]);
  c.max_queued_bytes = static_cast<std::size_t>(v[max_queued_bytes]);
  c.ping_timeout = ms(v[ping_timeout]);
  c.queue_qos0_offline = o["queueQoSZero"].isTrue();
  c.auto_topic_alias = o["autoTopicAlias"].isTrue();
  return {};
}

}  // namespace

time_point now() { return at_ms(static_cast<std::int64_t>(emscripten_get_now())); }

driver::driver(val host) : host_(std::move(host)) {}

driver::~driver() {
  if (timer_armed_) host_.call<void>("timer", -1);
  close_socket();
}

// ---- commands -----------------------------------------------------------------------------

val driver::refused(std::error_code ec, std::string_view what) { return error_to_js(ec, what); }

val driver::done(std::error_code ec) {
  pump();
  return ec ? refused(ec) : val(0);
}

val driver::op_result(const result<operation_id>& r) {
  pump();
  return r ? val(static_cast<double>(*r)) : refused(r.error());
}

val driver::connect(const val& options) {
  if (session_) return refused(make_error_code(errc::invalid_state));
  session_config config;
  if (input_error e = read_options(options, config)) return refused(e.ec, e.what);
  if (std::error_code ec = session::validate(config)) return refused(ec);
  config.report_subscription_ends = true;  // per-subscription handlers live as long as these
  version_ = config.version;
  if (const val store = options["store"]; !store.isUndefined()) store_.emplace(store);
  session_.emplace(std::move(config), store_ ? &*store_ : nullptr);
  return done(session_->connect(now()));
}

val driver::publish(const std::string& topic, std::size_t size, int qos, bool retain,
                    const val& properties) {
  js_input in;
  mqttws::publish p;
  if (input_error e = staged_publish(topic, size, qos, retain, properties, in, p)) {
    return refused(e.ec, e.what);
  }
  val r = op_result(session_->publish(p, now()));
  release_stage();
  return r;
}

val driver::request(const std::string& topic, std::size_t size, int qos, bool retain,
                    const val& properties, double timeout_ms) {
  js_input in;
  mqttws::publish p;
  if (input_error e = staged_publish(topic, size, qos, retain, properties, in, p)) {
    return refused(e.ec, e.what);
  }
  val r = op_result(session_->request(p, ms(timeout_ms), now()));
  release_stage();
  return r;
}

input_error driver::staged_publish(const std::string& topic, std::size_t size, int qos,
                                   bool retain, const val& properties, js_input& in,
                                   mqttws::publish& out) const {
  if (!session_) return {make_error_code(errc::invalid_state), {}};
  if (size > stage_capacity_) return {make_error_code(errc::invalid_options), "payload"};
  if (qos < 0 || qos > 2) return {make_error_code(errc::invalid_qos), {}};
  out.topic = topic;
  out.payload = std::string_view(reinterpret_cast<const char*>(stage_.get()), size);
  out.qos = static_cast<mqttws::qos>(qos);
  out.retain = retain;
  return in.properties(properties, out.props);
}

val driver::subscribe(const val& subscriptions, const val& properties) {
  if (!session_) return refused(make_error_code(errc::invalid_state));
  const auto invalid = [this] {
    return refused(make_error_code(errc::invalid_options), "subscriptions");
  };
  if (!subscriptions.isArray()) return invalid();
  js_input in;
  std::vector<subscription> list(subscriptions["length"].as<unsigned>());
  for (std::size_t i = 0; i < list.size(); ++i) {
    const val s = subscriptions[i];
    subscription& sub = list[i];
    double q = 0, rh = 0;
    if (!in.bytes(s["topic"], sub.filter) || !js_input::number(s["qos"], q) || q < 0 ||
        q > 2 || !js_input::number(s["rh"], rh) || rh < 0 || rh > 2) {
      return invalid();
    }
    sub.options.max_qos = static_cast<qos>(q);
    sub.options.no_local = s["nl"].isTrue();
    sub.options.retain_as_published = s["rap"].isTrue();
    sub.options.retain_handling = static_cast<retain_handling>(rh);
  }
  mqttws::properties props;
  if (input_error e = in.properties(properties, props)) return refused(e.ec, e.what);
  return op_result(session_->subscribe(subscription_list(list), props, now()));
}

val driver::unsubscribe(const val& topics, const val& properties) {
  if (!session_) return refused(make_error_code(errc::invalid_state));
  if (!topics.isArray()) return refused(make_error_code(errc::invalid_options), "topics");
  js_input in;
  std::vector<std::string_view> filters(topics["length"].as<unsigned>());
  for (std::size_t i = 0; i < filters.size(); ++i) {
    if (!in.bytes(topics[i], filters[i])) {
      return refused(make_error_code(errc::invalid_options), "topics");
    }
  }
  mqttws::properties props;
  if (input_error e = in.properties(properties, props)) return refused(e.ec, e.what);
  return op_result(session_->unsubscribe(topic_filter_list(filters), props, now()));
}

val driver::disconnect(int code, const val& properties, double drain_ms) {
  if (!session_) return refused(make_error_code(errc::invalid_state));
  js_input in;
  mqttws::properties props;
  if (input_error e = in.properties(properties, props)) return refused(e.ec, e.what);
  const auto c = static_cast<reason_code>(code);
  if (!(drain_ms >= 0)) return done(session_->disconnect(now(), c, props));
  // Clamped: a huge bound (Infinity) means "wait for the acknowledgements", not overflow.
  return done(session_->disconnect_after_drain(now(), ms(std::min(drain_ms, 1e15)), c, props));
}

val driver::authenticate(int code, const val& properties) {
  if (!session_) return refused(make_error_code(errc::invalid_state));
  js_input in;
  mqttws::properties props;
  if (input_error e = in.properties(properties, props)) return refused(e.ec, e.what);
  return done(session_->authenticate(static_cast<reason_code>(code), props, now()));
}

val driver::reconnect() {
  if (!session_) return refused(make_error_code(errc::invalid_state));
  return done(session_->reconnect(now()));
}

val driver::ping() {
  if (!session_) return refused(make_error_code(errc::invalid_state));
  return done(session_->ping(now()));
}

val driver::cancel(double id) {
  if (!session_) return refused(make_error_code(errc::invalid_state));
  return done(session_->cancel(static_cast<operation_id>(id), now()));
}

val driver::set_credentials(const val& username, const val& password) {
  if (!session_) return refused(make_error_code(errc::invalid_state));
  js_input in;
  std::optional<std::string_view> user, pass;
  std::string_view s;
  if (!username.isUndefined()) {
    if (!in.bytes(username, s)) return refused(make_error_code(errc::invalid_options), "username");
    user = s;
  }
  if (!password.isUndefined()) {
    if (!in.bytes(password, s)) return refused(make_error_code(errc::invalid_options), "password");
    pass = s;
  }
  return done(session_->set_credentials(user, pass));
}

val driver::stage(std::size_t size) {
  if (size > stage_capacity_ || stage_capacity_ == 0) {
    // Grown geometrically up to max_kept_stage, so a host keeping the view rarely asks again;
    // beyond it, exactly what is needed (freed after use).
    std::size_t capacity = size;
    if (size <= max_kept_stage) {
      capacity = std::min(max_kept_stage, std::max({size, 2 * stage_capacity_, std::size_t{1024}}));
    }
    stage_.reset(new std::uint8_t[capacity]);
    stage_capacity_ = capacity;
  }
  return val(typed_memory_view(stage_capacity_, stage_.get()));
}

void driver::release_stage() {
  if (stage_capacity_ <= max_kept_stage) return;
  stage_.reset();
  stage_capacity_ = 0;
}

// ---- state --------------------------------------------------------------------------------

val driver::stats() const {
  const session_stats s = session_ ? session_->stats() : session_stats{};
  js_object o;
  o.set("inflight", static_cast<double>(s.inflight_outgoing));
  o.set("inflightIncoming", static_cast<double>(s.inflight_incoming));
  o.set("queued", static_cast<double>(s.queued));
  o.set("queuedBytes", static_cast<double>(s.queued_bytes));
  if (s.last_ping_rtt) o.set("lastPingRtt", static_cast<double>(s.last_ping_rtt->count()));
  o.set("reconnectAttempts", static_cast<double>(s.reconnect_attempts));
  o.set("connections", static_cast<double>(s.connections));
  o.set("packetsSent", static_cast<double>(s.packets_sent));
  o.set("packetsReceived", static_cast<double>(s.packets_received));
  o.set("bytesSent", static_cast<double>(s.bytes_sent));
  o.set("bytesReceived", static_cast<double>(s.bytes_received));
  o.set("messagesSent", static_cast<double>(s.messages_sent));
  o.set("messagesReceived", static_cast<double>(s.messages_received));
  return o.value();
}

session_state driver::state() const { return session_ ? session_->state() : session_state::idle; }

std::string driver::client_id() const {
  return session_ ? std::string(session_->client_id()) : std::string();
}

void driver::set_packet_tap(bool on) {
  if (on && !tap_sent_) {
    tap_sent_.emplace(true);
    tap_received_.emplace(false);
    tap_sent_->reset(version_);
    tap_received_->reset(version_);
  } else if (!on) {
    tap_sent_.reset();
    tap_received_.reset();
  }
}

// ---- the socket ---------------------------------------------------------------------------

void driver::open_socket(std::string_view url, std::error_code& ec) {
  close_socket();
  if (!host_.call<bool>("open", std::string(url))) {
    ec = make_error_code(socket_errc::invalid_argument);
    return;
  }
  socket_ = true;
}

void driver::close_socket() {
  tx_.clear();  // bytes for this connection only
  if (!socket_) return;
  host_.call<void>("close");
  socket_ = false;
}

void driver::socket_open() {
  if (!session_) return;
  if (tap_sent_) {
    tap_sent_->reset(version_);
    tap_received_->reset(version_);
  }
  session_->on_transport_open(now());
  pump();
}

void driver::socket_data(std::size_t size) {
  if (!session_ || size > stage_capacity_) return;
  if (tap_received_) {
    tap_received_->feed(stage_.get(), size);
    drain_tap(*tap_received_);
  }
  // In steps, each one's events handed over before the next: a WebSocket message full of
  // small packets (a burst of retained messages) would otherwise queue thousands of events
  // of ~0.5 KB at once, and wasm memory, once grown, never shrinks.
  for (std::size_t at = 0; at < size && session_; at += max_receive_step) {
    session_->receive(stage_.get() + at, std::min(max_receive_step, size - at), now());
    pump();
  }
  release_stage();
}

void driver::socket_closed(bool was_open, int code) {
  if (!session_) return;
  socket_ = false;
  tx_.clear();
  std::error_code ec;
  if (!was_open) {
    ec = make_error_code(socket_errc::connection_refused);
  } else if (code != 1000) {
    ec = make_error_code(socket_errc::connection_reset);
  }
  session_->on_transport_closed(ec, now());
  pump();
}

void driver::network_down() {
  if (!session_) return;
  const bool had_socket = socket_;
  close_socket();
  // Only a connection (or an attempt) under way is lost; while waiting to reconnect the
  // backoff goes on (attempts fail until the network is back and reconnect() is called).
  if (had_socket) session_->on_transport_closed(make_error_code(socket_errc::network_down), now());
  pump();
}

void driver::timer() {
  timer_armed_ = false;
  if (!session_) return;
  session_->handle_timeout(now());
  pump();
}

void driver::flush() {
  flush_scheduled_ = false;
  send_pending();
  deliver_completions();
}

// ---- the driver rule ------------------------------------------------------------------------

void driver::pump() {
  // Socket callbacks and the timer never run inside a call into the driver (JavaScript is
  // single-threaded and they come from the event loop), and the host only queues what it is
  // given: this guard only documents that pump() cannot nest.
  if (pumping_ || !session_) return;
  pumping_ = true;
  for (bool progress = true; progress;) {
    progress = false;
    while (session_->poll_transmit(tx_)) {
      progress = true;
      if (tx_.size() >= max_coalesced) send_pending();
    }
    if (!socket_) tx_.clear();
    if (!tx_.empty()) schedule_flush();
    while (std::optional<transport_action> a = session_->poll_transport_action()) {
      progress = true;
      if (a->what == transport_action::kind::close) {
        // Our own close: what was queued before it goes first (a DISCONNECT), then the
        // session is told at once; the socket calls back no more.
        send_pending();
        deliver_completions();
        const bool was_open = socket_;
        close_socket();
        if (was_open) session_->on_transport_closed({}, now());
      } else {
        std::error_code ec;
        open_socket(a->endpoint, ec);
        if (ec) session_->on_transport_closed(ec, now());
      }
    }
    while (std::optional<session_event> e = session_->poll_event()) {
      progress = true;
      deliver(*e);
    }
  }
  pumping_ = false;
  arm_timer();
}

void driver::send_pending() {
  if (tx_.empty()) return;
  if (socket_) {
    host_.call<void>("send", val(typed_memory_view(tx_.size(), tx_.data())));
    if (tap_sent_) {
      tap_sent_->feed(tx_.data(), tx_.size());
      drain_tap(*tap_sent_);
    }
  }
  tx_.clear();
  // A burst grew it up to max_coalesced: not kept per idle client (wasm memory only grows).
  if (tx_.capacity() > max_kept_tx) tx_.shrink_to_fit();
}

void driver::schedule_flush() {
  if (flush_scheduled_) return;
  flush_scheduled_ = true;
  host_.call<void>("schedule");
}

void driver::deliver_completions() {
  if (done_ids_.empty()) return;
  host_.call<void>("completed", val(typed_memory_view(done_ids_.size(), done_ids_.data())),
                   val(typed_memory_view(done_codes_.size(), done_codes_.data())));
  done_ids_.clear();
  done_codes_.clear();
}

void driver::deliver(const val& e) {
  deliver_completions();
  host_.call<void>("event", e);
}

void driver::deliver(const session_event& e) {
  if (const auto* op = std::get_if<operation_event>(&e); op && plain_completion(*op)) {
    done_ids_.push_back(static_cast<double>(op->id));
    done_codes_.push_back(op->codes.empty() ? 0 : static_cast<std::uint8_t>(op->codes[0]));
    schedule_flush();
    return;
  }
  if (const auto* m = std::get_if<message_event>(&e)) {
    deliver_completions();
    const mqttws::publish& p = m->message.view();
    subscriptions_.assign(m->subscriptions.begin(), m->subscriptions.end());
    host_.call<void>(
        "message", std::string(p.topic),
        val(typed_memory_view(p.payload.size(), reinterpret_cast<const std::uint8_t*>(
                                                    p.payload.data()))),
        static_cast<int>(p.qos), p.retain, p.dup, static_cast<int>(p.packet_id),
        p.props.empty() ? val::undefined() : properties_to_js(p.props),
        val(typed_memory_view(subscriptions_.size(), subscriptions_.data())));
    return;
  }
  deliver(event_to_js(e));
}

void driver::drain_tap(packet_tap& tap) {
  for (val e = val::undefined(); tap.next(e);) deliver(e);
}

void driver::arm_timer() {
  const std::optional<time_point> at = session_->next_timeout();
  if (!at) {
    // Nothing to wait for (the session closed, or keep alive off and nothing pending): an
    // armed timer is cancelled, or it would keep a Node process alive for nothing.
    if (timer_armed_) host_.call<void>("timer", -1);
    timer_armed_ = false;
    return;
  }
  // An armed timer that fires no later than needed is kept: an early wake-up is harmless and
  // re-arms for the real deadline, so a busy connection does not reset a timer per message.
  if (timer_armed_ && timer_at_ <= *at) return;
  const double delay = std::max<double>(0, static_cast<double>((*at - now()).count()));
  timer_at_ = *at;
  timer_armed_ = true;
  host_.call<void>("timer", delay);
}

}  // namespace mqttws::wasm
