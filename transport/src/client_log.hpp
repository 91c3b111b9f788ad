// Internal: the lines the client gives client_options::log. Formatted here, and only when a
// hook is set, from what the session and the transports report — never from credentials,
// headers or payloads, so no line can carry them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "mqttws/client_options.hpp"
#include "mqttws/session_event.hpp"
#include "mqttws/session_store.hpp"

namespace mqttws {

/// `url` as a line may show it: without user info, query or fragment (where tokens go).
std::string loggable_endpoint(std::string_view url);

class client_log {
 public:
  /// `handler` is the options' hook, which outlives this object (both belong to the client).
  explicit client_log(const log_handler& handler) : handler_(&handler) {}

  void opening(std::string_view endpoint, std::uint32_t attempt) const;
  void not_opened(std::string_view endpoint, std::error_code ec) const;
  void transport_open() const;
  void transport_closed(std::error_code ec) const;
  void connect_sent(const session_config& c, std::string_view client_id) const;
  void connected(const connected_event& e) const;
  void disconnected(const disconnected_event& e) const;
  void reconnecting(const reconnecting_event& e) const;
  void disconnecting(reason_code code) const;
  void operation_failed(const operation_event& e) const;  // subscribe/unsubscribe refusals
  void store_error(std::string_view call, std::error_code ec) const;

 private:
  void line(log_level level, const std::string& text) const;
  const log_handler* handler_;
};

/// A session_store that forwards to another and logs its errors: the client's session uses
/// the user's store (or the client's memory store) through one of these.
class logged_store final : public session_store {
 public:
  logged_store(session_store& target, const client_log& log) : target_(&target), log_(log) {}

  std::error_code save(const stored_publish& m) override {
    return checked("save", target_->save(m));
  }
  std::error_code remove(std::uint64_t sequence) override {
    return checked("remove", target_->remove(sequence));
  }
  std::error_code save_incoming(std::uint16_t packet_id) override {
    return checked("save_incoming", target_->save_incoming(packet_id));
  }
  std::error_code remove_incoming(std::uint16_t packet_id) override {
    return checked("remove_incoming", target_->remove_incoming(packet_id));
  }
  std::error_code load(std::vector<stored_publish>& messages,
                       std::vector<std::uint16_t>& incoming) override {
    return checked("load", target_->load(messages, incoming));
  }
  std::error_code clear() override { return checked("clear", target_->clear()); }

 private:
  std::error_code checked(std::string_view call, std::error_code ec) const {
    if (ec) log_.store_error(call, ec);
    return ec;
  }
  session_store* target_;
  client_log log_;
};

}  // namespace mqttws
