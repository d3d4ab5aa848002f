#include "packer/entry_source.h"

#include <fmt/format.h>

namespace wharf::packer {
namespace {

std::unexpected<Error> in_entry(const PackEntry& entry, const Error& error) {
  return fail(error.kind, fmt::format("packing \"{}\": {}", entry.archive_path, error.message));
}

// The lstat before reading: a regular file, or the error naming the entry.
Result<fs::FileStat> stat_before(const fs::FileSystem& fs, const PackEntry& entry) {
  const std::string& path = std::get<FromFile>(entry.source).path;
  auto before = fs.stat(path);
  if (!before) return in_entry(entry, before.error());
  if (before->type != fs::FileType::regular) {
    return fail(ErrorKind::io, fmt::format("packing \"{}\": {} is not a regular file; map the file itself, or a "
                                           "directory's files",
                                           entry.archive_path, path));
  }
  return before;
}

// The lstat after reading `read` bytes, compared with `before`.
Result<void> check_after(const fs::FileSystem& fs, const PackEntry& entry, const fs::FileStat& before,
                         std::uint64_t read) {
  const std::string& path = std::get<FromFile>(entry.source).path;
  auto after = fs.stat(path);
  if (!after) return in_entry(entry, after.error());
  if (after->size != before.size || after->mtime_ns != before.mtime_ns || read != before.size) {
    return fail(ErrorKind::io, fmt::format("packing \"{}\": {} changed while it was read (size {} -> {}); is a "
                                           "build still writing it? Run the pack again once it is done",
                                           entry.archive_path, path, before.size, after->size));
  }
  return ok();
}

}  // namespace

Result<std::string_view> read_entry(const fs::FileSystem& fs, const PackEntry& entry, std::string& buffer) {
  if (const auto* bytes = std::get_if<FromBytes>(&entry.source)) return std::string_view(bytes->bytes);
  auto before = stat_before(fs, entry);
  if (!before) return std::unexpected(before.error());
  const std::string& path = std::get<FromFile>(entry.source).path;
  if (auto read = fs.read_file_into(path, buffer); !read) return in_entry(entry, read.error());
  if (auto checked = check_after(fs, entry, *before, buffer.size()); !checked) return std::unexpected(checked.error());
  return std::string_view(buffer);
}

Result<std::uint64_t> entry_size(const fs::FileSystem& fs, const PackEntry& entry) {
  if (const auto* bytes = std::get_if<FromBytes>(&entry.source)) return bytes->bytes.size();
  auto before = stat_before(fs, entry);
  if (!before) return std::unexpected(before.error());
  return before->size;
}

Result<EntryStream> EntryStream::open(const fs::FileSystem& fs, const PackEntry& entry) {
  auto before = stat_before(fs, entry);
  if (!before) return std::unexpected(before.error());
  return EntryStream(fs, entry, *before);
}

Result<std::string_view> EntryStream::next(std::string& buffer, std::size_t piece) {
  if (offset_ == size_) {
    buffer.clear();
    return std::string_view();
  }
  const std::string& path = std::get<FromFile>(entry_->source).path;
  std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(piece, size_ - offset_));
  if (auto read = fs_->read_file_range(path, offset_, want, buffer); !read) return in_entry(*entry_, read.error());
  if (buffer.size() != want) {
    // Shorter than lstat said: the file shrank under us.
    if (auto checked = check_after(*fs_, *entry_, before_, offset_ + buffer.size()); !checked) {
      return std::unexpected(checked.error());
    }
  }
  offset_ += buffer.size();
  return std::string_view(buffer);
}

Result<void> EntryStream::finish() const { return check_after(*fs_, *entry_, before_, offset_); }

}  // namespace wharf::packer
