// Completion tokens other than callbacks: asio::use_future from another thread.
#include "client_test_util.hpp"

#include <future>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/system/system_error.hpp>

namespace mqttws::test {
namespace {

class client_tokens : public broker_suite {};

TEST_F(client_tokens, UseFutureFromAnotherThread) {
  auto work = asio::make_work_guard(io);
  std::thread runner([this] { io.run(); });
  std::optional<client> c;
  // The client lives on the io_context's thread; futures are waited for here.
  asio::post(io, [&] { c.emplace(io.get_executor(), options_for(broker(), listener::ws)); });
  std::future<connect_result> connected =
      asio::post(io, asio::use_future([&] { return c->async_connect(asio::use_future); }))
          .get();
  ASSERT_EQ(connected.wait_for(wait_limit), std::future_status::ready);
  EXPECT_FALSE(connected.get().connected.session_present);

  auto published = asio::post(io, asio::use_future([&] {
                     return c->async_publish("future/t", "x", qos::at_least_once, false,
                                             asio::use_future);
                   })).get();
  ASSERT_EQ(published.wait_for(wait_limit), std::future_status::ready);
  EXPECT_EQ(published.get().code, reason_code::no_matching_subscribers);

  auto refused = asio::post(io, asio::use_future([&] {
                   return c->async_subscribe("bad/#/filter", qos::at_most_once, {},
                                             asio::use_future);
                 })).get();
  ASSERT_EQ(refused.wait_for(wait_limit), std::future_status::ready);
  try {
    refused.get();
    ADD_FAILURE() << "no exception";
  } catch (const boost::system::system_error& e) {
    EXPECT_EQ(e.code(), errc::invalid_topic_filter);
  }

  auto closed = asio::post(io, asio::use_future([&] {
                  return c->async_disconnect(asio::use_future);
                })).get();
  ASSERT_EQ(closed.wait_for(wait_limit), std::future_status::ready);
  closed.get();
  asio::post(io, asio::use_future([&] { c.reset(); })).get();
  work.reset();
  runner.join();
}

}  // namespace
}  // namespace mqttws::test
