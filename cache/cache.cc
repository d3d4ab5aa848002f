#include "cache/cache.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "cache/check.h"
#include "cache/recovery.h"

namespace wharf::cache {
namespace {

// After a process died with the cache open: checks the environment (in a
// child process) or moves it aside. Returns the one warning to print, or ""
// when there is no environment to worry about.
Result<std::string> recover_after_crash(const std::string& db_dir, const std::vector<DeadMarker>& dead,
                                        LiveMarker& marker, const EnvOptions& options) {
  std::error_code ec;
  if (!std::filesystem::exists(db_dir + "/data.mdb", ec)) return std::string();
  std::string who = fmt::format("a wharf process ended with the cache open (marker {}{})", dead.front().path,
                                dead.size() > 1 ? fmt::format(" and {} more", dead.size() - 1) : "");
  std::string reason = "a check of it after an earlier crash did not finish";
  bool check_died =
      std::any_of(dead.begin(), dead.end(), [](const DeadMarker& m) { return m.state == MarkerState::checking; });
  if (!check_died) {
    // Should this process die in the check, the next one skips it.
    marker.set_state(MarkerState::checking);
    CheckOutcome outcome = check_in_child(db_dir, options);
    marker.set_state(MarkerState::open);
    if (outcome.sound) return fmt::format("{}; checked the cache in {}: {}", who, db_dir, outcome.detail);
    reason = outcome.detail;
  }
  auto moved = move_aside(db_dir);
  if (!moved) return std::unexpected(moved.error());
  return fmt::format("{}; the cache in {} failed its check ({}); moved it to {} and started an empty one", who, db_dir,
                     reason, *moved);
}

}  // namespace

Cache::Cache(std::string dir, LiveMarker marker, std::unique_ptr<LmdbEnv> env, const Clock& clock)
    : marker_(std::move(marker)),
      dir_(std::move(dir)),
      env_(std::move(env)),
      blobs_(dir_),
      artifacts_(*env_, blobs_, clock),
      ledger_(*env_) {}

Result<void> prepare_cache_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return fail(ErrorKind::io, fmt::format("cannot create cache directory {}: {}", dir, ec.message()));
  // The default cache lives in the work tree (.wharf/cache): keep git, and so
  // `wharf plan --worktree` and `wharf hash`, from seeing it as untracked.
  if (std::string ignore = dir + "/.gitignore"; !std::filesystem::exists(ignore, ec)) {
    std::string temp = ignore + ".tmp." + std::to_string(::getpid());
    if (std::FILE* file = std::fopen(temp.c_str(), "w")) {
      std::fputs("# wharf's cache; never commit it\n*\n", file);
      std::fclose(file);
      std::filesystem::rename(temp, ignore, ec);
    }
  }
  return ok();
}

Result<std::unique_ptr<Cache>> Cache::open(const std::string& dir, std::vector<std::string>& warnings,
                                           const CacheOptions& options) {
  if (auto prepared = prepare_cache_dir(dir); !prepared) return std::unexpected(prepared.error());
  auto lock = OpenLock::acquire(dir);
  if (!lock) return std::unexpected(lock.error());

  std::string db_dir = dir + "/db";
  std::vector<DeadMarker> dead = find_dead_markers(dir);
  auto marker = LiveMarker::create(dir);
  if (!marker) return std::unexpected(marker.error());
  if (!dead.empty()) {
    auto warning = recover_after_crash(db_dir, dead, *marker, options.env);
    if (!warning) return std::unexpected(warning.error());
    if (!warning->empty()) warnings.push_back(std::move(*warning));
    remove_markers(dead);
  }
  auto env = LmdbEnv::open(db_dir, options.env);
  if (!env && env.error().kind == ErrorKind::corrupt) {
    auto moved = move_aside(db_dir);
    if (!moved) return std::unexpected(moved.error());
    warnings.push_back(fmt::format("the cache in {} was unusable ({}); moved it to {} and started an empty one", db_dir,
                                   env.error().message, *moved));
    env = LmdbEnv::open(db_dir, options.env);
  }
  if (!env) return std::unexpected(env.error());
  std::unique_ptr<Cache> cache(new Cache(dir, std::move(*marker), std::move(*env), options.clock));
  if (auto r = cache->blobs_.init(); !r) return std::unexpected(r.error());
  return cache;
}

Result<std::string> resolve_cache_dir(std::string_view repo_root, std::string_view flag_value) {
  return resolve_cache_dir(repo_root, flag_value, std::getenv("WHARF_CACHE_DIR"));
}

Result<std::string> resolve_cache_dir(std::string_view repo_root, std::string_view flag_value, const char* env_value) {
  std::filesystem::path dir;
  if (!flag_value.empty()) {
    dir = flag_value;
  } else if (env_value && *env_value) {
    dir = env_value;
  } else if (!repo_root.empty()) {
    dir = std::filesystem::path(repo_root) / ".wharf" / "cache";
  } else {
    return fail(ErrorKind::usage,
                "no cache directory: not in a git repository; pass --cache-dir DIR or set WHARF_CACHE_DIR");
  }
  std::error_code ec;
  auto absolute = std::filesystem::absolute(dir, ec);
  if (ec) return fail(ErrorKind::io, fmt::format("cannot resolve cache directory {}: {}", dir.string(), ec.message()));
  std::string out = absolute.lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

}  // namespace wharf::cache
