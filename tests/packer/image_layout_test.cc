// Judges: oci-image-tool, umoci unpack and skopeo inspect (oci_judges.h).
#include "packer/image_layout.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fs/real_file_system.h"
#include "tests/packer/oci_judges.h"
#include "tests/packer/sample_tree.h"
#include "tests/testing/temp_dir.h"

namespace wharf::packer {
namespace {

using nlohmann::json;
using testing::run_command;
using testing::shell_quote;

class ImageLayoutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::have_oci_judges())
      GTEST_SKIP() << "umoci, skopeo or oci-image-tool missing (scripts/bootstrap.sh installs them)";
  }

  // A dependency layer (node_modules-like) and a code layer from `root`.
  std::vector<NewLayer> layers_for(const std::string& root, const std::string& name) {
    std::vector<NewLayer> layers;
    EntryList deps = {PackEntry::bytes("app/node_modules/left-pad/index.js", "module.exports = 1;\n"),
                      PackEntry::bytes("app/node_modules/left-pad/package.json", "{}\n")};
    EntryList code = testing::entries_for_tree(root + "/src", "app/src/");
    code.push_back(PackEntry::symlink("app/start", "src/handler.js"));
    for (auto* list : {&deps, &code}) {
      std::string out = dir_.path() + "/" + name + "-" + std::to_string(layers.size()) + ".tar.gz";
      auto packed = pack_layer(fs_, *list, LayerOptions{.threads = 2}, BlobTarget::file(out));
      EXPECT_TRUE(packed.has_value()) << packed.error().message;
      layers.push_back(NewLayer{*packed, list == &deps ? "wharf: dependencies" : "wharf: code"});
    }
    return layers;
  }

  ImageConfig config() const {
    ImageConfig config;
    config.entrypoint = std::vector<std::string>{"node", "/app/src/handler.js"};
    config.env = {"NODE_ENV=production", "PATH=/usr/local/bin:/usr/bin:/bin"};
    config.workdir = "/app";
    config.user = "1000:1000";
    config.labels = {{"org.opencontainers.image.source", "https://example.com/monorepo"}};
    config.exposed_ports = {"8080", "9090/udp"};
    return config;
  }

  WrittenImage write(const BaseImageRef& base, const std::vector<NewLayer>& layers, const std::string& out,
                     const std::string& tag, const ImageConfig& image_config) {
    auto written = write_image_layout(fs_, base, layers, image_config, tag, dir_.path() + "/" + out);
    EXPECT_TRUE(written.has_value()) << written.error().message;
    return written ? *written : WrittenImage{};
  }

  json blob_json(const std::string& layout, const std::string& digest) {
    return testing::layout_blob_json(dir_.path() + "/" + layout, digest);
  }

  void judge(const std::string& layout, const std::string& tag, const std::string& bundle) {
    json parsed = testing::judge_layout(dir_.path() + "/" + layout, tag, dir_.path() + "/" + bundle);
    EXPECT_EQ(parsed["Os"], "linux");
    EXPECT_EQ(parsed["Architecture"], "amd64");
  }

  testing::TempDir dir_;
  fs::RealFileSystem fs_;
};

