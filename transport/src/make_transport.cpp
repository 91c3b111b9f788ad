// Picks the transport for a URL's scheme.
#include "mqttws/transport.hpp"
#include "stream_transports.hpp"
#include "tls_context.hpp"

namespace mqttws {

std::shared_ptr<transport> make_transport(const boost::asio::any_io_executor& ex,
                                          const endpoint_url& url,
                                          const transport_config& config, std::error_code& ec) {
  ec.clear();
  detail::tls_context_ptr tls;
  if (url.is_tls()) {
    tls = detail::make_tls_context(config.tls, ec);
    if (ec) return nullptr;
  }
  switch (url.scheme) {
    case url_scheme::mqtt: return detail::make_stream_transport<false, false>(ex, url, config, {});
    case url_scheme::mqtts: return detail::make_stream_transport<true, false>(ex, url, config, tls);
    case url_scheme::ws: return detail::make_stream_transport<false, true>(ex, url, config, {});
    case url_scheme::wss: return detail::make_stream_transport<true, true>(ex, url, config, tls);
  }
  return nullptr;
}

}  // namespace mqttws
