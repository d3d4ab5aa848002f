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

// Orders package ids by their package's name, for equal_range over a
// closure's ids (sorted by package, so by name first).
struct NameOrder {
  const Lockfile* lockfile;
  bool operator()(std::uint32_t id, std::string_view name) const { return lockfile->packages[id].name < name; }
  bool operator()(std::string_view name, std::uint32_t id) const { return name < lockfile->packages[id].name; }
};

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
  // Both id lists are in (name, version, integrity) order: one merge finds
  // the names whose packages differ, and only those are looked at closely
  // (a closure has thousands of packages, a change a few).
  std::vector<std::string_view> names;
  auto note = [&](const Package& p) {
    if (names.empty() || names.back() != p.name) names.push_back(p.name);
  };
  for (std::size_t i = 0, j = 0; i < before.ids.size() || j < after.ids.size();) {
    if (j == after.ids.size()) {
      note(before_lockfile.packages[before.ids[i++]]);
      continue;
    }
    if (i == before.ids.size()) {
      note(after_lockfile.packages[after.ids[j++]]);
      continue;
    }
    const Package& b = before_lockfile.packages[before.ids[i]];
    const Package& a = after_lockfile.packages[after.ids[j]];
    auto order = b <=> a;
    if (order == 0) {
      ++i, ++j;
    } else if (order < 0) {
      note(b), ++i;
    } else {
      note(a), ++j;
    }
  }
  // A name's versions on one side, each with its integrity.
  auto versions = [](const Lockfile& lockfile, const Closure& closure, std::string_view name) {
    auto [first, last] = std::equal_range(closure.ids.begin(), closure.ids.end(), name, NameOrder{&lockfile});
    std::map<std::string, std::string> out;
    for (auto it = first; it != last; ++it) out.emplace(lockfile.packages[*it].version, lockfile.packages[*it].integrity);
    return out;
  };
  std::vector<std::string> items;
  for (std::string_view name : names) {
    auto was = versions(before_lockfile, before, name);
    auto now = versions(after_lockfile, after, name);
    if (was == now) continue;
    std::vector<std::string> removed, added;
    for (const auto& [version, integrity] : was) {
      auto it = now.find(version);
      if (it == now.end()) {
        removed.push_back(version);
      } else if (it->second != integrity) {
        items.push_back(fmt::format("{} {} (integrity)", name, version));
      }
    }
    for (const auto& [version, integrity] : now) {
      if (!was.contains(version)) added.push_back(version);
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
