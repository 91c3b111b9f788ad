// mqttws — where the session keeps the state that must survive a lost connection (and, with a
// persistent store, a process restart): outgoing QoS 1/2 messages not yet completely
// acknowledged or not yet sent, and the packet identifiers of incoming QoS 2 messages not yet
// released.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <system_error>
#include <vector>

namespace mqttws {

/// One outgoing QoS 1 or 2 message as the session keeps it.
struct stored_publish {
  enum class stage : std::uint8_t {
    queued = 0,        ///< Not sent yet (no packet identifier).
    awaiting_ack = 1,  ///< PUBLISH sent; waiting for PUBACK (QoS 1) or PUBREC (QoS 2).
    awaiting_pubcomp = 2,  ///< PUBREL sent; waiting for PUBCOMP.
  };
  std::uint64_t sequence = 0;   ///< Publication order; unique, increasing.
  std::uint16_t packet_id = 0;  ///< 0 while queued.
  stage state = stage::queued;
  std::uint8_t version = 5;     ///< Protocol level the packet is encoded for.
  std::vector<std::uint8_t> packet;  ///< The encoded PUBLISH, without topic alias or DUP.
};

/// The store interface. Every call completes before it returns; a persistent implementation
/// must have made the change durable by then (the session sends a packet only after storing
/// the state it implies). Errors never lose what was stored before. publish() reports a failed
/// save to its caller. A failure while the session runs (saving before a PUBLISH or PUBREL,
/// saving or removing an incoming QoS 2 id before PUBREC or PUBCOMP) stops the packet that
/// depends on it and closes the connection with the store's error (DISCONNECT 0x83); the
/// broker's resend after the reconnect tries again. A failed remove() after an exchange
/// completed, or a failed clear(), is ignored: the stale entry is at worst resent after a
/// restart (a duplicate the broker's session handling absorbs, for QoS 1 one extra delivery).
class session_store {
 public:
  virtual ~session_store() = default;
  /// Inserts or replaces the message with this sequence number.
  virtual std::error_code save(const stored_publish& m) = 0;
  /// Removing what is not there succeeds (the session may retry after an error).
  virtual std::error_code remove(std::uint64_t sequence) = 0;
  /// Incoming QoS 2 message `packet_id` was received and not yet released by PUBREL.
  virtual std::error_code save_incoming(std::uint16_t packet_id) = 0;
  virtual std::error_code remove_incoming(std::uint16_t packet_id) = 0;
  /// Everything stored, messages in sequence order, incoming ids in ascending order. Replaces
  /// the contents of both vectors.
  virtual std::error_code load(std::vector<stored_publish>& messages,
                               std::vector<std::uint16_t>& incoming) = 0;
  /// Forgets everything (a clean start).
  virtual std::error_code clear() = 0;
};

/// Memory only: survives reconnects (state handed from one session object to the next, as the
/// native client does), not restarts. A session given no store at all keeps its state itself.
class memory_store final : public session_store {
 public:
  std::error_code save(const stored_publish& m) override;
  std::error_code remove(std::uint64_t sequence) override;
  std::error_code save_incoming(std::uint16_t packet_id) override;
  std::error_code remove_incoming(std::uint16_t packet_id) override;
  std::error_code load(std::vector<stored_publish>& messages,
                       std::vector<std::uint16_t>& incoming) override;
  std::error_code clear() override;

  std::size_t message_count() const { return messages_.size(); }
  std::size_t incoming_count() const { return incoming_.size(); }

 private:
  std::map<std::uint64_t, stored_publish> messages_;
  std::set<std::uint16_t> incoming_;
};

}  // namespace mqttws
