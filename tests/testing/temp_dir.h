// A scratch directory per test, removed on success and kept (with its path
// printed) when the test failed, so a failure can be looked at.
#pragma once

#include <string>

namespace wharf::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Runs a shell command, returns its stdout; `status` gets the exit code.
std::string run_command(const std::string& command, int* status = nullptr);
// The same, without the output's trailing newlines (one-line answers).
std::string run_line(const std::string& command, int* status = nullptr);

// The wharf binary under test and the source tree (for examples/): from the
// environment (WHARF_BINARY, WHARF_SOURCE_DIR), else from the build.
std::string wharf_binary();
std::string source_dir();

// Quotes for /bin/sh.
std::string shell_quote(const std::string& text);

}  // namespace wharf::testing
