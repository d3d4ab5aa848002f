// libdeflate, one compressor per thread. Why libdeflate and not zlib (or
// libarchive, which uses zlib): it compresses a whole buffer in one call about
// twice as fast as zlib at the same level, with output as small or smaller;
// it has no streaming API, which suits packing: a zip entry or a layer block
// is a whole buffer anyway.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <tbb/enumerable_thread_specific.h>

struct libdeflate_compressor;

namespace wharf::packer {

class DeflateCodec {
 public:
  // level: 1..12 (libdeflate's scale; 6 is the zlib/zip default).
  explicit DeflateCodec(int level);
  ~DeflateCodec();
  DeflateCodec(const DeflateCodec&) = delete;
  DeflateCodec& operator=(const DeflateCodec&) = delete;

  // Raw deflate of `input` into `out`, only if it comes out smaller than the
  // input: returns false (out undefined) when it does not, so the caller
  // stores the bytes instead. Safe from any thread.
  bool deflate_smaller(std::string_view input, std::string& out);
  // A complete gzip member (RFC 1952: no name, mtime 0) of `input`.
  void gzip(std::string_view input, std::string& out);

 private:
  struct Free {
    void operator()(libdeflate_compressor* compressor) const;
  };
  libdeflate_compressor* local();

  int level_;
  tbb::enumerable_thread_specific<std::unique_ptr<libdeflate_compressor, Free>> compressors_;
};

std::uint32_t crc32(std::string_view bytes);

}  // namespace wharf::packer
