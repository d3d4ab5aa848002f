// End to end: `wharf build` on a real repository, with the real binary and
// independent judges of its artifacts (unzip, zipinfo, skopeo, umoci,
// oci-image-tool): what is built, what is reused, byte-identical results
// from another checkout, a code-only change touching only the top layer,
// failures that name the service, and Ctrl-C.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/cli/report_json.h"
#include "tests/testing/git_repo.h"
#include "tests/testing/temp_dir.h"

namespace wharf {
namespace {

using nlohmann::json;
using testing::shell_quote;
using testing::run_line;  // the output without its trailing newlines

constexpr const char* kConfig = R"(
[workspace]
inputs = ["package-lock.json"]

[service.api]
paths = ["services/api"]
build = "mkdir -p services/api/dist && cp services/api/src/*.js services/api/dist/ && echo api >> \"$COUNTER\""
outputs = ["services/api/dist"]

[service.api.zip]
files = [
  { from = "services/api/dist", to = "" },
  { from = "services/api/migrations/*.sql", to = "migrations/" },
  { from = "services/api/package.json", to = "package.json" },
]

[service.web]
paths = ["services/web", "vendor"]
build = "echo web >> \"$COUNTER\""

[service.web.image]
entrypoint = ["node", "server.js"]
workdir = "/app"
env = ["NODE_ENV=production"]
labels = { "org.opencontainers.image.source" = "https://example.invalid/repo" }
exposed_ports = ["8080/tcp"]

[[service.web.image.layers]]
name = "deps"
files = [{ from = "vendor", to = "app/node_modules" }]

[[service.web.image.layers]]
name = "code"
files = [{ from = "services/web", to = "app" }]

[service.worker]
paths = ["services/worker", "vendor"]

[service.worker.image]
tag = "{service}-{short_sha}"
cmd = ["node", "worker.js"]

[[service.worker.image.layers]]
name = "deps"
files = [{ from = "vendor", to = "app/node_modules" }]

[[service.worker.image.layers]]
name = "code"
files = [{ from = "services/worker", to = "app" }]

[service.docs]
paths = ["docs"]
)";

void fill(testing::GitRepo& repo) {
  repo.write("wharf.toml", kConfig);
  repo.write(".gitignore", "services/api/dist/\n*.log\n");
  repo.write("package-lock.json", "{}\n");
  repo.write("services/api/src/index.js", "console.log('api');\n");
  repo.write("services/api/src/db.js", "module.exports = {};\n");
  repo.write("services/api/migrations/0001_init.sql", "create table t (id int);\n");
  repo.write("services/api/migrations/README", "not a migration\n");
  repo.write("services/api/package.json", "{\"name\":\"api\"}\n");
  repo.write("services/web/server.js", "require('http');\n");
  repo.write("services/web/bin/start", "#!/bin/sh\nexec node server.js\n");
  repo.chmod_exec("services/web/bin/start");
  repo.write("services/worker/worker.js", "setInterval(() => {}, 1000);\n");
  repo.write("vendor/left-pad/index.js", "module.exports = s => s;\n");
  repo.write("docs/index.md", "# docs\n");
  repo.commit("initial");
}

class BuildCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fill(repo_);
    counter_ = dir_.path() + "/counter";
    cache_ = dir_.path() + "/cache";
  }

  std::string Wharf(const std::string& args, int* status = nullptr, const std::string& in = "") {
    return run_line("cd " + shell_quote(in.empty() ? repo_.path() : in) + " && COUNTER=" + shell_quote(counter_) +
                           " " + shell_quote(testing::wharf_binary()) + " --cache-dir " + shell_quote(cache_) + " " +
                           args + " 2>" + shell_quote(dir_.path() + "/stderr"),
                       status);
  }
  std::string Stderr() { return run_line("cat " + shell_quote(dir_.path() + "/stderr")); }

  json BuildJson(const std::string& args = "", const std::string& in = "") {
    int status = -1;
    std::string out = Wharf("build --json --progress none " + args, &status, in);
    EXPECT_EQ(status, 0) << out << Stderr();
    return json::parse(out);
  }

  // Commits kConfig with `from` (its first occurrence) replaced by `to`.
  void Reconfigure(const std::string& from, const std::string& to) {
    std::string config = kConfig;
    std::size_t at = config.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    config.replace(at, from.size(), to);
    repo_.write("wharf.toml", config);
    repo_.commit("reconfigure: " + to);
  }

  // Starts `wharf build` in the repository without waiting for it.
  pid_t Start(const std::vector<std::string>& args) {
    pid_t pid = fork();
    if (pid == 0) {
      if (::chdir(repo_.path().c_str()) != 0) ::_exit(126);
      ::setenv("COUNTER", counter_.c_str(), 1);
      std::string bin = testing::wharf_binary();
      std::vector<std::string> all = {bin, "--cache-dir", cache_};
      all.insert(all.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (auto& a : all) argv.push_back(a.data());
      argv.push_back(nullptr);
      int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, 1);
      ::dup2(null, 2);
      ::execv(bin.c_str(), argv.data());
      ::_exit(127);
    }
    return pid;
  }

  int Count(const std::string& word) {
    std::ifstream in(counter_);
    int n = 0;
    for (std::string line; std::getline(in, line);) n += line == word;
    return n;
  }

  // The manifest of an exported layout, through its index.json.
  static json Manifest(const std::string& layout) {
    json index = json::parse(run_line("cat " + shell_quote(layout + "/index.json")));
    std::string digest = index["manifests"][0]["digest"];
    return json::parse(run_line("cat " + shell_quote(layout + "/blobs/sha256/" + digest.substr(7))));
  }

  testing::TempDir dir_;
  testing::GitRepo repo_;
  std::string counter_;
  std::string cache_;
};