TEST_F(ImageLayoutTest, ScratchImagePassesEveryJudge) {
  std::string root = dir_.path() + "/svc";
  testing::write_sample_tree(root);
  WrittenImage image = write(BaseImageRef{}, layers_for(root, "a"), "image", "abc1234", config());
  judge("image", "abc1234", "bundle");
  std::string rootfs = dir_.path() + "/bundle/rootfs";
  EXPECT_TRUE(std::filesystem::exists(rootfs + "/app/node_modules/left-pad/index.js"));
  EXPECT_TRUE(std::filesystem::exists(rootfs + "/app/src/lib/util.js"));
  EXPECT_EQ(std::filesystem::read_symlink(rootfs + "/app/start"), "src/handler.js");

  std::string inspect = run_command("skopeo inspect --raw oci:" + shell_quote(dir_.path() + "/image") + ":abc1234");
  EXPECT_EQ(image.manifest_digest,
            "sha256:" + run_command("printf %s " + shell_quote(inspect) + " | sha256sum | cut -c1-64 | tr -d '\\n'"));
  json config_json = blob_json("image", image.config_digest);
  EXPECT_EQ(config_json["created"], "1980-01-01T00:00:00Z");
  EXPECT_EQ(config_json["config"]["Entrypoint"], json({"node", "/app/src/handler.js"}));
  EXPECT_EQ(config_json["config"]["ExposedPorts"], json({{"8080/tcp", json::object()}, {"9090/udp", json::object()}}));
  EXPECT_EQ(config_json["config"]["User"], "1000:1000");
  EXPECT_EQ(config_json["history"].size(), 2u);
  EXPECT_EQ(config_json["history"][1]["created_by"], "wharf: code");
  json index = json::parse(std::ifstream(dir_.path() + "/image/index.json"));
  EXPECT_EQ(index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"], "abc1234");
}

TEST_F(ImageLayoutTest, SameDigestFromAnotherCheckoutAndOnlyTheCodeLayerMoves) {
  std::string one = dir_.path() + "/one/svc";
  std::string two = dir_.path() + "/two/nested/svc";
  testing::write_sample_tree(one);
  testing::write_sample_tree(two);
  run_command("touch -d '2003-04-05' " + shell_quote(two) + "/src/handler.js");
  WrittenImage a = write(BaseImageRef{}, layers_for(one, "one"), "a", "v1", config());
  WrittenImage b = write(BaseImageRef{}, layers_for(two, "two"), "b", "v1", config());
  EXPECT_EQ(a.manifest_digest, b.manifest_digest);
  EXPECT_EQ(run_command("cd " + shell_quote(dir_.path()) + " && diff -r a b && echo same"), "same\n");

  testing::write_sample_tree(two, /*variant=*/1);  // a code-only change
  WrittenImage c = write(BaseImageRef{}, layers_for(two, "three"), "c", "v1", config());
  EXPECT_NE(c.manifest_digest, a.manifest_digest);
  json before = blob_json("a", a.manifest_digest)["layers"];
  json after = blob_json("c", c.manifest_digest)["layers"];
  EXPECT_EQ(before[0], after[0]) << "the dependency layer is untouched";
  EXPECT_NE(before[1]["digest"], after[1]["digest"]);
  // Writing over an existing layout replaces it whole.
  WrittenImage again = write(BaseImageRef{}, layers_for(one, "four"), "c", "v1", config());
  EXPECT_EQ(again.manifest_digest, a.manifest_digest);
  EXPECT_EQ(run_command("ls " + shell_quote(dir_.path() + "/c/blobs/sha256") + " | wc -l"), "4\n");
}

TEST_F(ImageLayoutTest, LayersGoOnTopOfAnOciBaseWhoseBlobsAreReused) {
  std::string root = dir_.path() + "/svc";
  testing::write_sample_tree(root);
  ImageConfig base_config;
  base_config.env = {"PATH=/usr/bin", "LANG=C.UTF-8"};
  base_config.cmd = std::vector<std::string>{"sh"};
  base_config.labels = {{"base", "yes"}};
  auto base_layer = pack_layer(fs_, {PackEntry::bytes("usr/bin/tool", "#!/bin/sh\n", true)}, {},
                               BlobTarget::file(dir_.path() + "/base.tar.gz"));
  ASSERT_TRUE(base_layer.has_value());
  WrittenImage base = write(BaseImageRef{}, {NewLayer{*base_layer, "base"}}, "base", "1.0", base_config);

  auto ref = parse_base_ref("oci:" + dir_.path() + "/base:1.0");
  ASSERT_TRUE(ref.has_value());
  WrittenImage image = write(*ref, layers_for(root, "top"), "image", "top", config());
  judge("image", "top", "bundle");
  EXPECT_TRUE(std::filesystem::exists(dir_.path() + "/bundle/rootfs/usr/bin/tool"));
  EXPECT_TRUE(std::filesystem::exists(dir_.path() + "/bundle/rootfs/app/src/handler.js"));

  json base_manifest = blob_json("base", base.manifest_digest);
  json manifest = blob_json("image", image.manifest_digest);
  ASSERT_EQ(manifest["layers"].size(), 3u);
  EXPECT_EQ(manifest["layers"][0], base_manifest["layers"][0]) << "the base layer as it was, not recompressed";
  json config_json = blob_json("image", image.config_digest);
  EXPECT_EQ(config_json["rootfs"]["diff_ids"].size(), 3u);
  EXPECT_EQ(config_json["history"][0]["created_by"], "base");
  EXPECT_EQ(config_json["config"]["Env"],
            json({"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", "NODE_ENV=production"}));
  EXPECT_EQ(config_json["config"]["Labels"]["base"], "yes");
  EXPECT_FALSE(config_json["config"].contains("Cmd")) << "a new entrypoint drops the base's cmd";
}

TEST_F(ImageLayoutTest, BaseErrorsNameTheLayoutAndTag) {
  EXPECT_FALSE(parse_base_ref("docker://node:20").has_value());
  EXPECT_FALSE(parse_base_ref("oci:dir").has_value());
  write(BaseImageRef{}, {}, "base", "1.0", ImageConfig{});
  auto missing =
      write_image_layout(fs_, BaseImageRef{dir_.path() + "/base", "2.0"}, {}, ImageConfig{}, "x", dir_.path() + "/out");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
  EXPECT_NE(missing.error().message.find(":2.0"), std::string::npos) << missing.error().message;
  ImageConfig arm;
  arm.platform = *parse_platform("linux/arm64/v8");
  auto other = write_image_layout(fs_, BaseImageRef{dir_.path() + "/base", "1.0"}, {}, arm, "x", dir_.path() + "/out");
  ASSERT_FALSE(other.has_value());
  EXPECT_NE(other.error().message.find("linux/amd64"), std::string::npos) << other.error().message;
  EXPECT_FALSE(write_image_layout(fs_, BaseImageRef{}, {}, ImageConfig{}, "bad tag", dir_.path() + "/out"));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/out"));
}

}  // namespace
}  // namespace wharf::packer
