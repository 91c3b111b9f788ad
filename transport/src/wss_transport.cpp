// The wss stream stack (see stream_transport.hpp).
#include "stream_transport.hpp"
#include "stream_transports.hpp"

namespace mqttws::detail {

std::shared_ptr<transport> make_wss_transport(const boost::asio::any_io_executor& ex,
                                              const endpoint_url& url,
                                              const transport_config& config,
                                              tls_context_ptr tls) {
  return std::make_shared<stream_transport<true, true>>(ex, url, config, std::move(tls));
}

}  // namespace mqttws::detail
