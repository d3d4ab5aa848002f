// The binary form of a Lockfile for wharf's cache:
//   "WLKF" version:u8 body checksum:u64le
// body = format:u8 settings packages instances importers, with strings as
// LEB128 length + bytes, counts and indices as LEB128, and sorted index
// lists delta-encoded. checksum = XXH3-64 of everything before it.
#include "lockfile/lockfile.h"
#include "util/bytes.h"

namespace wharf::lockfile {

namespace {

constexpr std::string_view kMagic = "WLKF";
constexpr std::uint8_t kVersion = 1;

}  // namespace

std::string encode(const Lockfile& lockfile) {
  ByteWriter w;
  w.raw(kMagic);
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
  return std::move(w).seal();
}

std::optional<Lockfile> decode(std::string_view bytes) {
  std::optional<std::string_view> body = unseal(bytes);
  if (!body || !body->starts_with(kMagic)) return std::nullopt;
  ByteReader r(body->substr(kMagic.size()));
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
