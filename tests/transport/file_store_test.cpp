// file_store: every change survives a reopen, a crash's torn last record is dropped, damage
// in the middle is reported, compaction keeps the content.
#include "mqttws/file_store.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace mqttws {
namespace {

namespace fs = std::filesystem;
using stage = stored_publish::stage;

stored_publish message(std::uint64_t sequence, std::uint16_t packet_id, stage state,
                       std::size_t packet_bytes = 16, std::uint8_t version = 5) {
  stored_publish m;
  m.sequence = sequence;
  m.packet_id = packet_id;
  m.state = state;
  m.version = version;
  for (std::size_t i = 0; i < packet_bytes; ++i) {
    m.packet.push_back(static_cast<std::uint8_t>(sequence * 31 + i));
  }
  return m;
}

bool same(const stored_publish& a, const stored_publish& b) {
  return a.sequence == b.sequence && a.packet_id == b.packet_id && a.state == b.state &&
         a.version == b.version && a.packet == b.packet;
}

class FileStore : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/mqttws-store-test-XXXXXX";
    ASSERT_NE(::mkdtemp(templ), nullptr);
    dir_ = templ;
    path_ = dir_ + "/session.store";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Closes `store`, opens the file again in a new store and returns its content.
  struct contents {
    std::vector<stored_publish> messages;
    std::vector<std::uint16_t> incoming;
  };
  contents reopen(file_store& store) {
    store.close();
    file_store again;
    EXPECT_EQ(again.open(path_), std::error_code());
    contents c;
    EXPECT_EQ(again.load(c.messages, c.incoming), std::error_code());
    return c;
  }

