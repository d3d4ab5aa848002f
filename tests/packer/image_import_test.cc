// import_image on what builders write: an OCI layout, an OCI archive and a
// docker archive made by hand (GNU tar, gzip and sha256sum, none sharing
// code with wharf), then stored and exported and shown to the judges.
#include "packer/image_import.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fs/real_file_system.h"
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

class ImageImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::have_oci_judges()) GTEST_SKIP() << "umoci, skopeo or oci-image-tool missing";
  }

  std::string path(const std::string& name) const { return dir_.path() + "/" + name; }

  Result<ComposedImage> import(const std::string& name, const std::string& platform = "linux/amd64") {
    return import_image(fs_, path(name), *parse_platform(platform), path("scratch"));
  }

  // Stores the imported blobs (copies, as the cache would) and exports them.
  void export_imported(const ComposedImage& image, const std::string& out) {
    std::string store = path("store");
    stdfs::create_directories(store);
    std::ofstream(store + "/" + image.manifest.hex(), std::ios::binary) << image.manifest_json;
    std::ofstream(store + "/" + image.config.hex(), std::ios::binary) << image.config_json;
    for (std::size_t i = 0; i < image.layers.size(); ++i) {
      stdfs::copy_file(image.layer_paths[i], store + "/" + image.layers[i].hex(),
                       stdfs::copy_options::overwrite_existing);
    }
    auto exported = export_layout(
        fs_, image.manifest, [&](std::string_view hex) { return store + "/" + std::string(hex); }, "v1", path(out));
    ASSERT_TRUE(exported.has_value()) << exported.error().message;
  }

  // A `docker save`-shaped tarball: two layer tars (one gzipped, detected
  // by its magic bytes, not its name), the second layer's directory also
  // holding a symlink to the first, as docker writes repeated layers.
  std::string docker_archive() {
    std::string work = path("docker");
    std::string q = shell_quote(work);
    run_command("mkdir -p " + q + "/root1/etc " + q + "/root2/app " + q + "/out/l1 " + q + "/out/l2 " + q +
                "/out/l3 && echo one > " + q + "/root1/etc/one.txt && echo two > " + q + "/root2/app/two.txt && " +
                "tar --sort=name --mtime=@0 --owner=0 --group=0 -C " + q + "/root1 -cf " + q +
                "/out/l1/layer.tar . && " + "tar --sort=name --mtime=@0 --owner=0 --group=0 -C " + q + "/root2 -cf " +
                q + "/l2.tar . && " + "gzip -n -c " + q + "/l2.tar > " + q +
                "/out/l2/layer.tar && ln -s ../l1/layer.tar " + q + "/out/l3/layer.tar");
    auto sha = [&](const std::string& file) {
      return "sha256:" + run_command("sha256sum " + shell_quote(file) + " | cut -c1-64 | tr -d '\\n'");
    };
    std::string one = sha(work + "/out/l1/layer.tar");
    json config{{"architecture", "amd64"},
                {"os", "linux"},
                {"config", {{"Cmd", {"/bin/sh"}}, {"Env", {"A=1"}}}},
                {"rootfs", {{"type", "layers"}, {"diff_ids", {one, sha(work + "/l2.tar"), one}}}}};
    std::ofstream(work + "/out/cafe.json") << config.dump(2);
    json manifest = json::array({{{"Config", "cafe.json"},
                                  {"RepoTags", {"example/app:1"}},
                                  {"Layers", {"l1/layer.tar", "l2/layer.tar", "l3/layer.tar"}}}});
    std::ofstream(work + "/out/manifest.json") << manifest.dump();
    run_command("tar -C " + q + "/out -cf " + shell_quote(path("saved.tar")) + " .");
    return "saved.tar";
  }

  testing::TempDir dir_;
  fs::RealFileSystem fs_;
};

TEST_F(ImageImportTest, OciLayoutAndOciArchiveKeepTheBuildersDigest) {
  std::string root = path("svc");
  testing::write_sample_tree(root);
  auto packed = pack_layer(fs_, testing::entries_for_tree(root, "app/"), {}, BlobTarget::file(path("l.tar.gz")));
  ASSERT_TRUE(packed.has_value());
  ImageConfig config;
  config.cmd = std::vector<std::string>{"/app/bin/start.sh"};
  auto written = write_image_layout(fs_, {}, std::vector<NewLayer>{{*packed, "code"}}, config, "built", path("built"));
  ASSERT_TRUE(written.has_value()) << written.error().message;

  auto layout = import("built");
  ASSERT_TRUE(layout.has_value()) << layout.error().message;
  EXPECT_EQ(layout->manifest.digest, written->manifest_digest);
  EXPECT_EQ(layout->config.digest, written->config_digest);
  EXPECT_EQ(layout->layer_paths[0], path("built/blobs/sha256/") + packed->blob.sha256) << "read in place";

  run_command("tar -C " + shell_quote(path("built")) + " -czf " + shell_quote(path("built.tar.gz")) + " .");
  auto archive = import("built.tar.gz");
  ASSERT_TRUE(archive.has_value()) << archive.error().message;
  EXPECT_EQ(archive->manifest.digest, written->manifest_digest);
  EXPECT_TRUE(archive->layer_paths[0].starts_with(path("scratch/import-"))) << archive->layer_paths[0];
  export_imported(*archive, "exported");
  json inspect = testing::judge_layout(path("exported"), "v1", path("bundle"));
  EXPECT_EQ(inspect["Digest"], written->manifest_digest);
  EXPECT_EQ(slurp(path("bundle/rootfs/app/src/handler.js")), slurp(root + "/src/handler.js"));
}

