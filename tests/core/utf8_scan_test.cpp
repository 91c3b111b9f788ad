// The UTF-8 / topic scan checks eight bytes at a time with a final overlapping chunk; these
// tests put the offending byte at every position of strings of every length up to 40, so
// each chunk boundary and the overlapping tail are exercised.
#include <gtest/gtest.h>

#include <string>

#include "mqttws/error.hpp"
#include "mqttws/topic.hpp"

namespace mqttws {
namespace {

std::string plain(std::size_t n) { return std::string(n, 'a'); }

TEST(Utf8Scan, PlainAsciiOfEveryLengthIsAValidTopicName) {
  for (std::size_t n = 1; n <= 40; ++n) {
    EXPECT_EQ(validate_topic_name(plain(n)), std::error_code()) << "length " << n;
  }
}

TEST(Utf8Scan, WildcardAtAnyPositionIsFound) {
  for (char wild : {'+', '#'}) {
    for (std::size_t n = 1; n <= 40; ++n) {
      for (std::size_t at = 0; at < n; ++at) {
        std::string s = plain(n);
        s[at] = wild;
        EXPECT_EQ(validate_topic_name(s), make_error_code(errc::invalid_topic_name))
            << wild << " at " << at << " of " << n;
      }
    }
  }
}

TEST(Utf8Scan, NullCharacterAtAnyPositionIsFound) {
  for (std::size_t n = 1; n <= 40; ++n) {
    for (std::size_t at = 0; at < n; ++at) {
      std::string s = plain(n);
      s[at] = '\0';
      EXPECT_EQ(validate_topic_name(s), make_error_code(errc::null_character))
          << "at " << at << " of " << n;
    }
  }
}

TEST(Utf8Scan, StrayContinuationByteAtAnyPositionIsFound) {
  for (std::size_t n = 1; n <= 40; ++n) {
    for (std::size_t at = 0; at < n; ++at) {
      std::string s = plain(n);
      s[at] = '\x80';
      EXPECT_EQ(validate_topic_name(s), make_error_code(errc::invalid_utf8))
          << "at " << at << " of " << n;
    }
  }
}

TEST(Utf8Scan, TwoByteCharacterAtAnyPositionIsAccepted) {
  for (std::size_t n = 2; n <= 40; ++n) {
    for (std::size_t at = 0; at + 1 < n; ++at) {
      std::string s = plain(n);
      s[at] = '\xC3';  // U+00E9
      s[at + 1] = '\xA9';
      EXPECT_EQ(validate_topic_name(s), std::error_code()) << "at " << at << " of " << n;
    }
  }
}

TEST(Utf8Scan, TruncatedSequenceAtTheEndIsFound) {
  for (std::size_t n = 1; n <= 40; ++n) {
    std::string s = plain(n);
    s.back() = '\xE2';  // lead byte of a three-byte sequence with nothing after it
    EXPECT_EQ(validate_topic_name(s), make_error_code(errc::invalid_utf8)) << "length " << n;
  }
}

}  // namespace
}  // namespace mqttws