  std::vector<std::uint8_t> file_bytes() const {
    std::ifstream in(path_, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  void write_bytes(const std::vector<std::uint8_t>& bytes) const {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
  }

  std::string dir_;
  std::string path_;
};

TEST_F(FileStore, OpenCreatesAnEmptyStoreFile) {
  file_store store;
  ASSERT_EQ(store.open(path_), std::error_code());
  EXPECT_TRUE(store.is_open());
  EXPECT_TRUE(fs::exists(path_));
  EXPECT_EQ(store.file_size(), 8u);  // the magic only
  std::vector<stored_publish> messages{message(1, 1, stage::queued)};
  std::vector<std::uint16_t> incoming{7};
  ASSERT_EQ(store.load(messages, incoming), std::error_code());
  EXPECT_TRUE(messages.empty());
  EXPECT_TRUE(incoming.empty());
}

TEST_F(FileStore, OpenInAMissingDirectoryFailsWithENOENT) {
  file_store store;
  EXPECT_EQ(store.open(dir_ + "/no/such/dir/store"),
            std::error_code(ENOENT, std::system_category()));
  EXPECT_FALSE(store.is_open());
}

TEST_F(FileStore, EveryCallBeforeOpenFailsWithNotOpen) {
  file_store store;
  std::vector<stored_publish> messages;
  std::vector<std::uint16_t> incoming;
  EXPECT_EQ(store.save(message(1, 1, stage::queued)), store_errc::not_open);
  EXPECT_EQ(store.remove(1), store_errc::not_open);
  EXPECT_EQ(store.save_incoming(1), store_errc::not_open);
  EXPECT_EQ(store.remove_incoming(1), store_errc::not_open);
  EXPECT_EQ(store.clear(), store_errc::not_open);
  EXPECT_EQ(store.load(messages, incoming), store_errc::not_open);
}

TEST_F(FileStore, LoadReturnsWhatWasSavedFieldForField) {
  file_store store;
  ASSERT_EQ(store.open(path_), std::error_code());
  const stored_publish m = message(42, 0x1234, stage::awaiting_pubcomp, 300, 4);
  ASSERT_EQ(store.save(m), std::error_code());
  std::vector<stored_publish> messages;
  std::vector<std::uint16_t> incoming;
  ASSERT_EQ(store.load(messages, incoming), std::error_code());
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_TRUE(same(messages[0], m));
}

TEST_F(FileStore, LoadOrdersMessagesBySequenceAndIdsAscending) {
  file_store store;
  ASSERT_EQ(store.open(path_), std::error_code());
  for (std::uint64_t seq : {5, 1, 3}) {
    ASSERT_EQ(store.save(message(seq, static_cast<std::uint16_t>(seq), stage::awaiting_ack)),
              std::error_code());
  }
  for (int id : {9, 2, 500}) {
    ASSERT_EQ(store.save_incoming(static_cast<std::uint16_t>(id)), std::error_code());
  }
  const contents c = reopen(store);
  ASSERT_EQ(c.messages.size(), 3u);
  EXPECT_EQ(c.messages[0].sequence, 1u);
  EXPECT_EQ(c.messages[1].sequence, 3u);
  EXPECT_EQ(c.messages[2].sequence, 5u);
  EXPECT_EQ(c.incoming, (std::vector<std::uint16_t>{2, 9, 500}));
}

TEST_F(FileStore, SaveSurvivesReopen) {
  file_store store;
  ASSERT_EQ(store.open(path_), std::error_code());
  const stored_publish m = message(7, 3, stage::awaiting_ack, 1000);
  ASSERT_EQ(store.save(m), std::error_code());
  const contents c = reopen(store);
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_TRUE(same(c.messages[0], m));
}

TEST_F(FileStore, SaveOfTheSameSequenceReplacesAndSurvivesReopen) {
  file_store store;
  ASSERT_EQ(store.open(path_), std::error_code());
  ASSERT_EQ(store.save(message(7, 0, stage::queued)), std::error_code());
  const stored_publish sent = message(7, 12, stage::awaiting_pubcomp);
  ASSERT_EQ(store.save(sent), std::error_code());
  EXPECT_EQ(store.message_count(), 1u);
  const contents c = reopen(store);
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_TRUE(same(c.messages[0], sent));
}

TEST_F(FileStore, RemoveSurvivesReopen) {
  file_store store;
  ASSERT_EQ(store.open(path_), std::error_code());
  ASSERT_EQ(store.save(message(1, 1, stage::awaiting_ack)), std::error_code());
  ASSERT_EQ(store.save(message(2, 2, stage::awaiting_ack)), std::error_code());
  ASSERT_EQ(store.remove(1), std::error_code());
  const contents c = reopen(store);
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_EQ(c.messages[0].sequence, 2u);
}

TEST_F(FileStore, SaveIncomingSurvivesReopen) {
  file_store store;
  ASSERT_EQ(store.open(path_), std::error_code());
  ASSERT_EQ(store.save_incoming(65535), std::error_code());
  EXPECT_EQ(reopen(store).incoming, (std::vector<std::uint16_t>{65535}));
}

TEST_F(FileStore, RemoveIncomingSurvivesReopen) {
  file_store store;
  ASSERT_EQ(store.open(path_), std::error_code());
  ASSERT_EQ(store.save_incoming(1), std::error_code());
  ASSERT_EQ(store.save_incoming(2), std::error_code());
  ASSERT_EQ(store.remove_incoming(1), std::error_code());
  EXPECT_EQ(reopen(store).incoming, (std::vector<std::uint16_t>{2}));
}

TEST_F(FileStore, ClearSurvivesReopen) {
  file_store store;
  ASSERT_EQ(store.open(path_), std::error_code());
  ASSERT_EQ(store.save(message(1, 1, stage::awaiting_ack)), std::error_code());
  ASSERT_EQ(store.save_incoming(4), std::error_code());
  ASSERT_EQ(store.clear(), std::error_code());
  EXPECT_EQ(store.message_count(), 0u);
  const contents c = reopen(store);
  EXPECT_TRUE(c.messages.empty());
  EXPECT_TRUE(c.incoming.empty());
}

TEST_F(FileStore, StoreIsUsableAfterClear) {
  file_store store;
  ASSERT_EQ(store.open(path_), std::error_code());
  ASSERT_EQ(store.save(message(1, 1, stage::awaiting_ack)), std::error_code());
  ASSERT_EQ(store.clear(), std::error_code());
  ASSERT_EQ(store.save(message(2, 5, stage::awaiting_ack)), std::error_code());
  const contents c = reopen(store);
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_EQ(c.messages[0].sequence, 2u);
}

TEST_F(FileStore, RemovingWhatIsNotThereSucceedsWithoutWriting) {
  file_store store;
  ASSERT_EQ(store.open(path_), std::error_code());
  const std::uint64_t size = store.file_size();
  EXPECT_EQ(store.remove(99), std::error_code());
  EXPECT_EQ(store.remove_incoming(99), std::error_code());
  EXPECT_EQ(store.clear(), std::error_code());
  EXPECT_EQ(store.file_size(), size);
  EXPECT_EQ(fs::file_size(path_), size);
}

TEST_F(FileStore, EveryChangeIsInTheFileWhenTheCallReturns) {
  file_store store;
  ASSERT_EQ(store.open(path_), std::error_code());
  ASSERT_EQ(store.save(message(1, 1, stage::awaiting_ack, 100)), std::error_code());
  // No close(): another reader sees the record at once (written, not buffered in the process).
  EXPECT_EQ(fs::file_size(path_), store.file_size());
  EXPECT_EQ(store.file_size(), 8u + 8u + 13u + 100u);
}

TEST_F(FileStore, TornLastRecordIsDroppedOnOpen) {
  file_store store;
  ASSERT_EQ(store.open(path_), std::error_code());
  ASSERT_EQ(store.save(message(1, 1, stage::awaiting_ack)), std::error_code());
  const std::uint64_t after_first = store.file_size();
  ASSERT_EQ(store.save(message(2, 2, stage::awaiting_ack)), std::error_code());
  store.close();
  fs::resize_file(path_, fs::file_size(path_) - 3);  // a crash in the middle of the write

  file_store again;
  ASSERT_EQ(again.open(path_), std::error_code());
  EXPECT_TRUE(again.recovered_torn_tail());
  EXPECT_EQ(again.file_size(), after_first);
  EXPECT_EQ(fs::file_size(path_), after_first);  // cut off, so appends follow a good record
  std::vector<stored_publish> messages;
  std::vector<std::uint16_t> incoming;
  ASSERT_EQ(again.load(messages, incoming), std::error_code());
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].sequence, 1u);
}

