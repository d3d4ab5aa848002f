#include "packer/entry_source.h"

#include <fmt/format.h>

namespace wharf::packer {

Result<std::string_view> read_entry(const fs::FileSystem& fs, const PackEntry& entry, std::string& buffer) {
  if (const auto* bytes = std::get_if<FromBytes>(&entry.source)) return std::string_view(bytes->bytes);
  const std::string& path = std::get<FromFile>(entry.source).path;
  auto where = [&](const Error& error) {
    return fail(error.kind, fmt::format("packing \"{}\": {}", entry.archive_path, error.message));
  };
  auto before = fs.stat(path);
  if (!before) return where(before.error());
  if (before->type != fs::FileType::regular) {
    return fail(ErrorKind::io, fmt::format("packing \"{}\": {} is not a regular file; map the file itself, or a "
                                           "directory's files",
                                           entry.archive_path, path));
  }
  if (auto read = fs.read_file_into(path, buffer); !read) return where(read.error());
  auto after = fs.stat(path);
  if (!after) return where(after.error());
  if (after->size != before->size || after->mtime_ns != before->mtime_ns || buffer.size() != before->size) {
    return fail(ErrorKind::io, fmt::format("packing \"{}\": {} changed while it was read (size {} -> {}); is a "
                                           "build still writing it? Run the pack again once it is done",
                                           entry.archive_path, path, before->size, after->size));
  }
  return std::string_view(buffer);
}

}  // namespace wharf::packer
