// Helpers for the lockfile tests: parse or fail the test, closures as
// readable "name@version" lists.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fs/source_tree.h"
#include "lockfile/lockfile.h"

namespace wharf::lockfile::testing {

// The lockfile, or a failed test (and an empty Lockfile).
Lockfile parse_ok(std::string_view path, std::string_view text,
                  const fs::SourceTree& tree = fs::MemorySourceTree());

// The error message parse() gives, or a failed test when it parses.
std::string parse_error(std::string_view path, std::string_view text,
                        const fs::SourceTree& tree = fs::MemorySourceTree());

// `text` with every `from` replaced by `to`; a failed test when there is none
// (a test's edit that no longer applies must not pass silently).
std::string replace(std::string text, std::string_view from, std::string_view to);

// "name@version" of each package in the closure of `dirs`, in order.
std::vector<std::string> closure_of(const Lockfile& lockfile, std::vector<std::string> dirs);

}  // namespace wharf::lockfile::testing
