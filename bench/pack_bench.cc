// The packer on a directory, for bench/pack_bench.sh: maps every file,
// directory and symlink under SRC (as `wharf build` will map a service's
// files) and packs them into a zip or a layer, printing one JSON line.
//   wharf_pack_bench zip   SRC OUT [--threads N]
//   wharf_pack_bench layer SRC OUT [--threads N] [--zstd]
// Output is not fsynced (Sync::none), as zip, tar and pigz do not fsync.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "fs/real_file_system.h"
#include "packer/directory_entries.h"
#include "packer/layer_packer.h"
#include "packer/zip_packer.h"

namespace {

using namespace wharf::packer;

int usage() {
  std::fprintf(stderr, "usage: wharf_pack_bench zip|layer SRC OUT [--threads N] [--zstd]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) return usage();
  std::string mode = argv[1], src = argv[2], out = argv[3];
  int threads = 0;
  bool zstd = false;
  for (int i = 4; i < argc; ++i) {
    if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
      threads = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--zstd") == 0) {
      zstd = true;
    } else {
      return usage();
    }
  }
  wharf::fs::RealFileSystem fs;
  auto start = std::chrono::steady_clock::now();
  auto listed = entries_from_directory(fs, src, "");
  if (!listed) return std::fprintf(stderr, "error: %s\n", listed.error().message.c_str()), 1;
  EntryList entries = std::move(*listed);
  std::size_t count = entries.size();
  BlobTarget target = BlobTarget::file(out, wharf::fs::Sync::none);
  std::string digest;
  std::uint64_t size = 0;
  if (mode == "zip") {
    auto packed = pack_zip(fs, std::move(entries), ZipOptions{.threads = threads}, target);
    if (!packed) return std::fprintf(stderr, "error: %s\n", packed.error().message.c_str()), 1;
    digest = packed->digest();
    size = packed->size;
  } else if (mode == "layer") {
    LayerOptions options{.compression = zstd ? LayerCompression::zstd : LayerCompression::gzip,
                         .level = zstd ? 3 : 6,
                         .threads = threads};
    auto packed = pack_layer(fs, std::move(entries), options, target);
    if (!packed) return std::fprintf(stderr, "error: %s\n", packed.error().message.c_str()), 1;
    digest = packed->blob.digest();
    size = packed->blob.size;
  } else {
    return usage();
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("{\"entries\":%zu,\"size\":%llu,\"digest\":\"%s\",\"seconds\":%.4f}\n", count,
              static_cast<unsigned long long>(size), digest.c_str(), seconds);
  return 0;
}
