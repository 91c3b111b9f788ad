// The compiled parts of Asio, Asio's OpenSSL layer and Beast, once for the whole library
// (BOOST_ASIO_SEPARATE_COMPILATION and BOOST_BEAST_SEPARATE_COMPILATION are public compile
// definitions of mqttws_client): every other file only instantiates templates, which keeps
// the build fast.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
