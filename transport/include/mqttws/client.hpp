// mqttws — the native MQTT client: one session, one transport, one timer on an Asio executor.
//
//   mqttws::client c(io.get_executor(), options);
//   c.async_connect([](mqttws::error_code ec, const mqttws::connect_result& r) { ... });
//
// Model. The client drives a sans-I/O mqttws::session (core/) over a transport chosen by each
// endpoint URL's scheme (ws, wss, mqtt, mqtts). It has no threads of its own: everything runs
// on the executor given to the constructor, while the user runs the io_context.
//
// Asynchronous operations follow Asio's universal model: the last argument is a completion
// token — a callback, asio::use_future, asio::use_awaitable, asio::deferred, ... A completion
// handler is never invoked from inside the call that starts its operation: it is posted to
// its associated executor (the client's executor unless the handler says otherwise).
// Per-operation cancellation is not supported; async_disconnect() or destroying the client
// ends everything pending.
//
// Arguments. Packets, lists and properties are views (see packets.hpp). The client copies
// what they point to when the operation is initiated: at once for callbacks and
// asio::use_future, at the co_await for lazy tokens (asio::use_awaitable, asio::deferred) —
// so with those, what the views point to must live until then. The convenience overloads
// taking string_views copy them in any case.
//
// Thread safety. A client is not thread-safe: call every member function on the client's
// executor (from a handler, or from the thread running a single-threaded io_context). With a
// multi-threaded io_context, construct the client on a strand
// (asio::make_strand(io)) and call it through that strand. Event handlers (on_message, ...)
// are called on the client's executor.
//
// Lifetime. Destroying the client closes the connection at once, without DISCONNECT (the
// broker then publishes the will), and completes every pending operation with
// std::errc::operation_canceled (asio::error::operation_aborted); no event handler is called
// after the destructor started.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/system/error_code.hpp>

#include "mqttws/client_options.hpp"
#include "mqttws/detail/completion.hpp"
#include "mqttws/owned.hpp"
#include "mqttws/packets.hpp"
#include "mqttws/reason_code.hpp"
#include "mqttws/session.hpp"
#include "mqttws/session_event.hpp"

namespace mqttws {

/// The error type of completion handlers: Asio's, so that asio::use_future and
/// asio::use_awaitable turn errors into exceptions (boost::system::system_error) and results
/// into plain values. It holds mqttws's std::error_codes losslessly and compares equal to
/// them and to their enums (`ec == mqttws::errc::connection_refused` works);
/// `std::error_code(ec)` gives the original back.
using error_code = boost::system::error_code;

/// How async_connect() ended. On success `connected` is the CONNACK as the session reports
/// it. On failure `reason`/`reason_string` hold the broker's answer when there was one (a
/// CONNACK refusal: e.g. reason_code::not_authorized with errc::connection_refused).
struct connect_result {
  connected_event connected;
  std::optional<reason_code> reason;
  std::string reason_string;
  owned_properties properties;  ///< MQTT 5: all properties of a refusing CONNACK.
};

/// How a publish ended: the broker's reason code (PUBACK for QoS 1, PUBREC/PUBCOMP for
/// QoS 2; `success` for QoS 0 and on 3.1.1).
struct publish_result {
  reason_code code = reason_code::success;
  std::string reason_string;
  owned_properties properties;  ///< MQTT 5: all properties of the acknowledgement.
};

/// How a subscribe or unsubscribe ended: one reason code per filter, in order (SUBACK:
/// granted QoS or a failure; UNSUBACK: MQTT 5 codes, all `success` on 3.1.1).
struct subscribe_result {
  std::vector<reason_code> codes;
  std::string reason_string;
  owned_properties properties;  ///< MQTT 5: all properties of the SUBACK / UNSUBACK.
};
using unsubscribe_result = subscribe_result;

/// Counters: the session's, plus what the transport layer did.
struct client_stats {
  session_stats session;
  std::uint64_t transport_writes = 0;       ///< Socket/WebSocket writes issued (coalesced).
  std::uint64_t transport_bytes_written = 0;
  std::uint64_t transports_opened = 0;      ///< Connection attempts that got a transport open.
};

/// A received message. Its view (topic, payload, properties) lives as long as the object;
/// copy or move it to keep it.
using message = owned_publish;
using message_handler = std::function<void(const message&)>;

/// "connection refused: Not authorized (0x87)", "TLS: ...": one line for logs and CLIs, from
/// an error code and the broker's reason code and reason string when there are any.
std::string describe(std::error_code ec, std::optional<reason_code> reason = {},
                     std::string_view reason_string = {});

class client {
 public:
  using executor_type = boost::asio::any_io_executor;

