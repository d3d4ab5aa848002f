#include "packer/tar_stream.h"

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>

#include <fmt/format.h>

#include "packer/entry_source.h"

namespace wharf::packer {
namespace {

// libarchive writes a non-ASCII name into a PAX record as UTF-8, converted
// from the charset of the current locale (nl_langinfo): under LANG=C it
// would fall back to "hdrcharset=BINARY" records, under a UTF-8 LANG it would
// not, so the layer bytes would depend on the environment. The thread's
// locale is pinned to C.UTF-8 (built into glibc >= 2.35) while libarchive
// runs, never the process's.
class ScopedLocale {
 public:
  ScopedLocale() {
    static locale_t utf8 = [] {
      locale_t made = newlocale(LC_ALL_MASK, "C.UTF-8", static_cast<locale_t>(0));
      return made ? made : newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(0));
    }();
    if (utf8) previous_ = uselocale(utf8);
  }
  ~ScopedLocale() {
    if (previous_) uselocale(previous_);
  }
  ScopedLocale(const ScopedLocale&) = delete;
  ScopedLocale& operator=(const ScopedLocale&) = delete;

 private:
  locale_t previous_ = static_cast<locale_t>(0);
};

struct EntryDeleter {
  void operator()(archive_entry* entry) const { archive_entry_free(entry); }
};

}  // namespace

TarStream::TarStream(const fs::FileSystem& fs, const EntryList& entries, std::int64_t epoch)
    : fs_(fs), entries_(entries), epoch_(epoch) {}

TarStream::~TarStream() {
  if (archive_) archive_write_free(archive_);
}

long TarStream::on_write(archive*, void* self, const void* bytes, std::size_t length) {
  static_cast<TarStream*>(self)->pending_.append(static_cast<const char*>(bytes), length);
  return static_cast<long>(length);
}

Error TarStream::archive_error(std::string_view what) const {
  const char* message = archive_ ? archive_error_string(archive_) : nullptr;
  return Error{ErrorKind::io, fmt::format("writing the layer tar: {}: {}", what, message ? message : "unknown error")};
}

Result<void> TarStream::start_entry(const PackEntry& entry) {
  std::unique_ptr<archive_entry, EntryDeleter> header(archive_entry_new());
  // Names are bytes, copied as they are; libarchive converts a non-ASCII
  // name for its PAX record under the C.UTF-8 locale next_chunk() sets.
  std::string name = entry.kind == EntryKind::directory ? entry.archive_path + "/" : entry.archive_path;
  archive_entry_copy_pathname(header.get(), name.c_str());
  archive_entry_set_perm(header.get(), packed_mode(entry));
  archive_entry_set_mtime(header.get(), epoch_, 0);
  // uid/gid stay 0 and uname/gname unset: no user of the packing machine.
  archive_entry_set_uid(header.get(), 0);
  archive_entry_set_gid(header.get(), 0);
  std::string_view contents;
  switch (entry.kind) {
    case EntryKind::directory:
      archive_entry_set_filetype(header.get(), AE_IFDIR);
      break;
    case EntryKind::symlink:
      archive_entry_set_filetype(header.get(), AE_IFLNK);
      archive_entry_copy_symlink(header.get(), entry.symlink_target.c_str());
      break;
    case EntryKind::file: {
      auto size = entry_size(fs_, entry);
      if (!size) return std::unexpected(size.error());
      stream_.reset();
      file_.clear();
      if (std::holds_alternative<FromFile>(entry.source) && *size > kStreamThreshold) {
        // Pieces are read as libarchive takes them (advance()); the size in
        // the header is the lstat's, which the stream's check holds it to.
        auto stream = EntryStream::open(fs_, entry);
        if (!stream) return std::unexpected(stream.error());
        stream_.emplace(std::move(*stream));
        size = stream_->size();
      } else {
        auto read = read_entry(fs_, entry, file_);
        if (!read) return std::unexpected(read.error());
        contents = *read;
        if (contents.data() != file_.data()) file_.assign(contents);  // bytes given inline
        size = file_.size();
      }
      archive_entry_set_filetype(header.get(), AE_IFREG);
      archive_entry_set_size(header.get(), static_cast<la_int64_t>(*size));
      break;
    }
  }
  // ARCHIVE_WARN: a name that is not UTF-8 went into a binary PAX record.
  if (archive_write_header(archive_, header.get()) < ARCHIVE_WARN) return std::unexpected(archive_error(name));
  in_file_ = entry.kind == EntryKind::file;
  file_offset_ = 0;
  return ok();
}

Result<void> TarStream::end_entry() {
  in_file_ = false;
  stream_.reset();
  if (archive_write_finish_entry(archive_) != ARCHIVE_OK) {
    return std::unexpected(archive_error(entries_[next_entry_ - 1].archive_path));
  }
  return ok();
}

// Writes the next header, or the next slice of the current file, aiming to
// stop near `want` pending bytes so that chunks are cut with little copying.
Result<void> TarStream::advance(std::size_t want) {
  if (in_file_) {
    if (stream_ && file_offset_ == file_.size()) {
      auto piece = stream_->next(file_);
      if (!piece) return std::unexpected(piece.error());
      file_offset_ = 0;
      if (piece->empty()) {
        if (auto finished = stream_->finish(); !finished) return finished;
        return end_entry();
      }
    }
    std::size_t room = want > pending_.size() ? want - pending_.size() : 1;
    std::size_t slice = std::min(file_.size() - file_offset_, room);
    if (slice > 0 && archive_write_data(archive_, file_.data() + file_offset_, slice) < 0) {
      return std::unexpected(archive_error(entries_[next_entry_ - 1].archive_path));
    }
    file_offset_ += slice;
    if (!stream_ && file_offset_ == file_.size()) return end_entry();
    return ok();
  }
  if (next_entry_ < entries_.size()) return start_entry(entries_[next_entry_++]);
  if (archive_write_close(archive_) != ARCHIVE_OK) return std::unexpected(archive_error("end of archive"));
  closed_ = true;
  return ok();
}

Result<bool> TarStream::next_chunk(std::string& chunk, std::size_t size) {
  ScopedLocale utf8;
  if (!archive_ && !closed_) {
    archive_ = archive_write_new();
    // pax_restricted: ustar headers unless a field does not fit.
    if (archive_write_set_format_pax_restricted(archive_) != ARCHIVE_OK ||
        archive_write_set_bytes_per_block(archive_, 0) != ARCHIVE_OK ||  // unbuffered: our chunks are the blocks
        archive_write_open2(archive_, this, nullptr, &TarStream::on_write, nullptr, nullptr) != ARCHIVE_OK) {
      return std::unexpected(archive_error("opening"));
    }
  }
  while (pending_.size() < size && !closed_) {
    if (auto advanced = advance(size); !advanced) return std::unexpected(advanced.error());
  }
  if (pending_.empty()) {
    chunk.clear();
    return false;
  }
  if (pending_.size() <= size) {
    chunk.swap(pending_);
    pending_.clear();
  } else {
    chunk.assign(pending_, 0, size);
    pending_.erase(0, size);  // a header's worth at most: advance() stops near `size`
  }
  return true;
}

}  // namespace wharf::packer
