// Internal: one factory per stream stack, each defined in its own translation unit.
#pragma once

#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>

#include "mqttws/transport.hpp"

namespace mqttws::detail {

using tls_context_ptr = std::shared_ptr<boost::asio::ssl::context>;

std::shared_ptr<transport> make_tcp_transport(const boost::asio::any_io_executor& ex,
                                              const endpoint_url& url,
                                              const transport_config& config);
std::shared_ptr<transport> make_tls_transport(const boost::asio::any_io_executor& ex,
                                              const endpoint_url& url,
                                              const transport_config& config,
                                              tls_context_ptr tls);
std::shared_ptr<transport> make_ws_transport(const boost::asio::any_io_executor& ex,
                                             const endpoint_url& url,
                                             const transport_config& config);
std::shared_ptr<transport> make_wss_transport(const boost::asio::any_io_executor& ex,
                                              const endpoint_url& url,
                                              const transport_config& config,
                                              tls_context_ptr tls);

}  // namespace mqttws::detail
