#include "mqttws/file_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>

// File layout: an 8-byte magic, then records. A record is
//   u32 body length | u32 CRC-32 of the body | body
// and a body is one byte of kind followed by its fields (all integers little endian):
//   save            u64 sequence, u16 packet id, u8 stage, u8 version, packet bytes (the rest)
//   remove          u64 sequence
//   save_incoming   u16 packet id
//   remove_incoming u16 packet id
//   clear           (nothing)
// A snapshot (what compaction writes) is the same format: one save per message, one
// save_incoming per id, so a single reader handles both.

namespace mqttws {
namespace {

constexpr std::array<std::uint8_t, 8> magic = {'m', 'q', 't', 't', 'w', 's', 'F', '1'};
constexpr std::size_t record_header = 8;

enum class kind : std::uint8_t {
  save = 1,
  remove = 2,
  save_incoming = 3,
  remove_incoming = 4,
  clear = 5,
};

constexpr std::size_t save_fixed = 1 + 8 + 2 + 1 + 1;  // body without the packet
constexpr std::size_t remove_size = 1 + 8;
constexpr std::size_t incoming_size = 1 + 2;

std::error_code last_errno() { return {errno, std::system_category()}; }

std::uint32_t crc32(const std::uint8_t* data, std::size_t n) {
  static const std::array<std::uint32_t, 256> table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1U) ? 0xEDB88320U ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  std::uint32_t c = 0xFFFFFFFFU;
  for (std::size_t i = 0; i < n; ++i) c = table[(c ^ data[i]) & 0xFFU] ^ (c >> 8);
  return c ^ 0xFFFFFFFFU;
}

template <class T>
void put(std::vector<std::uint8_t>& out, T v) {
  for (std::size_t i = 0; i < sizeof(T); ++i) {
    out.push_back(static_cast<std::uint8_t>(static_cast<std::uint64_t>(v) >> (8 * i)));
  }
}

template <class T>
T get(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
  return static_cast<T>(v);
}

// Starts a record in `out`; finish_record() fills in its length and checksum.
std::size_t begin_record(std::vector<std::uint8_t>& out, kind k) {
  const std::size_t start = out.size();
  out.resize(start + record_header);
  out.push_back(static_cast<std::uint8_t>(k));
  return start;
}

void finish_record(std::vector<std::uint8_t>& out, std::size_t start) {
  const std::size_t body = start + record_header;
  const auto len = static_cast<std::uint32_t>(out.size() - body);
  const std::uint32_t sum = crc32(out.data() + body, len);
  for (std::size_t i = 0; i < 4; ++i) {
    out[start + i] = static_cast<std::uint8_t>(len >> (8 * i));
    out[start + 4 + i] = static_cast<std::uint8_t>(sum >> (8 * i));
  }
}

void put_save(std::vector<std::uint8_t>& out, const stored_publish& m) {
  const std::size_t start = begin_record(out, kind::save);
  put<std::uint64_t>(out, m.sequence);
  put<std::uint16_t>(out, m.packet_id);
  put<std::uint8_t>(out, static_cast<std::uint8_t>(m.state));
  put<std::uint8_t>(out, m.version);
  out.insert(out.end(), m.packet.begin(), m.packet.end());
  finish_record(out, start);
}

void put_u64_record(std::vector<std::uint8_t>& out, kind k, std::uint64_t v) {
  const std::size_t start = begin_record(out, k);
  put<std::uint64_t>(out, v);
  finish_record(out, start);
}

void put_u16_record(std::vector<std::uint8_t>& out, kind k, std::uint16_t v) {
  const std::size_t start = begin_record(out, k);
  put<std::uint16_t>(out, v);
  finish_record(out, start);
}

std::error_code write_all(int fd, const std::uint8_t* data, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return last_errno();
    }
    data += w;
    n -= static_cast<std::size_t>(w);
  }
  return {};
}

std::error_code read_all(int fd, std::vector<std::uint8_t>& out) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return last_errno();
  out.resize(static_cast<std::size_t>(st.st_size));
  std::size_t got = 0;
  while (got < out.size()) {
    const ssize_t r = ::pread(fd, out.data() + got, out.size() - got, static_cast<off_t>(got));
    if (r < 0) {
      if (errno == EINTR) continue;
      return last_errno();
    }
    if (r == 0) break;  // shrank meanwhile: we hold the lock, so only a foreign writer
    got += static_cast<std::size_t>(r);
  }
  out.resize(got);
  return {};
}

