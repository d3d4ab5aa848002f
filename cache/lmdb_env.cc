#include "cache/lmdb_env.h"

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "cache/seal.h"

namespace wharf::cache {
namespace {

MDB_val to_val(std::string_view bytes) { return MDB_val{bytes.size(), const_cast<char*>(bytes.data())}; }

std::string_view from_val(const MDB_val& val) { return {static_cast<const char*>(val.mv_data), val.mv_size}; }

// A full disk or quota. LMDB turns a short write into EIO, so an EIO with
// (almost) nothing left on the cache's file system counts too.
bool disk_full(int rc, const std::string& dir) {
  if (rc == ENOSPC || rc == EDQUOT) return true;
  struct statvfs fs;
  return rc == EIO && ::statvfs(dir.c_str(), &fs) == 0 && fs.f_bavail * fs.f_frsize < (std::uint64_t{1} << 20);
}

Error lmdb_error(int rc, std::string_view what, const std::string& dir) {
  if (disk_full(rc, dir)) {
    return Error{ErrorKind::io, fmt::format("cache {} ({}): the disk is full (no space left on the device holding {}); "
                                            "free some space or run `wharf cache gc`, or use a cache on another disk "
                                            "(--cache-dir or WHARF_CACHE_DIR)",
                                            what, dir, dir)};
  }
  return Error{is_corruption(rc) ? ErrorKind::corrupt : ErrorKind::io,
               fmt::format("cache {} ({}): {}", what, dir, mdb_strerror(rc))};
}

// Where this process mapped the file (dev, ino) at offset 0, or 0. LMDB does
// not say (MDB_envinfo::me_mapaddr is set only with MDB_FIXEDMAP), so read
// /proc/self/maps: only at open and when the map size changes.
std::uintptr_t find_mapping(dev_t dev, ino_t ino) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    unsigned long begin = 0, end = 0, offset = 0, inode = 0;
    unsigned int dev_major = 0, dev_minor = 0;
    char perms[8] = {};
    if (std::sscanf(line.c_str(), "%lx-%lx %7s %lx %x:%x %lu", &begin, &end, perms, &offset, &dev_major, &dev_minor,
                    &inode) != 7) {
      continue;
    }
    if (inode == ino && offset == 0 && dev_major == major(dev) && dev_minor == minor(dev)) return begin;
  }
  return 0;
}

// Closes a cursor when the scan ends, however it ends.
struct CursorCloser {
  MDB_cursor* cursor;
  ~CursorCloser() { mdb_cursor_close(cursor); }
};

}  // namespace

bool is_corruption(int rc) {
  return rc == MDB_CORRUPTED || rc == MDB_PAGE_NOTFOUND || rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH ||
         rc == MDB_PANIC || rc == MDB_INCOMPATIBLE;
}

// --- Txn ---

Error Txn::fail_with(int rc, std::string_view what) {
  if (failure_ == 0) failure_ = rc;
  if (is_corruption(rc)) env_->mark_corrupt();
  return lmdb_error(rc, what, env_->dir());
}

Result<std::optional<std::string_view>> Txn::get(Db db, std::string_view key, std::size_t payload_size) {
  MDB_val k = to_val(key);
  MDB_val v;
  int rc = mdb_get(txn_, env_->dbi(db), &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<std::string_view>();
  if (rc != 0) return std::unexpected(fail_with(rc, "read"));
  return env_->checked(key, v, payload_size, writable_);
}

Result<void> Txn::put(Db db, std::string_view key, std::string_view value) {
  MDB_val k = to_val(key);
  std::string sealed = seal(key, value);
  MDB_val v = to_val(sealed);
  int rc = mdb_put(txn_, env_->dbi(db), &k, &v, 0);
  if (rc != 0) return std::unexpected(fail_with(rc, "write"));
  return ok();
}

Result<bool> Txn::del(Db db, std::string_view key) {
  MDB_val k = to_val(key);
  int rc = mdb_del(txn_, env_->dbi(db), &k, nullptr);
  if (rc == MDB_NOTFOUND) return false;
  if (rc != 0) return std::unexpected(fail_with(rc, "delete"));
  return true;
}

Result<void> Txn::scan(Db db, std::string_view from,
                       const std::function<bool(std::string_view, std::string_view)>& fn) {
  return walk(db, from,
              [&](std::string_view key, std::optional<std::string_view> value) { return !value || fn(key, *value); });
}

Result<void> Txn::scan_all(Db db, const std::function<bool(std::string_view, std::optional<std::string_view>)>& fn) {
  return walk(db, "", fn);
}

Result<void> Txn::walk(Db db, std::string_view from,
                       const std::function<bool(std::string_view, std::optional<std::string_view>)>& fn) {
  MDB_cursor* cursor = nullptr;
  int rc = mdb_cursor_open(txn_, env_->dbi(db), &cursor);
  if (rc != 0) return std::unexpected(fail_with(rc, "scan"));
  CursorCloser closer{cursor};
  MDB_val k = to_val(from);
  MDB_val v;
  rc = mdb_cursor_get(cursor, &k, &v, from.empty() ? MDB_FIRST : MDB_SET_RANGE);
  while (rc == 0) {
    std::string_view key = from_val(k);
    if (!fn(key, env_->checked(key, v, kAnySize, writable_))) return ok();
    rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT);
  }
  if (rc != MDB_NOTFOUND) return std::unexpected(fail_with(rc, "scan"));
  return ok();
}

