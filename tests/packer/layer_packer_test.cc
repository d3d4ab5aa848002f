// Judges: GNU tar, gzip, zstd and sha256sum read the layers; none share code
// with wharf.
#include "packer/layer_packer.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "fs/forwarding_file_system.h"
#include "fs/real_file_system.h"
#include "tests/packer/sample_tree.h"
#include "tests/testing/temp_dir.h"

namespace wharf::packer {
namespace {

using testing::run_command;
using testing::shell_quote;
using testing::slurp;

std::string sha256_of_command(const std::string& command) {
  return "sha256:" + run_command(command + " | sha256sum | cut -c1-64 | tr -d '\\n'");
}

class LayerPackerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_.path() + "/svc";
    testing::write_sample_tree(root_);
  }
  PackedLayer pack(const std::string& out, LayerOptions options, const std::string& root = "") {
    auto packed = pack_layer(fs_, testing::entries_for_tree(root.empty() ? root_ : root, "app/"), options,
                             BlobTarget::file(dir_.path() + "/" + out));
    EXPECT_TRUE(packed.has_value()) << packed.error().message;
    return packed ? *packed : PackedLayer{};
  }

  testing::TempDir dir_;
  fs::RealFileSystem fs_;
  std::string root_;
};

TEST_F(LayerPackerTest, GzipLayerHasFixedOwnersModesTimesAndOrder) {
  PackedLayer layer = pack("layer.tar.gz", {});
  std::string path = shell_quote(layer.blob.path);
  run_command("gzip -t " + path);
  EXPECT_EQ(layer.media_type, "application/vnd.oci.image.layer.v1.tar+gzip");
  EXPECT_EQ(layer.blob.digest(), sha256_of_command("cat " + path));
  EXPECT_EQ(layer.diff_id, sha256_of_command("gzip -dc " + path));
  EXPECT_EQ(layer.tar_size, std::stoull(run_command("gzip -dc " + path + " | wc -c")));
  std::string listing = run_command("TZ=UTC tar -tvzf " + path);
  EXPECT_EQ(listing.substr(0, listing.find('\n')), "drwxr-xr-x 0/0               0 1980-01-01 00:00 app/");
  EXPECT_NE(listing.find("-rwxr-xr-x 0/0              35 1980-01-01 00:00 app/bin/start.sh\n"), std::string::npos)
      << listing;
  EXPECT_NE(listing.find("lrwxrwxrwx 0/0               0 1980-01-01 00:00 app/bin/handler.js -> ../src/handler.js"),
            std::string::npos);
  EXPECT_NE(listing.find("-rw-r--r-- 0/0              25 1980-01-01 00:00 app/migrations/0001_init.sql"),
            std::string::npos);
  EXPECT_LT(listing.find(" app/assets/\n"), listing.find(" app/assets/blob.bin\n"));
  EXPECT_LT(listing.find(" app/assets/logo.png\n"), listing.find(" app/bin/\n"));
  // The gzip header: no FNAME (flags 0) and mtime 0.
  std::string bytes = slurp(layer.blob.path);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00", 8));
  // PAX records only where ustar cannot hold the name: the one non-ASCII name.
  EXPECT_EQ(run_command("gzip -dc " + path + " | grep -ao PaxHeader | wc -l"), "1\n");
  EXPECT_EQ(run_command("LANG=C.UTF-8 tar -tzf " + path + " 2>&1 | grep -c caf"), "1\n") << "no tar warnings";
  run_command("mkdir " + shell_quote(dir_.path() + "/x") + " && tar -xzf " + path + " -C " +
              shell_quote(dir_.path() + "/x"));
  EXPECT_EQ(slurp(dir_.path() + "/x/app/assets/blob.bin"), slurp(root_ + "/assets/blob.bin"));
  EXPECT_EQ(slurp(dir_.path() + "/x/app/docs/caf\xc3\xa9.txt"), "caf\xc3\xa9\n");
}

TEST_F(LayerPackerTest, BytesDependOnNeitherThreadsNorCheckoutPath) {
  std::string other = dir_.path() + "/elsewhere/deep/svc";
  testing::write_sample_tree(other);
  run_command("touch -d '2001-02-03' " + shell_quote(other) + "/src/*.js && chmod 0600 " + shell_quote(other) +
              "/empty.txt");
  // Small blocks: many gzip members, so the parallel path is what runs.
  PackedLayer one = pack("one.tar.gz", LayerOptions{.threads = 1, .block_size = 4096});
  PackedLayer four = pack("four.tar.gz", LayerOptions{.threads = 4, .block_size = 4096}, other);
  EXPECT_EQ(one.blob.sha256, four.blob.sha256);
  EXPECT_EQ(one.diff_id, four.diff_id);
  run_command("gzip -t " + shell_quote(four.blob.path));
  // Members decompress to the one tar the uncompressed layer holds.
  PackedLayer plain = pack("plain.tar", LayerOptions{.compression = LayerCompression::none});
  EXPECT_EQ(plain.diff_id, one.diff_id);
  EXPECT_EQ(plain.blob.digest(), plain.diff_id);
  EXPECT_EQ(run_command("gzip -dc " + shell_quote(one.blob.path) + " | cmp - " + shell_quote(plain.blob.path) +
                        " && echo same"),
            "same\n");
  EXPECT_NE(pack("big-blocks.tar.gz", LayerOptions{.block_size = 1 << 20}).blob.sha256, one.blob.sha256)
      << "the block size is part of the bytes (so it is a fixed constant in wharf)";
}