// A rename is durable only once the directory holding the name is synced.
std::error_code sync_directory_of(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return last_errno();
  std::error_code ec;
  if (::fsync(fd) != 0) ec = last_errno();
  ::close(fd);
  return ec;
}

// Writes `contents` to "<path>.tmp", syncs it and renames it over `path`. Returns the new
// file's descriptor (locked, positioned for appending) in `fd_out`. `dir_synced` tells whether
// the directory sync after the rename succeeded (if not, the rename happened but may not
// survive a crash yet).
std::error_code replace_file(const std::string& path, const std::vector<std::uint8_t>& contents,
                             mode_t mode, int& fd_out, bool& dir_synced) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, mode);
  if (fd < 0) return last_errno();
  std::error_code ec;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ec = last_errno();
  } else if (::fchmod(fd, mode) != 0) {  // the umask may have narrowed it
    ec = last_errno();
  } else if ((ec = write_all(fd, contents.data(), contents.size()))) {
  } else if (::fsync(fd) != 0) {
    ec = last_errno();
  } else if (::rename(tmp.c_str(), path.c_str()) != 0) {
    ec = last_errno();
  }
  if (ec) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return ec;
  }
  dir_synced = !sync_directory_of(path);
  fd_out = fd;
  return {};
}

}  // namespace

file_store::~file_store() { close(); }

void file_store::close() noexcept {
  if (fd_ >= 0) ::close(fd_);  // also releases the flock
  fd_ = -1;
  end_ = 0;
  failed_ = {};
  dir_sync_pending_ = false;
  messages_.clear();
  incoming_.clear();
  message_bytes_ = 0;
}

std::error_code file_store::open(const std::string& path) {
  close();
  path_ = path;
  compactions_ = 0;
  recovered_torn_tail_ = false;
  // Another process may replace the file (creating or compacting it) between our open() and
  // flock(): then we would hold a lock on an unlinked file. Compare inodes and retry.
  for (int attempt = 0; attempt < 10; ++attempt) {
    int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
      std::vector<std::uint8_t> empty(magic.begin(), magic.end());
      bool dir_synced = false;
      if (std::error_code ec = replace_file(path, empty, 0600, fd, dir_synced)) return ec;
      if (!dir_synced) {
        ::close(fd);
        return sync_directory_of(path);  // report why a fresh store is not durable
      }
    } else if (fd < 0) {
      return last_errno();
    } else if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const std::error_code ec = last_errno();
      ::close(fd);
      if (ec == std::errc::resource_unavailable_try_again ||
          ec == std::errc::operation_would_block) {
        return store_errc::in_use;
      }
      return ec;
    }
    struct stat by_fd {}, by_name {};
    if (::fstat(fd, &by_fd) != 0 || ::stat(path.c_str(), &by_name) != 0 ||
        by_fd.st_ino != by_name.st_ino || by_fd.st_dev != by_name.st_dev) {
      ::close(fd);
      continue;
    }
    fd_ = fd;
    break;
  }
  if (fd_ < 0) return store_errc::in_use;

  std::vector<std::uint8_t> file;
  std::error_code ec = read_all(fd_, file);
  std::uint64_t valid_end = 0;
  if (!ec) ec = replay(file, valid_end);
  if (!ec && valid_end < file.size()) {
    // Cut the torn record off, or the next append would land behind it and turn it into
    // damage in the middle.
    recovered_torn_tail_ = true;
    if (::ftruncate(fd_, static_cast<off_t>(valid_end)) != 0 || ::fsync(fd_) != 0) {
      ec = last_errno();
    }
  }
  if (ec) {
    close();
    return ec;
  }
  end_ = valid_end;
  return {};
}

