#include "packer/zip_packer.h"

#include <sys/stat.h>

#include <fmt/format.h>
#include <tbb/parallel_pipeline.h>
#include <atomic>
#include <optional>

#include "packer/compressed_names.h"
#include "packer/deflate_codec.h"
#include "packer/entry_list.h"
#include "packer/entry_source.h"
#include "packer/parallel_run.h"
#include "packer/zip_format.h"

namespace wharf::packer {
namespace {

// One entry on its way through the pipeline: its header fields and data.
struct Item {
  const PackEntry* entry = nullptr;
  zip::EntryHeader header;
  std::string data;  // stored bytes or deflated stream
  std::optional<Error> error;
};

std::uint32_t unix_type(EntryKind kind) {
  switch (kind) {
    case EntryKind::directory:
      return S_IFDIR;
    case EntryKind::symlink:
      return S_IFLNK;
    case EntryKind::file:
      break;
  }
  return S_IFREG;
}

// Reads and compresses one entry (runs on any thread).
void fill(Item& item, const fs::FileSystem& fs, DeflateCodec& codec) {
  const PackEntry& entry = *item.entry;
  zip::EntryHeader& header = item.header;
  header.name = entry.archive_path;
  header.unix_mode = unix_type(entry.kind) | packed_mode(entry);
  if (entry.kind == EntryKind::directory) {
    header.name += '/';
    return;
  }
  // A symlink's data is its target, stored (how Info-ZIP records links).
  thread_local std::string buffer;
  std::string_view bytes = entry.symlink_target;
  if (entry.kind == EntryKind::file) {
    auto read = read_entry(fs, entry, buffer);
    if (!read) {
      item.error = read.error();
      return;
    }
    bytes = *read;
  }
  header.crc = crc32(bytes);
  header.size = bytes.size();
  if (entry.kind == EntryKind::file && !looks_compressed(entry.archive_path) &&
      codec.deflate_smaller(bytes, item.data)) {
    header.method = zip::Method::deflated;
  } else {
    header.method = zip::Method::stored;
    item.data.assign(bytes);
  }
  header.compressed_size = item.data.size();
}

}  // namespace

Result<PackedBlob> pack_zip(const fs::FileSystem& fs, EntryList entries, const ZipOptions& options,
                            const BlobTarget& target) {
  auto prepared = prepare_entries(std::move(entries));
  if (!prepared) return std::unexpected(prepared.error());
  if (prepared->size() > zip::kMaxEntries) {
    return fail(ErrorKind::usage, fmt::format("a zip of {} entries needs zip64, which wharf does not write yet (at "
                                              "most {}); split the artifact",
                                              prepared->size(), zip::kMaxEntries));
  }
  auto writer = BlobWriter::open(target);
  if (!writer) return std::unexpected(writer.error());

  const DosTime time = dos_time(options.epoch);
  DeflateCodec codec(options.level);
  std::vector<zip::EntryHeader> headers;
  headers.reserve(prepared->size());
  std::optional<Error> error;     // the last stage's: it runs alone
  std::atomic<bool> stop{false};  // tells the first stage, which may run at the same time
  std::string header_bytes;
  std::uint64_t offset = 0;
  std::size_t next = 0;

  run_with_threads(options.threads, [&] {
    tbb::parallel_pipeline(
        pipeline_tokens(options.threads),
        tbb::make_filter<void, std::shared_ptr<Item>>(tbb::filter_mode::serial_in_order,
                                                      [&](tbb::flow_control& control) -> std::shared_ptr<Item> {
                                                        if (next == prepared->size() || stop) {
                                                          control.stop();
                                                          return nullptr;
                                                        }
                                                        auto item = std::make_shared<Item>();
                                                        item->entry = &(*prepared)[next++];
                                                        return item;
                                                      }) &
            tbb::make_filter<std::shared_ptr<Item>, std::shared_ptr<Item>>(tbb::filter_mode::parallel,
                                                                           [&](std::shared_ptr<Item> item) {
                                                                             fill(*item, fs, codec);
                                                                             return item;
                                                                           }) &
            tbb::make_filter<std::shared_ptr<Item>, void>(
                tbb::filter_mode::serial_in_order, [&](std::shared_ptr<Item> item) {
                  if (error) return;
                  if (item->error) {
                    error = std::move(item->error);
                    stop = true;
                    return;
                  }
                  item->header.local_offset = offset;
                  header_bytes.clear();
                  zip::append_local_header(header_bytes, item->header, time);
                  offset += header_bytes.size() + item->data.size();
                  if (offset > zip::kMaxOffset) {
                    error = Error{ErrorKind::usage,
                                  "the zip would pass 4 GiB, which needs zip64 (not written yet); "
                                  "split the artifact"};
                    stop = true;
                    return;
                  }
                  auto wrote = writer->write(header_bytes);
                  if (wrote) wrote = writer->write(item->data);
                  if (!wrote) {
                    error = wrote.error();
                    stop = true;
                  }
                  headers.push_back(std::move(item->header));
                }));
  });
  if (error) return std::unexpected(*error);

  std::string directory;
  for (const zip::EntryHeader& header : headers) zip::append_central_header(directory, header, time);
  if (offset + directory.size() > zip::kMaxOffset) {
    return fail(ErrorKind::usage, "the zip would pass 4 GiB, which needs zip64 (not written yet); split the artifact");
  }
  const std::uint64_t directory_size = directory.size();
  zip::append_end_of_central_directory(directory, headers.size(), directory_size, offset);
  if (auto wrote = writer->write(directory); !wrote) return std::unexpected(wrote.error());
  return writer->finish();
}

}  // namespace wharf::packer
