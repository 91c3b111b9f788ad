#include "driver.hpp"

#include <emscripten/eventloop.h>
#include <emscripten/emscripten.h>

#include <cmath>
#include <deque>
#include <string_view>

#include "js_convert.hpp"
#include "js_events.hpp"
#include "mqttws/error.hpp"

namespace mqttws::wasm {
namespace {

bool present(const val& v) { return !v.isUndefined() && !v.isNull(); }

duration ms(const val& v) { return duration(static_cast<std::int64_t>(v.as<double>())); }

}  // namespace

time_point now() { return at_ms(static_cast<std::int64_t>(emscripten_get_now())); }

driver::driver(val websocket_ctor, val on_event)
    : socket_(std::move(websocket_ctor), *this), on_event_(std::move(on_event)) {}

driver::~driver() {
  if (timer_ != 0) emscripten_clear_timeout(timer_);
  // socket_ closes itself (without calling back).
}

val driver::connect(const val& o) {
  if (session_) return to_js(make_error_code(errc::invalid_state));
  // Everything below is copied by the session constructor.
  session_options so;
  const int version = o["protocolVersion"].as<int>();
  so.version = version == 5 ? protocol_version::v5
               : version == 3 ? protocol_version::v31 : protocol_version::v311;
  const std::string client_id = o["clientId"].as<std::string>();
  so.client_id = client_id;
  so.clean_start = o["clean"].as<bool>();
  so.keep_alive = static_cast<std::uint16_t>(o["keepalive"].as<int>());
  std::string username, password;
  if (present(o["username"])) so.username = username = o["username"].as<std::string>();
  if (present(o["password"])) so.password = password = bytes_of(o["password"]);
  const js_properties connect_props(o["properties"]);
  so.connect_properties = connect_props.view();

  val w = o["will"];
  std::string will_topic, will_payload;
  std::optional<js_properties> will_props;
  if (present(w)) {
    will_message will;
    will.topic = will_topic = w["topic"].as<std::string>();
    will.payload = will_payload = bytes_of(w["payload"]);
    will.qos = static_cast<qos>(w["qos"].as<int>());
    will.retain = w["retain"].as<bool>();
    will.props = will_props.emplace(w["properties"]).view();
    so.will = will;
  }

  std::deque<std::string> servers;
  val list = o["servers"];
  const auto n = list["length"].as<unsigned>();
  for (unsigned i = 0; i < n; ++i) servers.push_back(list[i].as<std::string>());
  so.endpoints.assign(servers.begin(), servers.end());

  so.connect_timeout = ms(o["connectTimeout"]);
  so.reconnect = o["reconnect"].as<bool>();
  so.backoff.initial_delay = ms(o["initialDelay"]);
  so.backoff.max_delay = ms(o["maxDelay"]);
  so.backoff.multiplier = o["multiplier"].as<double>();
  so.backoff.jitter = o["jitter"].as<double>();
  so.backoff.seed = static_cast<std::uint64_t>(o["seed"].as<double>());
  so.max_queued = o["maxQueued"].as<std::size_t>();

  if (std::error_code ec = session::validate(so)) return to_js(ec);
  version_ = so.version;
  session_.emplace(so);
  std::error_code ec = session_->connect(now());
  pump();
  return ec ? to_js(ec) : val::null();
}

val driver::op_result(const result<operation_id>& r) {
  pump();
  return r ? val(static_cast<double>(*r)) : to_js(r.error());
}

val driver::publish(const std::string& topic, const val& payload, int q, bool retain,
                    const val& props) {
  if (!session_) return to_js(make_error_code(errc::invalid_state));
  const std::string body = bytes_of(payload);
  const js_properties p(props);
  mqttws::publish pkt;
  pkt.topic = topic;
  pkt.payload = body;
  pkt.qos = static_cast<qos>(q);
  pkt.retain = retain;
  pkt.props = p.view();
  return op_result(session_->publish(pkt, now()));
}

val driver::request(const std::string& topic, const val& payload, int q, bool retain,
                    const val& props, double timeout_ms) {
  if (!session_) return to_js(make_error_code(errc::invalid_state));
  const std::string body = bytes_of(payload);
  const js_properties p(props);
  mqttws::publish pkt;
  pkt.topic = topic;
  pkt.payload = body;
  pkt.qos = static_cast<qos>(q);
  pkt.retain = retain;
  pkt.props = p.view();
  return op_result(
      session_->request(pkt, duration(static_cast<std::int64_t>(timeout_ms)), now()));
}

val driver::subscribe(const val& subs, const val& props) {
  if (!session_) return to_js(make_error_code(errc::invalid_state));
  const auto n = subs["length"].as<unsigned>();
  std::deque<std::string> filters;
  std::vector<subscription> list;
  for (unsigned i = 0; i < n; ++i) {
    val s = subs[i];
    subscription sub;
    sub.filter = filters.emplace_back(s["topic"].as<std::string>());
    sub.options.max_qos = static_cast<qos>(s["qos"].as<int>());
    sub.options.no_local = s["nl"].as<bool>();
    sub.options.retain_as_published = s["rap"].as<bool>();
    sub.options.retain_handling = static_cast<retain_handling>(s["rh"].as<int>());
    list.push_back(sub);
  }
  const js_properties p(props);
  return op_result(session_->subscribe(subscription_list(list), p.view(), now()));
}

val driver::unsubscribe(const val& topics, const val& props) {
  if (!session_) return to_js(make_error_code(errc::invalid_state));
  const auto n = topics["length"].as<unsigned>();
  std::deque<std::string> storage;
  std::vector<std::string_view> filters;
  for (unsigned i = 0; i < n; ++i) filters.push_back(storage.emplace_back(topics[i].as<std::string>()));
  const js_properties p(props);
  return op_result(session_->unsubscribe(topic_filter_list(filters), p.view(), now()));
}

val driver::disconnect(int code, const val& props) {
  if (!session_) return to_js(make_error_code(errc::invalid_state));
  const js_properties p(props);
  std::error_code ec = session_->disconnect(now(), static_cast<reason_code>(code), p.view());
  pump();
  return ec ? to_js(ec) : val::null();
}

val driver::authenticate(int code, const val& props) {
  if (!session_) return to_js(make_error_code(errc::invalid_state));
  const js_properties p(props);
  std::error_code ec = session_->authenticate(static_cast<reason_code>(code), p.view(), now());
  pump();
  return ec ? to_js(ec) : val::null();
}

val driver::stats() const {
  val o = val::object();
  if (!session_) return o;
  const session_stats s = session_->stats();
  o.set("state", static_cast<int>(s.state));
  o.set("inflightOutgoing", static_cast<double>(s.inflight_outgoing));
  o.set("inflightIncoming", static_cast<double>(s.inflight_incoming));
  o.set("queued", static_cast<double>(s.queued));
  if (s.last_ping_rtt) o.set("lastPingRtt", static_cast<double>(s.last_ping_rtt->count()));
  o.set("reconnectAttempts", static_cast<double>(s.reconnect_attempts));
  o.set("connections", static_cast<double>(s.connections));
  o.set("packetsSent", static_cast<double>(s.packets_sent));
  o.set("packetsReceived", static_cast<double>(s.packets_received));
  o.set("bytesSent", static_cast<double>(s.bytes_sent));
  o.set("bytesReceived", static_cast<double>(s.bytes_received));
  o.set("messagesSent", static_cast<double>(s.messages_sent));
  o.set("messagesReceived", static_cast<double>(s.messages_received));
  return o;
}

int driver::state() const { return session_ ? static_cast<int>(session_->state()) : 0; }

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

void driver::on_socket_open() {
  if (tap_sent_) {
    tap_sent_->reset(version_);
    tap_received_->reset(version_);
  }
  session_->on_transport_open(now());
  pump();
}

void driver::on_socket_data(const std::uint8_t* data, std::size_t size) {
  if (tap_received_) tap_received_->feed(data, size, on_event_);
  session_->receive(data, size, now());
  pump();
}

void driver::on_socket_closed(std::error_code ec) {
  session_->on_transport_closed(ec, now());
  pump();
}

void driver::on_timer(void* self) {
  auto& d = *static_cast<driver*>(self);
  d.timer_ = 0;
  d.session_->handle_timeout(now());
  d.pump();
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
      socket_.send(tx_.data(), tx_.size());
      if (tap_sent_ && socket_.is_open()) tap_sent_->feed(tx_.data(), tx_.size(), on_event_);
      tx_.clear();
      progress = true;
    }
    while (std::optional<transport_action> a = session_->poll_transport_action()) {
      progress = true;
      if (a->what == transport_action::kind::close) {
        // Our own close: the session is told at once; the socket calls back no more.
        const bool was_open = socket_.is_open();
        socket_.close();
        if (was_open) session_->on_transport_closed({}, now());
      } else if (std::error_code ec = socket_.open(a->endpoint)) {
        session_->on_transport_closed(ec, now());
      }
    }
    while (std::optional<session_event> e = session_->poll_event()) {
      progress = true;
      on_event_(to_js(*e));
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
  if (timer_ != 0 && timer_at_ <= *at) return;
  if (timer_ != 0) emscripten_clear_timeout(timer_);
  const double delay = std::max<double>(0, static_cast<double>((*at - now()).count()));
  timer_at_ = *at;
  timer_ = emscripten_set_timeout(&driver::on_timer, delay, this);
}

}  // namespace mqttws::wasm
