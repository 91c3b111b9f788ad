// libFuzzer target for the session: a connected mqttws::session on a virtual clock, driven by
// a broker whose every move the fuzzer chooses — valid packets with identifiers the session
// uses, mutated packets, raw bytes, cuts and reconnections, time passing — while the
// application publishes and subscribes.
//
// Input: a sequence of one-byte commands, each followed by the bytes it consumes (see run()).
// Beyond "no crash, no hang" (ASan/UBSan, bounded loops), the invariants checked are:
//   - every operation completes exactly once (and all of them once the session is ended);
//   - no packet identifier is used by two open publishes: a first transmission (DUP 0) never
//     carries an identifier still held by another publish that has not completed;
//   - a resend (DUP 1) carries the identifier of its first transmission;
//   - an incoming QoS 2 message is delivered at most once.
// A violation aborts with a description.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "mqttws/codec.hpp"
#include "mqttws/session.hpp"
#include "mqttws/stream_decoder.hpp"

namespace {

using namespace mqttws;

[[noreturn]] void violation(const std::string& what) {
  std::fprintf(stderr, "session invariant broken: %s\n", what.c_str());
  std::abort();
}

class input {
 public:
  input(const std::uint8_t* d, std::size_t n) : d_(d), n_(n) {}
  bool done() const { return i_ >= n_; }
  std::uint8_t byte() { return i_ < n_ ? d_[i_++] : 0; }
  std::uint16_t u16() { return static_cast<std::uint16_t>(byte() << 8 | byte()); }
  std::vector<std::uint8_t> bytes(std::size_t n) {
    std::vector<std::uint8_t> out;
    while (n-- > 0 && !done()) out.push_back(byte());
    return out;
  }

 private:
  const std::uint8_t* d_;
  std::size_t n_;
  std::size_t i_ = 0;
};

class world {
 public:
  explicit world(protocol_version v) : v_(v), s_(options(v)), tap_(v) {}

  void run(input& in) {
    if (s_.connect(now_)) return;
    for (int steps = 0; !in.done() && steps < 4000; ++steps) {
      switch (in.byte() % 12) {
        case 0: publish(in); break;
        case 1: subscribe(in); break;
        case 2: ack(in, packet_type::puback); break;
        case 3: ack(in, packet_type::pubrec); break;
        case 4: ack(in, packet_type::pubcomp); break;
        case 5: incoming(in); break;
        case 6: incoming_pubrel(in); break;
        case 7: suback(in); break;
        case 8: raw(in); break;
        case 9: mutated(in); break;
        case 10: advance(in); break;
        case 11: cut(in); break;
      }
      pump();
    }
    // The end: every operation still open must complete, once.
    (void)s_.disconnect(now_);
    pump();
    if (open_) s_.on_transport_closed({}, now_);
    open_ = false;
    pump();
    if (!ops_.empty()) violation(std::to_string(ops_.size()) + " operations never completed");
  }

 private:
  static session_options options(protocol_version v) {
    session_options o;
    o.version = v;
    o.client_id = "fuzz";
    o.endpoints = {"ws://fuzz"};
    o.keep_alive = 30;
    o.clean_start = true;
    if (v == protocol_version::v5) {
      o.connect_properties.session_expiry_interval = 600;
      o.connect_properties.receive_maximum = 8;
      o.connect_properties.topic_alias_maximum = 4;
    } else {
      o.clean_start = false;
    }
    o.max_queued = 64;
    o.backoff.seed = 1;
    return o;
  }

  // ---- the application ------------------------------------------------------------------
  void publish(input& in) {
    const auto q = static_cast<qos>(in.byte() % 3);
    mqttws::publish p;
    p.topic = (in.byte() & 1) ? "a/b" : "c";
    const std::string payload = "op" + std::to_string(next_op_guess_);
    p.payload = payload;
    p.qos = q;
    result<operation_id> r = s_.publish(p, now_);
    if (!r) return;
    if (*r != next_op_guess_) violation("operation ids are not sequential");
    open_op(*r, true);
  }

  void subscribe(input& in) {
    const std::string filter = (in.byte() & 1) ? "a/#" : "+";
    const subscription sub{filter, subscribe_options{static_cast<qos>(in.byte() % 3)}};
    result<operation_id> r = s_.subscribe(subscription_list(&sub, 1), {}, now_);
    if (r) open_op(*r, false);
  }

