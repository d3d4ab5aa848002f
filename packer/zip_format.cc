#include "packer/zip_format.h"

#include <algorithm>

namespace wharf::packer::zip {
namespace {

void put16(std::string& out, std::uint64_t value) {
  out.push_back(static_cast<char>(value & 0xFF));
  out.push_back(static_cast<char>((value >> 8) & 0xFF));
}
void put32(std::string& out, std::uint64_t value) {
  put16(out, value & 0xFFFF);
  put16(out, (value >> 16) & 0xFFFF);
}
void put64(std::string& out, std::uint64_t value) {
  put32(out, value & kMax32);
  put32(out, value >> 32);
}
// A classic field: the value, or the maximum that says "in zip64".
std::uint64_t capped32(std::uint64_t value) { return std::min(value, kMax32); }

constexpr std::uint16_t kUtf8Flag = 1 << 11;           // general purpose bit 11: the name is UTF-8
constexpr std::uint16_t kDataDescriptorFlag = 1 << 3;  // bit 3: CRC and sizes after the data
constexpr std::uint16_t kZip64ExtraId = 0x0001;
constexpr std::uint16_t kZip64Version = 45;
// "Made by" Unix (3) with spec 3.0, so unzip applies the mode in the
// external attributes (and restores symlinks).
constexpr std::uint16_t kMadeByUnix = (3 << 8) | 30;
constexpr std::uint32_t kDosDirectory = 0x10;

std::uint16_t flags(const EntryHeader& entry) {
  bool ascii = std::all_of(entry.name.begin(), entry.name.end(), [](char c) { return (c & 0x80) == 0; });
  return (ascii ? 0 : kUtf8Flag) | (entry.data_descriptor ? kDataDescriptorFlag : 0);
}
std::uint16_t version_needed(const EntryHeader& entry, bool zip64) {
  if (zip64) return kZip64Version;
  return entry.method == Method::deflated || entry.data_descriptor ? 20 : 10;
}

// The fields the local and central headers share, from "version needed" on,
// with the sizes as given (capped or zero) and the extra field's length.
void put_common(std::string& out, const EntryHeader& entry, DosTime time, bool zip64, std::uint32_t crc,
                std::uint64_t compressed_size, std::uint64_t size, std::size_t extra_length) {
  put16(out, version_needed(entry, zip64));
  put16(out, flags(entry));
  put16(out, static_cast<std::uint16_t>(entry.method));
  put16(out, time.time);
  put16(out, time.date);
  put32(out, crc);
  put32(out, compressed_size);
  put32(out, size);
  put16(out, entry.name.size());
  put16(out, extra_length);
}

}  // namespace

bool sizes_need_zip64(std::uint64_t size, std::uint64_t compressed_size) {
  return size >= kMax32 || compressed_size >= kMax32;
}

bool end_needs_zip64(std::uint64_t entries, std::uint64_t directory_size, std::uint64_t directory_offset) {
  return entries >= kMax16 || directory_size >= kMax32 || directory_offset >= kMax32;
}

void append_local_header(std::string& out, const EntryHeader& entry, DosTime time) {
  // A streamed entry's CRC and sizes are not known yet: zero here (the
  // zip64 extra's too), in the data descriptor after the data.
  const bool later = entry.data_descriptor;
  std::string extra;
  if (entry.zip64_sizes) {
    put16(extra, kZip64ExtraId);
    put16(extra, 16);
    put64(extra, later ? 0 : entry.size);  // the local extra holds both sizes, always
    put64(extra, later ? 0 : entry.compressed_size);
  }
  put32(out, 0x04034b50);
  std::uint64_t mark = entry.zip64_sizes ? kMax32 : 0;
  put_common(out, entry, time, entry.zip64_sizes, later ? 0 : entry.crc, later ? mark : capped32(entry.compressed_size),
             later ? mark : capped32(entry.size), extra.size());
  out += entry.name;
  out += extra;
}

void append_data_descriptor(std::string& out, const EntryHeader& entry) {
  put32(out, 0x08074b50);
  put32(out, entry.crc);
  if (entry.zip64_sizes) {
    put64(out, entry.compressed_size);
    put64(out, entry.size);
  } else {
    put32(out, entry.compressed_size);
    put32(out, entry.size);
  }
}

void append_central_header(std::string& out, const EntryHeader& entry, DosTime time) {
  // The zip64 extra holds, in this order, each field whose classic slot
  // says kMax32.
  const bool sizes = entry.zip64_sizes;
  const bool offset = entry.local_offset >= kMax32;
  std::string extra;
  if (sizes || offset) {
    put16(extra, kZip64ExtraId);
    put16(extra, (sizes ? 16 : 0) + (offset ? 8 : 0));
    if (sizes) {
      put64(extra, entry.size);
      put64(extra, entry.compressed_size);
    }
    if (offset) put64(extra, entry.local_offset);
  }
  put32(out, 0x02014b50);
  put16(out, kMadeByUnix);
  put_common(out, entry, time, sizes || offset, entry.crc, sizes ? kMax32 : entry.compressed_size,
             sizes ? kMax32 : entry.size, extra.size());
  put16(out, 0);  // comment length
  put16(out, 0);  // disk number
  put16(out, 0);  // internal attributes
  bool directory = !entry.name.empty() && entry.name.back() == '/';
  put32(out, (std::uint64_t{entry.unix_mode} << 16) | (directory ? kDosDirectory : 0));
  put32(out, capped32(entry.local_offset));
  out += entry.name;
  out += extra;
}

void append_end_of_central_directory(std::string& out, std::uint64_t entries, std::uint64_t directory_size,
                                     std::uint64_t directory_offset) {
  if (end_needs_zip64(entries, directory_size, directory_offset)) {
    const std::uint64_t record_offset = directory_offset + directory_size;  // the zip64 record follows the directory
    put32(out, 0x06064b50);
    put64(out, 44);  // the record's size after this field
    put16(out, kMadeByUnix);
    put16(out, kZip64Version);
    put32(out, 0);  // this disk
    put32(out, 0);  // disk with the central directory
    put64(out, entries);
    put64(out, entries);
    put64(out, directory_size);
    put64(out, directory_offset);
    put32(out, 0x07064b50);  // locator
    put32(out, 0);           // disk with the zip64 record
    put64(out, record_offset);
    put32(out, 1);  // disks in all
  }
  put32(out, 0x06054b50);
  put16(out, 0);  // this disk
  put16(out, 0);  // disk with the central directory
  put16(out, std::min(entries, kMax16));
  put16(out, std::min(entries, kMax16));
  put32(out, capped32(directory_size));
  put32(out, capped32(directory_offset));
  put16(out, 0);  // comment length
}

}  // namespace wharf::packer::zip
