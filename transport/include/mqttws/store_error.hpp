// mqttws — errors found by the persistent session stores (file_store.hpp) in their own data.
//
// Errors of the operating system (open, write, fsync, rename, …) keep std::system_category
// with their errno value; these codes name what the store itself checks in the file.
#pragma once

#include <system_error>

namespace mqttws {

/// Store errors. Zero is never used: a default std::error_code means success.
enum class store_errc {
  not_open = 1,    ///< The store was never opened, or its open() failed.
  bad_header,      ///< The file exists but is not an mqttws store (or a newer format).
  corrupt_record,  ///< A record before the end of the log fails its checksum or cannot be
                   ///< decoded: the file was damaged (a crash only ever tears the last record).
  in_use,          ///< Another file_store (in this or another process) has the file open.
  failed,          ///< An earlier fsync failed: what reached the disk is unknown, so the store
                   ///< refuses further changes until it is reopened.
};

/// The category of `store_errc`; its name() is "mqttws.store".
const std::error_category& store_category() noexcept;

inline std::error_code make_error_code(store_errc e) noexcept {
  return {static_cast<int>(e), store_category()};
}

}  // namespace mqttws

namespace std {
template <>
struct is_error_code_enum<mqttws::store_errc> : true_type {};
}  // namespace std