TEST_F(FileStore, AppendsAfterARecoveredTornTailSurviveTheNextReopen) {
  file_store store;
  ASSERT_EQ(store.open(path_), std::error_code());
  ASSERT_EQ(store.save(message(1, 1, stage::awaiting_ack)), std::error_code());
  ASSERT_EQ(store.save(message(2, 2, stage::awaiting_ack)), std::error_code());
  store.close();
  fs::resize_file(path_, fs::file_size(path_) - 1);
  ASSERT_EQ(store.open(path_), std::error_code());
  ASSERT_EQ(store.save(message(3, 3, stage::awaiting_ack)), std::error_code());
  const contents c = reopen(store);
  ASSERT_EQ(c.messages.size(), 2u);
  EXPECT_EQ(c.messages[0].sequence, 1u);
  EXPECT_EQ(c.messages[1].sequence, 3u);
}

TEST_F(FileStore, RecordTornInsideItsLengthFieldIsDropped) {
  file_store store;
  ASSERT_EQ(store.open(path_), std::error_code());
  ASSERT_EQ(store.save_incoming(1), std::error_code());
  const std::uint64_t good = store.file_size();
  store.close();
  std::vector<std::uint8_t> bytes = file_bytes();
  bytes.insert(bytes.end(), {0x03, 0x00, 0x00});  // 3 of a record header's 8 bytes
  write_bytes(bytes);
  ASSERT_EQ(store.open(path_), std::error_code());
  EXPECT_TRUE(store.recovered_torn_tail());
  EXPECT_EQ(store.file_size(), good);
  EXPECT_EQ(store.incoming_count(), 1u);
}

TEST_F(FileStore, ZeroFilledTailIsDropped) {
  file_store store;
  ASSERT_EQ(store.open(path_), std::error_code());
  ASSERT_EQ(store.save(message(1, 1, stage::awaiting_ack)), std::error_code());
  const std::uint64_t good = store.file_size();
  store.close();
  // A file system may show a crashed append as zeros.
  std::vector<std::uint8_t> bytes = file_bytes();
  bytes.resize(bytes.size() + 100, 0);
  write_bytes(bytes);
  ASSERT_EQ(store.open(path_), std::error_code());
  EXPECT_TRUE(store.recovered_torn_tail());
  EXPECT_EQ(store.file_size(), good);
  EXPECT_EQ(store.message_count(), 1u);
}

