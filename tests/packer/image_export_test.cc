// compose_image + export_layout (the path `wharf build` takes through the
// cache's blob store) against the pre-split write_image_layout's digests,
// and the exported layouts and files against the judges (oci_judges.h).
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <nlohmann/json.hpp>

#include "fs/real_file_system.h"
#include "packer/image_compose.h"
#include "packer/image_layout.h"
#include "packer/layout_export.h"
#include "tests/packer/oci_judges.h"
#include "tests/packer/sample_tree.h"
#include "tests/testing/temp_dir.h"

namespace wharf::packer {
namespace {

using nlohmann::json;
using testing::run_command;
using testing::shell_quote;
using testing::slurp;
namespace stdfs = std::filesystem;

// What write_image_layout gave before it was split into compose + export
// (commit 800a9e1, built from that tree) for the inputs of the fixture.
constexpr const char* kGoldenBase = "sha256:c2c648c6a7bf77091e0461ca75aff56a76dedfaf91d61bc20168923685d6ceb3";
constexpr const char* kGoldenImage = "sha256:d1bd9455b0f35c0574631182ae11e71da032287a646a466254ef72465ae6bc49";

class ImageExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::have_oci_judges()) GTEST_SKIP() << "umoci, skopeo or oci-image-tool missing";
    store_ = dir_.path() + "/store";
    stdfs::create_directories(store_);
  }

  PackedLayer layer(EntryList entries, const std::string& name, LayerOptions options, bool in_memory = false) {
    auto packed = pack_layer(fs_, std::move(entries), options,
                             in_memory ? BlobTarget::memory() : BlobTarget::file(dir_.path() + "/" + name));
    EXPECT_TRUE(packed.has_value()) << packed.error().message;
    return packed ? *packed : PackedLayer{};
  }

  // A base layout (written the old way) and the two new layers, one of
  // them in memory: the same inputs the golden digests came from, whose
  // code layer is zstd (which umoci 0.4 and oci-image-tool reject: with
  // `zstd` false it is gzip, for them).
  std::vector<NewLayer> inputs(bool zstd = true) {
    ImageConfig base_config;
    base_config.env = {"PATH=/usr/bin"};
    base_config.cmd = std::vector<std::string>{"sh"};
    std::vector<NewLayer> base_layers{
        {layer({PackEntry::bytes("usr/bin/tool", "#!/bin/sh\n", true)}, "b.tar.gz", LayerOptions{.threads = 2}),
         "base"}};
    auto base = write_image_layout(fs_, {}, base_layers, base_config, "1.0", dir_.path() + "/base");
    EXPECT_TRUE(base.has_value()) << base.error().message;
    EXPECT_EQ(base ? base->manifest_digest : "", kGoldenBase);
    return {
        {layer({PackEntry::bytes("app/deps/x.js", "x\n")}, "d.tar.gz", LayerOptions{.threads = 2}), "wharf: deps"},
        {layer({PackEntry::bytes("app/run", "#!/bin/sh\necho hi\n", true), PackEntry::symlink("app/link", "run")}, "",
               zstd ? LayerOptions{.compression = LayerCompression::zstd, .level = 3, .threads = 1}
                    : LayerOptions{.threads = 1},
               true),
         "wharf: code"}};
  }

  ImageConfig config() const {
    ImageConfig config;
    config.entrypoint = std::vector<std::string>{"/app/run"};
    config.env = {"MODE=prod"};
    config.labels = {{"a", "b"}};
    config.exposed_ports = {"8080"};
    config.workdir = "/app";
    return config;
  }

  BaseImageRef base_ref() const { return BaseImageRef{dir_.path() + "/base", "1.0"}; }

  // What `wharf build` does with a composed image: every blob into the
  // store, named by its hex digest (layer files copied, not linked, so
  // removing the packed files cannot touch the store).
  void store(const ComposedImage& image, const std::vector<NewLayer>& layers) {
    auto put = [&](const BlobDescriptor& blob, const std::string& bytes) {
      std::ofstream(store_ + "/" + blob.hex(), std::ios::binary) << bytes;
    };
    put(image.manifest, image.manifest_json);
    put(image.config, image.config_json);
    const std::size_t first_new = image.layers.size() - layers.size();
    for (std::size_t i = 0; i < image.layers.size(); ++i) {
      if (image.layer_paths[i].empty()) {
        put(image.layers[i], layers[i - first_new].layer.blob.bytes);
      } else {
        stdfs::copy_file(image.layer_paths[i], store_ + "/" + image.layers[i].hex(),
                         stdfs::copy_options::overwrite_existing);
      }
    }
  }

  BlobPathFn store_path() const {
    return [store = store_](std::string_view hex) { return store + "/" + std::string(hex); };
  }

  Result<void> export_to(const BlobDescriptor& manifest, const std::string& out, const std::string& tag = "v1") {
    return export_layout(fs_, manifest, store_path(), tag, dir_.path() + "/" + out);
  }

  testing::TempDir dir_;
  fs::RealFileSystem fs_;
  std::string store_;
};