  /// Stores the options; nothing happens until async_connect(). Invalid options are reported
  /// by validate() and by async_connect().
  client(executor_type ex, client_options options);
  /// See "Lifetime" above.
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  executor_type get_executor() const;

  /// Why `options` cannot work, or success: a bad endpoint URL (transport_errc::url_*), and
  /// everything session::validate() refuses (errc::invalid_options, properties_require_v5...).
  static std::error_code validate(const client_options& options);

  // ---- events (set before async_connect; called on the client's executor) ------------------
  /// Every CONNACK that accepted a connection (also after reconnections).
  void on_connected(std::function<void(const connected_event&)> h);
  /// Every lost connection or failed attempt, with why (ec, broker reason code and string)
  /// and whether the client will reconnect.
  void on_disconnected(std::function<void(const disconnected_event&)> h);
  /// A reconnection is scheduled: which attempt, after what delay, to which endpoint.
  void on_reconnecting(std::function<void(const reconnecting_event&)> h);
  /// Every received message (in addition to the handlers of matching subscriptions).
  void on_message(message_handler h);
  /// MQTT 5 enhanced authentication challenge (AUTH from the broker); answer with
  /// authenticate().
  void on_auth(std::function<void(const auth_event&)> h);

  // ---- operations -------------------------------------------------------------------------
  /// Starts connecting and then keeps the client connected (reconnecting with backoff, over
  /// the endpoint list) until async_disconnect(). Completes with
  ///  - success and the CONNACK on the first accepted connection;
  ///  - an error when the session will not go on (a refusal reconnecting cannot fix: bad
  ///    credentials, not authorized, banned...; or reconnect == false) or when every
  ///    endpoint has failed once. In the latter case the client keeps trying in the background;
  ///    call async_disconnect() to stop it.
  /// Errors: errc::connection_refused (with the reason code in connect_result),
  /// errc::connect_timeout, network/TLS/WebSocket errors of the last attempt,
  /// transport_errc::url_* and errc::invalid_options for bad options, errc::invalid_state
  /// when already connecting or connected. After a completed async_disconnect() the client may
  /// connect again (resuming a persistent session from the store).
  /// Signature: void(error_code, connect_result).
  template <class Token>
  auto async_connect(Token&& token) {
    return boost::asio::async_initiate<Token, void(error_code, connect_result)>(
        [this](auto handler) {
          start_connect(connect_completion(std::move(handler), ex_));
        },
        token);
  }

  /// Publishes `p` (copied at once; its packet_id is ignored). Completes for QoS 0 when handed
  /// to the transport, QoS 1 on PUBACK, QoS 2 on PUBCOMP. While offline the message waits in
  /// the queue (see client_options). Errors: codec errors (errc::invalid_topic_name ...),
  /// errc::queue_full, errc::invalid_state (after disconnect), errc::operation_failed with the
  /// broker's failure code in publish_result (e.g. 0x87 Not authorized), errc::session_closed
  /// when the session ended first, std::errc::operation_canceled when the client is destroyed.
  /// Signature: void(error_code, publish_result).
  template <class Token>
  auto async_publish(const mqttws::publish& p, Token&& token) {
    return boost::asio::async_initiate<Token, void(error_code, publish_result)>(
        [this, p](auto handler) {
          start_publish(p, publish_completion(std::move(handler), ex_));
        },
        token);
  }