TEST_F(FileStore, LastRecordWithABadChecksumIsTreatedAsTorn) {
  file_store store;
  ASSERT_EQ(store.open(path_), std::error_code());
  ASSERT_EQ(store.save(message(1, 1, stage::awaiting_ack)), std::error_code());
  ASSERT_EQ(store.save(message(2, 2, stage::awaiting_ack)), std::error_code());
  store.close();
  std::vector<std::uint8_t> bytes = file_bytes();
  bytes.back() ^= 0xFF;
  write_bytes(bytes);
  ASSERT_EQ(store.open(path_), std::error_code());
  EXPECT_TRUE(store.recovered_torn_tail());
  EXPECT_EQ(store.message_count(), 1u);
}

TEST_F(FileStore, DamagedRecordInTheMiddleFailsOpenWithCorruptRecord) {
  file_store store;
  ASSERT_EQ(store.open(path_), std::error_code());
  ASSERT_EQ(store.save(message(1, 1, stage::awaiting_ack)), std::error_code());
  ASSERT_EQ(store.save(message(2, 2, stage::awaiting_ack)), std::error_code());
  store.close();
  std::vector<std::uint8_t> bytes = file_bytes();
  bytes[8 + 8 + 20] ^= 0x01;  // inside the first record's packet
  write_bytes(bytes);

  EXPECT_EQ(store.open(path_), store_errc::corrupt_record);
  EXPECT_FALSE(store.is_open());
  EXPECT_EQ(file_bytes(), bytes);  // left as it was, for inspection
}

TEST_F(FileStore, RecordWithAGoodChecksumButUnknownKindIsCorrupt) {
  file_store store;
  ASSERT_EQ(store.open(path_), std::error_code());
  store.close();
  // A record of kind 9 (unknown), length 1, with the right CRC-32 (computed here):
  std::vector<std::uint8_t> bytes = file_bytes();
  const std::uint8_t body = 0x09;
  std::uint32_t c = 0xFFFFFFFFU;
  c ^= body;
  for (int k = 0; k < 8; ++k) c = (c & 1U) ? 0xEDB88320U ^ (c >> 1) : c >> 1;
  c ^= 0xFFFFFFFFU;
  bytes.insert(bytes.end(), {1, 0, 0, 0});
  for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<std::uint8_t>(c >> (8 * i)));
  bytes.push_back(body);
  write_bytes(bytes);
  EXPECT_EQ(store.open(path_), store_errc::corrupt_record);
}