namespace {

// What a bad record at `pos` (declared to end at `record_end`) of `size` bytes means: the
// tail a crash tore (nothing but zeros, or nothing at all, follows its declared end, or it
// is all zeros itself) or damage in the middle.
std::error_code torn_or_corrupt(const std::uint8_t* data, std::size_t size, std::size_t pos,
                                std::size_t record_end) {
  bool only_zeros_after = true;
  for (std::size_t i = std::min(record_end, size); i < size && only_zeros_after; ++i) {
    only_zeros_after = data[i] == 0;
  }
  bool all_zero = true;
  for (std::size_t i = pos; i < size && all_zero; ++i) all_zero = data[i] == 0;
  if (record_end >= size || only_zeros_after || all_zero) return {};
  return store_errc::corrupt_record;
}

}  // namespace

std::error_code file_store::replay(const std::vector<std::uint8_t>& file,
                                   std::uint64_t& valid_end) {
  if (file.empty()) {
    // Made by someone else (e.g. touch): adopt it.
    if (std::error_code ec = write_all(fd_, magic.data(), magic.size())) return ec;
    if (::fsync(fd_) != 0) return last_errno();
    valid_end = magic.size();
    return {};
  }
  if (file.size() < magic.size() || !std::equal(magic.begin(), magic.end(), file.begin())) {
    return store_errc::bad_header;
  }
  const std::uint8_t* const data = file.data();
  const std::size_t size = file.size();
  std::size_t pos = magic.size();
  while (pos < size) {
    if (size - pos < record_header) break;  // torn in its header
    const std::uint32_t len = get<std::uint32_t>(data + pos);
    const std::uint32_t sum = get<std::uint32_t>(data + pos + 4);
    const std::size_t body = pos + record_header;
    if (len > size - body) break;  // torn in its body
    const std::size_t record_end = body + len;
    if (len == 0 || crc32(data + body, len) != sum) {
      if (std::error_code ec = torn_or_corrupt(data, size, pos, record_end)) return ec;
      break;
    }
    // A record with a good checksum that makes no sense was written by something else (or a
    // newer format): never a torn write.
    if (!apply(data + body, len)) return store_errc::corrupt_record;
    pos = record_end;
  }
  valid_end = pos;
  return {};
}

bool file_store::apply(const std::uint8_t* b, std::uint32_t len) {
  switch (static_cast<kind>(b[0])) {
    case kind::save: {
      constexpr auto last_stage =
          static_cast<std::uint8_t>(stored_publish::stage::awaiting_pubcomp);
      if (len < save_fixed || b[11] > last_stage) return false;
      stored_publish m;
      m.sequence = get<std::uint64_t>(b + 1);
      m.packet_id = get<std::uint16_t>(b + 9);
      m.state = static_cast<stored_publish::stage>(b[11]);
      m.version = b[12];
      m.packet.assign(b + save_fixed, b + len);
      auto [it, inserted] = messages_.try_emplace(m.sequence);
      if (!inserted) message_bytes_ -= it->second.packet.size();
      message_bytes_ += m.packet.size();
      it->second = std::move(m);
      return true;
    }
    case kind::remove:
      if (len != remove_size) return false;
      if (auto it = messages_.find(get<std::uint64_t>(b + 1)); it != messages_.end()) {
        message_bytes_ -= it->second.packet.size();
        messages_.erase(it);
      }
      return true;
    case kind::save_incoming:
      if (len != incoming_size) return false;
      incoming_.insert(get<std::uint16_t>(b + 1));
      return true;
    case kind::remove_incoming:
      if (len != incoming_size) return false;
      incoming_.erase(get<std::uint16_t>(b + 1));
      return true;
    case kind::clear:
      if (len != 1) return false;
      messages_.clear();
      incoming_.clear();
      message_bytes_ = 0;
      return true;
  }
  return false;
}

std::error_code file_store::usable() const {
  if (fd_ < 0) return store_errc::not_open;
  if (failed_) return store_errc::failed;
  return {};
}

std::error_code file_store::append(const std::vector<std::uint8_t>& record) {
  if (dir_sync_pending_) {
    // The last compaction's rename may not be durable: appending to the new file before it is
    // would let a crash lose this record with the name.
    if (std::error_code ec = sync_directory_of(path_)) return ec;
    dir_sync_pending_ = false;
  }
  if (std::error_code ec = write_all(fd_, record.data(), record.size())) {
    // Take back a partial record so the next append does not land behind garbage.
    if (::ftruncate(fd_, static_cast<off_t>(end_)) != 0) failed_ = ec;
    return ec;
  }
  if (::fdatasync(fd_) != 0) {
    failed_ = last_errno();
    return failed_;
  }
  end_ += record.size();
  return {};
}

