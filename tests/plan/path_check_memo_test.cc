// The file behind the "matches nothing at HEAD" memo: only an undamaged file
// for the same config digest and tree is an answer.
#include "plan/path_check_memo.h"

#include <gtest/gtest.h>

#include "fs/memory_file_system.h"

namespace wharf::plan {
namespace {

constexpr const char* kFile = "/repo/.wharf/cache/config/x.snapshot.paths";
constexpr const char* kDigest = "0123456789abcdef0123456789abcdef";

vcs::ObjectId Tree(unsigned char fill) {
  vcs::ObjectId id{};
  for (auto& byte : id.raw.id) byte = fill;
  return id;
}

TEST(PathCheckMemoTest, RecallsWhatWasRememberedForTheSameTreeAndConfig) {
  fs::MemoryFileSystem files;
  FilePathCheckMemo memo(files, kFile, kDigest);
  EXPECT_FALSE(memo.recall(Tree(1)).has_value());  // no file yet
  memo.remember(Tree(1), {3, 17});
  auto recalled = memo.recall(Tree(1));
  ASSERT_TRUE(recalled.has_value());
  EXPECT_EQ(*recalled, (UnmatchedPatterns{3, 17}));
  memo.remember(Tree(1), {});
  recalled = memo.recall(Tree(1));
  ASSERT_TRUE(recalled.has_value());
  EXPECT_TRUE(recalled->empty());
}

TEST(PathCheckMemoTest, AnotherTreeOrConfigIsNoAnswer) {
  fs::MemoryFileSystem files;
  FilePathCheckMemo(files, kFile, kDigest).remember(Tree(1), {5});
  EXPECT_FALSE(FilePathCheckMemo(files, kFile, kDigest).recall(Tree(2)).has_value());
  EXPECT_FALSE(FilePathCheckMemo(files, kFile, "ffffffffffffffffffffffffffffffff").recall(Tree(1)).has_value());
}

TEST(PathCheckMemoTest, EveryDamagedOrTruncatedFileIsNoAnswer) {
  fs::MemoryFileSystem files;
  FilePathCheckMemo memo(files, kFile, kDigest);
  const std::string good = memo.encode(Tree(7), {0, 12, 400});
  for (std::size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    files.set_file(kFile, bad);
    EXPECT_FALSE(memo.recall(Tree(7)).has_value()) << "byte " << i;
  }
  for (std::size_t size = 0; size < good.size(); ++size) {
    files.set_file(kFile, good.substr(0, size));
    EXPECT_FALSE(memo.recall(Tree(7)).has_value()) << "size " << size;
  }
  files.set_file(kFile, good);
  EXPECT_EQ(memo.recall(Tree(7)), (UnmatchedPatterns{0, 12, 400}));
}

}  // namespace
}  // namespace wharf::plan
