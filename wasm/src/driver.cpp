#include "driver.hpp"

#include <algorithm>
#include <deque>
#include <string>
#include <string_view>

#include "events.hpp"
#include "host.hpp"
#include "mqttws/error.hpp"

namespace mqttws::wasm {
namespace {

duration ms(double v) { return duration(static_cast<std::int64_t>(v)); }

}  // namespace

time_point now() { return at_ms(static_cast<std::int64_t>(mqttws_now())); }

driver::~driver() {
  if (timer_armed_) mqttws_timer(this, -1);
  close_socket();
}

double driver::fail(std::error_code ec) {
  out_.clear();
  out_.u8(static_cast<unsigned>(kind::error));
  out_.error(ec);
  mqttws_event(this, out_.data(), out_.size());
  return -1;
}

double driver::done(std::error_code ec) {
  pump();
  return ec ? fail(ec) : 0;
}

double driver::op_result(const result<operation_id>& r) {
  pump();
  return r ? static_cast<double>(*r) : fail(r.error());
}

// Record: version, clientId, clean, keepalive, username?, password?, properties, will?
// (topic, payload, qos, retain, properties), servers, connectTimeout, reconnect,
// initialDelay, maxDelay, multiplier, jitter, seed, maxQueued (npm/src/raw.ts).
double driver::connect(record_reader r) {
  if (session_) return fail(make_error_code(errc::invalid_state));
  // Everything below is copied by the session constructor; the views point into the record.
  session_options so;
  const double version = r.num();
  so.version = version == 5 ? protocol_version::v5
               : version == 3 ? protocol_version::v31 : protocol_version::v311;
  so.client_id = r.str();
  so.clean_start = r.u8() != 0;
  so.keep_alive = static_cast<std::uint16_t>(r.num());
  // Each is a flag and a string (empty when the flag is 0).
  const bool has_username = r.u8() != 0;
  const std::string_view username = r.str();
  if (has_username) so.username = username;
  const bool has_password = r.u8() != 0;
  const std::string_view password = r.str();
  if (has_password) so.password = password;
  if (std::error_code ec = r.props(property_context::connect, so.connect_properties)) {
    return fail(ec);
  }
  if (r.u8()) {
    will_message will;
    will.topic = r.str();
    will.payload = r.str();
    will.qos = static_cast<qos>(r.num());
    will.retain = r.u8() != 0;
    if (std::error_code ec = r.props(property_context::will, will.props)) return fail(ec);
    so.will = will;
  }
  std::vector<std::string_view> servers(static_cast<std::size_t>(r.num()));
  for (std::string_view& s : servers) s = r.str();
  so.endpoints.assign(servers.begin(), servers.end());
  so.connect_timeout = ms(r.num());
  so.reconnect = r.u8() != 0;
  so.backoff.initial_delay = ms(r.num());
  so.backoff.max_delay = ms(r.num());
  so.backoff.multiplier = r.num();
  so.backoff.jitter = r.num();
  so.backoff.seed = static_cast<std::uint64_t>(r.num());
  so.max_queued = static_cast<std::size_t>(r.num());

  if (std::error_code ec = session::validate(so)) return fail(ec);
  version_ = so.version;
  session_.emplace(so);
  return done(session_->connect(now()));
}

// Record: topic, payload, qos, retain, properties[, timeout (request)].
double driver::publish(record_reader r, bool request) {
  if (!session_) return fail(make_error_code(errc::invalid_state));
  mqttws::publish pkt;
  pkt.topic = r.str();
  pkt.payload = r.str();
  pkt.qos = static_cast<qos>(r.num());
  pkt.retain = r.u8() != 0;
  if (std::error_code ec = r.props(property_context::publish, pkt.props)) return fail(ec);
  if (request) return op_result(session_->request(pkt, ms(r.num()), now()));
  return op_result(session_->publish(pkt, now()));
}

// Record: count, then per subscription filter, qos, nl, rap, rh; properties.
double driver::subscribe(record_reader r) {
  if (!session_) return fail(make_error_code(errc::invalid_state));
  std::vector<subscription> list(static_cast<std::size_t>(r.num()));
  for (subscription& sub : list) {
    sub.filter = r.str();
    sub.options.max_qos = static_cast<qos>(r.num());
    sub.options.no_local = r.u8() != 0;
    sub.options.retain_as_published = r.u8() != 0;
    sub.options.retain_handling = static_cast<retain_handling>(r.num());
  }
  properties props;
  if (std::error_code ec = r.props(property_context::subscribe, props)) return fail(ec);
  return op_result(session_->subscribe(subscription_list(list), props, now()));
}

// Record: count, the filters, properties.
double driver::unsubscribe(record_reader r) {
  if (!session_) return fail(make_error_code(errc::invalid_state));
  std::vector<std::string_view> filters(static_cast<std::size_t>(r.num()));
  for (std::string_view& f : filters) f = r.str();
  properties props;
  if (std::error_code ec = r.props(property_context::unsubscribe, props)) return fail(ec);
  return op_result(session_->unsubscribe(topic_filter_list(filters), props, now()));
}

// Record: reason code, properties.
double driver::disconnect(record_reader r, bool auth) {
  if (!session_) return fail(make_error_code(errc::invalid_state));
  const auto code = static_cast<reason_code>(r.num());
  properties props;
  if (std::error_code ec =
          r.props(auth ? property_context::auth : property_context::disconnect, props)) {
    return fail(ec);
  }
  return done(auth ? session_->authenticate(code, props, now())
                   : session_->disconnect(now(), code, props));
}

const double* driver::stats() {
  std::fill(std::begin(stats_), std::end(stats_), 0.0);
  stats_[4] = -1;
  if (!session_) return stats_;
  const session_stats s = session_->stats();
  stats_[0] = static_cast<double>(s.state);
  stats_[1] = static_cast<double>(s.inflight_outgoing);
  stats_[2] = static_cast<double>(s.inflight_incoming);
  stats_[3] = static_cast<double>(s.queued);
  if (s.last_ping_rtt) stats_[4] = static_cast<double>(s.last_ping_rtt->count());
  stats_[5] = static_cast<double>(s.reconnect_attempts);
  stats_[6] = static_cast<double>(s.connections);
  stats_[7] = static_cast<double>(s.packets_sent);
  stats_[8] = static_cast<double>(s.packets_received);
  stats_[9] = static_cast<double>(s.bytes_sent);
  stats_[10] = static_cast<double>(s.bytes_received);
  stats_[11] = static_cast<double>(s.messages_sent);
  stats_[12] = static_cast<double>(s.messages_received);
  return stats_;
}

int driver::state() const { return session_ ? static_cast<int>(session_->state()) : 0; }

void driver::client_id() {
  out_.clear();
  out_.u8(static_cast<unsigned>(kind::client_id));
  out_.str(session_ ? session_->client_id() : std::string_view());
  mqttws_event(this, out_.data(), out_.size());
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

void driver::open_socket(std::string_view url, std::error_code& ec) {
  close_socket();
  if (mqttws_open(this, url.data(), url.size()) == 0) {
    ec = make_error_code(socket_errc::invalid_argument);
    return;
  }
  socket_ = true;
}

void driver::close_socket() {
  if (!socket_) return;
  mqttws_close(this);
  socket_ = false;
}

void driver::on_socket_open() {
  if (tap_sent_) {
    tap_sent_->reset(version_);
    tap_received_->reset(version_);
  }
  session_->on_transport_open(now());
  pump();
}

void driver::on_socket_data(const std::uint8_t* data, std::size_t size) {
  if (tap_received_) tap_received_->feed(data, size, this);
  session_->receive(data, size, now());
  pump();
}

void driver::on_socket_closed(bool was_open, int code) {
  socket_ = false;
  std::error_code ec;
  if (!was_open) {
    ec = make_error_code(socket_errc::connection_refused);
  } else if (code != 1000) {
    ec = make_error_code(socket_errc::connection_reset);
  }
  session_->on_transport_closed(ec, now());
  pump();
}

void driver::on_timer() {
  timer_armed_ = false;
  session_->handle_timeout(now());
  pump();
}

void driver::pump() {
  // Socket callbacks and the timer never run inside a call into the driver (JavaScript is
  // single-threaded and they come from the event loop), and events only queue on the
  // JavaScript side: this guard only documents that pump() cannot nest.
  if (pumping_ || !session_) return;
  pumping_ = true;
  for (bool progress = true; progress;) {
    progress = false;
    while (session_->poll_transmit(tx_)) {
      if (socket_) mqttws_send(this, tx_.data(), tx_.size());
      if (tap_sent_ && socket_) tap_sent_->feed(tx_.data(), tx_.size(), this);
      tx_.clear();
      progress = true;
    }
    while (std::optional<transport_action> a = session_->poll_transport_action()) {
      progress = true;
      if (a->what == transport_action::kind::close) {
        // Our own close: the session is told at once; the socket calls back no more.
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
      out_.clear();
      write_event(out_, *e);
      mqttws_event(this, out_.data(), out_.size());
    }
  }
  pumping_ = false;
  arm_timer();
}

void driver::arm_timer() {
  const std::optional<time_point> at = session_->next_timeout();
  if (!at) return;  // a timer already armed fires harmlessly
  // An armed timer that fires no later than needed is kept: an early wake-up is harmless and
  // re-arms for the real deadline, so a busy connection does not reset a timer per message.
  if (timer_armed_ && timer_at_ <= *at) return;
  const double delay = std::max<double>(0, static_cast<double>((*at - now()).count()));
  timer_at_ = *at;
  timer_armed_ = true;
  mqttws_timer(this, delay);
}

}  // namespace mqttws::wasm
