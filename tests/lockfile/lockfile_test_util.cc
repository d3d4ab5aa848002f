#include "tests/lockfile/lockfile_test_util.h"

#include <gtest/gtest.h>

namespace wharf::lockfile::testing {

Lockfile parse_ok(std::string_view path, std::string_view text, const fs::SourceTree& tree) {
  auto parsed = parse(path, text, tree);
  if (!parsed) {
    ADD_FAILURE() << parsed.error().message;
    return Lockfile();
  }
  return std::move(*parsed);
}

std::string parse_error(std::string_view path, std::string_view text, const fs::SourceTree& tree) {
  auto parsed = parse(path, text, tree);
  if (parsed) {
    ADD_FAILURE() << path << " parsed, but an error was expected";
    return {};
  }
  EXPECT_EQ(parsed.error().kind, ErrorKind::config);
  return parsed.error().message;
}

std::string replace(std::string text, std::string_view from, std::string_view to) {
  std::size_t at = 0;
  int count = 0;
  while ((at = text.find(from, at)) != std::string::npos) {
    text.replace(at, from.size(), to);
    at += to.size();
    ++count;
  }
  EXPECT_GT(count, 0) << "the test's replacement found no `" << from << "`";
  return text;
}

std::vector<std::string> closure_of(const Lockfile& lockfile, std::vector<std::string> dirs) {
  std::vector<std::string> out;
  for (std::uint32_t id : closure(lockfile, dirs).ids) {
    out.push_back(lockfile.packages[id].name + "@" + lockfile.packages[id].version);
  }
  return out;
}

}  // namespace wharf::lockfile::testing
