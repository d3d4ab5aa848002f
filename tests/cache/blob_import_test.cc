// BlobStore::adopt_file, link_file and temp_path: big files brought into the
// store by rename or hard link instead of a copy.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "cache/blob_store.h"
#include "cache/sha256.h"
#include "tests/cache/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace wharf::cache {
namespace {

namespace fs = std::filesystem;

class BlobImportTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(store_.init()); }

  static void Write(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
  }

  static struct stat Stat(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st;
  }

  static std::size_t Entries(const std::string& dir) {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), {}));
  }

  wharf::testing::TempDir temp_;
  BlobStore store_{temp_.path() + "/cache"};
};

TEST_F(BlobImportTest, TempPathIsFreshInTmpAndSurvivesSweepsWhileWeLive) {
  std::string first = store_.temp_path("layer 1/of:2");
  std::string second = store_.temp_path("layer 1/of:2");
  EXPECT_NE(first, second);
  EXPECT_EQ(fs::path(first).parent_path(), fs::path(store_.tmp_dir()));
  EXPECT_TRUE(fs::path(first).filename().string().starts_with(fmt::format("blob-{}-layer_1_of_2-", ::getpid())))
      << first;
  EXPECT_FALSE(fs::exists(first));
  Write(first, "half a layer");  // not locked: the pid alone keeps it
  EXPECT_EQ(store_.sweep_temporaries().files, 0u);
  EXPECT_TRUE(fs::exists(first));
  EXPECT_NE(store_.temp_path("layer 1/of:2"), first);  // taken names are skipped
}

TEST_F(BlobImportTest, TempPathOfAProcessThatIsGoneIsSwept) {
  int out[2];
  ASSERT_EQ(::pipe(out), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::string path = store_.temp_path("layer");
    Write(path, "written by a packer that was killed");
    ::_exit(::write(out[1], path.data(), path.size()) == static_cast<ssize_t>(path.size()) ? 0 : 1);
  }
  ::close(out[1]);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  char buffer[4096];
  ssize_t n = ::read(out[0], buffer, sizeof buffer);
  ::close(out[0]);
  ASSERT_GT(n, 0);
  std::string left(buffer, static_cast<std::size_t>(n));
  ASSERT_TRUE(fs::exists(left));
  EXPECT_EQ(store_.sweep_temporaries().files, 1u);
  EXPECT_FALSE(fs::exists(left));
}

TEST_F(BlobImportTest, AdoptFileRenamesWithoutCopying) {
  std::string path = store_.temp_path("layer");
  std::string bytes(200000, 'L');
  Write(path, bytes);
  ::chmod(path.c_str(), 0600);
  ino_t inode = Stat(path).st_ino;
  auto adopted = store_.adopt_file(path, sha256_hex(bytes));
  ASSERT_TRUE(adopted.has_value()) << adopted.error().message;
  EXPECT_TRUE(adopted->written);
  EXPECT_EQ(adopted->size, bytes.size());
  EXPECT_EQ(adopted->digest, sha256_hex(bytes));
  EXPECT_FALSE(fs::exists(path));
  auto blob = Stat(store_.path(adopted->digest));
  EXPECT_EQ(blob.st_ino, inode);  // the same file: renamed, not copied
  EXPECT_EQ(blob.st_mode & 0777, 0644u);
  EXPECT_EQ(store_.read(adopted->digest, Verify::yes).value_or(""), bytes);
  EXPECT_EQ(Entries(store_.tmp_dir()), 0u);
}

TEST_F(BlobImportTest, AdoptFileOfAStoredBlobJustRemovesTheFile) {
  auto stored = store_.put_bytes("layer bytes");
  ASSERT_TRUE(stored.has_value());
  ino_t inode = Stat(store_.path(stored->digest)).st_ino;
  std::string path = store_.temp_path("layer");
  Write(path, "layer bytes");
  auto adopted = store_.adopt_file(path, stored->digest);
  ASSERT_TRUE(adopted.has_value()) << adopted.error().message;
  EXPECT_FALSE(adopted->written);
  EXPECT_EQ(adopted->size, 11u);
  EXPECT_FALSE(fs::exists(path));
  EXPECT_EQ(Stat(store_.path(stored->digest)).st_ino, inode);
}

TEST_F(BlobImportTest, AdoptFileChecksTheSizeAndTheDigestsForm) {
  std::string empty = store_.temp_path("empty");
  Write(empty, "");
  auto refused = store_.adopt_file(empty, sha256_hex("not empty"));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().kind, ErrorKind::corrupt);
  EXPECT_NE(refused.error().message.find(empty), std::string::npos) << refused.error().message;
  EXPECT_TRUE(fs::exists(empty));  // left for the caller (and the sweep)
  EXPECT_FALSE(store_.contains(sha256_hex("not empty")));
  auto empty_blob = store_.adopt_file(empty, sha256_hex(""));
  ASSERT_TRUE(empty_blob.has_value()) << empty_blob.error().message;
  EXPECT_EQ(empty_blob->size, 0u);

  std::string full = store_.temp_path("full");
  Write(full, "bytes");
  refused = store_.adopt_file(full, sha256_hex(""));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().kind, ErrorKind::corrupt);
  refused = store_.adopt_file(full, "sha256:" + sha256_hex("bytes"));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().kind, ErrorKind::usage);
  refused = store_.adopt_file(temp_.path() + "/missing", sha256_hex("bytes"));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().kind, ErrorKind::not_found);
}