  /// Convenience: publish `payload` to `topic` (both copied, whatever the token).
  template <class Token>
  auto async_publish(std::string_view topic, std::string_view payload, mqttws::qos q,
                     bool retain, Token&& token) {
    return boost::asio::async_initiate<Token, void(error_code, publish_result)>(
        [this, t = std::string(topic), m = std::string(payload), q, retain](auto handler) {
          mqttws::publish p;
          p.topic = t;
          p.payload = m;
          p.qos = q;
          p.retain = retain;
          start_publish(p, publish_completion(std::move(handler), ex_));
        },
        token);
  }

  /// Subscribes (copied at once). `handler` (may be empty) receives every message whose topic
  /// matches one of these filters, from the moment of the call (retained messages included),
  /// until each filter has ended as the session decides (subscription_ended_event): the
  /// UNSUBACK of an unsubscribe made after this subscribe, the broker refusing the filter (in
  /// this SUBACK, or when resubscribing after a session the broker lost), or the session's end;
  /// then the handler is destroyed. On MQTT 5 a subscribe with a handler carries a Subscription
  /// Identifier of the client's (unless `props` sets one, or the broker said it has none), so
  /// when overlapping subscriptions make the broker send one copy per subscription, each copy
  /// reaches only its own subscription's handler; without identifiers every matching handler
  /// gets every copy. Completes on SUBACK with one code per filter; a refused
  /// filter does not fail the operation (check the codes). Errors: errc::invalid_topic_filter
  /// and other codec errors, errc::invalid_state, errc::session_closed, operation_canceled.
  /// Signature: void(error_code, subscribe_result).
  template <class Token>
  auto async_subscribe(subscription_list subscriptions, const properties& props,
                       message_handler handler, Token&& token) {
    return boost::asio::async_initiate<Token, void(error_code, subscribe_result)>(
        [this, subscriptions, props, hd = std::move(handler)](auto h) mutable {
          start_subscribe(subscriptions, props, std::move(hd),
                          subscribe_completion(std::move(h), ex_));
        },
        token);
  }
  template <class Token>
  auto async_subscribe(subscription_list subscriptions, message_handler handler,
                       Token&& token) {
    return async_subscribe(subscriptions, properties{}, std::move(handler),
                           std::forward<Token>(token));
  }
  /// Convenience: one filter (copied, whatever the token) with a maximum QoS.
  template <class Token>
  auto async_subscribe(std::string_view filter, mqttws::qos max_qos, message_handler handler,
                       Token&& token) {
    return boost::asio::async_initiate<Token, void(error_code, subscribe_result)>(
        [this, f = std::string(filter), max_qos, hd = std::move(handler)](auto h) mutable {
          const subscription s{f, subscribe_options{max_qos}};
          start_subscribe(subscription_list(&s, 1), properties{}, std::move(hd),
                          subscribe_completion(std::move(h), ex_));
        },
        token);
  }

  /// Unsubscribes; the handlers of these filters stop receiving messages when it completes.
  /// Signature: void(error_code, unsubscribe_result).
  template <class Token>
  auto async_unsubscribe(topic_filter_list filters, const properties& props, Token&& token) {
    return boost::asio::async_initiate<Token, void(error_code, unsubscribe_result)>(
        [this, filters, props](auto h) {
          start_unsubscribe(filters, props, subscribe_completion(std::move(h), ex_));
        },
        token);
  }
  /// Convenience: one filter (copied, whatever the token).
  template <class Token>
  auto async_unsubscribe(std::string_view filter, Token&& token) {
    return boost::asio::async_initiate<Token, void(error_code, unsubscribe_result)>(
        [this, f = std::string(filter)](auto h) {
          const std::string_view v = f;
          start_unsubscribe(topic_filter_list(&v, 1), properties{},
                            subscribe_completion(std::move(h), ex_));
        },
        token);
  }

