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

constexpr std::uint16_t kUtf8Flag = 1 << 11;  // general purpose bit 11: the name is UTF-8
// "Made by" Unix (3) with spec 3.0, so unzip applies the mode in the
// external attributes (and restores symlinks).
constexpr std::uint16_t kMadeByUnix = (3 << 8) | 30;
constexpr std::uint32_t kDosDirectory = 0x10;

std::uint16_t flags(const EntryHeader& entry) {
  bool ascii = std::all_of(entry.name.begin(), entry.name.end(), [](char c) { return (c & 0x80) == 0; });
  return ascii ? 0 : kUtf8Flag;
}
std::uint16_t version_needed(const EntryHeader& entry) { return entry.method == Method::deflated ? 20 : 10; }

// The fields the local and central headers share, from "version needed" on.
void put_common(std::string& out, const EntryHeader& entry, DosTime time) {
  put16(out, version_needed(entry));
  put16(out, flags(entry));
  put16(out, static_cast<std::uint16_t>(entry.method));
  put16(out, time.time);
  put16(out, time.date);
  put32(out, entry.crc);
  put32(out, entry.compressed_size);
  put32(out, entry.size);
  put16(out, entry.name.size());
  put16(out, 0);  // extra field length: none, ever
}

}  // namespace

void append_local_header(std::string& out, const EntryHeader& entry, DosTime time) {
  put32(out, 0x04034b50);
  put_common(out, entry, time);
  out += entry.name;
}

void append_central_header(std::string& out, const EntryHeader& entry, DosTime time) {
  put32(out, 0x02014b50);
  put16(out, kMadeByUnix);
  put_common(out, entry, time);
  put16(out, 0);  // comment length
  put16(out, 0);  // disk number
  put16(out, 0);  // internal attributes
  bool directory = !entry.name.empty() && entry.name.back() == '/';
  put32(out, (std::uint64_t{entry.unix_mode} << 16) | (directory ? kDosDirectory : 0));
  put32(out, entry.local_offset);
  out += entry.name;
}

void append_end_of_central_directory(std::string& out, std::uint64_t entries, std::uint64_t directory_size,
                                     std::uint64_t directory_offset) {
  put32(out, 0x06054b50);
  put16(out, 0);  // this disk
  put16(out, 0);  // disk with the central directory
  put16(out, entries);
  put16(out, entries);
  put32(out, directory_size);
  put32(out, directory_offset);
  put16(out, 0);  // comment length
}

}  // namespace wharf::packer::zip
