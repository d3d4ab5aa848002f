#include "packer/deflate_codec.h"

#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
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

struct DeflateStream::State {
  z_stream zlib{};
};

DeflateStream::DeflateStream(int level) : state_(std::make_unique<State>()) {
  // Raw deflate (negative window bits), as zip entries hold it.
  if (deflateInit2(&state_->zlib, std::min(level, 9), Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::bad_alloc();
  }
}

DeflateStream::~DeflateStream() { deflateEnd(&state_->zlib); }

void DeflateStream::write(std::string_view input, bool last, std::string& out) {
  z_stream& zlib = state_->zlib;
  zlib.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  zlib.avail_in = static_cast<uInt>(input.size());
  const int flush = last ? Z_FINISH : Z_NO_FLUSH;
  while (true) {
    std::size_t used = out.size();
    out.resize(used + (1 << 16));
    zlib.next_out = reinterpret_cast<Bytef*>(out.data() + used);
    zlib.avail_out = 1 << 16;
    int status = deflate(&zlib, flush);
    out.resize(out.size() - zlib.avail_out);
    // Done when the input is used up and zlib had room to spare (or, when
    // finishing, when it says the stream ended).
    if (last ? status == Z_STREAM_END : (zlib.avail_in == 0 && zlib.avail_out != 0)) return;
  }
}

std::uint32_t crc32(std::string_view bytes, std::uint32_t previous) {
  // libdeflate_crc32 with a null buffer returns the initial CRC (0), not
  // `previous`: an empty view may have a null data().
  if (bytes.empty()) return previous;
  return libdeflate_crc32(previous, bytes.data(), bytes.size());
}

}  // namespace wharf::packer
