// The dir pusher against temp directories: copies (never links), replaces
// atomically, and sends nothing the second time.
#include "push/dir_pusher.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "tests/push/artifacts.h"
#include "tests/testing/temp_dir.h"

namespace wharf::push {
namespace {

namespace stdfs = std::filesystem;
using testing::make_layout;
using testing::make_zip;
using testing::read_file;

// Names in `dir` (no recursion), to see that no temp file was left.
std::vector<std::string> names_in(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : stdfs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// Every file below `dir` with its bytes.
std::map<std::string, std::string> tree(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : stdfs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) files[stdfs::relative(entry.path(), dir).string()] = read_file(entry.path());
  }
  return files;
}

ino_t inode(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

class DirPusherTest : public ::testing::Test {
 protected:
  wharf::testing::TempDir temp_;
  std::string source_ = temp_.path() + "/build";
  std::string publish_ = temp_.path() + "/publish";
};

TEST_F(DirPusherTest, CopiesAZipThenFindsItThere) {
  Artifact zip = make_zip(source_, "api.zip", std::string(300'000, 'z') + "end");
  auto pusher = make_dir_pusher({"{env}/{service}/{short_sha}.{ext}"}, publish_);
  EXPECT_EQ(pusher->kind(), "dir");
  const std::string target = publish_ + "/dev/api/0123456.zip";

  auto before = pusher->preview(zip);
  ASSERT_TRUE(before.has_value()) << before.error().message;
  EXPECT_FALSE(before->complete);
  EXPECT_EQ(before->bytes_to_send, zip.size);
  EXPECT_EQ(before->location, target);

  auto first = pusher->push(zip, nullptr);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_EQ(first->location, target);
  EXPECT_EQ(first->digest, zip.digest);
  EXPECT_EQ(first->tag, "0123456");
  EXPECT_EQ(first->bytes_sent, zip.size);
  EXPECT_FALSE(first->already_there);
  EXPECT_EQ(read_file(target), read_file(zip.path));
  EXPECT_NE(inode(target), inode(zip.path));  // a copy: the publish area never shares the cache's bytes
  EXPECT_EQ(names_in(publish_ + "/dev/api"), std::vector<std::string>{"0123456.zip"});

  const ino_t copied = inode(target);
  auto second = pusher->push(zip, nullptr);
  ASSERT_TRUE(second.has_value()) << second.error().message;
  EXPECT_TRUE(second->already_there);
  EXPECT_EQ(second->bytes_sent, 0u);
  EXPECT_EQ(second->bytes_present, zip.size);
  EXPECT_EQ(inode(target), copied);  // not written again
  auto after = pusher->preview(zip);
  ASSERT_TRUE(after.has_value());
  EXPECT_TRUE(after->complete);
  EXPECT_EQ(after->bytes_to_send, 0u);
}

TEST_F(DirPusherTest, APathEndingInSlashTakesTheZipsName) {
  Artifact zip = make_zip(source_, "lambda.zip", "PK...");
  auto pushed = make_dir_pusher({publish_ + "/{service}/"}, "/nowhere")->push(zip, nullptr);
  ASSERT_TRUE(pushed.has_value()) << pushed.error().message;
  EXPECT_EQ(pushed->location, publish_ + "/api/lambda.zip");
  EXPECT_EQ(read_file(publish_ + "/api/lambda.zip"), "PK...");
}

TEST_F(DirPusherTest, ADifferentZipReplacesTheOldOneWhole) {
  auto pusher = make_dir_pusher({"api.zip"}, publish_);
  ASSERT_TRUE(pusher->push(make_zip(source_, "v1.zip", std::string(100'000, '1')), nullptr).has_value());
  const ino_t old = inode(publish_ + "/api.zip");
  Artifact v2 = make_zip(source_, "v2.zip", "two");
  auto pushed = pusher->push(v2, nullptr);
  ASSERT_TRUE(pushed.has_value()) << pushed.error().message;
  EXPECT_FALSE(pushed->already_there);
  EXPECT_EQ(read_file(publish_ + "/api.zip"), "two");
  EXPECT_NE(inode(publish_ + "/api.zip"), old);  // a new file renamed over it, not the old one rewritten
  EXPECT_EQ(names_in(publish_), std::vector<std::string>{"api.zip"});
}

TEST_F(DirPusherTest, AZipNotMatchingItsDigestIsNotPublished) {
  Artifact zip = make_zip(source_, "api.zip", "the real bytes");
  std::ofstream(zip.path, std::ios::binary) << "the real bytez";  // damaged after the build
  auto pushed = make_dir_pusher({"out/"}, publish_)->push(zip, nullptr);
  ASSERT_FALSE(pushed.has_value());
  EXPECT_EQ(pushed.error().kind, ErrorKind::corrupt);
  EXPECT_NE(pushed.error().message.find("service api"), std::string::npos) << pushed.error().message;
  EXPECT_NE(pushed.error().message.find(publish_ + "/out/api.zip"), std::string::npos) << pushed.error().message;
  EXPECT_TRUE(names_in(publish_ + "/out").empty());  // neither the file nor a temp file
}

TEST_F(DirPusherTest, CopiesALayoutAsATreeThenFindsItThere) {
  Artifact image = make_layout(source_, "web", std::string(200'000, 'L'));
  auto pusher = make_dir_pusher({"images/{service}/{digest}"}, publish_);
  const std::string target = publish_ + "/images/web/" + image.digest.substr(7);
  auto first = pusher->push(image, nullptr);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_EQ(first->location, target);
  EXPECT_EQ(tree(target), tree(image.path));
  EXPECT_EQ(tree(target).size(), 5u);  // oci-layout, index.json, 3 blobs
  std::uint64_t total = 0;
  for (const auto& [name, bytes] : tree(image.path)) total += bytes.size();
  EXPECT_EQ(first->bytes_sent, total);
  EXPECT_EQ(names_in(publish_ + "/images/web").size(), 1u);  // no temp directory left

  auto second = pusher->push(image, nullptr);
  ASSERT_TRUE(second.has_value()) << second.error().message;
  EXPECT_TRUE(second->already_there);
  EXPECT_EQ(second->bytes_sent, 0u);
  auto preview = pusher->preview(image);
  ASSERT_TRUE(preview.has_value());
  EXPECT_TRUE(preview->complete);
}

TEST_F(DirPusherTest, ANewLayoutReplacesTheOldTreeAsAWhole) {
  auto pusher = make_dir_pusher({"{service}"}, publish_);
  Artifact v1 = make_layout(source_, "v1", "layer one", "v1");
  ASSERT_TRUE(pusher->push(v1, nullptr).has_value());
  Artifact v2 = make_layout(source_, "v2", "layer two", "v2");
  auto pushed = pusher->push(v2, nullptr);
  ASSERT_TRUE(pushed.has_value()) << pushed.error().message;
  EXPECT_FALSE(pushed->already_there);
  EXPECT_EQ(tree(publish_ + "/web"), tree(v2.path));  // v1's layer blob is gone, not merged
  EXPECT_EQ(names_in(publish_), std::vector<std::string>{"web"});  // the old tree removed
}

TEST_F(DirPusherTest, TheSameImageUnderANewTagMovesOnlyTheTag) {
  auto pusher = make_dir_pusher({"{service}"}, publish_);
  ASSERT_TRUE(pusher->push(make_layout(source_, "a", "same layer", "v1"), nullptr).has_value());
  const ino_t blob = inode(publish_ + "/web/oci-layout");
  Artifact retagged = make_layout(source_, "b", "same layer", "v2");
  auto preview = pusher->preview(retagged);
  ASSERT_TRUE(preview.has_value());
  EXPECT_FALSE(preview->complete);
  EXPECT_EQ(preview->bytes_to_send, 0u);
  auto pushed = pusher->push(retagged, nullptr);
  ASSERT_TRUE(pushed.has_value()) << pushed.error().message;
  EXPECT_TRUE(pushed->already_there);
  EXPECT_EQ(pushed->bytes_sent, read_file(retagged.path + "/index.json").size());
  EXPECT_NE(read_file(publish_ + "/web/index.json").find("\"v2\""), std::string::npos);
  EXPECT_EQ(inode(publish_ + "/web/oci-layout"), blob);  // the tree stayed
}

TEST_F(DirPusherTest, AnImageWhereAFileIsIsAConfigError) {
  stdfs::create_directories(publish_);
  std::ofstream(publish_ + "/web") << "a file";
  auto pushed = make_dir_pusher({"{service}"}, publish_)->push(make_layout(source_, "l", "x"), nullptr);
  ASSERT_FALSE(pushed.has_value());
  EXPECT_EQ(pushed.error().kind, ErrorKind::config);
  EXPECT_EQ(read_file(publish_ + "/web"), "a file");
}

TEST_F(DirPusherTest, AnUnknownPlaceholderIsAConfigError) {
  auto pushed = make_dir_pusher({"{service}/{branch}"}, publish_)->push(make_zip(source_, "a.zip", "x"), nullptr);
  ASSERT_FALSE(pushed.has_value());
  EXPECT_EQ(pushed.error().kind, ErrorKind::config);
  EXPECT_NE(pushed.error().message.find("{branch}"), std::string::npos);
}

TEST_F(DirPusherTest, ACancelledPushLeavesNothing) {
  std::atomic<bool> cancel{true};
  auto pushed = make_dir_pusher({"out/{service}"}, publish_)->push(make_layout(source_, "l", "x"), &cancel);
  ASSERT_FALSE(pushed.has_value());
  EXPECT_NE(pushed.error().message.find("cancelled"), std::string::npos) << pushed.error().message;
  EXPECT_TRUE(names_in(publish_ + "/out").empty());
}

}  // namespace
}  // namespace wharf::push
