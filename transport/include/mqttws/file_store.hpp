// mqttws — a session store in one file, so that a persistent session's in-flight QoS 1/2
// messages survive a process restart (or crash) and are resent on reconnect.
//
//   mqttws::file_store store;
//   if (std::error_code ec = store.open("/var/lib/myapp/mqtt-session")) { ... }
//   options.store = &store;   // client_options / session: must outlive the client
//
// Durability: every change (save, remove, save_incoming, remove_incoming, clear) is appended
// to the file as one record with its length and a CRC-32, then fdatasync()ed, before the call
// returns; a change that fails is undone in the file and leaves the store as it was. When the
// log has grown past `compact_factor` times the size of what it still holds (and past
// `compact_min_bytes`), the live state is written as a snapshot to "<path>.tmp", fsync()ed,
// renamed over the file and the directory fsync()ed: at every instant the file on disk is a
// complete old log or a complete new snapshot.
//
// Crash recovery (open): a crash can only tear the last record, so an incomplete or failing
// last record is dropped (and cut off the file). A record that fails its checksum with more
// records after it means real damage: open() fails with store_errc::corrupt_record and leaves
// the file untouched for inspection.
//
// Errors: std::error_code — store_errc (store_error.hpp) for the file's contents and misuse,
// std::system_category with the errno of the failing call (ENOSPC, EIO, EACCES, …) otherwise.
// After a failed fsync the store answers store_errc::failed until reopened (Linux may have
// dropped the unsynced data, so nothing more can be promised).
//
// Threading: not thread-safe; one session uses it at a time, from one thread. The file is
// locked (flock) while open: a second store on the same file, in this process or another,
// fails with store_errc::in_use. The store is neither copyable nor movable (the session keeps
// a pointer to it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include "mqttws/session_store.hpp"
#include "mqttws/store_error.hpp"

namespace mqttws {

struct file_store_options {
  /// Compaction never runs while the log is smaller than this.
  std::size_t compact_min_bytes = 64 * 1024;
  /// Compact when the log is larger than this many times the live data.
  std::size_t compact_factor = 4;
};

class file_store final : public session_store {
 public:
  /// A closed store: every call fails with store_errc::not_open until open() succeeds.
  file_store() = default;
  explicit file_store(file_store_options options) : options_(options) {}
  ~file_store() override;
  file_store(const file_store&) = delete;
  file_store& operator=(const file_store&) = delete;

  /// Opens the store at `path`, creating an empty one (and no directories) if the file does
  /// not exist, and reads everything it holds; load() then returns it. Reopening an open store
  /// closes it first. Errors: system errors of open/read/write/fsync/flock, store_errc::in_use,
  /// store_errc::bad_header, store_errc::corrupt_record. On error the store stays closed.
  std::error_code open(const std::string& path);
  /// Releases the file (and its lock). Everything is already durable; nothing is written.
  void close() noexcept;
  bool is_open() const noexcept { return fd_ >= 0; }
  const std::string& path() const noexcept { return path_; }

  // session_store (session_store.hpp): each durable before it returns.
  std::error_code save(const stored_publish& m) override;
  std::error_code remove(std::uint64_t sequence) override;
  std::error_code save_incoming(std::uint16_t packet_id) override;
  std::error_code remove_incoming(std::uint16_t packet_id) override;
  std::error_code load(std::vector<stored_publish>& messages,
                       std::vector<std::uint16_t>& incoming) override;
  std::error_code clear() override;

  /// For tests and monitoring: bytes in the file now, how often it was compacted since open(),
  /// and whether open() dropped a torn last record.
  std::uint64_t file_size() const noexcept { return end_; }
  std::uint64_t compactions() const noexcept { return compactions_; }
  bool recovered_torn_tail() const noexcept { return recovered_torn_tail_; }
  std::size_t message_count() const noexcept { return messages_.size(); }
  std::size_t incoming_count() const noexcept { return incoming_.size(); }

 private:
  std::error_code usable() const;
  std::error_code append(const std::vector<std::uint8_t>& record);
  std::error_code maybe_compact();
  std::error_code replay(const std::vector<std::uint8_t>& file, std::uint64_t& valid_end);
  // Applies one checksummed record (`len` bytes, its kind first) to the state in memory;
  // false when it makes no sense.
  bool apply(const std::uint8_t* record, std::uint32_t len);
  std::uint64_t live_bytes() const;

  file_store_options options_;
  std::string path_;
  int fd_ = -1;
  std::uint64_t end_ = 0;  // bytes of valid log; appends go here
  std::uint64_t compactions_ = 0;
  bool recovered_torn_tail_ = false;
  bool dir_sync_pending_ = false;  // a compaction renamed but could not fsync the directory
  std::error_code failed_;         // sticky after a failed fsync
  std::map<std::uint64_t, stored_publish> messages_;
  std::set<std::uint16_t> incoming_;
  std::uint64_t message_bytes_ = 0;  // sum of the packets' sizes, for live_bytes()
};

}  // namespace mqttws