// --- Snapshot ---

Snapshot::Snapshot(LmdbEnv& env) : env_(&env) { env_->snapshots_.push_back(this); }

Snapshot::~Snapshot() {
  release();
  std::erase(env_->snapshots_, this);
}

Result<Txn*> Snapshot::txn() {
  if (!txn_) {
    auto raw = env_->begin(MDB_RDONLY);
    if (!raw) return std::unexpected(raw.error());
    txn_ = Txn(*env_, *raw);
  }
  return &*txn_;
}

void Snapshot::release() {
  if (txn_) {
    mdb_txn_abort(txn_->txn_);
    txn_.reset();
  }
}

// --- LmdbEnv ---

Result<std::unique_ptr<LmdbEnv>> LmdbEnv::open(const std::string& dir, const EnvOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fail(ErrorKind::io, fmt::format("cannot create cache directory {}: {}", dir, ec.message()));
  fs::path marker = fs::path(dir) / kCorruptMarker;
  if (fs::exists(marker, ec)) {
    std::ifstream in(marker);
    std::string reason;
    std::getline(in, reason);
    return fail(ErrorKind::corrupt, fmt::format("an earlier run found the cache corrupt ({})", reason));
  }
  // A zero-length data.mdb would be silently re-initialized by LMDB; callers
  // serialize opens (Cache::open), so here it cannot be a concurrent create.
  fs::path data = fs::path(dir) / "data.mdb";
  bool was_empty = fs::exists(data, ec) && fs::file_size(data, ec) == 0 && !ec;

  std::unique_ptr<LmdbEnv> env(new LmdbEnv(dir, options));
  if (auto r = env->open_files(); !r) return std::unexpected(r.error());
  if (auto r = env->check_file_length(); !r) return std::unexpected(r.error());
  env->refresh_bounds();
  if (was_empty) return fail(ErrorKind::corrupt, fmt::format("{} is empty", data.string()));
  if (auto r = env->open_databases(); !r) return std::unexpected(r.error());
  return env;
}

LmdbEnv::~LmdbEnv() {
  for (Snapshot* snapshot : snapshots_) snapshot->release();
  if (env_) mdb_env_close(env_);
}

Result<void> LmdbEnv::open_files() {
  int rc = mdb_env_create(&env_);
  if (rc == 0) rc = mdb_env_set_maxdbs(env_, kDbCount + 4);
  if (rc == 0) rc = mdb_env_set_mapsize(env_, options_.initial_map_size);
  if (rc != 0) return std::unexpected(lmdb_error(rc, "setup", dir_));
  // MDB_NOTLS: a Snapshot and short read transactions coexist in one thread.
  rc = mdb_env_open(env_, dir_.c_str(), MDB_NOTLS, 0644);
  // EINVAL here means LMDB rejected data.mdb's meta pages (the flags are fixed).
  if (rc == EINVAL) return fail(ErrorKind::corrupt, fmt::format("cache open ({}): LMDB rejects data.mdb", dir_));
  if (rc != 0) return std::unexpected(lmdb_error(rc, "open", dir_));
  int dead = 0;
  mdb_reader_check(env_, &dead);  // frees reader slots of crashed processes
  return ok();
}