TEST_F(BuildCliTest, BuildsAZipAndImagesThatIndependentToolsAccept) {
  json report = BuildJson();
  ASSERT_EQ(report["services"].size(), 4u);
  const json& api = testing::service_in(report, "api");
  EXPECT_EQ(api["status"], "built");
  EXPECT_EQ(api["kind"], "zip");
  EXPECT_EQ(api["key"].get<std::string>().size(), 32u);
  std::string zip = api["path"];
  EXPECT_EQ(zip, repo_.path() + "/.wharf/out/api.zip");
  EXPECT_EQ(api["digest"], "sha256:" + run_line("sha256sum " + shell_quote(zip) + " | cut -d' ' -f1"));
  EXPECT_EQ(api["size"], std::filesystem::file_size(zip));
  int status = -1;
  run_line("unzip -tq " + shell_quote(zip), &status);
  EXPECT_EQ(status, 0);
  // Only the mapped files, under their archive names; the README beside the
  // migrations does not match the glob.
  EXPECT_EQ(run_line("zipinfo -1 " + shell_quote(zip)),
            "db.js\nindex.js\nmigrations/\nmigrations/0001_init.sql\npackage.json");
  EXPECT_EQ(api["tag"], repo_.git("rev-parse --short HEAD"));

  const json& web = testing::service_in(report, "web");
  EXPECT_EQ(web["status"], "built");
  EXPECT_EQ(web["kind"], "image");
  std::string layout = web["path"];
  std::string tag = web["tag"];
  std::string inspect = run_line("skopeo inspect " + shell_quote("oci:" + layout + ":" + tag), &status);
  ASSERT_EQ(status, 0) << inspect;
  json info = json::parse(inspect);
  EXPECT_EQ(info["Digest"], web["digest"]);
  EXPECT_EQ(info["Layers"].size(), 2u);
  std::string unpack = run_line("cd " + shell_quote(dir_.path()) + " && umoci unpack --rootless --image " +
                                       shell_quote(layout + ":" + tag) + " bundle 2>&1",
                                   &status);
  ASSERT_EQ(status, 0) << unpack;
  EXPECT_EQ(run_line("cat " + shell_quote(dir_.path() + "/bundle/rootfs/app/server.js")), "require('http');");
  EXPECT_TRUE(std::filesystem::exists(dir_.path() + "/bundle/rootfs/app/node_modules/left-pad/index.js"));
  auto perms = std::filesystem::status(dir_.path() + "/bundle/rootfs/app/bin/start").permissions();
  EXPECT_NE(perms & std::filesystem::perms::owner_exec, std::filesystem::perms::none);
  std::string validate = run_line(
      "oci-image-tool validate --type image --ref name=" + shell_quote(tag) + " " + shell_quote(layout) + " 2>&1",
      &status);
  EXPECT_EQ(status, 0) << validate;

  const json& worker = testing::service_in(report, "worker");
  EXPECT_EQ(worker["tag"], "worker-" + repo_.git("rev-parse --short HEAD"));
  // No artifact configured: skipped, with the reason.
  const json& docs = testing::service_in(report, "docs");
  EXPECT_EQ(docs["status"], "skipped");
  EXPECT_NE(docs["reason"].get<std::string>().find("[service.docs.zip]"), std::string::npos);
  EXPECT_EQ(Count("api"), 1);
  EXPECT_EQ(Count("web"), 1);
}

