#include "lockfile/builder.h"

#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>

namespace wharf::lockfile::detail {

namespace {

template <class T>
void sort_unique(std::vector<T>& values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
}

}  // namespace

std::unexpected<Error> parse_error(std::string_view file, int line, std::string_view message) {
  if (line > 0) return fail(ErrorKind::config, fmt::format("{}:{}: {}", file, line, message));
  return fail(ErrorKind::config, fmt::format("{}: {}", file, message));
}

std::optional<std::pair<std::string_view, std::string_view>> split_at_version(std::string_view key) {
  std::size_t at = key.find('@', 1);
  if (at == std::string_view::npos || at + 1 >= key.size()) return std::nullopt;
  return std::pair{key.substr(0, at), key.substr(at + 1)};
}

std::optional<std::string> join_dir(std::string_view base, std::string_view rel) {
  std::vector<std::string_view> parts;
  auto push = [&](std::string_view path) {
    while (!path.empty()) {
      std::size_t slash = path.find('/');
      std::string_view part = path.substr(0, slash);
      path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
      if (part.empty() || part == ".") continue;
      if (part == "..") {
        if (parts.empty()) return false;
        parts.pop_back();
      } else {
        parts.push_back(part);
      }
    }
    return true;
  };
  if (!push(base) || !push(rel)) return std::nullopt;
  if (parts.empty()) return std::string(".");
  std::string out;
  for (std::string_view part : parts) {
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

std::string settings_text(std::vector<std::pair<std::string, std::string>> entries) {
  std::sort(entries.begin(), entries.end());
  std::string out;
  for (const auto& [key, value] : entries) out += fmt::format("{}={}\n", key, value);
  return out;
}

bool LockfileBuilder::has_importer(std::string_view dir) const {
  return std::any_of(importers_.begin(), importers_.end(), [&](const RawImporter& i) { return i.dir == dir; });
}

Result<Lockfile> LockfileBuilder::finish() {
  Lockfile& out = lockfile_;
  const std::size_t n = instances_.size();
  // Instances in key order: rank[position] is the final index.
  std::vector<std::uint32_t> order(n);
  for (std::uint32_t i = 0; i < n; ++i) order[i] = i;
  // Lockfiles list entries sorted already (bytewise, for ASCII keys): check
  // that in one pass before paying for a sort.
  auto by_key = [&](std::uint32_t a, std::uint32_t b) { return instances_[a].key < instances_[b].key; };
  if (!std::is_sorted(order.begin(), order.end(), by_key)) std::sort(order.begin(), order.end(), by_key);
  std::vector<std::uint32_t> rank(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    rank[order[i]] = i;
    if (i > 0 && instances_[order[i]].key == instances_[order[i - 1]].key) {
      const RawInstance& twice = instances_[order[i]];
      return parse_error(file_, twice.line, fmt::format("`{}` is listed twice", twice.key));
    }
  }
  // Packages: the distinct ones, sorted; each instance gets its package's index.
  std::vector<std::uint32_t> by_package = order;  // key order is nearly package order
  auto package_less = [&](std::uint32_t a, std::uint32_t b) { return instances_[a].package < instances_[b].package; };
  if (!std::is_sorted(by_package.begin(), by_package.end(), package_less)) {
    std::stable_sort(by_package.begin(), by_package.end(), package_less);
  }
  std::vector<std::uint32_t> package_of(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    Package& package = instances_[by_package[i]].package;
    if (out.packages.empty() || out.packages.back() != package) out.packages.push_back(std::move(package));
    package_of[by_package[i]] = static_cast<std::uint32_t>(out.packages.size() - 1);
  }

  // Keys are looked up only for readers that gave dependencies as keys.
  std::unordered_map<std::string, std::uint32_t> key_index;
  auto resolve = [&](const std::vector<std::string>& keys, const std::vector<std::uint32_t>& ids,
                     std::string_view owner, int line) -> Result<std::vector<std::uint32_t>> {
    std::vector<std::uint32_t> out_ids;
    out_ids.reserve(keys.size() + ids.size());
    for (std::uint32_t id : ids) out_ids.push_back(rank[id]);
    for (const std::string& key : keys) {
      auto it = key_index.find(key);
      if (it == key_index.end()) {
        return parse_error(file_, line,
                           fmt::format("`{}` depends on `{}`, which the lockfile does not list; regenerate the "
                                       "lockfile with the package manager",
                                       owner, key));
      }
      out_ids.push_back(it->second);
    }
    sort_unique(out_ids);
    return out_ids;
  };
  bool by_keys = std::any_of(instances_.begin(), instances_.end(), [](const RawInstance& i) { return !i.deps.empty(); }) ||
                 std::any_of(importers_.begin(), importers_.end(), [](const RawImporter& i) { return !i.deps.empty(); });
  if (by_keys) {  // before the keys move into the Lockfile
    key_index.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) key_index.emplace(instances_[i].key, rank[i]);
  }
  out.instances.resize(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    RawInstance& raw = instances_[order[i]];
    auto deps = resolve(raw.deps, raw.dep_ids, raw.key, raw.line);
    if (!deps) return std::unexpected(deps.error());
    out.instances[i] = Lockfile::Instance{std::move(raw.key), package_of[order[i]], std::move(*deps)};
  }

  std::sort(importers_.begin(), importers_.end(),
            [](const RawImporter& a, const RawImporter& b) { return a.dir < b.dir; });
  for (std::size_t i = 1; i < importers_.size(); ++i) {
    if (importers_[i].dir == importers_[i - 1].dir) {
      return parse_error(file_, importers_[i].line, fmt::format("importer `{}` is listed twice", importers_[i].dir));
    }
  }
  for (const RawImporter& raw : importers_) {
    auto deps = resolve(raw.deps, raw.dep_ids,
                        raw.dir == "." ? std::string_view("the root importer") : std::string_view(raw.dir), raw.line);
    if (!deps) return std::unexpected(deps.error());
    std::vector<std::uint32_t> links;
    for (const std::string& dir : raw.links) {
      auto it = std::lower_bound(importers_.begin(), importers_.end(), dir,
                                 [](const RawImporter& a, const std::string& d) { return a.dir < d; });
      // A link to a folder that is not an importer (a `link:` to a local
      // directory outside the workspace) brings no external packages.
      if (it != importers_.end() && it->dir == dir) links.push_back(static_cast<std::uint32_t>(it - importers_.begin()));
    }
    sort_unique(links);
    out.importers.push_back(Lockfile::Importer{raw.dir, std::move(*deps), std::move(links)});
  }
  return std::move(out);
}

}  // namespace wharf::lockfile::detail
