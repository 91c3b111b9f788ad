// The tcp stream stack (see stream_transport.hpp).
#include "stream_transport.hpp"
#include "stream_transports.hpp"

namespace mqttws::detail {

std::shared_ptr<transport> make_tcp_transport(const boost::asio::any_io_executor& ex,
                                              const endpoint_url& url,
                                              const transport_config& config) {
  return std::make_shared<stream_transport<false, false>>(ex, url, config, nullptr);
}

}  // namespace mqttws::detail