TEST_F(BuildCliTest, ASecondBuildReusesEveryArtifactAndRunsNoCommand) {
  json first = BuildJson();
  std::filesystem::remove_all(repo_.path() + "/.wharf/out");
  json second = BuildJson();
  for (const char* name : {"api", "web", "worker"}) {
    SCOPED_TRACE(name);
    EXPECT_EQ(testing::service_in(second, name)["status"], "hit");
    EXPECT_EQ(testing::service_in(second, name)["digest"], testing::service_in(first, name)["digest"]);
    EXPECT_EQ(testing::service_in(second, name)["key"], testing::service_in(first, name)["key"]);
    // Exported again from the cache alone.
    EXPECT_TRUE(std::filesystem::exists(testing::service_in(second, name)["path"].get<std::string>()));
  }
  EXPECT_EQ(Count("api"), 1);
  EXPECT_EQ(Count("web"), 1);
  int status = -1;
  run_line("unzip -tq " + shell_quote(testing::service_in(second, "api")["path"].get<std::string>()), &status);
  EXPECT_EQ(status, 0);
}

TEST_F(BuildCliTest, AnotherCheckoutAtAnotherTimeGivesTheSameBytes) {
  json first = BuildJson();
  const std::string clone = dir_.path() + "/clone";
  run_line("git clone -q " + shell_quote(repo_.path()) + " " + shell_quote(clone));
  // Other mtimes and another umask for the clone's files.
  run_line("cd " + shell_quote(clone) +
              " && find . -path ./.git -prune -o -type f -exec touch -d '2031-05-05' {} +");
  cache_ = dir_.path() + "/cache2";
  json second = BuildJson("", clone);
  for (const char* name : {"api", "web", "worker"}) {
    SCOPED_TRACE(name);
    EXPECT_EQ(testing::service_in(second, name)["status"], "built");
    EXPECT_EQ(testing::service_in(second, name)["digest"], testing::service_in(first, name)["digest"]);
  }
  EXPECT_EQ(run_line("cmp " + shell_quote(testing::service_in(first, "api")["path"].get<std::string>()) + " " +
                        shell_quote(testing::service_in(second, "api")["path"].get<std::string>()) + " && echo same"),
            "same");
}

