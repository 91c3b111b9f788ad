// Internal: the factory of each stream stack, declared once as a template; each of the four
// instantiations is made in its own translation unit (tcp_, tls_, ws_, wss_transport.cpp), so
// the heavy stream templates compile in parallel and once.
#pragma once

#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>

#include "mqttws/transport.hpp"

namespace mqttws::detail {

using tls_context_ptr = std::shared_ptr<boost::asio::ssl::context>;

/// The transport over the stack `Tls` x `Ws` (see stream_transport.hpp); `tls` is null unless
/// `Tls`. Defined in stream_transport.hpp; callers see only this declaration, so the compiler
/// refers to the instantiation its translation unit made instead of making one itself.
template <bool Tls, bool Ws>
std::shared_ptr<transport> make_stream_transport(const boost::asio::any_io_executor& ex,
                                                 const endpoint_url& url,
                                                 const transport_config& config,
                                                 tls_context_ptr tls);

}  // namespace mqttws::detail
