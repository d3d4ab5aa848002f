// Compact binary records for wharf's cache: LEB128 varints, length-prefixed
// strings, delta-encoded sorted id lists, sealed by a trailing XXH3-64
// checksum so that a damaged record reads as absent (the cache's rule:
// damage costs work, never a wrong answer).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wharf {

class ByteWriter {
 public:
  void byte(std::uint8_t b) { out_.push_back(static_cast<char>(b)); }
  void varint(std::uint64_t v);
  void string(std::string_view s);
  // Strictly increasing ids, as deltas.
  void ids(const std::vector<std::uint32_t>& ids);
  void raw(std::string_view bytes) { out_.append(bytes); }
  // The bytes written, followed by their checksum.
  std::string seal() &&;

 private:
  std::string out_;
};

// Reads what a ByteWriter wrote. A read past the end or a malformed value
// makes ok() false and returns zero values from then on: check ok() or
// done() once at the end instead of after every read.
class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool done() const { return ok_ && pos_ == in_.size(); }
  std::uint8_t byte();
  std::uint64_t varint();
  // A count of items each at least one byte long: never more than remain.
  std::size_t count();
  std::string string();
  // Strictly increasing ids below `limit`.
  std::vector<std::uint32_t> ids(std::size_t limit);
  // The next `n` bytes as they are.
  std::string_view raw(std::size_t n);

 private:
  std::uint8_t fail() {
    ok_ = false;
    return 0;
  }
  std::string_view in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

// What ByteWriter::seal() sealed, without its checksum; nullopt when the
// checksum does not match (or `sealed` is too short to hold one).
std::optional<std::string_view> unseal(std::string_view sealed);

}  // namespace wharf
