// Which zip64 records the format writer picks: a zip of 4 GiB takes minutes
// to write and unzip, so the records are checked here byte by byte against
// APPNOTE 6.3 (4.3.9, 4.3.12, 4.3.14-16, 4.5.3), and end to end with
// unzip/zipinfo on a zip of more than 65,535 entries (zip_packer_test.cc).
#include "packer/zip_format.h"

#include <cstring>

#include <gtest/gtest.h>

namespace wharf::packer::zip {
namespace {

std::uint64_t read_le(const std::string& bytes, std::size_t at, std::size_t width) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < width; ++i) value |= std::uint64_t{static_cast<unsigned char>(bytes[at + i])} << (8 * i);
  return value;
}

EntryHeader entry(std::uint64_t size, std::uint64_t compressed, std::uint64_t offset) {
  EntryHeader header;
  header.name = "big.bin";
  header.method = Method::deflated;
  header.crc = 0x12345678;
  header.size = size;
  header.compressed_size = compressed;
  header.unix_mode = 0100644;
  header.local_offset = offset;
  header.zip64_sizes = sizes_need_zip64(size, compressed);
  return header;
}

constexpr std::size_t kLocalFixed = 30;    // local header before the name
constexpr std::size_t kCentralFixed = 46;  // central header before the name

TEST(ZipFormat, SmallEntriesHaveNoExtraField) {
  std::string local;
  std::string central;
  append_local_header(local, entry(100, 50, 1000), DosTime{});
  append_central_header(central, entry(100, 50, 1000), DosTime{});
  EXPECT_EQ(local.size(), kLocalFixed + 7);
  EXPECT_EQ(central.size(), kCentralFixed + 7);
  EXPECT_EQ(read_le(local, 4, 2), 20u) << "version needed: deflate";
  EXPECT_EQ(read_le(central, 42, 4), 1000u) << "offset in its classic field";
}

TEST(ZipFormat, FourGigabyteEntryGetsZip64SizesInBothHeaders) {
  const std::uint64_t size = 5ull << 30;
  EntryHeader header = entry(size, 4ull << 30, 1000);
  ASSERT_TRUE(header.zip64_sizes);
  std::string local;
  append_local_header(local, header, DosTime{});
  EXPECT_EQ(read_le(local, 4, 2), 45u) << "version needed: zip64";
  EXPECT_EQ(read_le(local, 18, 4), kMax32) << "compressed size says: see zip64";
  EXPECT_EQ(read_le(local, 22, 4), kMax32);
  EXPECT_EQ(read_le(local, 28, 2), 20u) << "extra length";
  const std::size_t extra = kLocalFixed + 7;
  EXPECT_EQ(read_le(local, extra, 2), 1u) << "zip64 extra id";
  EXPECT_EQ(read_le(local, extra + 2, 2), 16u);
  EXPECT_EQ(read_le(local, extra + 4, 8), size) << "original size first";
  EXPECT_EQ(read_le(local, extra + 12, 8), 4ull << 30);

  std::string central;
  append_central_header(central, header, DosTime{});
  EXPECT_EQ(read_le(central, 30, 2), 20u) << "sizes only: the offset fits";
  EXPECT_EQ(read_le(central, 42, 4), 1000u);
  EXPECT_EQ(read_le(central, kCentralFixed + 7 + 4, 8), size);
}

TEST(ZipFormat, EntryPastFourGigabytesGetsItsOffsetInTheCentralHeaderOnly) {
  const std::uint64_t offset = (4ull << 30) + 17;
  EntryHeader header = entry(10, 10, offset);
  ASSERT_FALSE(header.zip64_sizes);
  std::string local;
  append_local_header(local, header, DosTime{});
  EXPECT_EQ(local.size(), kLocalFixed + 7) << "the local header holds no offset";
  std::string central;
  append_central_header(central, header, DosTime{});
  EXPECT_EQ(read_le(central, 6, 2), 45u);
  EXPECT_EQ(read_le(central, 20, 4), 10u) << "sizes stay in their classic fields";
  EXPECT_EQ(read_le(central, 42, 4), kMax32);
  EXPECT_EQ(read_le(central, 30, 2), 12u);
  EXPECT_EQ(read_le(central, kCentralFixed + 7 + 2, 2), 8u);
  EXPECT_EQ(read_le(central, kCentralFixed + 7 + 4, 8), offset);
}

TEST(ZipFormat, StreamedEntryHasADataDescriptor) {
  EntryHeader header = entry(20 << 20, 6 << 20, 0);
  header.data_descriptor = true;
  std::string local;
  append_local_header(local, header, DosTime{});
  EXPECT_EQ(read_le(local, 6, 2) & 8u, 8u) << "bit 3";
  EXPECT_EQ(read_le(local, 14, 4), 0u) << "CRC after the data";
  EXPECT_EQ(read_le(local, 18, 8), 0u);
  std::string descriptor;
  append_data_descriptor(descriptor, header);
  EXPECT_EQ(descriptor.size(), 16u);
  EXPECT_EQ(read_le(descriptor, 0, 4), 0x08074b50u);
  EXPECT_EQ(read_le(descriptor, 4, 4), 0x12345678u);
  EXPECT_EQ(read_le(descriptor, 12, 4), 20u << 20);
  header.zip64_sizes = true;
  descriptor.clear();
  append_data_descriptor(descriptor, header);
  EXPECT_EQ(descriptor.size(), 24u) << "8-byte sizes with zip64";
}

TEST(ZipFormat, EndRecordsPickZip64ByCountSizeAndOffset) {
  EXPECT_FALSE(end_needs_zip64(65534, 100, 100));
  EXPECT_TRUE(end_needs_zip64(65535, 100, 100)) << "0xFFFF itself means: see zip64";
  EXPECT_TRUE(end_needs_zip64(3, kMax32, 100));
  EXPECT_TRUE(end_needs_zip64(3, 100, kMax32));

  std::string classic;
  append_end_of_central_directory(classic, 3, 100, 200);
  EXPECT_EQ(classic.size(), 22u);
  EXPECT_EQ(read_le(classic, 0, 4), 0x06054b50u);
  EXPECT_EQ(read_le(classic, 10, 2), 3u);

  std::string many;
  append_end_of_central_directory(many, 70000, 100, 5ull << 30);
  ASSERT_EQ(many.size(), 56u + 20u + 22u);
  EXPECT_EQ(read_le(many, 0, 4), 0x06064b50u);
  EXPECT_EQ(read_le(many, 4, 8), 44u);
  EXPECT_EQ(read_le(many, 32, 8), 70000u);
  EXPECT_EQ(read_le(many, 40, 8), 100u);
  EXPECT_EQ(read_le(many, 48, 8), 5ull << 30);
  EXPECT_EQ(read_le(many, 56, 4), 0x07064b50u);
  EXPECT_EQ(read_le(many, 64, 8), (5ull << 30) + 100) << "the locator points at the zip64 record";
  EXPECT_EQ(read_le(many, 76 + 10, 2), kMax16);
  EXPECT_EQ(read_le(many, 76 + 12, 4), 100u) << "a field that fits keeps its value";
  EXPECT_EQ(read_le(many, 76 + 16, 4), kMax32);
}

}  // namespace
}  // namespace wharf::packer::zip
