// mqttws — internal: a type-erased, move-only completion handler.
//
// The client keeps the handlers of pending operations in containers; this erases their type
// (completion handlers, asio::use_future's and use_awaitable's handlers are all different,
// often move-only types) so the client itself is not a template. Completing posts the handler
// to its associated executor (the client's by default), so a handler never runs inside the
// call that started its operation, and keeps that executor's work count up meanwhile.
#pragma once

#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

namespace mqttws::detail {

template <class... Args>
class completion {
 public:
  completion() = default;

  template <class Handler>
  completion(Handler&& h, const boost::asio::any_io_executor& fallback)
      : p_(std::make_unique<model<std::decay_t<Handler>>>(std::forward<Handler>(h), fallback)) {}

  explicit operator bool() const { return p_ != nullptr; }

  /// Posts the handler with `args`; the completion becomes empty. Calling an empty one does
  /// nothing.
  void operator()(Args... args) {
    if (!p_) return;
    std::unique_ptr<concept_> p = std::move(p_);
    p->post(std::move(args)...);
  }

 private:
  struct concept_ {
    virtual ~concept_() = default;
    virtual void post(Args... args) = 0;
  };

  template <class Handler>
  struct model final : concept_ {
    using executor = boost::asio::associated_executor_t<Handler, boost::asio::any_io_executor>;
    using work_executor = std::decay_t<decltype(boost::asio::prefer(
        std::declval<const executor&>(), boost::asio::execution::outstanding_work.tracked))>;

    model(Handler&& h, const boost::asio::any_io_executor& fallback)
        : work(boost::asio::prefer(boost::asio::get_associated_executor(h, fallback),
                                   boost::asio::execution::outstanding_work.tracked)),
          handler(std::move(h)) {}

    void post(Args... args) override {
      boost::asio::post(work, [h = std::move(handler),
                               a = std::make_tuple(std::move(args)...)]() mutable {
        std::apply(std::move(h), std::move(a));
      });
    }

    work_executor work;
    Handler handler;
  };

  std::unique_ptr<concept_> p_;
};

}  // namespace mqttws::detail
