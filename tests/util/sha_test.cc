#include "util/sha.h"

#include <gtest/gtest.h>

#include <string>

#include "util/text.h"

namespace wharf {
namespace {

// FIPS 180 test vectors, and git's id of the blob "hello\n".
TEST(ShaTest, KnownVectors) {
  Sha1 empty;
  EXPECT_EQ(to_hex(empty.digest()), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  Sha1 abc;
  abc.update("abc");
  EXPECT_EQ(to_hex(abc.digest()), "a9993e364706816aba3e25717850c26c9cd0d89d");
  Sha1 blob;
  blob.update(std::string_view("blob 6\0", 7));
  blob.update("hello\n");
  EXPECT_EQ(to_hex(blob.digest()), "ce013625030ba8dba906f756967f9e9ca394464a");
  Sha256 abc256;
  abc256.update("abc");
  EXPECT_EQ(to_hex(abc256.digest()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ShaTest, PiecesHashLikeTheWhole) {
  std::string text;
  for (int i = 0; i < 10000; ++i) text += static_cast<char>('a' + i % 26);
  Sha256 whole;
  whole.update(text);
  Sha256 pieces;
  for (std::size_t at = 0; at < text.size(); at += 777) pieces.update(std::string_view(text).substr(at, 777));
  EXPECT_EQ(to_hex(pieces.digest()), to_hex(whole.digest()));
  Sha1 whole1;
  whole1.update(text);
  Sha1 pieces1;
  pieces1.update(std::string_view(text).substr(0, 64));
  pieces1.update(std::string_view(text).substr(64));
  EXPECT_EQ(to_hex(pieces1.digest()), to_hex(whole1.digest()));
}

}  // namespace
}  // namespace wharf
