// Deterministic zips (a backend bundle, a Lambda package): the same entries
// give the same bytes on any machine, from any checkout path, at any time and
// with any thread count, so an unchanged service never looks changed.
#pragma once

#include <cstdint>

#include "fs/file_system.h"
#include "packer/blob_writer.h"
#include "packer/pack_entry.h"
#include "packer/pack_time.h"
#include "util/error.h"

namespace wharf::packer {

struct ZipOptions {
  std::int64_t epoch = kDefaultEpoch;  // every entry's timestamp (the caller's SOURCE_DATE_EPOCH)
  int level = 6;                       // libdeflate level
  int threads = 0;                     // 0: all cores (oneTBB's default)
};

// Packs `entries` (checked and ordered by prepare_entries) into a zip at
// `target`. Entries deflate in parallel and are written in order as they
// complete, at most a few per thread in memory at once. An entry that does
// not shrink, or whose name says it is already compressed (.png, .gz, .jar,
// ...), is stored. A file above kStreamThreshold (entry_source.h) is read
// and deflated piece by piece (zlib) on the writing thread, with a data
// descriptor, so memory stays bounded whatever the file sizes. Zip64 records
// appear only past 65,534 entries or 4 GiB (zip_format.h). Errors:
// prepare_entries', read_entry's, ErrorKind::io from the output.
Result<PackedBlob> pack_zip(const fs::FileSystem& fs, EntryList entries, const ZipOptions& options,
                            const BlobTarget& target);

}  // namespace wharf::packer
