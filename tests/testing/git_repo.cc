#include "tests/testing/git_repo.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

namespace wharf::testing {

GitRepo::GitRepo() { git("init -q -b main ."); }

void GitRepo::write(const std::string& path, const std::string& contents) {
  std::filesystem::path full = std::filesystem::path(dir_.path()) / path;
  std::filesystem::create_directories(full.parent_path());
  std::ofstream(full, std::ios::binary | std::ios::trunc) << contents;
}

void GitRepo::remove(const std::string& path) {
  std::filesystem::remove_all(std::filesystem::path(dir_.path()) / path);
}

void GitRepo::move(const std::string& from, const std::string& to) {
  std::filesystem::path base(dir_.path());
  std::filesystem::create_directories((base / to).parent_path());
  std::filesystem::rename(base / from, base / to);
}

void GitRepo::chmod_exec(const std::string& path) {
  ::chmod((std::filesystem::path(dir_.path()) / path).c_str(), 0755);
}

void GitRepo::symlink(const std::string& target, const std::string& path) {
  std::filesystem::path full = std::filesystem::path(dir_.path()) / path;
  std::filesystem::create_directories(full.parent_path());
  std::filesystem::remove(full);
  std::filesystem::create_symlink(target, full);
}

namespace {

// Fixed identity, dates and no user config: the same SHAs on every machine.
std::string git_command(const std::string& dir, int commits, const std::string& args) {
  return fmt::format(
      "cd {} && GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com "
      "GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com GIT_AUTHOR_DATE='2026-01-01T00:00:{:02d}Z' "
      "GIT_COMMITTER_DATE='2026-01-01T00:00:{:02d}Z' git {} 2>&1",
      shell_quote(dir), commits % 60, commits % 60, args);
}

}  // namespace

int GitRepo::git_status(const std::string& args) {
  int status = 0;
  run_command(git_command(dir_.path(), commits_, args), &status);
  return status;
}

std::string GitRepo::git(const std::string& args) {
  return run_line(git_command(dir_.path(), commits_, args));
}

std::string GitRepo::commit(const std::string& message) {
  git("add -A .");
  git("commit -q --allow-empty -m " + shell_quote(message));
  ++commits_;
  return head();
}

}  // namespace wharf::testing
