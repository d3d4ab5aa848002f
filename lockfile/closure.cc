// Closures: the packages importers reach, as sorted ids into the lockfile's
// packages, and the text of how two closures differ.
#include <algorithm>
#include <map>

#include <fmt/format.h>
#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t on the stack
#include <xxhash.h>

#include "lockfile/lockfile.h"

namespace wharf::lockfile {

namespace {

std::array<std::uint64_t, 2> package_hash(const Package& p) {
  XXH3_state_t state;
  XXH3_128bits_reset(&state);
  // Lengths first, so no two different packages hash the same bytes.
  for (const std::string* field : {&p.name, &p.version, &p.integrity}) {
    std::uint64_t size = field->size();
    XXH3_128bits_update(&state, &size, sizeof size);
    XXH3_128bits_update(&state, field->data(), field->size());
  }
  XXH128_hash_t hash = XXH3_128bits_digest(&state);
  return {hash.high64, hash.low64};
}

// The digest of a closure: of its packages' hashes in order, so it depends
// on the packages' contents, not on their ids in one lockfile.
std::array<std::uint64_t, 2> digest_of(const std::vector<std::array<std::uint64_t, 2>>& hashes,
                                       const std::vector<std::uint32_t>& ids) {
  XXH3_state_t state;
  XXH3_128bits_reset(&state);
  for (std::uint32_t id : ids) XXH3_128bits_update(&state, hashes[id].data(), sizeof hashes[id]);
  XXH128_hash_t hash = XXH3_128bits_digest(&state);
  return {hash.high64, hash.low64};
}

std::vector<std::uint32_t> importer_set(const Lockfile& lockfile, std::span<const std::string> dirs) {
  // Importers named, then those they link to, transitively.
  std::vector<bool> seen(lockfile.importers.size());
  std::vector<std::uint32_t> stack;
  for (const std::string& dir : dirs) {
    auto it = std::lower_bound(lockfile.importers.begin(), lockfile.importers.end(), dir,
                               [](const Lockfile::Importer& i, const std::string& d) { return i.dir < d; });
    if (it == lockfile.importers.end() || it->dir != dir) continue;
    auto index = static_cast<std::uint32_t>(it - lockfile.importers.begin());
    if (!seen[index]) {
      seen[index] = true;
      stack.push_back(index);
    }
  }
  std::vector<std::uint32_t> all;
  while (!stack.empty()) {
    std::uint32_t i = stack.back();
    stack.pop_back();
    all.push_back(i);
    for (std::uint32_t link : lockfile.importers[i].links) {
      if (!seen[link]) {
        seen[link] = true;
        stack.push_back(link);
      }
    }
  }
  return all;
}

}  // namespace

ClosureIndex::ClosureIndex(const Lockfile& lockfile)
    : lockfile_(lockfile),
      own_(lockfile.importers.size()),
      stamp_(lockfile.instances.size(), 0),
      package_stamp_(lockfile.packages.size(), 0) {
  package_hash_.reserve(lockfile.packages.size());
  for (const Package& p : lockfile.packages) package_hash_.push_back(package_hash(p));
}

void ClosureIndex::sort_collected(std::vector<std::uint32_t>& ids) const {
  if (ids.size() * 16 < package_stamp_.size()) {
    std::sort(ids.begin(), ids.end());
    return;
  }
  ids.clear();
  for (std::uint32_t p = 0; p < package_stamp_.size(); ++p) {
    if (package_stamp_[p] == walk_) ids.push_back(p);
  }
}

const std::vector<std::uint32_t>& ClosureIndex::own(std::uint32_t importer) {
  auto& slot = own_[importer];
  if (slot) return *slot;
  ++walk_;
  std::vector<std::uint32_t> stack, packages;
  for (std::uint32_t dep : lockfile_.importers[importer].deps) {
    if (stamp_[dep] != walk_) {
      stamp_[dep] = walk_;
      stack.push_back(dep);
    }
  }
  while (!stack.empty()) {
    const Lockfile::Instance& instance = lockfile_.instances[stack.back()];
    stack.pop_back();
    if (package_stamp_[instance.package] != walk_) {
      package_stamp_[instance.package] = walk_;
      packages.push_back(instance.package);
    }
    for (std::uint32_t dep : instance.deps) {
      if (stamp_[dep] != walk_) {
        stamp_[dep] = walk_;
        stack.push_back(dep);
      }
    }
  }
  sort_collected(packages);
  slot = std::move(packages);
  return *slot;
}

Closure ClosureIndex::closure(std::span<const std::string> importer_dirs) {
  Closure out;
  std::vector<std::uint32_t> importers = importer_set(lockfile_, importer_dirs);
  if (importers.size() == 1) {
    out.ids = own(importers.front());
  } else if (!importers.empty()) {
    for (std::uint32_t i : importers) own(i);  // before the walk below takes the stamps
    ++walk_;
    for (std::uint32_t i : importers) {
      for (std::uint32_t id : *own_[i]) {
        if (package_stamp_[id] != walk_) {
          package_stamp_[id] = walk_;
          out.ids.push_back(id);
        }
      }
    }
    sort_collected(out.ids);
  }
  out.digest = digest_of(package_hash_, out.ids);
  return out;
}

Closure closure(const Lockfile& lockfile, std::span<const std::string> importer_dirs) {
  ClosureIndex index(lockfile);
  return index.closure(importer_dirs);
}

std::string describe_changes(const Lockfile& before_lockfile, const Closure& before, const Lockfile& after_lockfile,
                             const Closure& after, std::size_t limit) {
  // name -> (versions before, versions after), each version with its integrity
  struct Sides {
    std::map<std::string, std::string> before, after;
  };
  std::map<std::string, Sides> by_name;
  for (std::uint32_t id : before.ids) {
    const Package& p = before_lockfile.packages[id];
    by_name[p.name].before.emplace(p.version, p.integrity);
  }
  for (std::uint32_t id : after.ids) {
    const Package& p = after_lockfile.packages[id];
    by_name[p.name].after.emplace(p.version, p.integrity);
  }
  std::vector<std::string> items;
  for (const auto& [name, sides] : by_name) {
    if (sides.before == sides.after) continue;
    std::vector<std::string> removed, added;
    for (const auto& [version, integrity] : sides.before) {
      auto it = sides.after.find(version);
      if (it == sides.after.end()) {
        removed.push_back(version);
      } else if (it->second != integrity) {
        items.push_back(fmt::format("{} {} (integrity)", name, version));
      }
    }
    for (const auto& [version, integrity] : sides.after) {
      if (!sides.before.contains(version)) added.push_back(version);
    }
    if (removed.size() == 1 && added.size() == 1) {
      items.push_back(fmt::format("{} {} -> {}", name, removed.front(), added.front()));
      continue;
    }
    for (const auto& version : removed) items.push_back(fmt::format("{} {} removed", name, version));
    for (const auto& version : added) items.push_back(fmt::format("{} {} added", name, version));
  }
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < limit; ++i) out += (i ? ", " : "") + items[i];
  if (items.size() > limit) out += fmt::format("{}and {} more", limit ? ", " : "", items.size() - limit);
  return out;
}

}  // namespace wharf::lockfile