  void open_op(operation_id op, bool is_publish) {
    if (!ops_.insert(op).second) violation("operation id " + std::to_string(op) + " reused");
    if (is_publish) publishes_.insert(op);
    next_op_guess_ = op + 1;
  }

  // ---- the broker -------------------------------------------------------------------------
  // An identifier the session uses now, or any.
  std::uint16_t some_id(input& in) {
    const std::uint8_t pick = in.byte();
    if (!held_.empty() && pick < 200) {
      auto it = held_.begin();
      std::advance(it, pick % held_.size());
      return it->first;
    }
    return static_cast<std::uint16_t>(1 + in.u16() % 65535);
  }

  template <class P>
  void send(const P& p) {
    std::vector<std::uint8_t> bytes;
    if (encode(p, v_, bytes)) return;
    feed(bytes);
  }

  void feed(const std::vector<std::uint8_t>& bytes) {
    if (open_ && !bytes.empty()) s_.receive(bytes.data(), bytes.size(), now_);
  }

  void ack(input& in, packet_type t) {
    const std::uint16_t id = some_id(in);
    const auto code = static_cast<reason_code>((in.byte() & 0x80) ? 0x80 : 0x00);
    if (t == packet_type::puback) send(puback{id, code, {}});
    else if (t == packet_type::pubrec) send(pubrec{id, code, {}});
    else send(pubcomp{id, reason_code::success, {}});
  }

  void incoming(input& in) {
    mqttws::publish p;
    p.topic = "a/b";
    p.qos = static_cast<qos>(in.byte() % 3);
    p.packet_id = p.qos == qos::at_most_once ? 0 : static_cast<std::uint16_t>(1 + in.byte() % 16);
    p.dup = p.qos != qos::at_most_once && (in.byte() & 1);
    // A QoS 2 message is a new one unless the broker resends it (DUP) before PUBREL.
    std::string payload;
    if (p.qos == qos::exactly_once) {
      auto it = broker_qos2_.find(p.packet_id);
      if (p.dup && it != broker_qos2_.end()) {
        payload = it->second;
      } else {
        payload = "in" + std::to_string(++incoming_counter_);
        broker_qos2_[p.packet_id] = payload;
      }
    } else {
      payload = "q" + std::to_string(++incoming_counter_);
    }
    p.payload = payload;
    send(p);
  }

  void incoming_pubrel(input& in) {
    const std::uint16_t id = static_cast<std::uint16_t>(1 + in.byte() % 16);
    broker_qos2_.erase(id);
    send(pubrel{id, reason_code::success, {}});
  }

  void suback(input& in) {
    const std::vector<reason_code> codes = {static_cast<reason_code>(in.byte() % 3)};
    mqttws::suback a;
    a.packet_id = some_id(in);
    a.codes = reason_code_list(codes);
    send(a);
  }

  void raw(input& in) { feed(in.bytes(in.byte() % 32)); }

  void mutated(input& in) {
    std::vector<std::uint8_t> bytes;
    if (encode(puback{some_id(in), reason_code::success, {}}, v_, bytes)) return;
    const std::size_t at = in.byte() % bytes.size();
    bytes[at] ^= static_cast<std::uint8_t>(1u << (in.byte() % 8));
    feed(bytes);
  }

  void advance(input& in) {
    now_ += std::chrono::milliseconds(std::int64_t{in.byte()} * 250);
    s_.handle_timeout(now_);
  }

  void cut(input& in) {
    if (!open_) return;
    open_ = false;
    session_present_ = in.byte() & 1;
    s_.on_transport_closed(std::make_error_code(std::errc::connection_reset), now_);
  }

  // ---- the driver ---------------------------------------------------------------------------
  void pump() {
    for (int rounds = 0; rounds < 64; ++rounds) {
      bool progress = false;
      for (std::vector<std::uint8_t> out; s_.poll_transmit(out); out.clear()) {
        progress = true;
        if (open_) tap(out);
      }
      while (std::optional<transport_action> a = s_.poll_transport_action()) {
        progress = true;
        if (a->what == transport_action::kind::open) {
          open_ = true;
          tap_ = stream_decoder(v_);
          s_.on_transport_open(now_);
        } else if (open_) {
          open_ = false;
          s_.on_transport_closed({}, now_);
        }
      }
      while (std::optional<session_event> e = s_.poll_event()) {
        progress = true;
        on_event(*e);
      }
      if (!progress) return;
    }
  }

