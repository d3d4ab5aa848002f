#include "tests/packer/sample_tree.h"

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <gtest/gtest.h>

#include "fs/real_file_system.h"
#include "packer/directory_entries.h"

namespace wharf::testing {
namespace {

void write(const std::filesystem::path& path, const std::string& contents) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << contents;
}

}  // namespace

void write_sample_tree(const std::string& root_dir, int variant) {
  std::filesystem::path root(root_dir);
  std::string text;
  for (int i = 0; i < 400; ++i) text += "export function route" + std::to_string(i) + "(req) { return req.id; }\n";
  write(root / "src/handler.js", "// variant " + std::to_string(variant) + "\n" + text);
  write(root / "src/lib/util.js", text.substr(0, 3000));
  std::mt19937 random(7);  // fixed seed: the same "binary" every run
  std::string binary(20000, '\0');
  for (char& c : binary) c = static_cast<char>(random());
  write(root / "assets/blob.bin", binary);
  write(root / "assets/logo.png", binary.substr(0, 500));
  write(root / "bin/start.sh", "#!/bin/sh\nexec node src/handler.js\n");
  std::filesystem::permissions(root / "bin/start.sh", std::filesystem::perms::owner_exec,
                               std::filesystem::perm_options::add);
  write(root / "migrations/0001_init.sql", "create table t (id int);\n");
  write(root / "docs/caf\xc3\xa9.txt", "caf\xc3\xa9\n");
  write(root / "empty.txt", "");
  std::filesystem::create_directories(root / "var/empty");
  std::filesystem::remove(root / "bin/handler.js");
  std::filesystem::create_symlink("../src/handler.js", root / "bin/handler.js");
}

packer::EntryList entries_for_tree(const std::string& root, const std::string& prefix) {
  fs::RealFileSystem fs;
  auto entries = packer::entries_from_directory(fs, root, prefix);
  EXPECT_TRUE(entries.has_value()) << entries.error().message;
  return entries ? *entries : packer::EntryList{};
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace wharf::testing
