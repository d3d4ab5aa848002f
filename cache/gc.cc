#include "cache/gc.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <utility>

#include "cache/undecodable.h"

namespace wharf::cache {
namespace {

// The databases whose undecodable records gc deletes (meta's format record
// is checked, and its absence handled, when the environment opens).
constexpr Db kSweptDbs[] = {Db::stat, Db::artifacts, Db::transcripts, Db::last_built, Db::ledger};

struct Live {
  std::string key;
  ArtifactRecord record;
  std::vector<std::string> digests;  // its blobs, each once
  bool keep = false;
};

struct Plan {
  GcReport report;
  std::vector<std::pair<Db, std::string>> undecodable;
  std::vector<std::string> transcripts_to_remove;
  std::vector<std::string> parsed_to_remove;
};

// Reads the keys of a database into a set, applying `pick` to each entry.
template <class Pick>
Result<std::set<std::string>> collect(Txn& txn, Db db, Pick pick) {
  std::set<std::string> out;
  auto scanned = txn.scan(db, "", [&](std::string_view key, std::string_view value) {
    pick(out, key, value);
    return true;
  });
  if (!scanned) return std::unexpected(scanned.error());
  return out;
}

bool more_recent(const Live& a, const Live& b) {
  if (a.record.last_used_ns != b.record.last_used_ns) return a.record.last_used_ns > b.record.last_used_ns;
  if (a.record.created_ns != b.record.created_ns) return a.record.created_ns > b.record.created_ns;
  return a.key > b.key;
}

void protect_newest_per_service(std::vector<Live>& live, std::size_t keep_n) {
  std::map<std::string, std::vector<Live*>> by_service;
  for (auto& entry : live) by_service[entry.record.service].push_back(&entry);
  for (auto& [service, entries] : by_service) {
    std::sort(entries.begin(), entries.end(), [](const Live* a, const Live* b) { return more_recent(*a, *b); });
    for (std::size_t i = 0; i < entries.size() && i < keep_n; ++i) entries[i]->keep = true;
  }
}

std::vector<std::string> distinct_digests(const ArtifactRecord& record) {
  std::set<std::string> digests;
  for (const auto& blob : blobs_of(record)) digests.insert(blob.digest);
  return {digests.begin(), digests.end()};
}

// Every artifact record, the undecodable ones (by key) apart.
Result<std::vector<Live>> read_artifacts(Txn& txn, Plan& plan) {
  std::vector<Live> all;
  auto scanned = txn.scan_all(Db::artifacts, [&](std::string_view key, std::optional<std::string_view> value) {
    auto record = value ? decode_artifact(*value) : std::nullopt;
    if (record) {
      auto digests = distinct_digests(*record);
      all.push_back({std::string(key), std::move(*record), std::move(digests)});
    } else {
      plan.undecodable.emplace_back(Db::artifacts, key);
    }
    return true;
  });
  if (!scanned) return std::unexpected(scanned.error());
  for (Db db : kSweptDbs) {
    if (db == Db::artifacts) continue;
    auto keys = undecodable_keys(txn, db);
    if (!keys) return std::unexpected(keys.error());
    for (auto& key : *keys) plan.undecodable.emplace_back(db, std::move(key));
  }
  plan.report.undecodable_records = plan.undecodable.size();
  return all;
}

Result<Plan> plan_gc(Txn& txn, const BlobStore& blobs, const GcOptions& options) {
  Plan plan;
  GcReport& report = plan.report;
  report.dry_run = options.dry_run == DryRun::yes;

  auto all = read_artifacts(txn, plan);
  if (!all) return std::unexpected(all.error());
  // What was parsed from git blobs (lockfiles) is derived and unbounded: a
  // collection drops all of it; the next plan parses what it needs again.
  auto parsed = txn.scan_all(Db::parsed, [&](std::string_view key, std::optional<std::string_view>) {
    plan.parsed_to_remove.emplace_back(key);
    return true;
  });
  if (!parsed) return std::unexpected(parsed.error());
  report.parsed_records = plan.parsed_to_remove.size();

  std::set<std::string> ledger_digests;
  auto ledger_keys = collect(txn, Db::ledger, [&](auto& out, std::string_view, std::string_view value) {
    if (auto entry = decode_ledger(value)) {
      out.insert(entry->input_key);
      ledger_digests.insert(entry->artifact_digest);
    }
  });
  if (!ledger_keys) return std::unexpected(ledger_keys.error());
  auto last_built_keys =
      collect(txn, Db::last_built, [](auto& out, std::string_view, std::string_view value) { out.emplace(value); });
  if (!last_built_keys) return std::unexpected(last_built_keys.error());
  auto on_disk_list = blobs.list();
  if (!on_disk_list) return std::unexpected(on_disk_list.error());
  std::map<std::string, BlobInfo> on_disk;
  for (auto& blob : *on_disk_list) {
    report.bytes_before += blob.size;
    on_disk.emplace(blob.digest, std::move(blob));
  }

  // Records missing any of their blobs are useless: drop them first.
  std::vector<Live> live;
  std::map<std::string, int> refs;  // by digest: how many live records list it
  for (auto& entry : *all) {
    if (!std::all_of(entry.digests.begin(), entry.digests.end(),
                     [&](const std::string& digest) { return on_disk.contains(digest); })) {
      report.removed.push_back({entry.key, entry.record, RemovalReason::dangling});
      continue;
    }
    for (const auto& digest : entry.digests) ++refs[digest];
    if (ledger_keys->contains(entry.key) || ledger_digests.contains(entry.record.digest)) {
      entry.keep = true;
      ++report.ledger_protected;
    }
    live.push_back(std::move(entry));
  }

  // Each blob counts once, however many records list it. One nobody lists
  // goes once it is older than the grace period; a younger one may belong
  // to a build that stored its blobs and is about to record them.
  std::int64_t cutoff = system_clock_ns() - options.unreferenced_grace.count();
  std::uint64_t total = 0;
  for (const auto& [digest, blob] : on_disk) {
    bool listed = refs.contains(digest) || ledger_digests.contains(digest);
    if (!listed && blob.changed_ns < cutoff) {
      report.removed_blobs.push_back(blob);
      continue;
    }
    if (!listed) ++report.spared_blobs;
    total += blob.size;
  }

  protect_newest_per_service(live, options.keep_per_service);
  std::vector<Live*> order;
  for (auto& entry : live) order.push_back(&entry);
  std::sort(order.begin(), order.end(), [](const Live* a, const Live* b) { return more_recent(*b, *a); });
  std::size_t lru_removed = 0;
  for (Live* entry : order) {
    if (total <= options.max_size_bytes) break;
    if (entry->keep) continue;
    report.removed.push_back({entry->key, entry->record, RemovalReason::lru});
    ++lru_removed;
    // A blob goes with the last record that lists it (a base layer shared
    // by every image stays while one of them is kept).
    for (const auto& digest : entry->digests) {
      if (--refs[digest] == 0 && !ledger_digests.contains(digest)) {
        report.removed_blobs.push_back(on_disk[digest]);
        total -= on_disk[digest].size;
      }
    }
  }
  report.kept = live.size() - lru_removed;
  report.bytes_after = total;
  std::sort(report.removed_blobs.begin(), report.removed_blobs.end(),
            [](const BlobInfo& a, const BlobInfo& b) { return a.digest < b.digest; });

  for (const auto& removed : report.removed) {
    if (!last_built_keys->contains(removed.key)) plan.transcripts_to_remove.push_back(removed.key);
  }
  for (const auto& [db, key] : plan.undecodable) {
    if (db == Db::artifacts && !last_built_keys->contains(key)) plan.transcripts_to_remove.push_back(key);
  }
  return plan;
}

Result<void> apply_gc(Txn& txn, const BlobStore& blobs, const Plan& plan) {
  for (const auto& [db, key] : plan.undecodable) {
    if (auto r = txn.del(db, key); !r) return std::unexpected(r.error());
  }
  for (const auto& removed : plan.report.removed) {
    if (auto r = txn.del(Db::artifacts, removed.key); !r) return std::unexpected(r.error());
  }
  for (const auto& key : plan.transcripts_to_remove) {
    if (auto r = txn.del(Db::transcripts, key); !r) return std::unexpected(r.error());
  }
  for (const auto& key : plan.parsed_to_remove) {
    if (auto r = txn.del(Db::parsed, key); !r) return std::unexpected(r.error());
  }
  // Deleted before the commit, under the writer lock: a failed commit leaves
  // records without blobs, which read as misses; never the reverse.
  for (const auto& blob : plan.report.removed_blobs) {
    if (auto r = blobs.remove(blob.digest); !r) return std::unexpected(r.error());
  }
  return ok();
}

}  // namespace

Result<GcReport> collect_garbage(Cache& cache, const GcOptions& options) {
  Plan plan;
  if (options.dry_run == DryRun::yes) {
    auto read = cache.env().read([&](Txn& txn) -> Result<void> {
      auto planned = plan_gc(txn, cache.blobs(), options);
      if (!planned) return std::unexpected(planned.error());
      plan = std::move(*planned);
      return ok();
    });
    if (!read) return std::unexpected(read.error());
    return plan.report;
  }
  auto written = cache.env().write([&](Txn& txn) -> Result<void> {
    auto planned = plan_gc(txn, cache.blobs(), options);
    if (!planned) return std::unexpected(planned.error());
    plan = std::move(*planned);
    return apply_gc(txn, cache.blobs(), plan);
  });
  if (!written) return std::unexpected(written.error());
  TempUsage swept = cache.blobs().sweep_temporaries();
  plan.report.removed_temp_files = swept.files;
  plan.report.removed_temp_bytes = swept.bytes;
  return plan.report;
}

}  // namespace wharf::cache