  /// MQTT 5 request/response (see session::request): publishes `p` with a Response Topic and
  /// Correlation Data and completes with the response message, or errc::request_timeout.
  /// Signature: void(error_code, message).
  template <class Token>
  auto async_request(const mqttws::publish& p, duration timeout, Token&& token) {
    return boost::asio::async_initiate<Token, void(error_code, message)>(
        [this, p, timeout](auto h) {
          start_request(p, timeout, request_completion(std::move(h), ex_));
        },
        token);
  }

  /// Ends the session: DISCONNECT (with `code` and MQTT 5 `props`) if connected, then an
  /// orderly close of the transport; no reconnection. Pending operations complete with
  /// errc::session_closed. Completes when the transport is closed (at most close_timeout after
  /// the DISCONNECT went out); at once when already closed. Errors: codec errors for `props`,
  /// errc::invalid_property_value (see session::disconnect).
  /// Signature: void(error_code).
  template <class Token>
  auto async_disconnect(reason_code code, const properties& props, Token&& token) {
    return boost::asio::async_initiate<Token, void(error_code)>(
        [this, code, props](auto h) {
          start_disconnect(code, props, std::nullopt, disconnect_completion(std::move(h), ex_));
        },
        token);
  }
  template <class Token>
  auto async_disconnect(Token&& token) {
    return async_disconnect(reason_code::normal_disconnection, properties{},
                            std::forward<Token>(token));
  }

  /// Ends the session as above, but first lets the QoS 1/2 publishes in flight or queued
  /// complete (session::disconnect_after_drain): they are still sent and acknowledged, and
  /// their completions come before this one. After `drain_timeout` the DISCONNECT goes out
  /// anyway and those still pending complete with errc::session_closed. Meanwhile new
  /// operations fail with errc::invalid_state; a plain async_disconnect() ends the drain at
  /// once (both complete then). A connection lost during the drain ends the session without
  /// reconnecting (pending operations: errc::session_closed), and this completes. Not
  /// connected: as the plain async_disconnect(). Errors: those of the plain form, and
  /// errc::invalid_state when a drain is already under way.
  /// Signature: void(error_code).
  template <class Token>
  auto async_disconnect(duration drain_timeout, reason_code code, const properties& props,
                        Token&& token) {
    return boost::asio::async_initiate<Token, void(error_code)>(
        [this, drain_timeout, code, props](auto h) {
          start_disconnect(code, props, drain_timeout, disconnect_completion(std::move(h), ex_));
        },
        token);
  }
  template <class Token>
  auto async_disconnect(duration drain_timeout, Token&& token) {
    return async_disconnect(drain_timeout, reason_code::normal_disconnection, properties{},
                            std::forward<Token>(token));
  }

  /// Answers an on_auth() challenge or starts re-authentication (session::authenticate).
  std::error_code authenticate(reason_code code, const properties& props);

  session_state state() const;
  client_stats stats() const;
  /// The client identifier in use (the broker-assigned one once known).
  std::string client_id() const;

 private:
  using connect_completion = detail::completion<error_code, connect_result>;
  using publish_completion = detail::completion<error_code, publish_result>;
  using subscribe_completion = detail::completion<error_code, subscribe_result>;
  using request_completion = detail::completion<error_code, message>;
  using disconnect_completion = detail::completion<error_code>;

  void start_connect(connect_completion c);
  void start_publish(const mqttws::publish& p, publish_completion c);
  void start_subscribe(subscription_list subscriptions, const properties& props,
                       message_handler handler, subscribe_completion c);
  void start_unsubscribe(topic_filter_list filters, const properties& props,
                         subscribe_completion c);
  void start_request(const mqttws::publish& p, duration timeout, request_completion c);
  // `drain`: session::disconnect_after_drain() with that timeout; none: session::disconnect().
  void start_disconnect(reason_code code, const properties& props,
                        std::optional<duration> drain, disconnect_completion c);

  struct impl;
  executor_type ex_;
  std::shared_ptr<impl> impl_;
};

}  // namespace mqttws