  // Client -> broker: answers CONNECT, and checks the identifiers.
  void tap(const std::vector<std::uint8_t>& bytes) {
    tap_.feed(bytes.data(), bytes.size());
    packet p;
    std::error_code ec;
    std::vector<std::vector<std::uint8_t>> replies;
    while (tap_.next(p, ec)) {
      if (const auto* c = std::get_if<mqttws::connect>(&p)) {
        // A broker answers Session Present 0 to Clean Start 1, and then has lost everything.
        if (c->clean_start) session_present_ = false;
        if (!session_present_) broker_qos2_.clear();
        connack a;
        a.session_present = session_present_;
        if (v_ == protocol_version::v5) a.props.receive_maximum = 4;
        std::vector<std::uint8_t> b;
        if (!encode(a, v_, b)) replies.push_back(std::move(b));
      } else if (auto* pub = std::get_if<mqttws::publish>(&p)) {
        check_publish(*pub);
      }
    }
    if (ec) violation("the session sent bytes that do not decode: " + ec.message());
    for (const auto& r : replies) feed(r);
  }

  void check_publish(const mqttws::publish& p) {
    if (p.qos == qos::at_most_once) return;
    const std::string payload(p.payload);
    if (payload.rfind("op", 0) != 0) return;  // request() publishes: not the application's
    const operation_id op = std::stoull(payload.substr(2));
    auto held = held_.find(p.packet_id);
    if (!p.dup) {
      if (held != held_.end() && held->second != op) {
        violation("packet id " + std::to_string(p.packet_id) + " of open publish " +
                  std::to_string(held->second) + " reused by publish " + std::to_string(op));
      }
    } else {
      auto first = id_of_.find(op);
      if (first != id_of_.end() && first->second != p.packet_id) {
        // Allowed only when the broker had no session and the message went out anew (DUP 0
        // first): a DUP resend keeps the identifier of the transmission it repeats.
        violation("resend of publish " + std::to_string(op) + " changed its packet id");
      }
    }
    // The identifier now belongs to this publish.
    auto prev = id_of_.find(op);
    if (prev != id_of_.end() && prev->second != p.packet_id) held_.erase(prev->second);
    held_[p.packet_id] = op;
    id_of_[op] = p.packet_id;
  }

  void on_event(const session_event& e) {
    if (const auto* o = std::get_if<operation_event>(&e)) {
      if (!ops_.erase(o->id)) {
        violation("operation " + std::to_string(o->id) + " completed twice, or never started");
      }
      if (publishes_.erase(o->id)) {
        auto it = id_of_.find(o->id);
        if (it != id_of_.end()) {
          auto held = held_.find(it->second);
          if (held != held_.end() && held->second == o->id) held_.erase(held);
          id_of_.erase(it);
        }
      }
    } else if (const auto* m = std::get_if<message_event>(&e)) {
      const mqttws::publish& p = m->message.view();
      if (p.qos == qos::exactly_once) {
        if (!delivered_qos2_.insert(std::string(p.payload)).second) {
          violation("QoS 2 message " + std::string(p.payload) + " delivered twice");
        }
      }
    }
  }

  protocol_version v_;
  session s_;
  stream_decoder tap_;
  time_point now_{};
  bool open_ = false;
  bool session_present_ = false;
  operation_id next_op_guess_ = 1;
  std::set<operation_id> ops_, publishes_;
  std::map<std::uint16_t, operation_id> held_;   // packet id -> open publish using it
  std::map<operation_id, std::uint16_t> id_of_;  // open publish -> its packet id
  std::map<std::uint16_t, std::string> broker_qos2_;  // the broker's unreleased QoS 2
  std::set<std::string> delivered_qos2_;
  std::uint64_t incoming_counter_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  input in(data + 1, size - 1);
  world w((data[0] & 1) ? protocol_version::v311 : protocol_version::v5);
  w.run(in);
  return 0;
}