TEST_F(BuildCliTest, ACodeChangeRebuildsOnlyItsServiceAndOnlyTheTopLayer) {
  json first = BuildJson();
  json before = Manifest(testing::service_in(first, "web")["path"]);
  repo_.write("services/web/server.js", "require('https');\n");
  repo_.commit("web: https");
  json second = BuildJson();
  EXPECT_EQ(testing::service_in(second, "web")["status"], "built");
  EXPECT_EQ(testing::service_in(second, "worker")["status"], "hit");
  EXPECT_EQ(testing::service_in(second, "api")["status"], "hit");
  json after = Manifest(testing::service_in(second, "web")["path"]);
  ASSERT_EQ(after["layers"].size(), 2u);
  EXPECT_EQ(after["layers"][0]["digest"], before["layers"][0]["digest"]);  // deps
  EXPECT_NE(after["layers"][1]["digest"], before["layers"][1]["digest"]);  // code
  // The deps layer is the same blob in both images (stored once).
  json worker = Manifest(testing::service_in(second, "worker")["path"]);
  EXPECT_EQ(worker["layers"][0]["digest"], after["layers"][0]["digest"]);
}

TEST_F(BuildCliTest, ChangingAnImageSettingIsARebuildAndExplainNamesIt) {
  json first = BuildJson();
  Reconfigure("[\"node\", \"server.js\"]", "[\"node\", \"main.js\"]");
  std::string explain = Wharf("explain web");
  EXPECT_NE(explain.find("config.image/entrypoint"), std::string::npos) << explain;
  json second = BuildJson();
  EXPECT_EQ(testing::service_in(second, "web")["status"], "built");
  EXPECT_NE(testing::service_in(second, "web")["digest"], testing::service_in(first, "web")["digest"]);
  EXPECT_EQ(testing::service_in(second, "worker")["status"], "hit");
}

TEST_F(BuildCliTest, AFailingCommandFailsItsServiceWithTheLogTailAndKeepGoingBuildsTheRest) {
  Reconfigure("build = \"echo web", "build = \"echo boom-web-failed; exit 3; echo web");
  int status = -1;
  std::string out = Wharf("build --json --progress none --keep-going", &status);
  EXPECT_EQ(status, 1) << out;
  json report = json::parse(out);
  const json& web = testing::service_in(report, "web");
  EXPECT_EQ(web["status"], "failed");
  std::string reason = web["reason"];
  EXPECT_NE(reason.find("exited with 3"), std::string::npos) << reason;
  EXPECT_NE(reason.find("boom-web-failed"), std::string::npos) << reason;
  EXPECT_TRUE(std::filesystem::exists(web["log"].get<std::string>()));
  EXPECT_EQ(testing::service_in(report, "api")["status"], "built");
  EXPECT_EQ(testing::service_in(report, "worker")["status"], "built");
  EXPECT_NE(Stderr().find("wharf: error: web:"), std::string::npos) << Stderr();
  // Nothing was recorded for web: the next build runs its command again.
  Wharf("build --json --progress none --keep-going web", &status);
  EXPECT_EQ(status, 1);
}

TEST_F(BuildCliTest, AFromThatMatchesNothingNamesTheConfigLine) {
  Reconfigure("\"services/api/migrations/*.sql\"", "\"services/api/migrations/*.sqlx\"");
  int status = -1;
  std::string out = Wharf("build --json --progress none api", &status);
  EXPECT_EQ(status, 1);
  std::string reason = testing::service_in(json::parse(out), "api")["reason"];
  EXPECT_NE(reason.find("wharf.toml:13:"), std::string::npos) << reason;
  EXPECT_NE(reason.find("matches no file"), std::string::npos) << reason;
}

TEST_F(BuildCliTest, ASymlinkOutOfTheRepositoryIsAnError) {
  repo_.symlink("../../../etc/passwd", "services/web/passwd");
  repo_.commit("web: a bad link");
  int status = -1;
  std::string out = Wharf("build --json --progress none web", &status);
  EXPECT_EQ(status, 1);
  std::string reason = testing::service_in(json::parse(out), "web")["reason"];
  EXPECT_NE(reason.find("services/web/passwd"), std::string::npos) << reason;
  EXPECT_NE(reason.find("outside the repository"), std::string::npos) << reason;
}

