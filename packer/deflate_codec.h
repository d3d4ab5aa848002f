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

// Raw deflate of one entry too large to hold whole, fed in pieces (zlib:
// libdeflate has no streaming API). Used for zip entries above
// kStreamThreshold only, so the bytes of every other entry are unchanged.
// Deterministic for a given zlib build, like libdeflate's output.
class DeflateStream {
 public:
  explicit DeflateStream(int level);  // libdeflate's scale, capped at zlib's 9
  ~DeflateStream();
  DeflateStream(const DeflateStream&) = delete;
  DeflateStream& operator=(const DeflateStream&) = delete;

  // Compresses `input` and appends what zlib emits to `out`; `last` ends
  // the stream.
  void write(std::string_view input, bool last, std::string& out);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// CRC-32 of `bytes`, continuing from `previous` (the CRC of what came before).
std::uint32_t crc32(std::string_view bytes, std::uint32_t previous = 0);

}  // namespace wharf::packer
