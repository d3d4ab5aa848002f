// Messages that say what to do (issue 12): unknown revision names, and a
// repository owned by another user (git's safe.directory check).
#include "vcs/repository.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/testing/git_repo.h"
#include "tests/testing/temp_dir.h"

namespace wharf::vcs {
namespace {

using testing::GitRepo;
using testing::run_command;
using testing::shell_quote;

class ResolveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_.write("a.txt", "a\n");
    repo_.commit("initial");
    auto opened = Repository::open(repo_.path());
    ASSERT_TRUE(opened.has_value());
    opened_.emplace(std::move(*opened));
  }

  ResolveError Fails(const std::string& rev) {
    auto id = opened_->resolve_commit(rev);
    EXPECT_FALSE(id.has_value()) << rev;
    return id ? ResolveError{} : id.error();
  }

  GitRepo repo_;
  std::optional<Repository> opened_;
};

TEST_F(ResolveTest, AnUnknownBranchIsNotAMissingCommit) {
  ResolveError error = Fails("no-such-branch");
  EXPECT_EQ(error.failure, ResolveFailure::invalid);
  EXPECT_NE(error.message.find("'no-such-branch' is not a commit, branch or tag in this repository"), std::string::npos)
      << error.message;
  EXPECT_EQ(Fails("main~5").failure, ResolveFailure::invalid);
  EXPECT_EQ(Fails("abc").failure, ResolveFailure::invalid);  // too short to be an abbreviated SHA
}

TEST_F(ResolveTest, AWellFormedShaThatIsAbsentIsNotFound) {
  EXPECT_EQ(Fails("0123456789abcdef0123456789abcdef01234567").failure, ResolveFailure::not_found);
  EXPECT_EQ(Fails("dead").failure, ResolveFailure::not_found);
  EXPECT_EQ(Fails("DEADBEEF00").failure, ResolveFailure::not_found);
}

TEST_F(ResolveTest, ControlCharactersAndHugeNamesGiveShortErrors) {
  // "HEAD\0x" must not resolve as HEAD.
  ResolveError nul = Fails(std::string("HEAD\0x", 6));
  EXPECT_EQ(nul.failure, ResolveFailure::invalid);
  EXPECT_NE(nul.message.find(R"('HEAD\x00x' holds a control character)"), std::string::npos) << nul.message;
  ResolveError huge = Fails(std::string(10 << 20, 'q'));
  EXPECT_LT(huge.message.size(), 600u);
}

// Issue 12: libgit2 1.5 said only "config value 'safe.directory' was not
// found". Needs root (to give the repository to another user).
TEST(SafeDirectoryTest, AnotherUsersRepositorySaysWhichLineToRun) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to chown a repository to another user";
  int status = -1;
  std::string system = run_command("git config --system --get-all safe.directory 2>/dev/null", &status);
  if (!system.empty()) GTEST_SKIP() << "the system git config trusts directories already: " << system;
  GitRepo repo;
  repo.write("wharf.toml", "[service.api]\npaths = [\"api\"]\n");
  repo.write("api/main.c", "int main;\n");
  repo.commit("initial");
  testing::TempDir home;
  run_command("chown -R 4321:4321 " + shell_quote(repo.path()));
  const std::string env = "HOME=" + shell_quote(home.path()) + " XDG_CONFIG_HOME=" + shell_quote(home.path());
  const std::string err_file = home.path() + "/stderr";
  const std::string wharf = "cd " + shell_quote(repo.path()) + " && " + env + " " +
                            shell_quote(testing::wharf_binary()) + " plan --since HEAD 2>" + shell_quote(err_file);
  run_command(wharf, &status);
  std::ifstream in(err_file);
  std::stringstream err;
  err << in.rdbuf();
  EXPECT_EQ(status, 3) << err.str();
  const std::string line = "git config --global --add safe.directory " + repo.path();
  EXPECT_NE(err.str().find("is owned by another user"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("\n  " + line + "\n"), std::string::npos) << err.str();
  // Running the line it gives is enough.
  run_command(env + " " + line, &status);
  ASSERT_EQ(status, 0);
  run_command(wharf, &status);
  EXPECT_EQ(status, 0);
  run_command("chown -R 0:0 " + shell_quote(repo.path()));
}

}  // namespace
}  // namespace wharf::vcs
