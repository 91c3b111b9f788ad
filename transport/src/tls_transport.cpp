// The tls stream stack (see stream_transport.hpp), instantiated here alone.
#include "stream_transport.hpp"

namespace mqttws::detail {

template std::shared_ptr<transport> make_stream_transport<true, false>(
    const boost::asio::any_io_executor&, const endpoint_url&, const transport_config&,
    tls_context_ptr);

}  // namespace mqttws::detail
