#include "hashing/explain.h"

#include <gtest/gtest.h>

namespace wharf::hashing {
namespace {

constexpr std::string_view kBefore =
    "format: wharf-input-key/1\nkind: service\nname: api\nconfig.path: services/api\nconfig.build: make\n"
    "file.path: services/api/a.ts\nfile.mode: 100644\nfile.digest: 00000000000000000000000000000001\n"
    "file.path: services/api/gone.ts\nfile.mode: 100644\nfile.digest: 00000000000000000000000000000002\n"
    "file.path: services/api/run.sh\nfile.mode: 100644\nfile.digest: 00000000000000000000000000000003\n"
    "package.name: common\npackage.key: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
    "env.name: NODE_ENV\nenv.unset: \n";

constexpr std::string_view kAfter =
    "format: wharf-input-key/1\nkind: service\nname: api\nconfig.path: services/api\nconfig.build: make prod\n"
    "file.path: services/api/a.ts\nfile.mode: 100644\nfile.digest: 00000000000000000000000000000009\n"
    "file.path: services/api/new.ts\nfile.mode: 100644\nfile.digest: 00000000000000000000000000000004\n"
    "file.path: services/api/run.sh\nfile.mode: 100755\nfile.digest: 00000000000000000000000000000003\n"
    "package.name: common\npackage.key: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n"
    "env.name: NODE_ENV\nenv.value: (hidden) xxh3:0123\n";

TEST(Explain, NamesEveryKindOfChange) {
  TranscriptLoader load = [](std::string_view key) -> std::optional<std::string> {
    if (key == "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa") {
      return "kind: package\nname: common\nfile.path: packages/common/x.ts\nfile.mode: 100644\nfile.digest: 01\n";
    }
    if (key == "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb") {
      return "kind: package\nname: common\nfile.path: packages/common/x.ts\nfile.mode: 100644\nfile.digest: 02\n";
    }
    return std::nullopt;
  };
  auto changes = diff_transcripts(kBefore, kAfter, load);
  EXPECT_EQ(format_changes(changes),
            "file changed: services/api/a.ts\n"
            "file removed: services/api/gone.ts\n"
            "file added: services/api/new.ts\n"
            "file mode changed: services/api/run.sh (100644 -> 100755)\n"
            "package changed: common\n"
            "  file changed: packages/common/x.ts\n"
            "environment variable changed: NODE_ENV (unset -> set, xxh3:0123)\n"
            "config changed: config.build (\"make\" -> \"make prod\")\n");
}

TEST(Explain, IdenticalTranscriptsHaveNoChangesAndLongListsAreCut) {
  EXPECT_TRUE(diff_transcripts(kBefore, kBefore, nullptr).empty());
  std::string many;
  for (int i = 0; i < 5; ++i) many += "file.path: f" + std::to_string(i) + "\nfile.mode: 100644\nfile.digest: 1\n";
  std::string text = format_changes(diff_transcripts("", many, nullptr), 2);
  EXPECT_EQ(text, "file added: f0\nfile added: f1\n... and 3 more (file added)\n");
}

}  // namespace
}  // namespace wharf::hashing
