// One LMDB environment with wharf's named databases, and the transaction
// discipline every store in cache/ goes through: write() grows the map and
// re-runs the body on MDB_MAP_FULL, adopts another process's larger map on
// MDB_MAP_RESIZED, and flags corruption so the next open() moves the files
// aside (see cache/recovery.h).
//
// Thread safety: an LmdbEnv and everything borrowing it (Txn, Snapshot, the
// stores) are used from one thread at a time. Several processes may open the
// same directory at once: LMDB locks across processes (never MDB_NOLOCK).
#pragma once

#include <lmdb.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace wharf::cache {

// The named databases; the order is the order of kDbNames.
// `parsed` holds what was parsed from git blobs, by "<what>/<blob id>"
// (lockfiles: plan/lockfiles.h): derived data that gc drops.
enum class Db { meta, stat, artifacts, transcripts, last_built, ledger, parsed };
inline constexpr std::size_t kDbCount = 7;
inline constexpr std::array<const char*, kDbCount> kDbNames = {"meta",       "stat",   "artifacts", "transcripts",
                                                               "last_built", "ledger", "parsed"};

inline constexpr std::size_t kDefaultMapSize = std::size_t{64} << 20;

// Stored under "format" in Db::meta; a different value is treated like
// corruption (moved aside), so an incompatible layout is never misread.
// Version 3 seals every value (cache/seal.h); the values of version 2 read as
// misses, so an old cache is reused, not moved aside.
inline constexpr std::string_view kFormatVersion = "wharf-cache/3";

// Txn::get's payload size for "any length".
inline constexpr std::size_t kAnySize = static_cast<std::size_t>(-1);

// Name of the marker file written into the environment directory when an
// operation hits MDB_CORRUPTED and friends; open() then refuses the files.
inline constexpr std::string_view kCorruptMarker = "CORRUPT";

struct EnvOptions {
  // The map starts at this size and doubles whenever a write needs more.
  std::size_t initial_map_size = kDefaultMapSize;
  // Growth stops here (ErrorKind::io).
  std::size_t max_map_size = std::size_t{1} << 40;
};

class LmdbEnv;

// A transaction handed to the body of LmdbEnv::read()/write(). Values
// returned by get()/scan() point into the map and are valid only until the
// transaction ends: decode or copy them inside the body.
//
// put() seals each value (cache/seal.h); get() and scan() hand out only
// values whose seal holds, and only after checking that the value's length
// stays inside data.mdb, so a damaged page is never read past the file's end
// (SIGBUS). A value that fails is a miss, counted in
// LmdbEnv::corrupt_records().
class Txn {
 public:
  // The value for `key`, or nullopt when there is none or it fails its
  // checks. With `payload_size` set, a value of another length is a miss
  // before any of its bytes is read.
  Result<std::optional<std::string_view>> get(Db db, std::string_view key, std::size_t payload_size = kAnySize);
  Result<void> put(Db db, std::string_view key, std::string_view value);
  // Whether the key existed.
  Result<bool> del(Db db, std::string_view key);
  // Calls fn(key, value) for each entry whose key is >= `from` and whose
  // value passes its checks, in key order, until fn returns false.
  Result<void> scan(Db db, std::string_view from,
                    const std::function<bool(std::string_view key, std::string_view value)>& fn);
  // Like scan() from the first key, but calls fn for every entry: with
  // nullopt for a value that fails its checks (damaged, or unsealed by an
  // older wharf), so that such entries can be counted and deleted.
  Result<void> scan_all(Db db,
                        const std::function<bool(std::string_view key, std::optional<std::string_view> value)>& fn);

  // The first LMDB error code seen in this transaction (0 if none).
  int failure() const { return failure_; }

 private:
  friend class LmdbEnv;
  friend class Snapshot;
  Txn(LmdbEnv& env, MDB_txn* txn, bool writable = false) : env_(&env), txn_(txn), writable_(writable) {}
  Error fail_with(int rc, std::string_view what);
  Result<void> walk(Db db, std::string_view from,
                    const std::function<bool(std::string_view key, std::optional<std::string_view> value)>& fn);

  LmdbEnv* env_;
  MDB_txn* txn_;
  // A write transaction's values may sit in pages it copied to the heap.
  bool writable_;
  int failure_ = 0;
};

