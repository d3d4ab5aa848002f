#include "packer/entry_list.h"

#include <fmt/format.h>
#include <algorithm>
#include <string_view>
#include <unordered_set>

namespace wharf::packer {
namespace {

// Splits on '/', keeping empty parts so "a//b" is caught.
std::vector<std::string_view> components(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t slash = path.find('/', start);
    parts.push_back(path.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) return parts;
    start = slash + 1;
  }
}

Result<void> check_name(const PackEntry& entry) {
  std::string_view name = entry.archive_path;
  auto bad = [&](std::string_view why) {
    return fail(ErrorKind::usage,
                fmt::format("archive entry \"{}\" (from {}) {}; use a relative path inside the artifact", name,
                            describe_source(entry), why));
  };
  if (name.empty()) return bad("is empty");
  if (name.find('\0') != std::string_view::npos) return bad("contains a NUL byte");
  if (name.front() == '/') return bad("starts with '/'");
  for (std::string_view part : components(name)) {
    if (part.empty()) return bad("has an empty path component");
    if (part == "..") return bad("has a '..' component");
    if (part == ".") return bad("has a '.' component");
  }
  return ok();
}

// A link at a/b/c with target ../../x resolves to x: fine; ../../../x would
// leave the root. Checked lexically, as the unpacked tree will resolve it.
Result<void> check_symlink(const PackEntry& entry) {
  const std::string& target = entry.symlink_target;
  auto bad = [&](std::string_view why) {
    return fail(ErrorKind::usage, fmt::format("symlink \"{}\" -> \"{}\" (from {}) {}; point it inside the artifact",
                                              entry.archive_path, target, describe_source(entry), why));
  };
  if (target.empty()) return bad("has an empty target");
  if (target.find('\0') != std::string::npos) return bad("has a NUL in its target");
  if (target.front() == '/') return bad("has an absolute target, which escapes the artifact root");
  long depth = static_cast<long>(components(entry.archive_path).size()) - 1;  // directories above the link
  for (std::string_view part : components(target)) {
    if (part == "..") {
      if (--depth < 0) return bad("escapes the artifact root");
    } else if (!part.empty() && part != ".") {
      ++depth;
    }
  }
  return ok();
}

}  // namespace

std::string describe_source(const PackEntry& entry) {
  if (const auto* file = std::get_if<FromFile>(&entry.source)) return file->path;
  return "<bytes>";
}

Result<EntryList> prepare_entries(EntryList entries) {
  for (PackEntry& entry : entries) {
    while (entry.archive_path.size() > 1 && entry.archive_path.back() == '/') entry.archive_path.pop_back();
    if (auto checked = check_name(entry); !checked) return std::unexpected(checked.error());
    if (entry.kind == EntryKind::symlink) {
      if (auto checked = check_symlink(entry); !checked) return std::unexpected(checked.error());
    }
  }
  // Byte order: std::string compares as unsigned bytes (char_traits<char>).
  std::sort(entries.begin(), entries.end(),
            [](const PackEntry& a, const PackEntry& b) { return a.archive_path < b.archive_path; });
  for (std::size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].archive_path == entries[i - 1].archive_path) {
      return fail(ErrorKind::usage,
                  fmt::format("archive entry \"{}\" is given twice (from {} and from {}); map only one file there",
                              entries[i].archive_path, describe_source(entries[i - 1]), describe_source(entries[i])));
    }
  }
  std::unordered_set<std::string_view> present;
  for (const PackEntry& entry : entries) present.insert(entry.archive_path);
  std::unordered_set<std::string_view> non_dirs;
  for (const PackEntry& entry : entries) {
    if (entry.kind != EntryKind::directory) non_dirs.insert(entry.archive_path);
  }
  EntryList parents;
  std::unordered_set<std::string> added;
  for (const PackEntry& entry : entries) {
    std::string_view path = entry.archive_path;
    for (std::size_t slash = path.find('/'); slash != std::string_view::npos; slash = path.find('/', slash + 1)) {
      std::string_view parent = path.substr(0, slash);
      if (non_dirs.contains(parent)) {
        return fail(ErrorKind::usage, fmt::format("archive entry \"{}\" (from {}) lies under \"{}\", which is not a "
                                                  "directory; rename one of them",
                                                  path, describe_source(entry), parent));
      }
      if (!present.contains(parent) && added.insert(std::string(parent)).second) {
        parents.push_back(PackEntry::directory(std::string(parent)));
      }
    }
  }
  if (!parents.empty()) {
    // The set views point into `entries`; done with them before it moves.
    present.clear();
    non_dirs.clear();
    std::move(parents.begin(), parents.end(), std::back_inserter(entries));
    std::sort(entries.begin(), entries.end(),
              [](const PackEntry& a, const PackEntry& b) { return a.archive_path < b.archive_path; });
  }
  return entries;
}

}  // namespace wharf::packer
