#include "packer/entry_list.h"

#include <gtest/gtest.h>

namespace wharf::packer {
namespace {

std::string error_of(EntryList entries) {
  auto prepared = prepare_entries(std::move(entries));
  EXPECT_FALSE(prepared.has_value());
  return prepared ? "" : prepared.error().message;
}

TEST(PrepareEntries, SortsByBytesAndAddsParents) {
  auto prepared = prepare_entries({PackEntry::bytes("b/z.txt", "z"), PackEntry::bytes("a-b", "x"),
                                   PackEntry::bytes("b/\xc3\xa9", "e"), PackEntry::directory("b/"),
                                   PackEntry::bytes("a/deep/x", "y")});
  ASSERT_TRUE(prepared.has_value()) << prepared.error().message;
  std::vector<std::string> names;
  for (const PackEntry& entry : *prepared) names.push_back(entry.archive_path);
  EXPECT_EQ(names, (std::vector<std::string>{"a", "a-b", "a/deep", "a/deep/x", "b", "b/z.txt", "b/\xc3\xa9"}));
  EXPECT_EQ((*prepared)[0].kind, EntryKind::directory);
}

TEST(PrepareEntries, RejectsNamesThatLeaveTheRoot) {
  EXPECT_NE(error_of({PackEntry::bytes("../etc/passwd", "x")}).find("'..'"), std::string::npos);
  EXPECT_NE(error_of({PackEntry::bytes("a/../../b", "x")}).find("\"a/../../b\""), std::string::npos);
  EXPECT_NE(error_of({PackEntry::file("/etc/passwd", "src/passwd")}).find("src/passwd"), std::string::npos);
  EXPECT_NE(error_of({PackEntry::bytes(std::string("a\0b", 3), "x")}).find("NUL"), std::string::npos);
  EXPECT_NE(error_of({PackEntry::bytes("a//b", "x")}).find("empty path component"), std::string::npos);
  EXPECT_NE(error_of({PackEntry::bytes("", "x")}).find("is empty"), std::string::npos);
}

TEST(PrepareEntries, RejectsSymlinksThatEscape) {
  EXPECT_TRUE(prepare_entries({PackEntry::symlink("a/b/link", "../../top.txt")}).has_value());
  EXPECT_TRUE(prepare_entries({PackEntry::symlink("a/link", "./x/../y")}).has_value());
  std::string message = error_of({PackEntry::symlink("a/b/link", "../../../etc/passwd")});
  EXPECT_NE(message.find("\"a/b/link\" -> \"../../../etc/passwd\""), std::string::npos) << message;
  EXPECT_NE(message.find("escapes"), std::string::npos);
  EXPECT_NE(error_of({PackEntry::symlink("link", "/usr/bin/env")}).find("absolute"), std::string::npos);
  EXPECT_NE(error_of({PackEntry::symlink("a/link", "x/../../..")}).find("escapes"), std::string::npos);
}

TEST(PrepareEntries, RejectsDuplicatesAndEntriesUnderFiles) {
  std::string twice = error_of({PackEntry::file("app.js", "one/app.js"), PackEntry::file("app.js", "two/app.js")});
  EXPECT_NE(twice.find("one/app.js"), std::string::npos) << twice;
  EXPECT_NE(twice.find("two/app.js"), std::string::npos) << twice;
  EXPECT_NE(error_of({PackEntry::bytes("a", "x"), PackEntry::bytes("a/b", "y")}).find("not a directory"),
            std::string::npos);
}

}  // namespace
}  // namespace wharf::packer
