#include "hashing/hasher.h"

#include <array>

namespace wharf::hashing {
namespace {

std::array<char, 8> little_endian(std::uint64_t value) {
  std::array<char, 8> bytes;
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((value >> (8 * i)) & 0xff);
  return bytes;
}

}  // namespace

void Hasher::hash_field(std::string_view tag, std::string_view bytes) {
  auto tag_size = little_endian(tag.size());
  state_.update(tag_size.data(), tag_size.size());
  state_.update(tag);
  auto value_size = little_endian(bytes.size());
  state_.update(value_size.data(), value_size.size());
  state_.update(bytes);
}

void Hasher::record(std::string_view tag, std::string_view shown) {
  transcript_->append(tag);
  transcript_->append(": ");
  transcript_->append(shown);
  transcript_->push_back('\n');
}

Hasher& Hasher::field(std::string_view tag, std::string_view value) {
  hash_field(tag, value);
  if (transcript_) record(tag, escape_transcript_value(value));
  return *this;
}

Hasher& Hasher::field(std::string_view tag, const Digest128& digest) {
  hash_field(tag, std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
  if (transcript_) record(tag, to_hex(digest));
  return *this;
}

Hasher& Hasher::number(std::string_view tag, std::uint64_t value) {
  auto bytes = little_endian(value);
  hash_field(tag, std::string_view(bytes.data(), bytes.size()));
  if (transcript_) record(tag, std::to_string(value));
  return *this;
}

Hasher& Hasher::secret(std::string_view tag, std::string_view value) {
  hash_field(tag, value);
  if (transcript_) record(tag, "(hidden) xxh3:" + to_hex(xxh3_128(value)));
  return *this;
}

std::string escape_transcript_value(std::string_view value) {
  if (value.find_first_of("\\\n") == std::string_view::npos) return std::string(value);
  std::string out;
  out.reserve(value.size() + 8);
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string unescape_transcript_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\\' && i + 1 < value.size()) {
      out += value[i + 1] == 'n' ? '\n' : value[i + 1];
      ++i;
    } else {
      out += value[i];
    }
  }
  return out;
}

}  // namespace wharf::hashing
