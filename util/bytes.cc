#include "util/bytes.h"

#include <xxhash.h>

namespace wharf {

void ByteWriter::varint(std::uint64_t v) {
  while (v >= 0x80) {
    byte(static_cast<std::uint8_t>(v | 0x80));
    v >>= 7;
  }
  byte(static_cast<std::uint8_t>(v));
}

void ByteWriter::string(std::string_view s) {
  varint(s.size());
  out_.append(s);
}

void ByteWriter::ids(const std::vector<std::uint32_t>& ids) {
  varint(ids.size());
  std::uint32_t previous = 0;
  for (std::uint32_t id : ids) {
    varint(id - previous);
    previous = id;
  }
}

std::string ByteWriter::seal() && {
  std::uint64_t sum = XXH3_64bits(out_.data(), out_.size());
  for (int i = 0; i < 8; ++i) byte(static_cast<std::uint8_t>(sum >> (8 * i)));
  return std::move(out_);
}

std::optional<std::string_view> unseal(std::string_view sealed) {
  if (sealed.size() < 8) return std::nullopt;
  std::string_view body = sealed.substr(0, sealed.size() - 8);
  std::uint64_t sum = 0;
  for (int i = 0; i < 8; ++i) sum |= std::uint64_t{static_cast<std::uint8_t>(sealed[body.size() + i])} << (8 * i);
  if (sum != XXH3_64bits(body.data(), body.size())) return std::nullopt;
  return body;
}

std::uint8_t ByteReader::byte() {
  if (!ok_ || pos_ >= in_.size()) return fail();
  return static_cast<std::uint8_t>(in_[pos_++]);
}

std::uint64_t ByteReader::varint() {
  std::uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    std::uint8_t b = byte();
    if (!ok_) return 0;
    v |= std::uint64_t{b & 0x7fu} << shift;
    if (!(b & 0x80)) return v;
  }
  return fail();
}

std::size_t ByteReader::count() {
  std::uint64_t n = varint();
  if (!ok_ || n > in_.size() - pos_) return fail();
  return static_cast<std::size_t>(n);
}

std::string ByteReader::string() { return std::string(raw(count())); }

std::string_view ByteReader::raw(std::size_t n) {
  if (!ok_ || n > in_.size() - pos_) return fail(), std::string_view();
  std::string_view s = in_.substr(pos_, n);
  pos_ += n;
  return s;
}

std::vector<std::uint32_t> ByteReader::ids(std::size_t limit) {
  std::size_t n = count();
  std::vector<std::uint32_t> out;
  out.reserve(n);
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < n && ok_; ++i) {
    std::uint64_t delta = varint();
    if (i > 0 && delta == 0) return fail(), std::vector<std::uint32_t>();
    value += delta;
    if (value >= limit) return fail(), std::vector<std::uint32_t>();
    out.push_back(static_cast<std::uint32_t>(value));
  }
  return out;
}

}  // namespace wharf
