#include "tests/testing/temp_dir.h"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <gtest/gtest.h>

namespace wharf::testing {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "wharf-test-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  if (::testing::Test::HasFailure()) {
    std::cerr << "test data kept in " << path_ << "\n";
    return;
  }
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string wharf_binary() {
  const char* value = std::getenv("WHARF_BINARY");
  return value && *value ? value : WHARF_BINARY_DEFAULT;
}

std::string source_dir() {
  const char* value = std::getenv("WHARF_SOURCE_DIR");
  return value && *value ? value : WHARF_SOURCE_DIR_DEFAULT;
}

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string run_command(const std::string& command, int* status) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("popen failed: " + command);
  char buffer[4096];
  std::size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) out.append(buffer, n);
  int rc = pclose(pipe);
  int code = WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
  if (status) {
    *status = code;
  } else if (code != 0) {
    ADD_FAILURE() << "command failed (" << code << "): " << command << "\n" << out;
  }
  return out;
}

std::string run_line(const std::string& command, int* status) {
  std::string out = run_command(command, status);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace wharf::testing
