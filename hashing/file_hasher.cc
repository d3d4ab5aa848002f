#include "hashing/file_hasher.h"

#include <sys/stat.h>

#include <atomic>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "hashing/xxh3.h"
#include "util/sha.h"

namespace wharf::hashing {
namespace {

constexpr std::int64_t kNsPerSec = 1'000'000'000;

// What the serial pass decided for one file.
enum class Plan : std::uint8_t { done, missing, read_file, read_link };

struct Work {
  std::optional<fs::FileStat> stat;
  Error error{ErrorKind::io, ""};
  bool has_error = false;  // `error` holds why this file could not be stat-ed or read
  Plan plan = Plan::done;
};

}  // namespace

Digest128 blob_stand_in(std::string_view blob_id) {
  Xxh3 hasher;
  hasher.update("wharf-git-blob\0");
  hasher.update(blob_id);
  return hasher.digest();
}

std::array<std::uint8_t, 20> git_blob_id(std::string_view bytes) {
  std::string header = fmt::format("blob {}", bytes.size());
  header.push_back('\0');
  // Only files git's clean test could not vouch for get here: few.
  Sha1 sha;
  sha.update(header);
  sha.update(bytes);
  return sha.digest();
}

bool same_file_stat(const fs::FileStat& a, const fs::FileStat& b) {
  return a.type == b.type && a.size == b.size && a.mtime_ns == b.mtime_ns && a.ctime_ns == b.ctime_ns &&
         a.inode == b.inode && a.mode == b.mode;
}

std::uint32_t git_mode_of(const fs::FileStat& stat) {
  if (stat.type == fs::FileType::symlink) return kGitModeSymlink;
  return (stat.mode & S_IXUSR) ? kGitModeExecutable : kGitModeFile;
}

bool index_says_clean(const IndexFacts& facts, const fs::FileStat& stat) {
  if (facts.racy) return false;
  if (stat.type != fs::FileType::regular && stat.type != fs::FileType::symlink) return false;
  auto sec = [](std::int64_t ns) { return static_cast<std::uint32_t>(ns / kNsPerSec); };
  auto nsec = [](std::int64_t ns) { return static_cast<std::uint32_t>(ns % kNsPerSec); };
  return facts.mtime_sec == sec(stat.mtime_ns) && facts.mtime_nsec == nsec(stat.mtime_ns) &&
         facts.ctime_sec == sec(stat.ctime_ns) && facts.ctime_nsec == nsec(stat.ctime_ns) &&
         facts.ino == static_cast<std::uint32_t>(stat.inode) && facts.size == static_cast<std::uint32_t>(stat.size) &&
         facts.mode == git_mode_of(stat);
}

Result<std::vector<HashedFile>> FileHasher::hash(std::span<const FileToHash> files) {
  // Taken before any lstat: a record vouches only for files whose mtime is
  // older than the start of the run that wrote it (see kRacyMarginNs).
  const std::int64_t run_start_ns = fs_.now_ns();
  const std::size_t n = files.size();
  std::vector<HashedFile> out(n);
  std::vector<Work> work(n);
  // The path to give `fs_`: the relative one itself when there is no root
  // (no copy per file on the warm path), else joined into `buffer`.
  auto full_path = [this](const std::string& rel, std::string& buffer) -> const std::string& {
    if (root_.empty()) return rel;
    buffer.assign(root_).append("/").append(rel);
    return buffer;
  };
  constexpr std::size_t kGrain = 64;

  // (a) lstat everything, in parallel.
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, kGrain), [&](const tbb::blocked_range<std::size_t>& range) {
    std::string joined;
    for (std::size_t i = range.begin(); i != range.end(); ++i) {
      if (files[i].index && files[i].index->mode == kGitModeGitlink) continue;
      auto stat = fs_.stat(full_path(files[i].path, joined));
      if (stat) {
        work[i].stat = *stat;
      } else if (stat.error().kind != ErrorKind::not_found) {
        work[i].has_error = true;
        work[i].error = stat.error();
      }
    }
  });

  // (b), (c): cache lookups, serially (the caches are not thread-safe).
  std::size_t to_read = 0;
  std::size_t stat_puts = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const FileToHash& file = files[i];
    Work& w = work[i];
    HashedFile& result = out[i];
    if (w.has_error) return std::unexpected(w.error);
    if (file.index && file.index->mode == kGitModeGitlink) {
      // A submodule: its commit id is its content; nothing to read.
      result = HashedFile{true, kGitModeGitlink, blob_stand_in(file.index->blob_key())};
      continue;
    }
    if (!w.stat || (w.stat->type != fs::FileType::regular && w.stat->type != fs::FileType::symlink)) {
      w.plan = Plan::missing;
      continue;
    }
    const fs::FileStat& stat = *w.stat;
    result.present = true;
    result.mode = git_mode_of(stat);
    // Git's clean test first: it needs no lookup at all.
    if (file.index && index_says_clean(*file.index, stat)) {
      result.digest = blob_stand_in(file.index->blob_key());
      stats_.blob_hits++;
      continue;
    }
    if (stat_cache_) {
      std::optional<StatRecord> record = stat_cache_->find(file.path);
      if (record && same_file_stat(record->stat, stat) && stat.mtime_ns + kRacyMarginNs < record->recorded_ns) {
        result.digest = record->digest;
        stats_.stat_hits++;
        continue;
      }
    }
    w.plan = stat.type == fs::FileType::symlink ? Plan::read_link : Plan::read_file;
    ++to_read;
  }

  // (d) read and hash what is left, in parallel.
  std::atomic<std::uint64_t> bytes_read{0};
  std::atomic<bool> failed{false};
  if (to_read > 0) {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, kGrain), [&](const tbb::blocked_range<std::size_t>& range) {
      std::string buffer;
      std::string joined;
      std::uint64_t bytes = 0;
      for (std::size_t i = range.begin(); i != range.end(); ++i) {
        Work& w = work[i];
        if (w.plan != Plan::read_file && w.plan != Plan::read_link) continue;
        const std::string& path = full_path(files[i].path, joined);
        if (w.plan == Plan::read_link) {
          auto target = fs_.read_link(path);
          if (!target) {
            w.error = target.error();
            w.has_error = true;
            failed = true;
            continue;
          }
          buffer = std::move(*target);
        } else if (auto read = fs_.read_file_into(path, buffer); !read) {
          w.error = read.error();
          w.has_error = true;
          failed = true;
          continue;
        }
        bytes += buffer.size();
        const IndexFacts* index = files[i].index;
        out[i].digest =
            index && git_blob_id(buffer) == index->blob_id ? blob_stand_in(index->blob_key()) : xxh3_128(buffer);
      }
      bytes_read += bytes;
    });
  }
  if (failed) {
    for (const Work& w : work) {
      if (w.has_error) {
        return fail(w.error.kind == ErrorKind::not_found ? ErrorKind::io : w.error.kind,
                    fmt::format("{} (did it change while wharf was hashing?)", w.error.message));
      }
    }
  }

  // Remember what was read, serially again.
  for (std::size_t i = 0; i < n; ++i) {
    const Work& w = work[i];
    if (w.plan == Plan::missing) out[i] = HashedFile{};
    if (w.plan != Plan::read_file && w.plan != Plan::read_link) continue;
    if (stat_cache_) {
      stat_cache_->put(files[i].path, StatRecord{*w.stat, run_start_ns, out[i].digest});
      stat_puts++;
    }
  }
  stats_.files += n;
  stats_.files_read += to_read;
  stats_.bytes_read += bytes_read.load();
  // Nothing new (a warm run): leave the caches alone, no write transaction.
  if (stat_cache_ && stat_puts > 0) {
    if (auto committed = stat_cache_->commit(); !committed) return std::unexpected(committed.error());
  }
  return out;
}

}  // namespace wharf::hashing