TEST_F(ImageExportTest, ComposeAndExportGiveTheOldDigestAndPassTheJudges) {
  std::vector<NewLayer> layers = inputs();
  auto image = compose_image(fs_, base_ref(), layers, config());
  ASSERT_TRUE(image.has_value()) << image.error().message;
  EXPECT_EQ(image->manifest.digest, kGoldenImage);
  ASSERT_EQ(image->layers.size(), 3u);
  EXPECT_EQ(image->layer_paths[0], dir_.path() + "/base/blobs/sha256/" + image->layers[0].hex()) << "base blob";
  EXPECT_EQ(image->layer_paths[1], dir_.path() + "/d.tar.gz");
  EXPECT_EQ(image->layer_paths[2], "") << "an in-memory layer: the caller stores its bytes";
  EXPECT_FALSE(stdfs::exists(dir_.path() + "/image")) << "compose writes nothing";

  store(*image, layers);
  ASSERT_TRUE(export_to(image->manifest, "image").has_value());
  json inspect = json::parse(run_command("skopeo inspect oci:" + shell_quote(dir_.path() + "/image") + ":v1"));
  EXPECT_EQ(inspect["Digest"], kGoldenImage);
  // The exported blob is the store's file, linked, not a copy.
  EXPECT_EQ(stdfs::hard_link_count(store_ + "/" + image->layers[1].hex()), 2u);

  // write_image_layout (compose + staged blobs + export) writes the same bytes.
  auto written = write_image_layout(fs_, base_ref(), layers, config(), "v1", dir_.path() + "/written");
  ASSERT_TRUE(written.has_value()) << written.error().message;
  EXPECT_EQ(written->manifest_digest, kGoldenImage);
  EXPECT_EQ(run_command("cd " + shell_quote(dir_.path()) + " && diff -r image written && echo same"), "same\n");
  EXPECT_EQ(run_command("LC_ALL=C ls -A " + shell_quote(dir_.path())),
            "b.tar.gz\nbase\nd.tar.gz\nimage\nstore\nwritten\n")
      << "no staging or temporary directory left";
}

TEST_F(ImageExportTest, ExportTwiceIsIdenticalAndWorksFromTheStoreAlone) {
  std::vector<NewLayer> layers = inputs(/*zstd=*/false);
  auto image = compose_image(fs_, base_ref(), layers, config());
  ASSERT_TRUE(image.has_value()) << image.error().message;
  store(*image, layers);
  ASSERT_TRUE(export_to(image->manifest, "one").has_value());
  ASSERT_TRUE(export_to(image->manifest, "two").has_value());
  EXPECT_EQ(run_command("cd " + shell_quote(dir_.path()) + " && diff -r one two && echo same"), "same\n");
  std::string index = slurp(dir_.path() + "/one/index.json");

  // Nothing but the store left: the base layout, the packed layers and the
  // old export are gone; a new export over the same path is the same.
  for (const char* gone : {"base", "d.tar.gz", "one"}) stdfs::remove_all(dir_.path() + "/" + gone);
  ASSERT_TRUE(export_to(image->manifest, "one").has_value());
  EXPECT_EQ(slurp(dir_.path() + "/one/index.json"), index);
  EXPECT_EQ(run_command("cd " + shell_quote(dir_.path()) + " && diff -r one two && echo same"), "same\n");
  testing::judge_layout(dir_.path() + "/one", "v1", dir_.path() + "/bundle");
  EXPECT_EQ(stdfs::read_symlink(dir_.path() + "/bundle/rootfs/app/link"), "run");
  EXPECT_TRUE(stdfs::exists(dir_.path() + "/bundle/rootfs/usr/bin/tool"));
  // Over an existing layout with another tag: replaced whole.
  ASSERT_TRUE(export_to(image->manifest, "one", "other").has_value());
  EXPECT_NE(slurp(dir_.path() + "/one/index.json").find("\"other\""), std::string::npos);
  EXPECT_EQ(slurp(dir_.path() + "/one/index.json").find("\"v1\""), std::string::npos);
}

