// mqttws — libc++'s error categories for the wasm module, for size. libc++'s own
// (system_error.cpp in its library, which every std::error_code links: the default one names
// system_category()) is built with RTTI, so its vtables bring libc++abi's dynamic_cast and
// exception-matching code (1.3 KB of wasm that nothing calls), and its messages bring musl's
// strerror texts and a printf. No error the module reports comes from these two categories —
// the session's errors are the mqttws category and the socket's the driver's own
// (js_output.cpp), each with its own texts — so theirs read "errno N".
//
// The definitions are those <system_error> declares and libc++'s system_error.cpp gives,
// with the same behaviour but the texts; the linker then takes no part of libc++'s file (a
// member missing here would be a duplicate-symbol link error, not a silent mix).
// Linked only into a module built without RTTI throughout (wasm/CMakeLists.txt).
#include <string>
#include <system_error>

_LIBCPP_BEGIN_NAMESPACE_STD

error_category::~error_category() noexcept {}

error_condition error_category::default_error_condition(int ev) const noexcept {
  return error_condition(ev, *this);
}

bool error_category::equivalent(int code, const error_condition& condition) const noexcept {
  return default_error_condition(code) == condition;
}

bool error_category::equivalent(const error_code& code, int condition) const noexcept {
  return *this == code.category() && code.value() == condition;
}

string __do_message::message(int ev) const { return "errno " + to_string(ev); }

namespace {

class generic_error_category final : public __do_message {
 public:
  const char* name() const noexcept override { return "generic"; }
};

class system_error_category final : public __do_message {
 public:
  const char* name() const noexcept override { return "system"; }
  // As libc++'s: a system error value is an errno value.
  error_condition default_error_condition(int ev) const noexcept override {
    return error_condition(ev, generic_category());
  }
};

}  // namespace

const error_category& generic_category() noexcept {
  static generic_error_category c;
  return c;
}

const error_category& system_category() noexcept {
  static system_error_category c;
  return c;
}

string error_condition::message() const { return __cat_->message(__val_); }

string error_code::message() const { return __cat_->message(__val_); }

_LIBCPP_END_NAMESPACE_STD
