// The binary form of a Lockfile for wharf's cache:
//   "WLKF" version:u8 body checksum:u64le
// body = format:u8 settings packages instances importers, with strings as
// LEB128 length + bytes, counts and indices as LEB128, and sorted index
// lists delta-encoded. checksum = XXH3-64 of everything before it.
#include <cstring>

#include <xxhash.h>

#include "lockfile/lockfile.h"

namespace wharf::lockfile {

namespace {

constexpr std::string_view kMagic = "WLKF";
constexpr std::uint8_t kVersion = 1;

class Writer {
 public:
  void byte(std::uint8_t b) { out_.push_back(static_cast<char>(b)); }
  void varint(std::uint64_t v) {
    while (v >= 0x80) {
      byte(static_cast<std::uint8_t>(v | 0x80));
      v >>= 7;
    }
    byte(static_cast<std::uint8_t>(v));
  }
  void string(std::string_view s) {
    varint(s.size());
    out_.append(s);
  }
  void ids(const std::vector<std::uint32_t>& ids) {
    varint(ids.size());
    std::uint32_t previous = 0;
    for (std::uint32_t id : ids) {
      varint(id - previous);
      previous = id;
    }
  }
  std::string& out() { return out_; }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool done() const { return ok_ && pos_ == in_.size(); }
  std::uint8_t byte() {
    if (pos_ >= in_.size()) return fail();
    return static_cast<std::uint8_t>(in_[pos_++]);
  }
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      std::uint8_t b = byte();
      if (!ok_) return 0;
      v |= std::uint64_t{b & 0x7fu} << shift;
      if (!(b & 0x80)) return v;
    }
    return fail();
  }
  // A count of items each at least one byte long: never more than remain.
  std::size_t count() {
    std::uint64_t n = varint();
    if (n > in_.size() - pos_) return fail();
    return static_cast<std::size_t>(n);
  }
  std::string string() {
    std::size_t n = count();
    if (!ok_) return {};
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  // Strictly increasing ids below `limit`.
  std::vector<std::uint32_t> ids(std::size_t limit) {
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

 private:
  std::uint8_t fail() {
    ok_ = false;
    return 0;
  }
  std::string_view in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace

std::string encode(const Lockfile& lockfile) {
  Writer w;
  w.out().append(kMagic);
  w.byte(kVersion);
  w.byte(static_cast<std::uint8_t>(lockfile.format));
  w.string(lockfile.settings);
  w.varint(lockfile.packages.size());
  for (const Package& p : lockfile.packages) {
    w.string(p.name);
    w.string(p.version);
    w.string(p.integrity);
  }
  w.varint(lockfile.instances.size());
  for (const auto& instance : lockfile.instances) {
    w.string(instance.key);
    w.varint(instance.package);
    w.ids(instance.deps);
  }
  w.varint(lockfile.importers.size());
  for (const auto& importer : lockfile.importers) {
    w.string(importer.dir);
    w.ids(importer.deps);
    w.ids(importer.links);
  }
  std::uint64_t sum = XXH3_64bits(w.out().data(), w.out().size());
  for (int i = 0; i < 8; ++i) w.byte(static_cast<std::uint8_t>(sum >> (8 * i)));
  return std::move(w.out());
}

std::optional<Lockfile> decode(std::string_view bytes) {
  if (bytes.size() < kMagic.size() + 1 + 8 || !bytes.starts_with(kMagic)) return std::nullopt;
  std::string_view body = bytes.substr(0, bytes.size() - 8);
  std::uint64_t sum = 0;
  for (int i = 0; i < 8; ++i) sum |= std::uint64_t{static_cast<std::uint8_t>(bytes[body.size() + i])} << (8 * i);
  if (sum != XXH3_64bits(body.data(), body.size())) return std::nullopt;
  Reader r(body.substr(kMagic.size()));
  if (r.byte() != kVersion) return std::nullopt;
  Lockfile out;
  std::uint8_t format = r.byte();
  if (format > static_cast<std::uint8_t>(Format::yarn_berry)) return std::nullopt;
  out.format = static_cast<Format>(format);
  out.settings = r.string();
  std::size_t packages = r.count();
  for (std::size_t i = 0; i < packages && r.ok(); ++i) {
    Package p;
    p.name = r.string();
    p.version = r.string();
    p.integrity = r.string();
    out.packages.push_back(std::move(p));
  }
  std::size_t instances = r.count();
  for (std::size_t i = 0; i < instances && r.ok(); ++i) {
    Lockfile::Instance instance;
    instance.key = r.string();
    std::uint64_t package = r.varint();
    if (package >= out.packages.size()) return std::nullopt;
    instance.package = static_cast<std::uint32_t>(package);
    instance.deps = r.ids(instances);
    out.instances.push_back(std::move(instance));
  }
  std::size_t importers = r.count();
  for (std::size_t i = 0; i < importers && r.ok(); ++i) {
    Lockfile::Importer importer;
    importer.dir = r.string();
    importer.deps = r.ids(instances);
    importer.links = r.ids(importers);
    out.importers.push_back(std::move(importer));
  }
  if (!r.done()) return std::nullopt;
  return out;
}

}  // namespace wharf::lockfile