TEST_F(ImageImportTest, DockerArchiveBecomesAnOciImageTheJudgesAccept) {
  std::string saved = docker_archive();
  auto image = import(saved);
  ASSERT_TRUE(image.has_value()) << image.error().message;
  ASSERT_EQ(image->layers.size(), 3u);
  EXPECT_EQ(image->layers[0].media_type, "application/vnd.oci.image.layer.v1.tar");
  EXPECT_EQ(image->layers[1].media_type, "application/vnd.oci.image.layer.v1.tar+gzip");
  EXPECT_EQ(image->layers[2].digest, image->layers[0].digest) << "the symlinked repeat";
  EXPECT_EQ(image->config_json, slurp(path("docker/out/cafe.json"))) << "the config as it is";
  EXPECT_EQ(image->manifest.media_type, "application/vnd.oci.image.manifest.v1+json");

  auto again = import(saved);
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(again->manifest.digest, image->manifest.digest) << "importing twice: one digest";
  EXPECT_EQ(again->manifest_json, image->manifest_json);

  export_imported(*image, "exported");
  json inspect = testing::judge_layout(path("exported"), "v1", path("bundle"));
  EXPECT_EQ(inspect["Digest"], image->manifest.digest);
  EXPECT_EQ(slurp(path("bundle/rootfs/etc/one.txt")), "one\n");
  EXPECT_EQ(slurp(path("bundle/rootfs/app/two.txt")), "two\n");
}

TEST_F(ImageImportTest, BadInputsAreNamed) {
  auto missing = import("nothing-here.tar");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
  EXPECT_NE(missing.error().message.find("nothing-here.tar"), std::string::npos);

  // A member that would land outside the scratch directory.
  run_command("cd " + shell_quote(dir_.path()) +
              " && python3 -c \"import tarfile,io; t=tarfile.open('evil.tar','w'); i=tarfile.TarInfo('../evil'); "
              "i.size=1; t.addfile(i, io.BytesIO(b'x')); t.close()\"");
  auto evil = import("evil.tar");
  ASSERT_FALSE(evil.has_value());
  EXPECT_EQ(evil.error().kind, ErrorKind::corrupt);
  EXPECT_NE(evil.error().message.find("\"../evil\""), std::string::npos) << evil.error().message;
  EXPECT_FALSE(stdfs::exists(path("evil")));
  EXPECT_FALSE(stdfs::exists(path("scratch/../evil")));

  // A layer whose bytes do not match the config's diff_id.
  docker_archive();
  run_command("cd " + shell_quote(path("docker/out")) + " && rm l3/layer.tar && echo junk > l3/layer.tar && tar -cf " +
              shell_quote(path("bad.tar")) + " .");
  auto bad = import("bad.tar");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("l3/layer.tar"), std::string::npos) << bad.error().message;
  EXPECT_NE(bad.error().message.find("bad.tar"), std::string::npos) << bad.error().message;

  stdfs::create_directories(path("empty"));
  auto neither = import("empty");
  ASSERT_FALSE(neither.has_value());
  EXPECT_NE(neither.error().message.find("neither an OCI image layout"), std::string::npos);
}

TEST_F(ImageImportTest, LayoutWithManyManifestsTakesThePlatformsOne) {
  auto layer = pack_layer(fs_, {PackEntry::bytes("x", "x\n")}, {}, BlobTarget::file(path("x.tar.gz")));
  ASSERT_TRUE(layer.has_value());
  ImageConfig arm;
  arm.platform = *parse_platform("linux/arm64/v8");
  ASSERT_TRUE(write_image_layout(fs_, {}, std::vector<NewLayer>{{*layer, "x"}}, arm, "arm", path("arm")).has_value());
  auto amd = write_image_layout(fs_, {}, std::vector<NewLayer>{{*layer, "x"}}, ImageConfig{}, "amd", path("multi"));
  ASSERT_TRUE(amd.has_value());
  // Both manifests in one index.json, as a multi-platform build leaves them.
  json index = json::parse(slurp(path("multi/index.json")));
  index["manifests"].push_back(json::parse(slurp(path("arm/index.json")))["manifests"][0]);
  std::ofstream(path("multi/index.json")) << index.dump();
  run_command("cd " + shell_quote(path("arm/blobs/sha256")) +
              " && for f in *; do [ -e ../../../multi/blobs/sha256/$f ] || cp $f ../../../multi/blobs/sha256/; done");

  auto chosen = import("multi");
  ASSERT_TRUE(chosen.has_value()) << chosen.error().message;
  EXPECT_EQ(chosen->manifest.digest, amd->manifest_digest);
  auto none = import("multi", "linux/s390x");
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().kind, ErrorKind::not_found);
  EXPECT_NE(none.error().message.find("linux/arm64/v8"), std::string::npos) << none.error().message;
}

}  // namespace
}  // namespace wharf::packer
