#include "cli_runner.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <random>

#include "mqttws/error.hpp"

namespace mqttws::cli {
namespace {

std::uint32_t parse_u32(const std::string& s) {
  return static_cast<std::uint32_t>(std::stoul(s));  // validated by parse_args
}

std::string generated_id(const std::string& role) {
  std::random_device rd;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", rd());
  return "mqttws-" + role + "-" + std::to_string(::getpid()) + "-" + buf;
}

// -D connect ... (names and values checked by parse_args).
void apply_connect_property(const property_arg& p, client_options& o) {
  const std::string& n = p.name;
  if (n == "user-property") {
    o.user_properties.emplace_back(p.value, p.value2);
  } else if (n == "session-expiry-interval") {
    o.session_expiry_interval = parse_u32(p.value);
  } else if (n == "receive-maximum") {
    o.receive_maximum = static_cast<std::uint16_t>(parse_u32(p.value));
  } else if (n == "maximum-packet-size") {
    o.maximum_packet_size = parse_u32(p.value);
  } else if (n == "topic-alias-maximum") {
    o.topic_alias_maximum = static_cast<std::uint16_t>(parse_u32(p.value));
  } else if (n == "request-response-information") {
    o.request_response_information = p.value == "1";
  } else if (n == "request-problem-information") {
    o.request_problem_information = p.value == "1";
  }
}

// The properties a will and a PUBLISH both have (those of the message), set on `m`, a
// will_options or a properties (its fields have the same names); false for any other name.
template <class Message>
bool apply_message_property(const property_arg& p, Message& m) {
  const std::string& n = p.name;
  if (n == "content-type") {
    m.content_type = p.value;
  } else if (n == "response-topic") {
    m.response_topic = p.value;
  } else if (n == "correlation-data") {
    m.correlation_data = p.value;
  } else if (n == "message-expiry-interval") {
    m.message_expiry_interval = parse_u32(p.value);
  } else if (n == "payload-format-indicator") {
    m.payload_format_indicator = static_cast<std::uint8_t>(parse_u32(p.value));
  } else {
    return false;
  }
  return true;
}

// -D will ...
void apply_will_property(const property_arg& p, will_options& w) {
  if (apply_message_property(p, w)) return;
  if (p.name == "user-property") {
    w.user_properties.emplace_back(p.value, p.value2);
  } else if (p.name == "will-delay-interval") {
    w.delay_interval = parse_u32(p.value);
  }
}

}  // namespace

std::string reason_text(reason_code code, packet_type packet) {
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned>(code));
  return std::string(to_string(code, packet)) + " (" + hex + ")";
}

std::string failure_text(std::error_code ec, std::optional<reason_code> reason,
                         const std::string& reason_string) {
  std::string out;
  if (ec == errc::connection_refused) {
    out = "connection refused";
  } else if (ec == errc::operation_failed) {
    out = "refused by the broker";
  } else if (ec == errc::server_disconnected) {
    out = "disconnected by the broker";
  } else {
    out = ec.message();
  }
  if (reason) {
    std::string name = reason_text(*reason, packet_type::connack);
    // "not authorized (0x87)": a reason inside a sentence.
    if (!name.empty()) {
      name[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[0])));
    }
    out += ": " + name;
  }
  if (!reason_string.empty()) out += " - " + reason_string;
  return out;
}

std::string connect_failure_text(const connection_args& args, std::error_code ec,
                                 const connect_result& r) {
  if (ec == errc::connection_refused) return failure_text(ec, r.reason, r.reason_string);
  const std::string where =
      args.urls.size() == 1 ? args.urls[0] : std::to_string(args.urls.size()) + " brokers";
  return "cannot connect to " + where + ": " + failure_text(ec, r.reason, r.reason_string);
}

bool usable(const client_options& options) {
  const std::error_code ec = client::validate(options);
  if (!ec) return true;
  std::cerr << "mqttws: " << failure_text(ec) << std::endl;
  return false;
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g s", s);
  return buf;
}

client_options make_client_options(const connection_args& a, const std::string& role) {
  client_options o;
  o.version = a.version;
  o.endpoints = a.urls;
  o.tls.ca_file = a.cafile;
  o.tls.ca_path = a.capath;
  if (a.tls_min) o.tls.min_version = *a.tls_min;
  o.tls.cert_file = a.cert;
  o.tls.key_file = a.key;
  o.tls.insecure = a.insecure;
  o.headers = a.headers;
  o.client_id = a.client_id.empty() ? generated_id(role) : a.client_id;
  o.clean_start = a.clean;
  o.keep_alive = a.keep_alive;
  o.username = a.username;
  o.password = a.password;
  const bool v5 = a.version == protocol_version::v5;
  if (v5) {
    // As mosquitto: -c alone means a session that never expires.
    if (a.session_expiry) {
      o.session_expiry_interval = a.session_expiry;
    } else if (!a.clean) {
      o.session_expiry_interval = 0xFFFFFFFFU;
    }
  }
  if (a.will_topic) {
    will_options w;
    w.topic = *a.will_topic;
    w.payload = a.will_payload;
    w.qos = a.will_qos;
    w.retain = a.will_retain;
    o.will = std::move(w);
  }
  for (const property_arg& p : a.properties) {
    if (p.command == "connect") {
      apply_connect_property(p, o);
    } else if (p.command == "will" && o.will) {
      apply_will_property(p, *o.will);
    }
  }
  // Every wait bounded: an attempt by 30 s, or by -W when shorter (the -W timer ends the run
  // in any case; the session wants at least a second).
  o.connect_timeout = std::chrono::seconds(30);
  if (a.wait_seconds) {
    const auto w =
        std::chrono::duration_cast<duration>(std::chrono::duration<double>(*a.wait_seconds));
    o.connect_timeout = std::clamp<duration>(w, std::chrono::seconds(1), o.connect_timeout);
  }
  o.close_timeout = std::chrono::seconds(2);
  return o;
}