// A truncated data.mdb still has valid meta pages, but touching a page past
// its end through the map would kill the process with SIGBUS.
Result<void> LmdbEnv::check_file_length() {
  MDB_envinfo info;
  MDB_stat stat;
  int fd = -1;
  int rc = mdb_env_info(env_, &info);
  if (rc == 0) rc = mdb_env_stat(env_, &stat);
  if (rc == 0) rc = mdb_env_get_fd(env_, &fd);
  if (rc != 0) return std::unexpected(lmdb_error(rc, "inspect", dir_));
  struct stat st;
  if (fstat(fd, &st) != 0) return fail(ErrorKind::io, fmt::format("cannot stat {}/data.mdb", dir_));
  auto needed = static_cast<std::uint64_t>(info.me_last_pgno + 1) * stat.ms_psize;
  if (static_cast<std::uint64_t>(st.st_size) < needed) {
    return fail(ErrorKind::corrupt,
                fmt::format("{}/data.mdb is truncated ({} bytes, its header says {})", dir_, st.st_size, needed));
  }
  return ok();
}

Result<void> LmdbEnv::open_databases() {
  // Usually everything exists: open it read-only, without a write and fsync.
  auto raw = begin(MDB_RDONLY);
  if (!raw) return std::unexpected(raw.error());
  bool complete = true;
  for (std::size_t i = 0; i < kDbCount && complete; ++i) {
    int rc = mdb_dbi_open(*raw, kDbNames[i], 0, &dbis_[i]);
    if (rc == MDB_NOTFOUND) {
      complete = false;
    } else if (rc != 0) {
      mdb_txn_abort(*raw);
      return std::unexpected(lmdb_error(rc, "open databases", dir_));
    }
  }
  if (complete) {
    Txn txn(*this, *raw);
    auto format = txn.get(Db::meta, "format");
    if (!format) {
      mdb_txn_abort(*raw);
      return std::unexpected(format.error());
    }
    if (*format && **format != kFormatVersion) {
      std::string found(**format);
      mdb_txn_abort(*raw);
      return fail(ErrorKind::corrupt, fmt::format("unknown cache format '{}'", found));
    }
    if (*format) {
      int rc = mdb_txn_commit(*raw);  // a read-only commit keeps the handles
      if (rc != 0) return std::unexpected(lmdb_error(rc, "open databases", dir_));
      return ok();
    }
  }
  mdb_txn_abort(*raw);
  return write([this](Txn& txn) -> Result<void> {
    for (std::size_t i = 0; i < kDbCount; ++i) {
      int rc = mdb_dbi_open(txn.txn_, kDbNames[i], MDB_CREATE, &dbis_[i]);
      if (rc != 0) return std::unexpected(txn.fail_with(rc, "create databases"));
    }
    auto format = txn.get(Db::meta, "format");
    if (!format) return std::unexpected(format.error());
    if (*format && **format != kFormatVersion) {
      return fail(ErrorKind::corrupt, fmt::format("unknown cache format '{}'", **format));
    }
    if (*format) return ok();
    return txn.put(Db::meta, "format", kFormatVersion);
  });
}

Result<MDB_txn*> LmdbEnv::begin(unsigned flags) {
  for (int attempt = 0;; ++attempt) {
    MDB_txn* txn = nullptr;
    int rc = mdb_txn_begin(env_, nullptr, flags, &txn);
    if (rc == 0) return txn;
    if (rc != MDB_MAP_RESIZED || attempt >= 3) return std::unexpected(lmdb_error(rc, "begin", dir_));
    // Another process grew the map: adopt its size (needs no open txn here).
    release_snapshots();
    rc = mdb_env_set_mapsize(env_, 0);
    if (rc != 0) return std::unexpected(lmdb_error(rc, "resize", dir_));
    refresh_bounds();
  }
}

