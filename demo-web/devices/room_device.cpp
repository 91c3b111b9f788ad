#include "room_device.hpp"

#include <iostream>
#include <utility>

namespace mqttws::demo {

namespace {

std::chrono::milliseconds between(std::mt19937_64& rng, int lo_ms, int hi_ms) {
  return std::chrono::milliseconds(std::uniform_int_distribution<int>(lo_ms, hi_ms)(rng));
}

}  // namespace

room_device::room_device(boost::asio::any_io_executor ex, const device_settings& settings,
                         std::string room, std::uint64_t seed)
    : settings_(settings),
      room_(std::move(room)),
      rng_(seed),
      model_(room_, rng_),
      client_(ex, options()),
      tick_timer_(ex),
      motion_timer_(ex) {}

std::string room_device::topic(std::string_view leaf) const {
  std::string t = "home/" + room_;
  t += '/';
  t += leaf;
  return t;
}

client_options room_device::options() const {
  client_options o;
  o.endpoints = {settings_.url};
  o.tls = settings_.tls;
  o.client_id = "house-" + room_;
  o.username = settings_.username;
  o.password = settings_.password;
  o.keep_alive = 10;  // a dead broker is noticed within seconds, as a real device would
  o.connect_timeout = std::chrono::seconds(10);
  o.backoff.initial_delay = std::chrono::milliseconds(500);
  o.backoff.max_delay = std::chrono::seconds(5);
  o.backoff.seed = std::random_device{}();  // rooms must not all retry in lockstep
  will_options w;
  w.topic = topic("status");
  w.payload = "offline";
  w.qos = qos::at_least_once;
  w.retain = true;
  w.delay_interval = 0;  // offline the moment the connection is lost
  o.will = std::move(w);
  return o;
}

void room_device::log(const std::string& line) const {
  std::cout << "[" << room_ << "] " << line << std::endl;
}

void room_device::start() {
  client_.on_connected([this](const connected_event&) {
    connected_ = true;
    log("online");
    // Every (re)connection restates the room: a broker that restarted without persistence
    // has lost the retained state, and `online` replaces the Will's `offline`.
    publish_state();
  });
  client_.on_disconnected([this](const disconnected_event& e) {
    connected_ = false;
    if (stopping_) return;
    log("connection lost: " + describe(e.ec, e.reason, e.reason_string) +
        (e.will_reconnect ? " (reconnecting)" : ""));
  });
  client_.async_connect([this](error_code ec, const connect_result& r) {
    // The client keeps trying in the background after a failed first round.
    if (ec) log("cannot connect yet: " + describe(ec, r.reason, r.reason_string));
  });
  // Queued until the first CONNACK; the session resubscribes if the broker lost the session.
  // The filters outlive the call (subscription holds views): async_subscribe copies them.
  const std::string filters[] = {topic("light/set"), topic("thermostat/set"),
                                 topic("thermostat/get")};
  const subscription subs[] = {
      {filters[0], subscribe_options{qos::at_least_once}},
      {filters[1], subscribe_options{qos::at_least_once}},
      {filters[2], subscribe_options{qos::at_least_once}},
  };
  client_.async_subscribe(
      subscription_list(subs), properties{}, [this](const message& m) { on_message(m); },
      [this](error_code ec, const subscribe_result& r) {
        if (ec) return log("subscribe failed: " + describe(ec));
        for (reason_code c : r.codes) {
          if (static_cast<int>(c) >= 0x80) log("a command subscription was refused: " + describe({}, c));
        }
      });
  schedule_tick();
  schedule_motion();
}

void room_device::stop(std::function<void()> done) {
  stopping_ = true;
  tick_timer_.cancel();
  motion_timer_.cancel();
  for (auto& t : pending_) t.cancel();
  client_.async_disconnect(reason_code::disconnect_with_will_message, properties{},
                           [done = std::move(done)](error_code) { done(); });
}

void room_device::publish(std::string_view leaf, std::string payload, qos q, bool retain) {
  std::string t = topic(leaf);
  if (settings_.verbose) log("publish " + t + " " + payload);
  client_.async_publish(t, payload, q, retain, [this, t](error_code ec, const publish_result& r) {
    if (ec && !stopping_) log("publish to " + t + " failed: " + describe(ec, r.code, r.reason_string));
  });
}

void room_device::publish_state() {
  publish("status", "online", qos::at_least_once, true);
  publish("temperature", model_.temperature_payload(), qos::at_most_once, true);
  publish("humidity", model_.humidity_payload(), qos::at_most_once, true);
  publish("light", model_.light_payload(), qos::at_least_once, true);
  publish("thermostat", model_.thermostat_payload(), qos::at_least_once, true);
}

void room_device::on_message(const message& m) {
  const mqttws::publish& p = m.view();
  static const command light{"light", &room_model::apply_light_command,
                             &room_model::light_payload};
  static const command thermostat{"thermostat", &room_model::apply_thermostat_command,
                                  &room_model::thermostat_payload};
  if (p.topic == topic("light/set")) return carry_out(p.payload, light);
  if (p.topic == topic("thermostat/set")) return carry_out(p.payload, thermostat);
  if (p.topic == topic("thermostat/get")) return answer_thermostat_get(m);
}

void room_device::carry_out(std::string_view payload, const command& c) {
  auto& t = pending_.emplace_back(tick_timer_.get_executor());
  t.expires_after(settings_.confirm_delay);  // the time a real device takes to act
  t.async_wait([this, it = std::prev(pending_.end()), &c, cmd = std::string(payload)](
                   error_code ec) {
    pending_.erase(it);
    if (ec || stopping_) return;
    const command_result r = (model_.*c.apply)(cmd);
    if (!r.ok) return log("ignored " + std::string(c.state) + " command '" + cmd + "': " + r.error);
    // The confirmation: the new retained state.
    const std::string state = (model_.*c.state_payload)();
    log(std::string(c.state) + " " + state + " (command '" + cmd + "')");
    publish(c.state, state, qos::at_least_once, true);
  });
}

void room_device::answer_thermostat_get(const message& m) {
  const properties& props = m.view().props;
  if (!props.response_topic) return log("thermostat/get without a Response Topic: ignored");
  mqttws::publish reply;
  reply.topic = *props.response_topic;
  const std::string payload = model_.thermostat_report();
  reply.payload = payload;
  reply.qos = qos::at_least_once;
  reply.props.correlation_data = props.correlation_data;
  reply.props.content_type = "application/json";
  // async_publish copies the packet before returning (callback token).
  client_.async_publish(reply, [this](error_code ec, const publish_result& r) {
    if (ec && !stopping_) log("thermostat reply failed: " + describe(ec, r.code, r.reason_string));
  });
}

void room_device::schedule_tick() {
  tick_timer_.expires_after(between(rng_, 2000, 5000));
  tick_timer_.async_wait([this](error_code ec) {
    if (ec || stopping_) return;
    model_.tick(rng_);
    // Offline readings are not queued: they would arrive stale, and every reconnection
    // restates the room anyway.
    if (connected_) {
      publish("temperature", model_.temperature_payload(), qos::at_most_once, true);
      publish("humidity", model_.humidity_payload(), qos::at_most_once, true);
    }
    schedule_tick();
  });
}

void room_device::schedule_motion() {
  // Motion is rarer than sensor readings, and rarer still in rooms people seldom use.
  const bool busy = room_ == "living_room" || room_ == "kitchen";
  motion_timer_.expires_after(busy ? between(rng_, 8000, 30000) : between(rng_, 20000, 60000));
  motion_timer_.async_wait([this](error_code ec) {
    if (ec || stopping_) return;
    if (connected_) publish("motion", R"({"detected":true})", qos::at_most_once, false);
    schedule_motion();
  });
}

}  // namespace mqttws::demo