properties packet_properties(const connection_args& a, const std::string& packet,
                             std::vector<user_property>& user_storage) {
  properties props;
  user_storage.clear();
  for (const property_arg& p : a.properties) {
    if (p.command != packet || apply_message_property(p, props)) continue;
    if (p.name == "user-property") user_storage.push_back({p.value, p.value2});
  }
  props.user_properties = user_property_list(user_storage.data(), user_storage.size());
  return props;
}

runner::runner(const connection_args& args)
    : args_(args), deadline_(io_), hard_stop_(io_), signals_(io_, SIGINT, SIGTERM) {
  signals_.async_wait([this](const boost::system::error_code& ec, int) {
    if (ec) return;
    if (on_signal_) on_signal_();
    else finish(exit_failure, "interrupted");
  });
}

client& runner::add_client(client_options options) {
  clients_.push_back(std::make_unique<client>(io_.get_executor(), std::move(options)));
  return *clients_.back();
}

void runner::start_deadline() {
  if (!args_.wait_seconds) return;
  deadline_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(*args_.wait_seconds)));
  deadline_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || finishing_) return;
    if (on_deadline_) on_deadline_();
    else finish(exit_failure, "timed out after " + seconds_text(*args_.wait_seconds));
  });
}

void runner::finish(int code, const std::string& message) {
  if (finishing_) return;
  finishing_ = true;
  code_ = code;
  if (!message.empty()) std::cerr << "mqttws: " << message << std::endl;
  deadline_.cancel();
  signals_.cancel();
  // However the disconnects go, the run ends soon: a success leaves time for an orderly close
  // (QoS 0 messages still being written), a failure only for a DISCONNECT to go out.
  hard_stop_.expires_after(std::chrono::milliseconds(code == exit_ok ? 2500 : 500));
  hard_stop_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) io_.stop();
  });
  pending_disconnects_ = clients_.size();
  if (pending_disconnects_ == 0) {
    io_.stop();
    return;
  }
  for (auto& c : clients_) {
    c->async_disconnect([this](std::error_code) {
      if (--pending_disconnects_ == 0) io_.stop();
    });
  }
}

int runner::run() {
  io_.run();
  return code_;
}

client_options reconnecting_client_options(const connection_args& args, const std::string& role) {
  client_options o = make_client_options(args, role);
  o.reconnect = true;
  return o;
}

reconnecting_client::reconnecting_client(runner& r, const std::string& role)
    : run_(r), client_(r.add_client(reconnecting_client_options(r.args(), role))) {
  run_.watch_events(client_, role, [this](const disconnected_event& e) {
    if (connected_ && !e.will_reconnect) {
      run_.finish(exit_failure,
                  "connection lost: " + failure_text(e.ec, e.reason, e.reason_string));
    }
  });
}

void reconnecting_client::connect(std::function<void()> on_connected) {
  client_.async_connect([this, on_connected = std::move(on_connected)](
                            std::error_code ec, const connect_result& r) {
    if (ec) return run_.finish(exit_failure, connect_failure_text(run_.args(), ec, r));
    connected_ = true;
    on_connected();
  });
}

void runner::watch_events(client& c, const std::string& name,
                          std::function<void(const disconnected_event&)> on_lost) {
  const bool debug = args_.debug;
  c.on_disconnected([name, debug, on_lost](const disconnected_event& e) {
    if (debug) {
      std::cerr << "mqttws: " << name << " disconnected"
                << (e.ec ? ": " + failure_text(e.ec, e.reason, e.reason_string) : std::string())
                << (e.will_reconnect ? " (will reconnect)" : "") << std::endl;
    }
    if (on_lost) on_lost(e);
  });
  if (!debug) return;
  c.on_connected([name](const connected_event& e) {
    std::cerr << "mqttws: " << name << " connected (session present: "
              << (e.session_present ? "yes" : "no") << ")" << std::endl;
  });
  c.on_reconnecting([name](const reconnecting_event& e) {
    std::cerr << "mqttws: " << name << " reconnecting to " << e.endpoint << " (attempt "
              << e.attempt << ", in "
              << std::chrono::duration_cast<std::chrono::milliseconds>(e.delay).count()
              << " ms)" << std::endl;
  });
}

}  // namespace mqttws::cli
