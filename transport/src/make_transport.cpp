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
    case url_scheme::mqtt: return detail::make_tcp_transport(ex, url, config);
    case url_scheme::mqtts: return detail::make_tls_transport(ex, url, config, std::move(tls));
    case url_scheme::ws: return detail::make_ws_transport(ex, url, config);
    case url_scheme::wss: return detail::make_wss_transport(ex, url, config, std::move(tls));
  }
  return nullptr;
}

}  // namespace mqttws
