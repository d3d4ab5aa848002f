#include "packer/directory_entries.h"

#include <fmt/format.h>

namespace wharf::packer {
namespace {

Result<void> walk(const fs::FileSystem& fs, const std::string& dir, const std::string& prefix, EntryList& out) {
  auto listing = fs.list_dir(dir);
  if (!listing) return std::unexpected(listing.error());
  for (const fs::DirEntry& item : *listing) {
    std::string path = dir + "/" + item.name;
    std::string name = prefix + item.name;
    switch (item.type) {
      case fs::FileType::directory: {
        out.push_back(PackEntry::directory(name));
        if (auto walked = walk(fs, path, name + "/", out); !walked) return walked;
        break;
      }
      case fs::FileType::symlink: {
        auto target = fs.read_link(path);
        if (!target) return std::unexpected(target.error());
        out.push_back(PackEntry::symlink(name, std::move(*target)));
        break;
      }
      case fs::FileType::regular: {
        auto stat = fs.stat(path);
        if (!stat) return std::unexpected(stat.error());
        out.push_back(PackEntry::file(name, path, (stat->mode & 0100) != 0));
        break;
      }
      case fs::FileType::other:
        return fail(ErrorKind::usage, fmt::format("{} is neither a file, a directory nor a symlink (a socket or a "
                                                  "device?); it cannot be packed",
                                                  path));
    }
  }
  return ok();
}

}  // namespace

Result<EntryList> entries_from_directory(const fs::FileSystem& fs, const std::string& dir, const std::string& prefix) {
  EntryList entries;
  if (auto walked = walk(fs, dir, prefix, entries); !walked) return std::unexpected(walked.error());
  return entries;
}

}  // namespace wharf::packer