std::optional<std::string_view> LmdbEnv::checked(std::string_view key, const MDB_val& value, std::size_t payload_size,
                                                 bool writable) {
  // Length first, touching no byte of the value: a damaged node can claim
  // megabytes that run past the end of data.mdb.
  if (!in_file(value, writable)) {
    ++corrupt_records_;
    mark_corrupt();  // the page structure itself is broken: start afresh next run
    return std::nullopt;
  }
  std::string_view stored = from_val(value);
  if (payload_size != kAnySize && stored.size() != payload_size + kSealOverhead) {
    if (unseal(key, stored.substr(0, 1)).check != SealCheck::foreign) ++corrupt_records_;
    return std::nullopt;
  }
  Unsealed unsealed = unseal(key, stored);
  if (unsealed.check == SealCheck::damaged) ++corrupt_records_;
  if (unsealed.check != SealCheck::ok) return std::nullopt;
  return unsealed.payload;
}

bool LmdbEnv::in_file(const MDB_val& value, bool writable) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto begin = reinterpret_cast<std::uintptr_t>(value.mv_data);
    if (begin >= map_begin_ && value.mv_size <= file_bytes_ && begin - map_begin_ <= file_bytes_ - value.mv_size) {
      return true;
    }
    if (writable && (begin < map_begin_ || begin - map_begin_ >= map_bytes_)) return true;
    // Another process may have grown the file or this one the map since.
    if (attempt == 0) refresh_bounds();
  }
  return false;
}

void LmdbEnv::refresh_bounds() {
  MDB_envinfo info;
  int fd = -1;
  struct stat st;
  if (mdb_env_info(env_, &info) != 0 || mdb_env_get_fd(env_, &fd) != 0 || fstat(fd, &st) != 0) {
    map_begin_ = 0;
    map_bytes_ = 0;
    file_bytes_ = 0;  // every value reads as a miss: slower, never wrong
    return;
  }
  // The map moves only when its size changes (open, grow, adopt).
  if (map_begin_ == 0 || map_bytes_ != info.me_mapsize) {
    map_begin_ = find_mapping(st.st_dev, st.st_ino);
    map_bytes_ = map_begin_ == 0 ? 0 : info.me_mapsize;
  }
  file_bytes_ = map_begin_ == 0 ? 0 : std::min(static_cast<std::size_t>(st.st_size), info.me_mapsize);
}

Result<void> LmdbEnv::grow() {
  release_snapshots();
  MDB_envinfo info;
  int rc = mdb_env_info(env_, &info);
  if (rc != 0) return std::unexpected(lmdb_error(rc, "inspect", dir_));
  std::size_t next = info.me_mapsize * 2;
  if (next > options_.max_map_size) {
    return fail(ErrorKind::io, fmt::format("cache {} is full: its map would exceed {} bytes; run `wharf cache gc`",
                                           dir_, options_.max_map_size));
  }
  rc = mdb_env_set_mapsize(env_, next);
  if (rc != 0) return std::unexpected(lmdb_error(rc, "grow", dir_));
  refresh_bounds();
  ++growth_count_;
  return ok();
}

void LmdbEnv::release_snapshots() {
  for (Snapshot* snapshot : snapshots_) snapshot->release();
}

Result<void> LmdbEnv::write(const std::function<Result<void>(Txn&)>& body) {
  for (;;) {
    auto raw = begin(0);
    if (!raw) return std::unexpected(raw.error());
    Txn txn(*this, *raw, /*writable=*/true);
    auto result = body(txn);
    int rc = txn.failure();
    if (!result || rc != 0) {
      mdb_txn_abort(*raw);
      if (rc != MDB_MAP_FULL) {
        if (result) return std::unexpected(lmdb_error(rc, "write", dir_));
        return result;
      }
    } else {
      rc = mdb_txn_commit(*raw);  // frees the transaction whatever happens
      if (rc == 0) return ok();
      if (rc != MDB_MAP_FULL) {
        if (is_corruption(rc)) mark_corrupt();
        return std::unexpected(lmdb_error(rc, "commit", dir_));
      }
    }
    if (auto grown = grow(); !grown) return grown;
  }
}

Result<void> LmdbEnv::read(const std::function<Result<void>(Txn&)>& body) {
  auto raw = begin(MDB_RDONLY);
  if (!raw) return std::unexpected(raw.error());
  Txn txn(*this, *raw);
  auto result = body(txn);
  mdb_txn_abort(*raw);
  return result;
}

