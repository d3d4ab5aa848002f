// Deterministic OCI image layers: a tar of the entries, compressed. The same
// entries give the same layer digest on any machine and with any thread
// count, so an unchanged dependency layer keeps its digest and a registry
// already has it.
#pragma once

#include <cstdint>
#include <string>

#include "fs/file_system.h"
#include "packer/blob_writer.h"
#include "packer/pack_entry.h"
#include "packer/pack_time.h"
#include "util/error.h"

namespace wharf::packer {

enum class LayerCompression { gzip, zstd, none };

// The OCI media type of a layer compressed so (zstd: OCI 1.1).
const char* layer_media_type(LayerCompression compression);

struct LayerOptions {
  std::int64_t epoch = kDefaultEpoch;  // every entry's mtime
  LayerCompression compression = LayerCompression::gzip;
  int level = 6;    // libdeflate level for gzip, zstd level for zstd
  int threads = 0;  // 0: all cores
  // gzip: the tar is cut into blocks of this many bytes, each compressed on
  // its own (in parallel) into one gzip member; the layer is the members
  // back to back (RFC 1952 allows it; Go's gzip reader, which containerd,
  // umoci and skopeo use, reads them as one stream). The cut points depend
  // only on this size, never on the thread count, so neither do the bytes.
  // Part of the layer's identity: changing it changes every digest.
  std::size_t block_size = std::size_t{1} << 20;
};

struct PackedLayer {
  PackedBlob blob;             // the compressed layer; blob.digest() is the manifest's layer digest
  std::string diff_id;         // "sha256:..." of the uncompressed tar (the config's rootfs.diff_ids)
  std::uint64_t tar_size = 0;  // bytes of the uncompressed tar
  std::string media_type;
};

// Packs `entries` (checked and ordered by prepare_entries: parents present,
// byte order) into a layer at `target`, computing both digests while it
// streams. At most a few blocks per thread are in memory, plus the file being
// read. Errors: prepare_entries', read_entry's, ErrorKind::io.
Result<PackedLayer> pack_layer(const fs::FileSystem& fs, EntryList entries, const LayerOptions& options,
                               const BlobTarget& target);

}  // namespace wharf::packer
