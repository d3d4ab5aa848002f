// A real git repository in a temporary directory, driven by the git CLI, for
// tests of change detection (no mock of git).
#pragma once

#include <string>

#include "tests/testing/temp_dir.h"

namespace wharf::testing {

class GitRepo {
 public:
  GitRepo();
  const std::string& path() const { return dir_.path(); }

  // Writes a file (creating directories), relative to the work tree.
  void write(const std::string& path, const std::string& contents);
  void remove(const std::string& path);
  // Renames in the work tree (git sees a delete and an add).
  void move(const std::string& from, const std::string& to);
  void chmod_exec(const std::string& path);
  void symlink(const std::string& target, const std::string& path);
  // Runs git with fixed identity and dates; returns stdout (trailing newline trimmed).
  std::string git(const std::string& args);
  // The same, for a command expected to fail sometimes: returns the exit code.
  int git_status(const std::string& args);
  // Stages everything and commits; returns the new full SHA.
  std::string commit(const std::string& message);
  std::string head() { return git("rev-parse HEAD"); }

 private:
  TempDir dir_;
  int commits_ = 0;
};

}  // namespace wharf::testing
