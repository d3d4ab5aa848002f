#include "cache/artifact_store.h"

#include <algorithm>
#include <chrono>
#include <set>

#include <fmt/format.h>

namespace wharf::cache {
namespace {

Result<void> check_key(std::string_view key) {
  if (is_input_key(key)) return ok();
  return fail(ErrorKind::usage, fmt::format("not an input key (32 lowercase hex digits): '{}'", key));
}

}  // namespace

std::int64_t system_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::optional<ArtifactRecord>> ArtifactStore::find(std::string_view key) {
  if (auto r = check_key(key); !r) return std::unexpected(r.error());
  auto bytes = env_.get(Db::artifacts, key);
  if (!bytes) return std::unexpected(bytes.error());
  if (!*bytes) return std::optional<ArtifactRecord>();
  auto record = decode_artifact(**bytes);
  if (!record || !missing_blob(*record).empty()) return std::optional<ArtifactRecord>();
  return record;
}

Result<ArtifactRecord> ArtifactStore::put(std::string_view key, ArtifactRecord record, std::string_view transcript) {
  if (auto r = check_key(key); !r) return std::unexpected(r.error());
  if (!is_sha256_hex(record.digest)) {
    return fail(ErrorKind::usage, fmt::format("not a SHA-256 digest: '{}'", record.digest));
  }
  if (record.service.empty()) return fail(ErrorKind::usage, "an artifact needs a service name");
  record.blobs = blobs_of(record);
  for (const auto& blob : record.blobs) {
    if (!is_sha256_hex(blob.digest)) {
      return fail(ErrorKind::usage,
                  fmt::format("artifact of {}: not a SHA-256 blob digest: '{}'", record.service, blob.digest));
    }
  }
  if (std::none_of(record.blobs.begin(), record.blobs.end(),
                   [&](const BlobRef& blob) { return blob.digest == record.digest && blob.size == record.size; })) {
    return fail(ErrorKind::usage, fmt::format("artifact of {}: its blobs do not list the primary blob {} ({} bytes)",
                                              record.service, record.digest, record.size));
  }
  std::int64_t now = clock_();
  if (record.created_ns == 0) record.created_ns = now;
  if (record.last_used_ns == 0) record.last_used_ns = now;
  std::string encoded = encode_artifact(record);
  auto written = env_.write([&](Txn& txn) -> Result<void> {
    // gc removes blobs inside its write transaction: checking here, under
    // the same writer lock, makes "blobs before record" hold across processes.
    if (std::string missing = missing_blob(record); !missing.empty()) {
      return fail(ErrorKind::not_found,
                  fmt::format("blob {} of {}'s artifact is not in the cache (never stored, or removed by a "
                              "concurrent gc: store it again)",
                              missing, record.service));
    }
    if (auto r = txn.put(Db::artifacts, key, encoded); !r) return r;
    // An empty transcript means "none given": keep the one `wharf hash`
    // stored for this key, which is what `wharf explain` compares against.
    if (!transcript.empty()) {
      if (auto r = txn.put(Db::transcripts, key, transcript); !r) return r;
    }
    return txn.put(Db::last_built, record.service, key);
  });
  if (!written) return std::unexpected(written.error());
  return record;
}

Result<ArtifactRecord> ArtifactStore::put_file(std::string_view key, std::string service, std::string kind,
                                               const std::string& file, std::string_view transcript) {
  if (auto r = check_key(key); !r) return std::unexpected(r.error());
  Result<ArtifactRecord> stored = fail(ErrorKind::not_found, "");
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto blob = blobs_.put_file(file);
    if (!blob) return std::unexpected(blob.error());
    ArtifactRecord record{service, kind, blob->digest, blob->size, 0, 0, {}, ""};
    stored = put(key, std::move(record), transcript);
    if (stored || stored.error().kind != ErrorKind::not_found) break;
  }
  return stored;
}

std::string ArtifactStore::missing_blob(const ArtifactRecord& record) const {
  for (const auto& blob : blobs_of(record)) {
    if (!blobs_.contains(blob.digest)) return blob.digest;
  }
  return {};
}

Result<bool> ArtifactStore::touch(std::string_view key) {
  const std::string one(key);
  auto found = touch_all(std::span(&one, 1));
  if (!found) return std::unexpected(found.error());
  return *found == 1;
}

Result<std::size_t> ArtifactStore::touch_all(std::span<const std::string> keys) {
  for (const std::string& key : keys) {
    if (auto r = check_key(key); !r) return std::unexpected(r.error());
  }
  std::size_t found = 0;
  std::int64_t now = clock_();
  // One transaction (one fsync) for all: an all-hit build of 500 services
  // must not pay 500 commits.
  auto written = env_.write([&](Txn& txn) -> Result<void> {
    found = 0;
    for (const std::string& key : keys) {
      auto bytes = txn.get(Db::artifacts, key);
      if (!bytes) return std::unexpected(bytes.error());
      auto record = *bytes ? decode_artifact(**bytes) : std::nullopt;
      if (!record) continue;
      ++found;
      record->last_used_ns = now;
      if (auto put = txn.put(Db::artifacts, key, encode_artifact(*record)); !put) return put;
    }
    return ok();
  });
  if (!written) return std::unexpected(written.error());
  return found;
}

Result<std::optional<std::string>> ArtifactStore::last_built(std::string_view service) {
  return env_.get(Db::last_built, service);
}

Result<std::optional<std::string>> ArtifactStore::transcript(std::string_view key) {
  return env_.get(Db::transcripts, key);
}

Result<std::vector<std::size_t>> ArtifactStore::missing_transcripts(std::span<const std::string> keys) {
  std::vector<std::size_t> missing;
  std::set<std::string_view> seen;
  auto read = env_.read([&](Txn& txn) -> Result<void> {
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (!seen.insert(keys[i]).second) continue;
      auto found = txn.get(Db::transcripts, keys[i]);
      if (!found) return std::unexpected(found.error());
      // An empty transcript (from an older wharf) counts as missing.
      if (!*found || (*found)->empty()) missing.push_back(i);
    }
    return ok();
  });
  if (!read) return std::unexpected(read.error());
  return missing;
}

Result<void> ArtifactStore::put_transcripts(std::span<const std::string> keys, std::span<const std::string> texts) {
  if (keys.empty()) return ok();
  return env_.write([&](Txn& txn) -> Result<void> {
    for (std::size_t i = 0; i < keys.size() && i < texts.size(); ++i) {
      if (auto put = txn.put(Db::transcripts, keys[i], texts[i]); !put) return put;
    }
    return ok();
  });
}

Result<std::vector<std::pair<std::string, ArtifactRecord>>> ArtifactStore::list() {
  std::vector<std::pair<std::string, ArtifactRecord>> out;
  auto read = env_.read([&](Txn& txn) {
    return txn.scan(Db::artifacts, "", [&](std::string_view key, std::string_view value) {
      if (auto record = decode_artifact(value)) out.emplace_back(std::string(key), std::move(*record));
      return true;
    });
  });
  if (!read) return std::unexpected(read.error());
  return out;
}

}  // namespace wharf::cache