std::uint64_t file_store::live_bytes() const {
  return magic.size() + messages_.size() * (record_header + save_fixed) + message_bytes_ +
         incoming_.size() * (record_header + incoming_size);
}

std::error_code file_store::maybe_compact() {
  if (end_ < options_.compact_min_bytes || end_ <= options_.compact_factor * live_bytes()) {
    return {};
  }
  std::vector<std::uint8_t> snapshot(magic.begin(), magic.end());
  snapshot.reserve(static_cast<std::size_t>(live_bytes()));
  for (const auto& entry : messages_) put_save(snapshot, entry.second);
  for (std::uint16_t id : incoming_) put_u16_record(snapshot, kind::save_incoming, id);
  struct stat st {};
  const mode_t mode = ::fstat(fd_, &st) == 0 ? (st.st_mode & 07777) : 0600;
  int fd = -1;
  bool dir_synced = false;
  if (std::error_code ec = replace_file(path_, snapshot, mode, fd, dir_synced)) {
    return ec;  // the old log is intact and still ours
  }
  ::close(fd_);
  fd_ = fd;
  end_ = snapshot.size();
  dir_sync_pending_ = !dir_synced;
  ++compactions_;
  return {};
}

std::error_code file_store::save(const stored_publish& m) {
  if (std::error_code ec = usable()) return ec;
  std::vector<std::uint8_t> record;
  record.reserve(record_header + save_fixed + m.packet.size());
  put_save(record, m);
  if (std::error_code ec = append(record)) return ec;
  auto [it, inserted] = messages_.try_emplace(m.sequence);
  if (!inserted) message_bytes_ -= it->second.packet.size();
  message_bytes_ += m.packet.size();
  it->second = m;
  (void)maybe_compact();  // the change is durable already; a failed compaction is retried later
  return {};
}

std::error_code file_store::remove(std::uint64_t sequence) {
  if (std::error_code ec = usable()) return ec;
  const auto it = messages_.find(sequence);
  if (it == messages_.end()) return {};
  std::vector<std::uint8_t> record;
  put_u64_record(record, kind::remove, sequence);
  if (std::error_code ec = append(record)) return ec;
  message_bytes_ -= it->second.packet.size();
  messages_.erase(it);
  (void)maybe_compact();
  return {};
}

std::error_code file_store::save_incoming(std::uint16_t packet_id) {
  if (std::error_code ec = usable()) return ec;
  if (incoming_.count(packet_id) != 0) return {};
  std::vector<std::uint8_t> record;
  put_u16_record(record, kind::save_incoming, packet_id);
  if (std::error_code ec = append(record)) return ec;
  incoming_.insert(packet_id);
  (void)maybe_compact();
  return {};
}

std::error_code file_store::remove_incoming(std::uint16_t packet_id) {
  if (std::error_code ec = usable()) return ec;
  if (incoming_.count(packet_id) == 0) return {};
  std::vector<std::uint8_t> record;
  put_u16_record(record, kind::remove_incoming, packet_id);
  if (std::error_code ec = append(record)) return ec;
  incoming_.erase(packet_id);
  (void)maybe_compact();
  return {};
}

std::error_code file_store::clear() {
  if (std::error_code ec = usable()) return ec;
  if (messages_.empty() && incoming_.empty()) return {};
  std::vector<std::uint8_t> record;
  finish_record(record, begin_record(record, kind::clear));
  if (std::error_code ec = append(record)) return ec;
  messages_.clear();
  incoming_.clear();
  message_bytes_ = 0;
  (void)maybe_compact();
  return {};
}

std::error_code file_store::load(std::vector<stored_publish>& messages,
                                 std::vector<std::uint16_t>& incoming) {
  if (fd_ < 0) return store_errc::not_open;
  messages.clear();
  incoming.clear();
  messages.reserve(messages_.size());
  for (const auto& entry : messages_) messages.push_back(entry.second);
  incoming.assign(incoming_.begin(), incoming_.end());
  return {};
}

}  // namespace mqttws
