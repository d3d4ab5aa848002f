// The zip container (PKWARE APPNOTE 6.3), written by hand. Why not
// libarchive's zip writer: it deflates each entry itself, on the calling
// thread, through zlib; it has no way to take data already deflated (its
// archive_write_data always goes through its compressor), so entries cannot
// be deflated in parallel and handed over. It also always adds extra fields
// (UT timestamps, ux uid/gid) that wharf's zips must not carry. The container
// itself is small: a local header before each entry's data, a central
// directory at the end.
//
// Zip64 (APPNOTE 4.5.3, 4.3.14) only where a field overflows: an entry of
// 4 GiB or more gets a zip64 extra field with its sizes, an entry whose local
// header starts past 4 GiB one with its offset (central header only), and
// the end of the archive gets the zip64 end records when there are 65,535
// entries or more or the directory lies past 4 GiB. Every other byte is the
// classic format's, so small zips are as they always were.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "packer/pack_time.h"

namespace wharf::packer::zip {

enum class Method : std::uint16_t { stored = 0, deflated = 8 };

// The largest value a classic field holds; it also marks "see zip64".
inline constexpr std::uint64_t kMax16 = 0xFFFF;
inline constexpr std::uint64_t kMax32 = 0xFFFFFFFF;

// What both headers of one entry say.
struct EntryHeader {
  std::string name;  // directories end in '/'
  Method method = Method::stored;
  std::uint32_t crc = 0;
  std::uint64_t compressed_size = 0;
  std::uint64_t size = 0;
  std::uint32_t unix_mode = 0;     // type and permission bits (S_IFREG | 0644, ...)
  std::uint64_t local_offset = 0;  // where the local header starts
  // Streamed (general purpose bit 3): the local header has no CRC or sizes;
  // a data descriptor after the data has them (append_data_descriptor).
  bool data_descriptor = false;
  // Sizes in a zip64 extra field, in both headers and the descriptor.
  // Decided before the local header is written (sizes_need_zip64) and kept,
  // so the two headers agree.
  bool zip64_sizes = false;
};

// Whether sizes this large need zip64 (either one is kMax32 or more).
bool sizes_need_zip64(std::uint64_t size, std::uint64_t compressed_size);
// Whether the end of the archive needs the zip64 end records.
bool end_needs_zip64(std::uint64_t entries, std::uint64_t directory_size, std::uint64_t directory_offset);

void append_local_header(std::string& out, const EntryHeader& entry, DosTime time);
// After a data_descriptor entry's data: signature, CRC, sizes (8 bytes each
// with zip64_sizes, else 4).
void append_data_descriptor(std::string& out, const EntryHeader& entry);
void append_central_header(std::string& out, const EntryHeader& entry, DosTime time);
// The zip64 end record and locator when end_needs_zip64, then the classic
// end record (overflowing fields set to their maximum, as APPNOTE says).
void append_end_of_central_directory(std::string& out, std::uint64_t entries, std::uint64_t directory_size,
                                     std::uint64_t directory_offset);

}  // namespace wharf::packer::zip
