// `--worktree`'s changed paths (workspace/worktree.h) against the git CLI:
// real repositories, changed at random and in each case git status names
// (staged, unstaged, untracked, ignored at every level, deleted, renamed,
// chmod, symlink, submodule, racy timestamps, assume-unchanged and
// skip-worktree), and after every change the set must equal the paths of
// `git status --porcelain -z -uall`. The cache (stat records, directory
// listings) lives across the changes, so a stale memory shows up as a
// difference.
#include "workspace/worktree.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include <random>
#include <set>

#include <fmt/format.h>

#include "tests/testing/git_repo.h"
#include "tests/testing/temp_dir.h"

namespace wharf::workspace {
namespace {

using testing::GitRepo;
using testing::run_command;
using testing::shell_quote;
using testing::TempDir;

using PathSet = std::set<std::string>;

class WorktreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_.write("wharf.toml", "[service.app]\npaths = [\"app\"]\n");
    repo_.write(".gitignore", "*.log\nbuild/\n");
    repo_.write("app/main.c", "int main() { return 0; }\n");
    repo_.write("app/lib/util.c", "int util;\n");
    repo_.write("docs/readme.md", "# docs\n");
    repo_.commit("start");
  }

  // What git status lists, without letting it refresh the index (so a racy
  // entry stays racy for the next wharf run).
  PathSet GitStatus() {
    std::string out = repo_.git("--no-optional-locks status --porcelain -z -uall");
    PathSet paths;
    std::size_t at = 0;
    while (at < out.size()) {
      std::size_t end = out.find('\0', at);
      if (end == std::string::npos) end = out.size();
      std::string record = out.substr(at, end - at);
      at = end + 1;
      if (record.size() < 4) continue;
      paths.insert(record.substr(3));
      if (record[0] == 'R' || record[0] == 'C') {  // the source follows
        end = out.find('\0', at);
        if (end == std::string::npos) end = out.size();
        paths.insert(out.substr(at, end - at));
        at = end + 1;
      }
    }
    return paths;
  }

  // wharf's answer, through a freshly opened workspace on the shared cache.
  Result<PathSet> Wharf() {
    Options options;
    options.directory = repo_.path();
    options.cache_dir = cache_.path();
    auto workspace = Workspace::open(options, host_);
    if (!workspace) return std::unexpected(workspace.error());
    auto changes = worktree_changes(*workspace);
    if (!changes) return std::unexpected(changes.error());
    return PathSet(changes->begin(), changes->end());
  }

  void ExpectSameAsGit(const std::string& step) {
    auto first = Wharf();
    ASSERT_TRUE(first.has_value()) << step << ": " << first.error().message;
    auto again = Wharf();  // with the listings and stat records the first run left
    ASSERT_TRUE(again.has_value()) << step << ": " << again.error().message;
    PathSet git = GitStatus();
    EXPECT_EQ(*first, git) << step;
    EXPECT_EQ(*again, git) << step << " (second run)";
  }

  // The file's contents; "" when it is gone from the work tree (still tracked).
  std::string Read(const std::string& path) {
    int status = 0;
    std::string text = run_command(fmt::format("cat {} 2>/dev/null", shell_quote(repo_.path() + "/" + path)), &status);
    return status == 0 ? text : std::string();
  }

  GitRepo repo_;
  TempDir cache_;
  Host host_;
};

TEST_F(WorktreeTest, CleanTreeHasNoChanges) {
  auto changes = Wharf();
  ASSERT_TRUE(changes.has_value()) << changes.error().message;
  EXPECT_TRUE(changes->empty());
  EXPECT_TRUE(GitStatus().empty());
}

