#include "workspace/artifact_files.h"

#include <algorithm>

#include <fmt/format.h>

#include "graph/path_pattern.h"
#include "infer/paths.h"
#include "util/text.h"

namespace wharf::workspace {
namespace {

std::string join_path(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  if (name.empty()) return std::string(dir);
  return fmt::format("{}/{}", dir, name);
}

// `target` of a symlink at repository path `link`, resolved lexically: does
// it stay inside the repository?
bool stays_inside(std::string_view link, std::string_view target) {
  if (target.empty() || target.front() == '/') return false;
  return infer::join_relative(infer::parent_dir(link), target).has_value();
}

class Resolver {
 public:
  Resolver(const FileUniverse& u, std::string_view service) : u_(u), service_(service) {}

  bool tracked(const std::string& path) const { return std::binary_search(u_.tracked.begin(), u_.tracked.end(), path); }
  bool is_output(const std::string& path) const {
    return std::any_of(u_.outputs.begin(), u_.outputs.end(), [&](const auto& o) { return o.pattern.matches(path); });
  }
  Result<bool> ignored(const std::string& path) const { return u_.is_ignored ? u_.is_ignored(path) : false; }

  // Whether a file found by a walk belongs to the artifact.
  Result<bool> wanted(const std::string& path, bool named_explicitly) const {
    if (named_explicitly || tracked(path) || is_output(path)) return true;
    auto ig = ignored(path);
    if (!ig) return std::unexpected(ig.error());
    return !*ig;
  }

  Result<void> add(const std::string& path, const fs::FileStat& st, std::string archive_path,
                   packer::EntryList& out) const {
    if (st.type == fs::FileType::symlink) {
      auto target = u_.fs->read_link(path);
      if (!target) return std::unexpected(target.error());
      if (!stays_inside(path, *target)) {
        return fail(ErrorKind::usage, fmt::format("service {}: symlink {} -> {} points outside the repository; "
                                                  "replace it with the file, or leave it out with an exclude",
                                                  service_, path, printable(*target)));
      }
      out.push_back(packer::PackEntry::symlink(std::move(archive_path), *target));
    } else if (st.type == fs::FileType::regular) {
      out.push_back(packer::PackEntry::file(std::move(archive_path), path, (st.mode & 0100) != 0));
    }
    return {};
  }

  bool skipped_dir(const std::string& path) const {
    return std::find(u_.skip_dirs.begin(), u_.skip_dirs.end(), path) != u_.skip_dirs.end();
  }

  // Walks `dir` (a directory), adding what matches the mapping.
  Result<void> walk(const std::string& dir, const graph::FileMapping& m, bool named_explicitly, packer::EntryList& out,
                    std::size_t& matched) const {
    auto entries = u_.fs->list_dir(dir.empty() ? "." : dir);
    if (!entries) return std::unexpected(entries.error());
    std::sort(entries->begin(), entries->end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    for (const fs::DirEntry& e : *entries) {
      std::string path = join_path(dir, e.name);
      if (e.type == fs::FileType::directory) {
        if (skipped_dir(path) || any_excludes(m, path)) continue;
        // A directory git ignores as a whole is not walked unless named or an output.
        if (!named_explicitly && !is_output(path) && !has_tracked_below(path)) {
          auto ig = ignored(path + "/");
          if (!ig) return std::unexpected(ig.error());
          if (*ig) continue;
        }
        auto r = walk(path, m, named_explicitly, out, matched);
        if (!r) return r;
        continue;
      }
      if (!m.from.matches(path) || any_excludes(m, path)) continue;
      auto want = wanted(path, named_explicitly);
      if (!want) return std::unexpected(want.error());
      if (!*want) continue;
      auto st = u_.fs->stat(path);
      if (!st) return std::unexpected(st.error());
      std::string rel = path.substr(m.from.root().empty() ? 0 : m.from.root().size() + 1);
      auto r = add(path, *st, join_path(trimmed_to(m), rel), out);
      if (!r) return r;
      ++matched;
    }
    return {};
  }

  bool has_tracked_below(const std::string& dir) const {
    std::string prefix = dir + "/";
    auto it = std::lower_bound(u_.tracked.begin(), u_.tracked.end(), prefix);
    return it != u_.tracked.end() && it->starts_with(prefix);
  }

  static bool any_excludes(const graph::FileMapping& m, const std::string& path) {
    return std::any_of(m.exclude.begin(), m.exclude.end(), [&](const auto& p) { return p.matches(path); });
  }

  static std::string trimmed_to(const graph::FileMapping& m) {
    std::string to = m.to;
    while (!to.empty() && to.back() == '/') to.pop_back();
    return to;
  }

  Result<void> resolve(const graph::FileMapping& m, packer::EntryList& out) const {
    std::size_t matched = 0;
    const std::string root(m.from.root());
    if (m.from.is_literal()) {
      auto st = u_.fs->stat(root);
      if (st && st->type != fs::FileType::directory) {
        // A file named exactly: packed whatever git thinks of it, at `to`
        // (or `to`/its name when `to` is a directory: empty or ending in '/').
        std::string name = m.to.empty() || m.to.back() == '/' ? join_path(trimmed_to(m), infer::base_name(root)) : m.to;
        auto r = add(root, *st, std::move(name), out);
        if (!r) return r;
        ++matched;
      } else if (st) {
        // A directory named exactly: ignored files inside are wanted only
        // when the directory itself is what git ignores (dist/, node_modules/).
        auto ig = ignored(root + "/");
        if (!ig) return std::unexpected(ig.error());
        auto r = walk(root, m, *ig && !tracked_below_or_self(root), out, matched);
        if (!r) return r;
      }
    } else {
      auto st = u_.fs->stat(root.empty() ? "." : root);
      if (st && st->type == fs::FileType::directory) {
        auto r = walk(root, m, false, out, matched);
        if (!r) return r;
      }
    }
    if (matched == 0) {
      return fail(ErrorKind::config, fmt::format("{}: service {}: from = \"{}\" matches no file{}; check the path, or "
                                                 "declare it in outputs if the build writes it",
                                                 m.where.str(), service_, m.from.text(),
                                                 m.from.is_literal() ? ""
                                                                     : " (git-ignored files count only when "
                                                                       "declared as outputs)"));
    }
    return {};
  }

  bool tracked_below_or_self(const std::string& path) const { return tracked(path) || has_tracked_below(path); }

 private:
  const FileUniverse& u_;
  std::string_view service_;
};

}  // namespace

Result<packer::EntryList> resolve_mappings(const FileUniverse& universe, std::span<const graph::FileMapping> mappings,
                                           std::string_view service) {
  Resolver resolver(universe, service);
  packer::EntryList out;
  for (const graph::FileMapping& m : mappings) {
    auto r = resolver.resolve(m, out);
    if (!r) return std::unexpected(r.error());
  }
  return out;
}

Result<void> check_outputs(const fs::FileSystem& fs, std::span<const graph::PatternEntry> outputs,
                           std::string_view service) {
  for (const graph::PatternEntry& output : outputs) {
    std::string root(output.pattern.root());
    if (!fs.stat(root.empty() ? "." : root)) {
      return fail(ErrorKind::not_found,
                  fmt::format("{}: service {}: the build did not write its declared output \"{}\"; check the build "
                              "command or the outputs list",
                              output.where.str(), service, output.pattern.text()));
    }
  }
  return {};
}

}  // namespace wharf::workspace
