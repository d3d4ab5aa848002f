// The keys of a fixed tree and config, pinned. Every artifact in every cache
// is stored under such keys, so a change of the key format rebuilds every
// service for everyone: it must be a deliberate edit of the values below
// (with hashing::kKeyFormat bumped), never a side effect that passes the
// other tests, which only compare keys with each other.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <string>

#include "tests/testing/git_repo.h"
#include "tests/testing/temp_dir.h"

namespace wharf {
namespace {

using ::wharf::testing::run_command;
using ::wharf::testing::shell_quote;

// Every kind of field a key holds: workspace inputs and excludes, a package
// through a dependency with its own exclude, globs, a service exclude, env
// variables set and unset, a build command, an executable file and a symlink.
constexpr const char* kConfig = R"([workspace]
inputs = ["pnpm-lock.yaml"]
exclude = ["**/*.md"]

[package.common]
paths = ["packages/common"]
exclude = ["packages/common/**/*.test.ts"]

[package.client]
paths = ["packages/client"]
deps = ["common"]

[service.api]
paths = ["services/api", "infra/*.conf"]
deps = ["client"]
exclude = ["services/api/fixtures"]
env = ["GOLDEN_MODE", "GOLDEN_UNSET"]
build = "make api"

[service.web]
paths = ["apps/web/src/**/*.tsx"]
)";

TEST(GoldenKeyTest, FixedTreeAndConfigGiveThePinnedKeys) {
  ::wharf::testing::GitRepo repo;
  const std::map<std::string, std::string> files = {
      {"wharf.toml", kConfig},
      {"pnpm-lock.yaml", "lockfileVersion: '9.0'\n"},
      {"README.md", "# not an input\n"},
      {"infra/nginx.conf", "server {}\n"},
      {"packages/common/index.ts", "export const one = 1;\n"},
      {"packages/common/index.test.ts", "excluded by the package\n"},
      {"packages/client/index.ts", "import { one } from 'common';\n"},
      {"services/api/main.ts", "console.log('api');\n"},
      {"services/api/run.sh", "#!/bin/sh\nexec node main.js\n"},
      {"services/api/fixtures/big.json", "{}\n"},
      {"services/api/NOTES.md", "excluded by the workspace\n"},
      {"apps/web/src/App.tsx", "export default () => null;\n"},
      {"apps/web/src/app.css", "not matched by the glob\n"},
  };
  for (const auto& [path, contents] : files) repo.write(path, contents);
  repo.chmod_exec("services/api/run.sh");
  repo.symlink("main.ts", "services/api/entry.ts");
  repo.commit("golden");

  ::wharf::testing::TempDir cache;
  int status = -1;
  std::string out = run_command("cd " + shell_quote(repo.path()) + " && env -u GOLDEN_UNSET GOLDEN_MODE=release " +
                                    shell_quote(::wharf::testing::wharf_binary()) + " hash --json --cache-dir " +
                                    shell_quote(cache.path()),
                                &status);
  ASSERT_EQ(status, 0) << out;
  nlohmann::json hashed = nlohmann::json::parse(out);
  std::map<std::string, std::string> keys;
  for (const auto& service : hashed["services"]) keys[service["name"]] = service["key"];
  // wharf-input-key/3: config fields hashed as graph/config_fields.h declares them, with the
  // build's workdir, outputs and artifact tables (wharf build).
  EXPECT_EQ(keys, (std::map<std::string, std::string>{{"api", "0730c690551f3d6e055e736db5f99a98"},
                                                      {"web", "e31a7f30b56b176ff760f952c8950b53"}}));
}

}  // namespace
}  // namespace wharf