TEST_F(BuildCliTest, ABadArtifactTableIsAConfigErrorAtItsLine) {
  Reconfigure("workdir = \"/app\"", "wrokdir = \"/app\"");
  int status = -1;
  Wharf("build", &status);
  EXPECT_EQ(status, 2);
  EXPECT_NE(Stderr().find("wharf.toml:23:11: [service.web.image] wrokdir: unknown key 'wrokdir'; did you mean "
                          "'workdir'?"),
            std::string::npos)
      << Stderr();
}

TEST_F(BuildCliTest, WithABaseOnlyTheServicesToDeployAreBuilt) {
  const std::string base = repo_.head();
  repo_.write("services/worker/worker.js", "setInterval(() => {}, 5000);\n");
  repo_.commit("worker: slower");
  json report = BuildJson("--since " + base);
  EXPECT_EQ(testing::service_in(report, "worker")["status"], "built");
  EXPECT_EQ(testing::service_in(report, "api")["status"], "skipped");
  EXPECT_EQ(testing::service_in(report, "web")["status"], "skipped");
  EXPECT_EQ(Count("api"), 0);
}

TEST_F(BuildCliTest, CtrlCStopsTheBuildCommandsAndRecordsNothing) {
  Reconfigure("build = \"echo web", "build = \"echo $$ > \\\"$COUNTER.pid\\\"; sleep 60; echo web");
  pid_t pid = Start({"build", "--progress", "none", "web"});
  ASSERT_GE(pid, 0);
  const std::string pid_file = counter_ + ".pid";
  for (int i = 0; i < 400 && !std::filesystem::exists(pid_file); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ASSERT_TRUE(std::filesystem::exists(pid_file));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto start = std::chrono::steady_clock::now();
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 10.0);  // not the 60 s of the command: not a speed bar
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0);
  std::string shell_pid = run_line("cat " + shell_quote(pid_file));
  // The command's shell and its sleep are gone.
  EXPECT_NE(run_line("kill -0 " + shell_pid + " 2>/dev/null && echo alive || echo gone"), "alive");
  // Nothing of its process group is left running (a zombie waiting for
  // PID 1 to reap it does not count).
  std::string left;
  for (int i = 0; i < 100; ++i) {
    left = run_line("ps -o stat= -g " + shell_pid + " | grep -v '^Z' || true");
    if (left.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(left, "");
  EXPECT_EQ(Count("web"), 0);
  EXPECT_FALSE(std::filesystem::exists(repo_.path() + "/.wharf/out/web"));
}

// A build command that writes an OCI layout itself (as `docker buildx
// --output type=oci`, buildah or nix would): wharf imports it as the
// artifact, keeps the builder's manifest digest, caches and exports it.
TEST_F(BuildCliTest, AnImageTheBuildWritesItselfIsImportedAndCached) {
  repo_.write("tools/make_layout.py", R"(import hashlib, io, json, os, sys, tarfile
out = sys.argv[1]
os.makedirs(out + "/blobs/sha256", exist_ok=True)
def blob(data):
    d = hashlib.sha256(data).hexdigest()
    open(out + "/blobs/sha256/" + d, "wb").write(data)
    return {"digest": "sha256:" + d, "size": len(data)}
layer = io.BytesIO()
with tarfile.open(fileobj=layer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
    data = open("services/worker/worker.js", "rb").read()
    info = tarfile.TarInfo("worker.js")
    info.size, info.mode, info.mtime = len(data), 0o644, 315532800
    tar.addfile(info, io.BytesIO(data))
raw = layer.getvalue()
config = {"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers",
          "diff_ids": ["sha256:" + hashlib.sha256(raw).hexdigest()]}, "config": {"Cmd": ["node", "worker.js"]}}
manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": dict(blob(json.dumps(config).encode()), mediaType="application/vnd.oci.image.config.v1+json"),
            "layers": [dict(blob(raw), mediaType="application/vnd.oci.image.layer.v1.tar")]}
m = dict(blob(json.dumps(manifest).encode()), mediaType="application/vnd.oci.image.manifest.v1+json")
json.dump({"schemaVersion": 2, "manifests": [m]}, open(out + "/index.json", "w"))
open(out + "/oci-layout", "w").write('{"imageLayoutVersion": "1.0.0"}')
print(m["digest"])
)");
  Reconfigure("[service.docs]", R"([service.legacy]
paths = ["services/worker", "tools"]
build = "rm -rf out/legacy && python3 tools/make_layout.py out/legacy > out-digest && echo legacy >> \"$COUNTER\""

[service.legacy.image]
import = "out/legacy"

[service.docs])");
  json first = BuildJson("legacy");
  const json& legacy = testing::service_in(first, "legacy");
  ASSERT_EQ(legacy["status"], "built") << legacy.dump();
  EXPECT_EQ(legacy["kind"], "image");
  EXPECT_EQ(legacy["digest"], run_line("cat " + shell_quote(repo_.path() + "/out-digest")));
  int status = -1;
  std::string inspect = run_line("skopeo inspect " + shell_quote("oci:" + legacy["path"].get<std::string>() + ":" +
                                                                    legacy["tag"].get<std::string>()),
                                    &status);
  ASSERT_EQ(status, 0) << inspect;
  EXPECT_EQ(json::parse(inspect)["Digest"], legacy["digest"]);
  json second = BuildJson("legacy");
  EXPECT_EQ(testing::service_in(second, "legacy")["status"], "hit");
  EXPECT_EQ(testing::service_in(second, "legacy")["digest"], legacy["digest"]);
  EXPECT_EQ(Count("legacy"), 1);
}

