// The uncompressed tar of a layer, produced in fixed-size chunks on demand,
// so a 270 MB layer is compressed while it is still being written and never
// held whole. libarchive writes the headers (pax_restricted: plain ustar, a
// PAX record only for what ustar cannot hold, such as a long name), wharf
// fixes every field that could differ between machines.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "fs/file_system.h"
#include "packer/entry_source.h"
#include "packer/pack_entry.h"
#include "util/error.h"

struct archive;

namespace wharf::packer {

// Not thread-safe; one stream per layer. `entries` must be prepared
// (prepare_entries) and outlive the stream.
class TarStream {
 public:
  TarStream(const fs::FileSystem& fs, const EntryList& entries, std::int64_t epoch);
  ~TarStream();
  TarStream(const TarStream&) = delete;
  TarStream& operator=(const TarStream&) = delete;

  // Replaces `chunk` with the next `size` bytes of the tar (fewer only at the
  // end); false when the tar is complete and nothing is left. Errors: a
  // file's read_entry error, ErrorKind::io from libarchive.
  Result<bool> next_chunk(std::string& chunk, std::size_t size);

 private:
  static long on_write(archive*, void* self, const void* bytes, std::size_t length);
  Result<void> advance(std::size_t want);
  Result<void> start_entry(const PackEntry& entry);
  Result<void> end_entry();
  Error archive_error(std::string_view what) const;

  const fs::FileSystem& fs_;
  const EntryList& entries_;
  std::int64_t epoch_;
  archive* archive_ = nullptr;
  std::size_t next_entry_ = 0;
  std::string file_;                   // the file being written, or its current piece (stream_)
  std::size_t file_offset_ = 0;        // how much of file_ went to libarchive
  std::optional<EntryStream> stream_;  // a file above kStreamThreshold, read in pieces
  bool in_file_ = false;
  bool closed_ = false;
  std::string pending_;  // tar bytes not yet handed out
};

}  // namespace wharf::packer