TEST_F(ImageExportTest, AnExportThatIsAlreadyThereIsLeftAsItIs) {
  std::vector<NewLayer> layers = inputs(/*zstd=*/false);
  auto image = compose_image(fs_, base_ref(), layers, config());
  ASSERT_TRUE(image.has_value()) << image.error().message;
  store(*image, layers);
  ASSERT_TRUE(export_to(image->manifest, "one").has_value());
  const std::string index = dir_.path() + "/one/index.json";
  const auto inode = [](const std::string& path) {
    struct ::stat st {};
    return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
  };
  const auto first = inode(index);
  ASSERT_TRUE(export_to(image->manifest, "one").has_value());
  EXPECT_EQ(inode(index), first);  // not written again
  // A layout whose blob is no longer a link of the store's is rebuilt.
  const std::string config_blob = dir_.path() + "/one/blobs/sha256/" + image->config.digest.substr(7);
  const std::string bytes = slurp(config_blob);
  stdfs::remove(config_blob);
  std::ofstream(config_blob, std::ios::binary) << bytes;
  ASSERT_TRUE(export_to(image->manifest, "one").has_value());
  EXPECT_NE(inode(index), first);
  testing::judge_layout(dir_.path() + "/one", "v1", dir_.path() + "/bundle");
}

TEST_F(ImageExportTest, MissingOrDamagedBlobsAreNamedAndLeaveNoLayout) {
  std::vector<NewLayer> layers = inputs();
  auto image = compose_image(fs_, base_ref(), layers, config());
  ASSERT_TRUE(image.has_value()) << image.error().message;
  store(*image, layers);
  stdfs::remove(store_ + "/" + image->layers[2].hex());
  auto missing = export_to(image->manifest, "image");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
  EXPECT_NE(missing.error().message.find(image->layers[2].digest), std::string::npos) << missing.error().message;
  EXPECT_FALSE(stdfs::exists(dir_.path() + "/image"));

  stdfs::remove(store_ + "/" + image->manifest.hex());
  auto no_manifest = export_to(image->manifest, "image");
  ASSERT_FALSE(no_manifest.has_value());
  EXPECT_EQ(no_manifest.error().kind, ErrorKind::not_found);
  EXPECT_NE(no_manifest.error().message.find(image->manifest.digest), std::string::npos);

  std::ofstream(store_ + "/" + image->manifest.hex(), std::ios::binary) << image->manifest_json << " ";
  auto damaged = export_to(image->manifest, "image");
  ASSERT_FALSE(damaged.has_value());
  EXPECT_EQ(damaged.error().kind, ErrorKind::corrupt);
  EXPECT_FALSE(export_to(image->manifest, "image", "bad tag").has_value());
  EXPECT_EQ(run_command("ls -A " + shell_quote(dir_.path()) + " | grep -c tmp || true"), "0\n");
}

TEST_F(ImageExportTest, ExportFileLinksAndReplacesAtomically) {
  std::string blob = store_ + "/" + std::string(64, 'a');
  std::ofstream(blob, std::ios::binary) << "zip bytes";
  std::string out = dir_.path() + "/out/svc.zip";
  ASSERT_TRUE(export_file(fs_, blob, out).has_value());
  EXPECT_EQ(slurp(out), "zip bytes");
  EXPECT_EQ(stdfs::hard_link_count(blob), 2u);
  // Again onto the same link (rename(2) of two links to one file does
  // nothing), then another blob over it.
  ASSERT_TRUE(export_file(fs_, blob, out).has_value());
  std::string other = store_ + "/" + std::string(64, 'b');
  std::ofstream(other, std::ios::binary) << "other bytes";
  ASSERT_TRUE(export_file(fs_, other, out).has_value());
  EXPECT_EQ(slurp(out), "other bytes");
  EXPECT_EQ(slurp(blob), "zip bytes") << "the old blob is untouched";
  EXPECT_EQ(run_command("ls -A " + shell_quote(dir_.path() + "/out")), "svc.zip\n");
  auto missing = export_file(fs_, store_ + "/nope", out);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
  EXPECT_EQ(slurp(out), "other bytes");
}

}  // namespace
}  // namespace wharf::packer