TEST_F(BuildCliTest, KilledAtRandomPointsTheCacheStaysConsistent) {
  // Enough files that packing takes a moment to interrupt.
  for (int i = 0; i < 300; ++i) {
    repo_.write("vendor/pkg" + std::to_string(i % 20) + "/f" + std::to_string(i) + ".js",
                std::string(2000 + i, static_cast<char>('a' + i % 26)));
  }
  repo_.commit("more vendor files");
  std::mt19937 random(20261202);
  for (int round = 0; round < 8; ++round) {
    pid_t pid = Start({"build", "--progress", "none"});
    ASSERT_GE(pid, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(random() % 400));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
  }
  json report = BuildJson();
  for (const char* name : {"api", "web", "worker"}) {
    SCOPED_TRACE(name);
    std::string status = testing::service_in(report, name)["status"];
    EXPECT_TRUE(status == "built" || status == "hit") << status;
  }
  // The cache's own account agrees: one artifact per service, every blob
  // readable (gc finds nothing dangling).
  int status = -1;
  json stats = json::parse(Wharf("cache stats --json", &status));
  EXPECT_EQ(status, 0);
  EXPECT_EQ(stats["databases"]["artifacts"]["entries"], 3);
  json gc = json::parse(Wharf("cache gc --max-size 1G --json", &status));
  EXPECT_EQ(status, 0);
  json again = BuildJson();
  for (const char* name : {"api", "web", "worker"}) {
    EXPECT_EQ(testing::service_in(again, name)["status"], "hit") << name << gc.dump();
    EXPECT_EQ(testing::service_in(again, name)["digest"], testing::service_in(report, name)["digest"]) << name;
  }
  // The same digests as a build in a cache nobody killed.
  cache_ = dir_.path() + "/clean";
  json clean = BuildJson();
  for (const char* name : {"api", "web", "worker"}) {
    EXPECT_EQ(testing::service_in(report, name)["digest"], testing::service_in(clean, name)["digest"]) << name;
  }
}

}  // namespace
}  // namespace wharf