TEST_F(WorktreeTest, EachKindOfChange) {
  repo_.write("app/main.c", "int main() { return 1; }\n");  // unstaged, same size
  ExpectSameAsGit("unstaged");
  repo_.write("app/new.c", "new\n");
  ExpectSameAsGit("untracked");
  repo_.write("app/debug.log", "ignored\n");
  repo_.write("build/out.o", "ignored dir\n");
  ExpectSameAsGit("ignored");
  repo_.git("add app/new.c");
  ExpectSameAsGit("staged");
  repo_.git("mv docs/readme.md docs/README.md");
  ExpectSameAsGit("renamed");
  repo_.remove("app/lib/util.c");
  ExpectSameAsGit("deleted");
  repo_.chmod_exec("app/new.c");
  ExpectSameAsGit("chmod");
  repo_.symlink("main.c", "app/link");
  ExpectSameAsGit("symlink");
  repo_.write("app/sub/.gitignore", "*.tmp\n!keep.tmp\n");
  repo_.write("app/sub/a.tmp", "x\n");
  repo_.write("app/sub/keep.tmp", "x\n");
  ExpectSameAsGit("nested .gitignore with a negation");
  repo_.write(".git/info/exclude", "secret*\n");
  repo_.write("app/secret.txt", "x\n");
  ExpectSameAsGit("info/exclude");
  TempDir elsewhere;
  run_command(fmt::format("printf 'global-*\\n' > {}", shell_quote(elsewhere.path() + "/excludes")));
  repo_.git(fmt::format("config core.excludesFile {}", elsewhere.path() + "/excludes"));
  repo_.write("docs/global-x.txt", "x\n");
  ExpectSameAsGit("core.excludesFile");
  run_command(fmt::format("git init -q {}", shell_quote(repo_.path() + "/nested")));
  repo_.write("nested/file.txt", "inside another repository\n");
  ExpectSameAsGit("untracked repository inside");
  repo_.git("add -N app/sub/keep.tmp");
  ExpectSameAsGit("intent to add");
}

TEST_F(WorktreeTest, AssumeUnchangedAndSkipWorktreeHideWorkTreeEdits) {
  repo_.git("update-index --assume-unchanged app/main.c");
  repo_.git("update-index --skip-worktree app/lib/util.c");
  repo_.write("app/main.c", "edited but assumed unchanged\n");
  repo_.write("app/lib/util.c", "edited but skipped\n");
  ExpectSameAsGit("hidden edits");
  auto changes = Wharf();
  ASSERT_TRUE(changes.has_value());
  EXPECT_TRUE(changes->empty());
}

TEST_F(WorktreeTest, RacyEntrySameSizeSameSecond) {
  // The file changes in the same timestamp tick as the index that recorded
  // it, keeping its size: only the content can tell.
  repo_.write("app/main.c", "aaaa\n");
  repo_.git("add app/main.c");
  repo_.write("app/main.c", "bbbb\n");
  ExpectSameAsGit("racy");
  // A same-size edit with the old mtime put back: the lstat facts equal
  // the index's but for the ctime.
  const std::string readme = repo_.path() + "/docs/readme.md";
  struct stat before {};
  ASSERT_EQ(::lstat(readme.c_str(), &before), 0);
  repo_.write("docs/readme.md", "# DOCS\n");
  struct timespec times[2] = {{0, UTIME_OMIT}, before.st_mtim};
  ASSERT_EQ(::utimensat(AT_FDCWD, readme.c_str(), times, AT_SYMLINK_NOFOLLOW), 0);
  ExpectSameAsGit("mtime restored");
}

TEST_F(WorktreeTest, StagedThenRevertedInTheWorkTree) {
  // The stat record of the modified file holds its XXH3 digest; once that
  // content is staged, the file is clean although the record predates it.
  repo_.write("app/main.c", "changed\n");
  ExpectSameAsGit("modified");
  repo_.git("add app/main.c");
  ExpectSameAsGit("staged");
  repo_.git("commit -q -m staged");
  ExpectSameAsGit("committed");
}