Result<std::optional<std::string>> LmdbEnv::get(Db db, std::string_view key) {
  std::optional<std::string> out;
  auto result = read([&](Txn& txn) -> Result<void> {
    auto value = txn.get(db, key);
    if (!value) return std::unexpected(value.error());
    if (*value) out = std::string(**value);
    return ok();
  });
  if (!result) return std::unexpected(result.error());
  return out;
}

Result<DbUsage> LmdbEnv::usage(Db db) {
  DbUsage usage;
  auto result = read([&](Txn& txn) -> Result<void> {
    MDB_stat stat;
    int rc = mdb_stat(txn.txn_, dbi(db), &stat);
    if (rc != 0) return std::unexpected(txn.fail_with(rc, "stat"));
    usage.entries = stat.ms_entries;
    usage.bytes = (stat.ms_branch_pages + stat.ms_leaf_pages + stat.ms_overflow_pages) * std::uint64_t{stat.ms_psize};
    return ok();
  });
  if (!result) return std::unexpected(result.error());
  return usage;
}

Result<EnvUsage> LmdbEnv::usage() {
  MDB_envinfo info;
  MDB_stat stat;
  int rc = mdb_env_info(env_, &info);
  if (rc == 0) rc = mdb_env_stat(env_, &stat);
  if (rc != 0) return std::unexpected(lmdb_error(rc, "inspect", dir_));
  EnvUsage usage;
  usage.map_size = info.me_mapsize;
  usage.used_bytes = static_cast<std::uint64_t>(info.me_last_pgno + 1) * stat.ms_psize;
  std::error_code ec;
  auto size = std::filesystem::file_size(std::filesystem::path(dir_) / "data.mdb", ec);
  usage.data_file_bytes = ec ? 0 : size;
  return usage;
}

Result<std::uint64_t> LmdbEnv::verify() {
  std::uint64_t checked = 0;
  std::uint64_t damaged_before = corrupt_records_;
  auto walked = read([&](Txn& txn) -> Result<void> {
    for (std::size_t i = 0; i < kDbCount; ++i) {
      auto scanned = txn.scan(static_cast<Db>(i), "", [&](std::string_view, std::string_view) {
        ++checked;
        return true;
      });
      if (!scanned) return scanned;
    }
    return verify_free_list(txn);
  });
  if (!walked) return std::unexpected(walked.error());
  if (corrupt_records_ != damaged_before) {
    return fail(ErrorKind::corrupt,
                fmt::format("{} of its records failed their checksum", corrupt_records_ - damaged_before));
  }
  return checked;
}

// The free list (database 0) holds, per old transaction, a count and that
// many page numbers; a writer would reuse those pages, so they must exist.
Result<void> LmdbEnv::verify_free_list(Txn& txn) {
  MDB_envinfo info;
  if (int rc = mdb_env_info(env_, &info); rc != 0) return std::unexpected(txn.fail_with(rc, "inspect"));
  MDB_cursor* cursor = nullptr;
  if (int rc = mdb_cursor_open(txn.txn_, 0, &cursor); rc != 0) return std::unexpected(txn.fail_with(rc, "scan"));
  CursorCloser closer{cursor};
  MDB_val k;
  MDB_val v;
  int rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST);
  for (; rc == 0; rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
    if (!in_file(v, false) || v.mv_size < sizeof(std::size_t) || v.mv_size % sizeof(std::size_t) != 0) {
      return fail(ErrorKind::corrupt, "LMDB's free list is damaged");
    }
    const auto* ids = static_cast<const std::size_t*>(v.mv_data);
    std::size_t count = v.mv_size / sizeof(std::size_t) - 1;
    if (ids[0] != count) return fail(ErrorKind::corrupt, "LMDB's free list is damaged");
    for (std::size_t i = 1; i <= count; ++i) {
      if (ids[i] < 2 || ids[i] > info.me_last_pgno) {
        return fail(ErrorKind::corrupt, fmt::format("LMDB's free list names page {} beyond the file", ids[i]));
      }
    }
  }
  if (rc != MDB_NOTFOUND) return std::unexpected(txn.fail_with(rc, "scan"));
  return ok();
}

void LmdbEnv::mark_corrupt() {
  std::ofstream out(std::filesystem::path(dir_) / kCorruptMarker);
  out << "LMDB reported corruption while reading or writing\n";
}

}  // namespace wharf::cache
