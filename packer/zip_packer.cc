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
  std::string data;       // stored bytes or deflated stream
  bool streamed = false;  // a large file: read and deflated by the writer stage, piece by piece
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
  if (entry.kind == EntryKind::file && std::holds_alternative<FromFile>(entry.source)) {
    auto size = entry_size(fs, entry);
    if (!size) {
      item.error = size.error();
      return;
    }
    if (*size > kStreamThreshold) {
      item.streamed = true;
      header.size = *size;
      header.method = looks_compressed(entry.archive_path) ? zip::Method::stored : zip::Method::deflated;
      return;
    }
  }
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

// The in-order side: headers and data appended to the output, the central
// directory remembered. Runs on one thread at a time (the pipeline's last
// stage).
class ZipWriter {
 public:
  ZipWriter(const fs::FileSystem& fs, BlobWriter& writer, DosTime time, int level)
      : fs_(fs), writer_(writer), time_(time), level_(level) {}

  Result<void> add(Item& item) {
    item.header.local_offset = offset_;
    auto wrote = item.streamed ? add_streamed(item) : add_whole(item);
    if (!wrote) return wrote;
    headers_.push_back(std::move(item.header));
    return ok();
  }

  Result<PackedBlob> finish() {
    std::string directory;
    for (const zip::EntryHeader& header : headers_) zip::append_central_header(directory, header, time_);
    const std::uint64_t directory_size = directory.size();
    zip::append_end_of_central_directory(directory, headers_.size(), directory_size, offset_);
    if (auto wrote = writer_.write(directory); !wrote) return std::unexpected(wrote.error());
    return writer_.finish();
  }

 private:
  Result<void> put(std::string_view bytes) {
    offset_ += bytes.size();
    return writer_.write(bytes);
  }

  Result<void> add_whole(Item& item) {
    item.header.zip64_sizes = zip::sizes_need_zip64(item.header.size, item.header.compressed_size);
    header_bytes_.clear();
    zip::append_local_header(header_bytes_, item.header, time_);
    if (auto wrote = put(header_bytes_); !wrote) return wrote;
    return put(item.data);
  }

  // A file above kStreamThreshold: local header (no CRC or sizes yet), the
  // file read and deflated (zlib) piece by piece, then a data descriptor.
  // Holds a piece and its deflated output, never the file.
  Result<void> add_streamed(Item& item) {
    zip::EntryHeader& header = item.header;
    header.data_descriptor = true;
    // Whether the sizes need zip64 must be settled before the data: by the
    // size and deflate's worst case (zlib's compressBound).
    const std::uint64_t bound = header.size + (header.size >> 12) + (header.size >> 14) + (header.size >> 25) + 13;
    header.zip64_sizes = zip::sizes_need_zip64(header.size, bound);
    header_bytes_.clear();
    zip::append_local_header(header_bytes_, header, time_);
    if (auto wrote = put(header_bytes_); !wrote) return wrote;
    auto stream = EntryStream::open(fs_, *item.entry);
    if (!stream) return std::unexpected(stream.error());
    if (stream->size() != header.size) return stream->finish();  // moved since the parallel stage looked
    std::optional<DeflateStream> deflate;
    if (header.method == zip::Method::deflated) deflate.emplace(level_);
    const std::uint64_t data_start = offset_;
    std::uint32_t crc = 0;
    while (true) {
      auto piece = stream->next(piece_);
      if (!piece) return std::unexpected(piece.error());
      crc = crc32(*piece, crc);
      std::string_view out = *piece;
      if (deflate) {
        deflated_.clear();
        deflate->write(*piece, piece->empty(), deflated_);
        out = deflated_;
      }
      if (auto wrote = put(out); !wrote) return wrote;
      if (piece->empty()) break;
    }
    if (auto finished = stream->finish(); !finished) return finished;
    header.crc = crc;
    header.compressed_size = offset_ - data_start;
    header_bytes_.clear();
    zip::append_data_descriptor(header_bytes_, header);
    return put(header_bytes_);
  }

  const fs::FileSystem& fs_;
  BlobWriter& writer_;
  DosTime time_;
  int level_;
  std::vector<zip::EntryHeader> headers_;
  std::uint64_t offset_ = 0;
  std::string header_bytes_;
  std::string piece_;
  std::string deflated_;
};

}  // namespace

Result<PackedBlob> pack_zip(const fs::FileSystem& fs, EntryList entries, const ZipOptions& options,
                            const BlobTarget& target) {
  auto prepared = prepare_entries(std::move(entries));
  if (!prepared) return std::unexpected(prepared.error());
  auto writer = BlobWriter::open(target);
  if (!writer) return std::unexpected(writer.error());

  DeflateCodec codec(options.level);
  ZipWriter zip_writer(fs, *writer, dos_time(options.epoch), options.level);
  std::optional<Error> error;     // the last stage's: it runs alone
  std::atomic<bool> stop{false};  // tells the first stage, which may run at the same time
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
            tbb::make_filter<std::shared_ptr<Item>, void>(tbb::filter_mode::serial_in_order,
                                                          [&](std::shared_ptr<Item> item) {
                                                            if (error) return;
                                                            if (item->error) {
                                                              error = std::move(item->error);
                                                            } else if (auto added = zip_writer.add(*item); !added) {
                                                              error = added.error();
                                                            }
                                                            if (error) stop = true;
                                                          }));
  });
  if (error) return std::unexpected(*error);
  return zip_writer.finish();
}

}  // namespace wharf::packer