TEST_F(WorktreeTest, Submodule) {
  GitRepo library;
  library.write("lib.c", "lib\n");
  library.commit("library");
  repo_.git(fmt::format("-c protocol.file.allow=always submodule add -q {} vendor/lib", library.path()));
  ExpectSameAsGit("submodule added");
  repo_.commit("with submodule");
  ExpectSameAsGit("submodule committed");
  run_command(fmt::format("printf 'edited\\n' > {}", shell_quote(repo_.path() + "/vendor/lib/lib.c")));
  ExpectSameAsGit("submodule content modified");
  run_command(fmt::format("git -C {} commit -qam moved", shell_quote(repo_.path() + "/vendor/lib")));
  ExpectSameAsGit("submodule has a new commit");
}

TEST_F(WorktreeTest, RandomChangesMatchGitStatus) {
  const std::vector<std::string> dirs = {"app", "app/lib", "docs", "docs/deep/er", "new", "build", ""};
  for (unsigned seed : {1u, 2u, 3u}) {
    std::mt19937 rng(seed);
    auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
    auto tracked = [&]() {
      std::string list = repo_.git("ls-files");
      std::vector<std::string> paths;
      std::size_t at = 0;
      while (at < list.size()) {
        std::size_t end = list.find('\n', at);
        if (end == std::string::npos) end = list.size();
        std::string path = list.substr(at, end - at);
        if (!path.empty() && path != "wharf.toml" && path != ".gitignore" && path.find("vendor") == std::string::npos)
          paths.push_back(path);
        at = end + 1;
      }
      return paths;
    };
    for (int step = 0; step < 30; ++step) {
      std::vector<std::string> files = tracked();
      std::string dir = dirs[pick(dirs.size())];
      std::string fresh = (dir.empty() ? "" : dir + "/") + fmt::format("f{}-{}{}", seed, step, pick(4) == 0 ? ".log" : ".txt");
      std::string what;
      switch (pick(12)) {
        case 0:
        case 1:
          repo_.write(fresh, fmt::format("{}\n", rng()));
          what = "write " + fresh;
          break;
        case 2:
          if (files.empty()) continue;
          what = "modify " + files[pick(files.size())];
          repo_.write(what.substr(7), fmt::format("{}\n", rng()));
          break;
        case 3: {
          if (files.empty()) continue;
          std::string path = files[pick(files.size())];
          std::string text = Read(path);
          if (text.empty()) continue;
          text[0] = text[0] == 'x' ? 'y' : 'x';  // same size
          repo_.write(path, text);
          what = "same-size edit " + path;
          break;
        }
        case 4:
          if (files.empty()) continue;
          what = "delete " + files[pick(files.size())];
          repo_.remove(what.substr(7));
          break;
        case 5:
          what = "git add -A";
          repo_.git("add -A");
          break;
        case 6:
          if (files.empty()) continue;
          what = "git rm --cached " + files[pick(files.size())];
          repo_.git_status("rm -q --cached " + shell_quote(what.substr(16)));
          break;
        case 7: {
          if (files.empty()) continue;
          std::string from = files[pick(files.size())];
          what = "git mv " + from + " " + fresh;
          run_command(fmt::format("mkdir -p {}", shell_quote(repo_.path() + "/" + (dir.empty() ? "." : dir))));
          repo_.git_status("mv " + shell_quote(from) + " " + shell_quote(fresh));
          break;
        }
        case 8:
          if (files.empty()) continue;
          what = "chmod +x " + files[pick(files.size())];
          repo_.chmod_exec(what.substr(9));
          break;
        case 9:
          repo_.symlink("target-" + std::to_string(step), fresh);
          what = "symlink " + fresh;
          break;
        case 10:
          what = "commit";
          repo_.git("add -A");
          repo_.git_status("commit -q -m step");
          break;
        default:
          if (files.empty()) continue;
          what = "update-index --skip-worktree " + files[pick(files.size())];
          repo_.git_status("update-index --skip-worktree " + shell_quote(what.substr(29)));
          repo_.write(what.substr(29), "hidden\n");
          break;
      }
      ExpectSameAsGit(fmt::format("seed {} step {}: {}", seed, step, what));
      if (HasFailure()) return;
    }
  }
}

}  // namespace
}  // namespace wharf::workspace
