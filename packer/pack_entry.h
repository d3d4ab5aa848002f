// What goes into an archive, independent of wharf.toml: the later `wharf
// build` maps a service's artifact config to a list of these, and the zip and
// layer packers take only this list, so they can be tested (and benchmarked)
// without a repository or a config.
#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace wharf::packer {

// Contents read from a file through fs::FileSystem when the entry is packed
// (not before: a 2,000-file service is never held in memory at once).
struct FromFile {
  std::string path;
};
// Contents given directly (generated files, tests).
struct FromBytes {
  std::string bytes;
};

enum class EntryKind { file, directory, symlink };

struct PackEntry {
  // Name inside the archive: relative, '/'-separated, no "." or ".."
  // components, no NUL (see prepare_entries). A trailing '/' is dropped.
  std::string archive_path;
  EntryKind kind = EntryKind::file;
  std::variant<FromFile, FromBytes> source = FromBytes{};  // files only
  // The only mode bit that survives: packed modes are 0755 with it, 0644
  // without (directories are always 0755), so a umask or a checkout on
  // another machine never changes the bytes.
  bool executable = false;
  std::string symlink_target;  // symlinks only; relative, inside the root

  static PackEntry file(std::string archive_path, std::string path, bool executable = false) {
    return {std::move(archive_path), EntryKind::file, FromFile{std::move(path)}, executable, {}};
  }
  static PackEntry bytes(std::string archive_path, std::string contents, bool executable = false) {
    return {std::move(archive_path), EntryKind::file, FromBytes{std::move(contents)}, executable, {}};
  }
  static PackEntry directory(std::string archive_path) {
    return {std::move(archive_path), EntryKind::directory, FromBytes{}, true, {}};
  }
  static PackEntry symlink(std::string archive_path, std::string target) {
    return {std::move(archive_path), EntryKind::symlink, FromBytes{}, false, std::move(target)};
  }
};

using EntryList = std::vector<PackEntry>;

// Normalized permission bits (see PackEntry::executable).
inline unsigned packed_mode(const PackEntry& entry) {
  switch (entry.kind) {
    case EntryKind::directory:
      return 0755;
    case EntryKind::symlink:
      return 0777;
    case EntryKind::file:
      break;
  }
  return entry.executable ? 0755 : 0644;
}

}  // namespace wharf::packer
