#include "packer/layer_packer.h"

#include <zstd.h>

#include <fmt/format.h>
#include <tbb/parallel_pipeline.h>
#include <atomic>
#include <optional>

#include "packer/deflate_codec.h"
#include "packer/entry_list.h"
#include "packer/parallel_run.h"
#include "packer/tar_stream.h"
#include "util/sha.h"
#include "util/text.h"

namespace wharf::packer {
namespace {

// The uncompressed side: the tar stream plus the diff_id hash over it.
struct TarSide {
  TarStream stream;
  Sha256 sha;
  std::uint64_t size = 0;

  Result<bool> next(std::string& chunk, std::size_t block_size) {
    auto more = stream.next_chunk(chunk, block_size);
    if (more && *more) {
      sha.update(chunk);
      size += chunk.size();
    }
    return more;
  }
};

// gzip: blocks read in order, compressed in parallel, written in order.
Result<void> write_gzip_members(TarSide& tar, BlobWriter& writer, const LayerOptions& options) {
  struct Block {
    std::string tar;
    std::string gzip;
  };
  DeflateCodec codec(options.level);
  // The first and last stages may run at once on two threads: each keeps
  // its own error, and `stop` tells the first that the last failed.
  std::optional<Error> read_error;
  std::optional<Error> write_error;
  std::atomic<bool> stop{false};
  bool first = true;
  run_with_threads(options.threads, [&] {
    tbb::parallel_pipeline(
        pipeline_tokens(options.threads),
        tbb::make_filter<void, std::shared_ptr<Block>>(tbb::filter_mode::serial_in_order,
                                                       [&](tbb::flow_control& control) -> std::shared_ptr<Block> {
                                                         auto block = std::make_shared<Block>();
                                                         auto more = tar.next(block->tar, options.block_size);
                                                         if (!more) read_error = more.error();
                                                         // An empty tar still needs one (empty) member to be gzip.
                                                         if (read_error || stop || (!*more && !first)) {
                                                           control.stop();
                                                           return nullptr;
                                                         }
                                                         first = false;
                                                         return block;
                                                       }) &
            tbb::make_filter<std::shared_ptr<Block>, std::shared_ptr<Block>>(tbb::filter_mode::parallel,
                                                                             [&](std::shared_ptr<Block> block) {
                                                                               codec.gzip(block->tar, block->gzip);
                                                                               return block;
                                                                             }) &
            tbb::make_filter<std::shared_ptr<Block>, void>(tbb::filter_mode::serial_in_order,
                                                           [&](std::shared_ptr<Block> block) {
                                                             if (write_error) return;
                                                             auto wrote = writer.write(block->gzip);
                                                             if (!wrote) {
                                                               write_error = wrote.error();
                                                               stop = true;
                                                             }
                                                           }));
  });
  if (read_error) return std::unexpected(*read_error);
  if (write_error) return std::unexpected(*write_error);
  return ok();
}

// zstd: libzstd's own worker threads. With nbWorkers >= 1 its output is the
// same for any worker count (zstd.h), so the thread count never shows.
Result<void> write_zstd(TarSide& tar, BlobWriter& writer, const LayerOptions& options) {
  std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> context(ZSTD_createCCtx(), &ZSTD_freeCCtx);
  int workers = options.threads > 0 ? options.threads : tbb::this_task_arena::max_concurrency();
  ZSTD_CCtx_setParameter(context.get(), ZSTD_c_compressionLevel, options.level);
  ZSTD_CCtx_setParameter(context.get(), ZSTD_c_checksumFlag, 1);
  if (ZSTD_isError(ZSTD_CCtx_setParameter(context.get(), ZSTD_c_nbWorkers, workers))) {
    return fail(ErrorKind::io, "this libzstd has no multithreading; wharf needs it for reproducible zstd layers");
  }
  std::string chunk;
  std::string out(ZSTD_CStreamOutSize(), '\0');
  while (true) {
    auto more = tar.next(chunk, options.block_size);
    if (!more) return std::unexpected(more.error());
    ZSTD_inBuffer in{chunk.data(), *more ? chunk.size() : 0, 0};
    ZSTD_EndDirective mode = *more ? ZSTD_e_continue : ZSTD_e_end;
    std::size_t left = 0;
    do {
      ZSTD_outBuffer output{out.data(), out.size(), 0};
      left = ZSTD_compressStream2(context.get(), &output, &in, mode);
      if (ZSTD_isError(left)) return fail(ErrorKind::io, fmt::format("zstd: {}", ZSTD_getErrorName(left)));
      if (auto wrote = writer.write(std::string_view(out.data(), output.pos)); !wrote) return wrote;
    } while (mode == ZSTD_e_end ? left != 0 : in.pos < in.size);
    if (!*more) return ok();
  }
}

Result<void> write_plain(TarSide& tar, BlobWriter& writer, const LayerOptions& options) {
  std::string chunk;
  while (true) {
    auto more = tar.next(chunk, options.block_size);
    if (!more) return std::unexpected(more.error());
    if (!*more) return ok();
    if (auto wrote = writer.write(chunk); !wrote) return wrote;
  }
}

}  // namespace

const char* layer_media_type(LayerCompression compression) {
  switch (compression) {
    case LayerCompression::gzip:
      return "application/vnd.oci.image.layer.v1.tar+gzip";
    case LayerCompression::zstd:
      return "application/vnd.oci.image.layer.v1.tar+zstd";
    case LayerCompression::none:
      break;
  }
  return "application/vnd.oci.image.layer.v1.tar";
}

Result<PackedLayer> pack_layer(const fs::FileSystem& fs, EntryList entries, const LayerOptions& options,
                               const BlobTarget& target) {
  if (options.block_size == 0) return fail(ErrorKind::usage, "the layer block size must be positive");
  auto prepared = prepare_entries(std::move(entries));
  if (!prepared) return std::unexpected(prepared.error());
  auto writer = BlobWriter::open(target);
  if (!writer) return std::unexpected(writer.error());
  TarSide tar{TarStream(fs, *prepared, options.epoch), Sha256(), 0};
  Result<void> written = ok();
  switch (options.compression) {
    case LayerCompression::gzip:
      written = write_gzip_members(tar, *writer, options);
      break;
    case LayerCompression::zstd:
      written = write_zstd(tar, *writer, options);
      break;
    case LayerCompression::none:
      written = write_plain(tar, *writer, options);
      break;
  }
  if (!written) return std::unexpected(written.error());
  auto blob = writer->finish();
  if (!blob) return std::unexpected(blob.error());
  PackedLayer layer;
  layer.blob = std::move(*blob);
  auto diff = tar.sha.digest();
  layer.diff_id = "sha256:" + to_hex(diff);
  layer.tar_size = tar.size;
  layer.media_type = layer_media_type(options.compression);
  return layer;
}

}  // namespace wharf::packer