// A read snapshot kept open across calls (for the stat cache's many lookups
// during one hashing run). The environment may end it at any time (before it
// resizes the map); txn() then begins a fresh one.
class Snapshot {
 public:
  explicit Snapshot(LmdbEnv& env);
  ~Snapshot();
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  // The snapshot's transaction, begun on first use.
  Result<Txn*> txn();
  // Ends the transaction; the next txn() sees the latest committed data.
  void release();

 private:
  LmdbEnv* env_;
  std::optional<Txn> txn_;
};

struct DbUsage {
  std::uint64_t entries = 0;
  std::uint64_t bytes = 0;  // pages (branch, leaf, overflow) * page size
};

struct EnvUsage {
  std::uint64_t map_size = 0;         // current map size of this process
  std::uint64_t used_bytes = 0;       // pages in use * page size
  std::uint64_t data_file_bytes = 0;  // size of data.mdb on disk
};

class LmdbEnv {
 public:
  // Opens or creates the environment in `dir` (created if missing) and its
  // named databases. ErrorKind::corrupt when the files are unusable: LMDB
  // rejects them (MDB_INVALID, MDB_VERSION_MISMATCH, ...), data.mdb is
  // shorter than its meta page says, the format record differs, or a
  // corruption marker is present. Other failures are ErrorKind::io.
  static Result<std::unique_ptr<LmdbEnv>> open(const std::string& dir, const EnvOptions& options = {});

  ~LmdbEnv();
  LmdbEnv(const LmdbEnv&) = delete;
  LmdbEnv& operator=(const LmdbEnv&) = delete;

  // Runs `body` in a write transaction and commits it. On MDB_MAP_FULL
  // (from a put or the commit) the map doubles and `body` runs again from
  // the start, so it must be safe to repeat (no side effects it cannot
  // redo). If `body` fails for any other reason nothing is written.
  // Must not be called from inside read()/write() bodies.
  Result<void> write(const std::function<Result<void>(Txn&)>& body);
  // Runs `body` in a read-only transaction.
  Result<void> read(const std::function<Result<void>(Txn&)>& body);
  // One value, copied out of its own read transaction; nullopt when absent.
  Result<std::optional<std::string>> get(Db db, std::string_view key);

  const std::string& dir() const { return dir_; }
  // How often this process grew the map (for tests).
  int growth_count() const { return growth_count_; }
  Result<DbUsage> usage(Db db);
  Result<EnvUsage> usage();

  // Writes the corruption marker so the next open() moves the files aside.
  void mark_corrupt();

  // Walks every database in one read transaction, checking every value's
  // length and seal, and LMDB's free list (page numbers inside the file).
  // Returns how many values it checked; ErrorKind::corrupt on any damage.
  // Values of an older format (unsealed) are not damage.
  Result<std::uint64_t> verify();

  // Values that failed their seal or length check in this process (misses).
  std::uint64_t corrupt_records() const { return corrupt_records_; }

 private:
  friend class Txn;
  friend class Snapshot;
  LmdbEnv(std::string dir, const EnvOptions& options) : dir_(std::move(dir)), options_(options) {}

  Result<void> open_files();
  Result<void> check_file_length();
  Result<void> open_databases();
  // Begins a transaction, adopting a larger map set by another process.
  Result<MDB_txn*> begin(unsigned flags);
  Result<void> grow();
  void release_snapshots();
  MDB_dbi dbi(Db db) const { return dbis_[static_cast<std::size_t>(db)]; }
  // The payload of a stored value, or nullopt (counted when damaged).
  std::optional<std::string_view> checked(std::string_view key, const MDB_val& value, std::size_t payload_size,
                                          bool writable);
  // Whether [value, value + size) lies in the part of the map that data.mdb
  // backs; with `writable`, a value outside the map (a page the write
  // transaction copied) passes too.
  bool in_file(const MDB_val& value, bool writable);
  void refresh_bounds();
  Result<void> verify_free_list(Txn& txn);

  std::string dir_;
  EnvOptions options_;
  MDB_env* env_ = nullptr;
  std::array<MDB_dbi, kDbCount> dbis_{};
  std::vector<Snapshot*> snapshots_;
  int growth_count_ = 0;
  std::uintptr_t map_begin_ = 0;  // where data.mdb is mapped (refresh_bounds)
  std::size_t map_bytes_ = 0;     // the map's size
  std::size_t file_bytes_ = 0;    // how much of it data.mdb backs
  std::uint64_t corrupt_records_ = 0;
};

// True for the LMDB codes that mean the files cannot be trusted.
bool is_corruption(int rc);

}  // namespace wharf::cache