TEST_F(LayerPackerTest, ZstdLayerIsReproducibleAcrossWorkerCounts) {
  PackedLayer one = pack(
      "one.tar.zst", LayerOptions{.compression = LayerCompression::zstd, .level = 3, .threads = 1, .block_size = 4096});
  PackedLayer three =
      pack("three.tar.zst",
           LayerOptions{.compression = LayerCompression::zstd, .level = 3, .threads = 3, .block_size = 4096});
  EXPECT_EQ(one.media_type, "application/vnd.oci.image.layer.v1.tar+zstd");
  EXPECT_EQ(one.blob.sha256, three.blob.sha256);
  EXPECT_EQ(one.diff_id, sha256_of_command("zstd -qdc " + shell_quote(one.blob.path)));
  EXPECT_EQ(one.diff_id, pack("plain.tar", LayerOptions{.compression = LayerCompression::none}).diff_id);
}

TEST_F(LayerPackerTest, LongNamesGetPaxRecords) {
  std::string name = "app/" + std::string(120, 'n') + ".txt";
  auto packed = pack_layer(fs_, {PackEntry::bytes(name, "long\n")}, {}, BlobTarget::memory());
  ASSERT_TRUE(packed.has_value());
  std::string file = dir_.path() + "/long.tar.gz";
  std::ofstream(file, std::ios::binary) << packed->blob.bytes;
  EXPECT_NE(run_command("tar -tzf " + shell_quote(file)).find(name + "\n"), std::string::npos);
}

TEST_F(LayerPackerTest, LargeFileIsStreamedIntoTheTar) {
  // 20 MiB, above kStreamThreshold: read in pieces, the same tar as GNU
  // tar lists, the same bytes back.
  run_command("yes 'layer text 0123456789' | head -c 20971520 > " + shell_quote(root_ + "/big.log"));
  PackedLayer layer = pack("big.tar", LayerOptions{.compression = LayerCompression::none});
  std::string listing = run_command("tar -tvf " + shell_quote(layer.blob.path) + " app/big.log");
  EXPECT_NE(listing.find("0/0        20971520 1980-01-01 00:00 app/big.log"), std::string::npos) << listing;
  run_command("mkdir " + shell_quote(dir_.path() + "/x") + " && tar -xf " + shell_quote(layer.blob.path) + " -C " +
              shell_quote(dir_.path() + "/x"));
  EXPECT_EQ(run_command("cmp " + shell_quote(root_ + "/big.log") + " " + shell_quote(dir_.path() + "/x/app/big.log") +
                        " && echo same"),
            "same\n");
  EXPECT_EQ(pack("big.tar.gz", LayerOptions{.threads = 2}).diff_id, layer.diff_id);
}

// Grows big.log after its first piece is read, as a build still writing it.
class GrowingBigFileSystem : public fs::ForwardingFileSystem {
 public:
  using ForwardingFileSystem::ForwardingFileSystem;
  Result<void> read_file_range(const std::string& path, std::uint64_t offset, std::size_t size,
                               std::string& buffer) const override {
    auto read = ForwardingFileSystem::read_file_range(path, offset, size, buffer);
    if (offset == 0) std::ofstream(path, std::ios::app) << "more\n";
    return read;
  }
};

TEST_F(LayerPackerTest, LargeFileChangedWhileStreamedFails) {
  run_command("head -c 10000000 /dev/zero > " + shell_quote(root_ + "/big.log"));
  fs::RealFileSystem real;
  GrowingBigFileSystem growing(real);
  auto packed = pack_layer(growing, {PackEntry::file("big.log", root_ + "/big.log")}, {},
                           BlobTarget::file(dir_.path() + "/x.tar.gz"));
  ASSERT_FALSE(packed.has_value());
  EXPECT_NE(packed.error().message.find("big.log changed while it was read"), std::string::npos)
      << packed.error().message;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/x.tar.gz"));
}

TEST_F(LayerPackerTest, MissingSourceFileNamesIt) {
  auto packed =
      pack_layer(fs_, {PackEntry::file("app/x", root_ + "/nope.js")}, {}, BlobTarget::file(dir_.path() + "/x.tar.gz"));
  ASSERT_FALSE(packed.has_value());
  EXPECT_NE(packed.error().message.find("\"app/x\""), std::string::npos) << packed.error().message;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/x.tar.gz"));
}

}  // namespace
}  // namespace wharf::packer