TEST_F(FileStore, ForeignFileFailsOpenWithBadHeader) {
  write_bytes({'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '\n'});
  file_store store;
  EXPECT_EQ(store.open(path_), store_errc::bad_header);
  EXPECT_EQ(fs::file_size(path_), 12u);
}

TEST_F(FileStore, EmptyExistingFileIsAdopted) {
  write_bytes({});
  file_store store;
  ASSERT_EQ(store.open(path_), std::error_code());
  ASSERT_EQ(store.save_incoming(3), std::error_code());
  EXPECT_EQ(reopen(store).incoming, (std::vector<std::uint16_t>{3}));
}

TEST_F(FileStore, SecondStoreOnTheSameFileFailsWithInUse) {
  file_store first;
  ASSERT_EQ(first.open(path_), std::error_code());
  file_store second;
  EXPECT_EQ(second.open(path_), store_errc::in_use);
  first.close();
  EXPECT_EQ(second.open(path_), std::error_code());
}

TEST_F(FileStore, CompactionShrinksTheFileAndKeepsTheContent) {
  file_store store(file_store_options{512, 2});
  ASSERT_EQ(store.open(path_), std::error_code());
  for (std::uint64_t seq = 1; seq <= 200; ++seq) {
    ASSERT_EQ(store.save(message(seq, static_cast<std::uint16_t>(seq), stage::awaiting_ack)),
              std::error_code());
    if (seq % 10 != 0) {
      ASSERT_EQ(store.remove(seq), std::error_code());
    }
  }
  ASSERT_EQ(store.save_incoming(77), std::error_code());
  EXPECT_GT(store.compactions(), 0u);
  // 20 live messages of 8 + 13 + 16 bytes, one id of 11: at most twice that after compaction.
  EXPECT_LE(store.file_size(), 2u * (8u + 20u * 37u + 11u));
  EXPECT_EQ(fs::file_size(path_), store.file_size());
  EXPECT_FALSE(fs::exists(path_ + ".tmp"));

  const contents c = reopen(store);
  ASSERT_EQ(c.messages.size(), 20u);
  for (std::size_t i = 0; i < 20; ++i) {
    EXPECT_TRUE(same(c.messages[i], message((i + 1) * 10, static_cast<std::uint16_t>((i + 1) * 10),
                                            stage::awaiting_ack)));
  }
  EXPECT_EQ(c.incoming, (std::vector<std::uint16_t>{77}));
}

TEST_F(FileStore, ChangesAfterACompactionSurviveReopen) {
  file_store store(file_store_options{64, 1});
  ASSERT_EQ(store.open(path_), std::error_code());
  for (std::uint64_t seq = 1; seq <= 10; ++seq) {
    ASSERT_EQ(store.save(message(seq, 1, stage::awaiting_ack)), std::error_code());
    ASSERT_EQ(store.remove(seq), std::error_code());
  }
  ASSERT_GT(store.compactions(), 0u);
  ASSERT_EQ(store.save(message(11, 4, stage::awaiting_pubcomp)), std::error_code());
  const contents c = reopen(store);
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_TRUE(same(c.messages[0], message(11, 4, stage::awaiting_pubcomp)));
}

TEST_F(FileStore, CompactedFileIsStillLockedAgainstASecondStore) {
  file_store store(file_store_options{64, 1});
  ASSERT_EQ(store.open(path_), std::error_code());
  for (std::uint64_t seq = 1; seq <= 10; ++seq) {
    ASSERT_EQ(store.save(message(seq, 1, stage::awaiting_ack)), std::error_code());
    ASSERT_EQ(store.remove(seq), std::error_code());
  }
  ASSERT_GT(store.compactions(), 0u);
  file_store second;
  EXPECT_EQ(second.open(path_), store_errc::in_use);
}

// RLIMIT_FSIZE makes the next append fail (EFBIG) part-way: the store must report it and the
// file must hold exactly what it held before.
TEST_F(FileStore, FailedAppendIsReportedAndLeavesTheFileAsItWas) {
  file_store store;
  ASSERT_EQ(store.open(path_), std::error_code());
  ASSERT_EQ(store.save(message(1, 1, stage::awaiting_ack)), std::error_code());
  const std::vector<std::uint8_t> before = file_bytes();

  rlimit old{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
  rlimit small = old;
  small.rlim_cur = before.size() + 20;  // room for part of the next record only
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  const std::error_code ec = store.save(message(2, 2, stage::awaiting_ack, 200));
  ::setrlimit(RLIMIT_FSIZE, &old);
  ::signal(SIGXFSZ, old_handler);

  EXPECT_EQ(ec, std::error_code(EFBIG, std::system_category()));
  EXPECT_EQ(store.message_count(), 1u);
  EXPECT_EQ(file_bytes(), before);
  ASSERT_EQ(store.save(message(3, 3, stage::awaiting_ack)), std::error_code());
  const contents c = reopen(store);
  ASSERT_EQ(c.messages.size(), 2u);
  EXPECT_EQ(c.messages[0].sequence, 1u);
  EXPECT_EQ(c.messages[1].sequence, 3u);
}

TEST(StoreErrc, HasItsOwnNamedCategoryAndMessages) {
  const std::error_code ec = store_errc::corrupt_record;
  EXPECT_STREQ(ec.category().name(), "mqttws.store");
  EXPECT_EQ(ec.message(), "session store file is corrupt");
  EXPECT_EQ(std::error_code(store_errc::in_use).message(),
            "session store file is in use by another store");
}

}  // namespace
}  // namespace mqttws
