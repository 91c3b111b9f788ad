#include "mqttws/store_error.hpp"

#include <string>

namespace mqttws {
namespace {

class store_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mqttws.store"; }

  std::string message(int ev) const override {
    switch (static_cast<store_errc>(ev)) {
      case store_errc::not_open: return "session store is not open";
      case store_errc::bad_header: return "file is not an mqttws session store";
      case store_errc::corrupt_record: return "session store file is corrupt";
      case store_errc::in_use: return "session store file is in use by another store";
      case store_errc::failed:
        return "session store failed to sync earlier and must be reopened";
    }
    return "unknown session store error " + std::to_string(ev);
  }
};

}  // namespace

const std::error_category& store_category() noexcept {
  static const store_category_impl instance;
  return instance;
}

}  // namespace mqttws