TEST_F(BlobImportTest, LinkFileHardLinksAndLeavesTheSourceAlone) {
  std::string source = temp_.path() + "/base-layout-blob";
  std::string bytes(150000, 'B');
  Write(source, bytes);
  ::chmod(source.c_str(), 0444);
  auto before = Stat(source);
  auto linked = store_.link_file(source, sha256_hex(bytes));
  ASSERT_TRUE(linked.has_value()) << linked.error().message;
  EXPECT_TRUE(linked->written);
  EXPECT_EQ(linked->size, bytes.size());
  auto after = Stat(source);
  EXPECT_EQ(Stat(store_.path(linked->digest)).st_ino, before.st_ino);  // linked, not copied
  EXPECT_EQ(after.st_mode, before.st_mode);
  EXPECT_EQ(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
  EXPECT_EQ(after.st_nlink, 2u);  // the source and the blob; no temporary left
  EXPECT_EQ(testing::slurp(source), bytes);
  EXPECT_EQ(Entries(store_.tmp_dir()), 0u);
  auto again = store_.link_file(source, sha256_hex(bytes));
  ASSERT_TRUE(again.has_value());
  EXPECT_FALSE(again->written);
}

TEST_F(BlobImportTest, LinkFileWithTheWrongDigestIsCorruptAndStoresNothing) {
  std::string source = temp_.path() + "/damaged-layer";
  Write(source, "these bytes were changed");
  std::string claimed = sha256_hex("the bytes the manifest names");
  auto linked = store_.link_file(source, claimed);
  ASSERT_FALSE(linked.has_value());
  EXPECT_EQ(linked.error().kind, ErrorKind::corrupt);
  EXPECT_NE(linked.error().message.find(source), std::string::npos) << linked.error().message;
  EXPECT_FALSE(store_.contains(claimed));
  EXPECT_EQ(Entries(store_.tmp_dir()), 0u);
  EXPECT_EQ(Stat(source).st_nlink, 1u);
  EXPECT_EQ(testing::slurp(source), "these bytes were changed");
}

// link() fails across file systems (EXDEV): the blob is a copy. /dev/shm
// (tmpfs) is another file system than the test's scratch directory here.
class BlobImportAcrossFileSystemsTest : public BlobImportTest {
 protected:
  void SetUp() override {
    BlobImportTest::SetUp();
    struct stat shm {};
    if (::stat("/dev/shm", &shm) != 0 || shm.st_dev == Stat(store_.tmp_dir()).st_dev ||
        ::access("/dev/shm", W_OK) != 0) {
      GTEST_SKIP() << "/dev/shm is not a writable file system of its own here";
    }
    source_ = fmt::format("/dev/shm/wharf-blob-import-{}", ::getpid());
  }
  void TearDown() override {
    if (!source_.empty()) ::unlink(source_.c_str());
  }
  std::string source_;
};

TEST_F(BlobImportAcrossFileSystemsTest, LinkFileFallsBackToACopy) {
  std::string bytes(100000, 'X');
  Write(source_, bytes);
  auto linked = store_.link_file(source_, sha256_hex(bytes));
  ASSERT_TRUE(linked.has_value()) << linked.error().message;
  EXPECT_TRUE(linked->written);
  EXPECT_NE(Stat(store_.path(linked->digest)).st_dev, Stat(source_).st_dev);
  EXPECT_EQ(store_.read(linked->digest, Verify::yes).value_or(""), bytes);
  EXPECT_EQ(testing::slurp(source_), bytes);
  EXPECT_EQ(Entries(store_.tmp_dir()), 0u);
}

TEST_F(BlobImportAcrossFileSystemsTest, CopiedFileWithTheWrongDigestIsCorrupt) {
  Write(source_, "not what the manifest says");
  std::string claimed = sha256_hex("what the manifest says");
  auto linked = store_.link_file(source_, claimed);
  ASSERT_FALSE(linked.has_value());
  EXPECT_EQ(linked.error().kind, ErrorKind::corrupt);
  EXPECT_NE(linked.error().message.find(source_), std::string::npos) << linked.error().message;
  EXPECT_FALSE(store_.contains(claimed));
  EXPECT_EQ(Entries(store_.tmp_dir()), 0u);
  EXPECT_TRUE(fs::exists(source_));
}

TEST_F(BlobImportAcrossFileSystemsTest, AdoptFileFallsBackToACopyAndRemovesTheFile) {
  std::string bytes(50000, 'A');
  Write(source_, bytes);
  auto adopted = store_.adopt_file(source_, sha256_hex(bytes));
  ASSERT_TRUE(adopted.has_value()) << adopted.error().message;
  EXPECT_TRUE(adopted->written);
  EXPECT_FALSE(fs::exists(source_));
  EXPECT_EQ(store_.read(adopted->digest, Verify::yes).value_or(""), bytes);
}

}  // namespace
}  // namespace wharf::cache
