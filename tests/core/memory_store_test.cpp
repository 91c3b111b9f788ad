// memory_store (the native client's default, across its reconnects): what the session saves,
// it loads back, in publication order.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "mqttws/session_store.hpp"

namespace mqttws {
namespace {

stored_publish message(std::uint64_t sequence, std::uint16_t packet_id,
                       stored_publish::stage state, std::vector<std::uint8_t> packet) {
  stored_publish m;
  m.sequence = sequence;
  m.packet_id = packet_id;
  m.state = state;
  m.packet = std::move(packet);
  return m;
}

std::vector<std::uint64_t> sequences(const std::vector<stored_publish>& v) {
  std::vector<std::uint64_t> out;
  for (const stored_publish& m : v) out.push_back(m.sequence);
  return out;
}

TEST(memory_store, starts_empty) {
  memory_store s;
  std::vector<stored_publish> messages;
  std::vector<std::uint16_t> incoming;
  EXPECT_FALSE(s.load(messages, incoming));
  EXPECT_TRUE(messages.empty());
  EXPECT_TRUE(incoming.empty());
  EXPECT_EQ(s.message_count(), 0u);
  EXPECT_EQ(s.incoming_count(), 0u);
}

TEST(memory_store, load_returns_messages_in_sequence_order) {
  memory_store s;
  EXPECT_FALSE(s.save(message(30, 3, stored_publish::stage::awaiting_ack, {0x32})));
  EXPECT_FALSE(s.save(message(10, 1, stored_publish::stage::awaiting_pubcomp, {0x34})));
  EXPECT_FALSE(s.save(message(20, 0, stored_publish::stage::queued, {0x30})));
  std::vector<stored_publish> messages;
  std::vector<std::uint16_t> incoming;
  EXPECT_FALSE(s.load(messages, incoming));
  EXPECT_EQ(sequences(messages), (std::vector<std::uint64_t>{10, 20, 30}));
}

TEST(memory_store, load_returns_every_field_as_saved) {
  memory_store s;
  stored_publish m = message(5, 77, stored_publish::stage::awaiting_pubcomp, {0x34, 0x01, 0x02});
  m.version = 4;
  EXPECT_FALSE(s.save(m));
  std::vector<stored_publish> messages;
  std::vector<std::uint16_t> incoming;
  EXPECT_FALSE(s.load(messages, incoming));
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].sequence, 5u);
  EXPECT_EQ(messages[0].packet_id, 77u);
  EXPECT_EQ(messages[0].state, stored_publish::stage::awaiting_pubcomp);
  EXPECT_EQ(messages[0].version, 4u);
  EXPECT_EQ(messages[0].packet, (std::vector<std::uint8_t>{0x34, 0x01, 0x02}));
}

TEST(memory_store, save_with_existing_sequence_replaces) {
  memory_store s;
  EXPECT_FALSE(s.save(message(1, 0, stored_publish::stage::queued, {0x32})));
  EXPECT_FALSE(s.save(message(1, 9, stored_publish::stage::awaiting_ack, {0x3a})));
  std::vector<stored_publish> messages;
  std::vector<std::uint16_t> incoming;
  EXPECT_FALSE(s.load(messages, incoming));
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].packet_id, 9u);
  EXPECT_EQ(messages[0].state, stored_publish::stage::awaiting_ack);
  EXPECT_EQ(messages[0].packet, (std::vector<std::uint8_t>{0x3a}));
  EXPECT_EQ(s.message_count(), 1u);
}

TEST(memory_store, remove_deletes_only_that_sequence) {
  memory_store s;
  for (std::uint64_t q = 1; q <= 3; ++q) {
    EXPECT_FALSE(s.save(message(q, 0, stored_publish::stage::queued, {})));
  }
  EXPECT_FALSE(s.remove(2));
  std::vector<stored_publish> messages;
  std::vector<std::uint16_t> incoming;
  EXPECT_FALSE(s.load(messages, incoming));
  EXPECT_EQ(sequences(messages), (std::vector<std::uint64_t>{1, 3}));
}

TEST(memory_store, remove_of_absent_sequence_succeeds) {
  memory_store s;
  EXPECT_FALSE(s.save(message(1, 0, stored_publish::stage::queued, {})));
  EXPECT_FALSE(s.remove(42));
  EXPECT_EQ(s.message_count(), 1u);
}

TEST(memory_store, incoming_ids_load_in_ascending_order_without_duplicates) {
  memory_store s;
  EXPECT_FALSE(s.save_incoming(300));
  EXPECT_FALSE(s.save_incoming(7));
  EXPECT_FALSE(s.save_incoming(65535));
  EXPECT_FALSE(s.save_incoming(7));
  std::vector<stored_publish> messages;
  std::vector<std::uint16_t> incoming;
  EXPECT_FALSE(s.load(messages, incoming));
  EXPECT_EQ(incoming, (std::vector<std::uint16_t>{7, 300, 65535}));
  EXPECT_EQ(s.incoming_count(), 3u);
}

TEST(memory_store, remove_incoming_deletes_only_that_id) {
  memory_store s;
  EXPECT_FALSE(s.save_incoming(1));
  EXPECT_FALSE(s.save_incoming(2));
  EXPECT_FALSE(s.remove_incoming(1));
  EXPECT_FALSE(s.remove_incoming(99));  // absent: still success
  std::vector<stored_publish> messages;
  std::vector<std::uint16_t> incoming;
  EXPECT_FALSE(s.load(messages, incoming));
  EXPECT_EQ(incoming, (std::vector<std::uint16_t>{2}));
}

TEST(memory_store, load_replaces_previous_vector_contents) {
  memory_store s;
  EXPECT_FALSE(s.save(message(4, 0, stored_publish::stage::queued, {})));
  EXPECT_FALSE(s.save_incoming(5));
  std::vector<stored_publish> messages = {message(99, 0, stored_publish::stage::queued, {})};
  std::vector<std::uint16_t> incoming = {1, 2, 3};
  EXPECT_FALSE(s.load(messages, incoming));
  EXPECT_EQ(sequences(messages), (std::vector<std::uint64_t>{4}));
  EXPECT_EQ(incoming, (std::vector<std::uint16_t>{5}));
}

TEST(memory_store, clear_forgets_messages_and_incoming_ids) {
  memory_store s;
  EXPECT_FALSE(s.save(message(1, 1, stored_publish::stage::awaiting_ack, {0x32})));
  EXPECT_FALSE(s.save_incoming(8));
  EXPECT_FALSE(s.clear());
  std::vector<stored_publish> messages;
  std::vector<std::uint16_t> incoming;
  EXPECT_FALSE(s.load(messages, incoming));
  EXPECT_TRUE(messages.empty());
  EXPECT_TRUE(incoming.empty());
  EXPECT_EQ(s.message_count(), 0u);
  EXPECT_EQ(s.incoming_count(), 0u);
}

TEST(memory_store, works_through_the_store_interface) {
  memory_store m;
  session_store& s = m;
  EXPECT_FALSE(s.save(message(2, 0, stored_publish::stage::queued, {})));
  EXPECT_FALSE(s.save_incoming(3));
  EXPECT_EQ(m.message_count(), 1u);
  EXPECT_EQ(m.incoming_count(), 1u);
}

}  // namespace
}  // namespace mqttws
