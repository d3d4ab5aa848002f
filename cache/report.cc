#include "cache/report.h"

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "cache/size.h"

namespace wharf::cache {
namespace {

nlohmann::json artifact_json(const std::string& key, const ArtifactRecord& record) {
  auto json = nlohmann::json::parse(encode_artifact(record));  // the stored fields
  json.erase("v");
  json["key"] = key;
  return json;
}

}  // namespace

std::string stats_to_text(const CacheStats& stats) {
  std::string out = fmt::format("cache: {}\n", stats.path);
  out += fmt::format("map: {} used of {} (data.mdb {})\n", format_size(stats.env.used_bytes),
                     format_size(stats.env.map_size), format_size(stats.env.data_file_bytes));
  for (const auto& db : stats.dbs) {
    out += fmt::format("  {:<12} {:>9} entries {:>11}\n", db.name, db.entries, format_size(db.bytes));
  }
  out += fmt::format("blobs: {} files, {}\n", stats.blob_count, format_size(stats.blob_bytes));
  out += fmt::format("undecodable records: {}{}\n", stats.undecodable_records,
                     stats.undecodable_records > 0 ? " (misses; `wharf cache gc` deletes them)" : "");
  if (stats.tmp_files > 0) {
    out += fmt::format("temporary files: {}, {}\n", stats.tmp_files, format_size(stats.tmp_bytes));
  }
  for (const auto& dir : stats.corrupt_dirs) out += fmt::format("moved aside: {}\n", dir);
  return out;
}

std::string stats_to_json(const CacheStats& stats) {
  nlohmann::json dbs = nlohmann::json::object();
  for (const auto& db : stats.dbs) {
    dbs[db.name] = {{"entries", db.entries}, {"bytes", db.bytes}, {"undecodable", db.undecodable}};
  }
  nlohmann::json json = {{"path", stats.path},
                         {"map_size", stats.env.map_size},
                         {"used_bytes", stats.env.used_bytes},
                         {"data_file_bytes", stats.env.data_file_bytes},
                         {"databases", dbs},
                         {"blobs", {{"count", stats.blob_count}, {"bytes", stats.blob_bytes}}},
                         {"tmp_files", stats.tmp_files},
                         {"tmp_bytes", stats.tmp_bytes},
                         {"corrupt_dirs", stats.corrupt_dirs},
                         {"undecodable_records", stats.undecodable_records}};
  return json.dump(2) + "\n";
}

std::string gc_to_text(const GcReport& report) {
  std::string verb = report.dry_run ? "would remove" : "removed";
  std::string out;
  for (const auto& removed : report.removed) {
    out += fmt::format("{} {} ({} {}, {}{})\n", verb, removed.key, removed.record.service, removed.record.kind,
                       format_size(removed.record.size),
                       removed.reason == RemovalReason::dangling ? ", blob missing" : "");
  }
  out += fmt::format("{} {} artifacts and {} blob files; blobs {} -> {}; kept {} ({} for the ledger)\n", verb,
                     report.removed.size(), report.removed_blobs.size(), format_size(report.bytes_before),
                     format_size(report.bytes_after), report.kept, report.ledger_protected);
  if (report.undecodable_records > 0) {
    out += fmt::format("{} {} records that did not decode\n", verb, report.undecodable_records);
  }
  if (report.parsed_records > 0) {
    out += fmt::format("{} {} parsed lockfiles (the next plan parses what it needs)\n", verb, report.parsed_records);
  }
  if (report.spared_blobs > 0) {
    out +=
        fmt::format("kept {} blob files no artifact lists yet (younger than the grace period)\n", report.spared_blobs);
  }
  if (report.removed_temp_files > 0) {
    out += fmt::format("removed {} temporary files of writers that are gone ({})\n", report.removed_temp_files,
                       format_size(report.removed_temp_bytes));
  }
  return out;
}

std::string gc_to_json(const GcReport& report) {
  nlohmann::json removed = nlohmann::json::array();
  for (const auto& entry : report.removed) {
    auto json = artifact_json(entry.key, entry.record);
    json["reason"] = entry.reason == RemovalReason::dangling ? "dangling" : "lru";
    removed.push_back(std::move(json));
  }
  nlohmann::json blobs = nlohmann::json::array();
  for (const auto& blob : report.removed_blobs) blobs.push_back({{"digest", blob.digest}, {"size", blob.size}});
  nlohmann::json json = {{"dry_run", report.dry_run},
                         {"removed", removed},
                         {"removed_blobs", blobs},
                         {"undecodable_records", report.undecodable_records},
                         {"parsed_records", report.parsed_records},
                         {"spared_blobs", report.spared_blobs},
                         {"kept", report.kept},
                         {"ledger_protected", report.ledger_protected},
                         {"bytes_before", report.bytes_before},
                         {"bytes_after", report.bytes_after},
                         {"removed_temp_files", report.removed_temp_files},
                         {"removed_temp_bytes", report.removed_temp_bytes}};
  return json.dump(2) + "\n";
}

std::string artifact_to_json(const std::string& key, const ArtifactRecord& record) {
  return artifact_json(key, record).dump(2) + "\n";
}

}  // namespace wharf::cache
