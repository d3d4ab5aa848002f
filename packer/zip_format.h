// The zip container (PKWARE APPNOTE 6.3), written by hand. Why not
// libarchive's zip writer: it deflates each entry itself, on the calling
// thread, through zlib; it has no way to take data already deflated (its
// archive_write_data always goes through its compressor), so entries cannot
// be deflated in parallel and handed over. It also always adds extra fields
// (UT timestamps, ux uid/gid) that wharf's zips must not carry. The container
// itself is small: a local header before each entry's data, a central
// directory at the end.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "packer/pack_time.h"

namespace wharf::packer::zip {

enum class Method : std::uint16_t { stored = 0, deflated = 8 };

// What both headers of one entry say.
struct EntryHeader {
  std::string name;  // directories end in '/'
  Method method = Method::stored;
  std::uint32_t crc = 0;
  std::uint64_t compressed_size = 0;
  std::uint64_t size = 0;
  std::uint32_t unix_mode = 0;     // type and permission bits (S_IFREG | 0644, ...)
  std::uint64_t local_offset = 0;  // where the local header starts
};

// Limits of the classic format; beyond them zip64 records would be needed
// (not written yet: a service artifact is far below them).
inline constexpr std::uint64_t kMaxEntries = 0xFFFF;
inline constexpr std::uint64_t kMaxOffset = 0xFFFFFFFE;

void append_local_header(std::string& out, const EntryHeader& entry, DosTime time);
void append_central_header(std::string& out, const EntryHeader& entry, DosTime time);
void append_end_of_central_directory(std::string& out, std::uint64_t entries, std::uint64_t directory_size,
                                     std::uint64_t directory_offset);

}  // namespace wharf::packer::zip
