#include "packer/deflate_codec.h"

#include <libdeflate.h>

#include <new>

namespace wharf::packer {

DeflateCodec::DeflateCodec(int level) : level_(level) {}
DeflateCodec::~DeflateCodec() = default;

void DeflateCodec::Free::operator()(libdeflate_compressor* compressor) const { libdeflate_free_compressor(compressor); }

libdeflate_compressor* DeflateCodec::local() {
  auto& slot = compressors_.local();
  if (!slot) {
    slot.reset(libdeflate_alloc_compressor(level_));
    if (!slot) throw std::bad_alloc();
  }
  return slot.get();
}

bool DeflateCodec::deflate_smaller(std::string_view input, std::string& out) {
  if (input.size() < 2) return false;
  // Room for one byte less than the input: libdeflate returns 0 when the
  // result does not fit, which is exactly "store it".
  out.resize(input.size() - 1);
  std::size_t n = libdeflate_deflate_compress(local(), input.data(), input.size(), out.data(), out.size());
  if (n == 0) return false;
  out.resize(n);
  return true;
}

void DeflateCodec::gzip(std::string_view input, std::string& out) {
  libdeflate_compressor* compressor = local();
  out.resize(libdeflate_gzip_compress_bound(compressor, input.size()));
  std::size_t n = libdeflate_gzip_compress(compressor, input.data(), input.size(), out.data(), out.size());
  out.resize(n);
}

std::uint32_t crc32(std::string_view bytes) { return libdeflate_crc32(0, bytes.data(), bytes.size()); }

}  // namespace wharf::packer
