#include "cache/records.h"

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <utility>

#include <nlohmann/json.hpp>

namespace wharf::cache {
namespace {

// Version 2: the records are sealed (cache/seal.h) since wharf-cache/3.
constexpr std::uint8_t kStatVersion = 2;
constexpr int kJsonVersion = 2;
// Version 3 lists every blob of an artifact; version 2 records (one blob)
// are still read, so a cache written before multi-blob artifacts is reused.
constexpr int kArtifactVersion = 3;
constexpr int kSingleBlobArtifactVersion = 2;
constexpr std::size_t kStatSize = kStatRecordSize;

template <class T>
void put_le(std::string& out, T value) {
  auto bits = static_cast<std::make_unsigned_t<T>>(value);
  for (std::size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
}

// Reads a T from the front of `in` and advances it; the caller checked the length.
template <class T>
T take_le(std::string_view& in) {
  std::make_unsigned_t<T> bits = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) {
    bits |= static_cast<std::make_unsigned_t<T>>(static_cast<std::uint8_t>(in[i])) << (8 * i);
  }
  in.remove_prefix(sizeof(T));
  return static_cast<T>(bits);
}

bool is_lower_hex(std::string_view text, std::size_t length) {
  return text.size() == length &&
         std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// The JSON object and its "v" when that is one of `versions`.
std::optional<std::pair<nlohmann::json, int>> parse_versioned(std::string_view bytes,
                                                              std::initializer_list<int> versions) {
  auto json = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return std::nullopt;
  auto version = json.find("v");
  if (version == json.end() || !version->is_number_integer()) return std::nullopt;
  int v = version->get<int>();
  if (std::find(versions.begin(), versions.end(), v) == versions.end()) return std::nullopt;
  return std::pair{std::move(json), v};
}

nlohmann::json blob_json(const BlobRef& blob) {
  return {{"digest", blob.digest}, {"size", blob.size}, {"media_type", blob.media_type}};
}

}  // namespace

std::string encode_stat(const hashing::StatRecord& record) {
  std::string out;
  out.reserve(kStatSize);
  out.push_back(static_cast<char>(kStatVersion));
  out.push_back(static_cast<char>(record.stat.type));
  put_le(out, record.stat.size);
  put_le(out, record.stat.mtime_ns);
  put_le(out, record.stat.ctime_ns);
  put_le(out, record.stat.inode);
  put_le(out, record.stat.mode);
  put_le(out, record.recorded_ns);
  out.append(reinterpret_cast<const char*>(record.digest.data()), record.digest.size());
  return out;
}

std::optional<hashing::StatRecord> decode_stat(std::string_view in) {
  if (in.size() != kStatSize || static_cast<std::uint8_t>(in[0]) != kStatVersion) return std::nullopt;
  auto type = static_cast<std::uint8_t>(in[1]);
  if (type > static_cast<std::uint8_t>(fs::FileType::other)) return std::nullopt;
  in.remove_prefix(2);
  hashing::StatRecord record;
  record.stat.type = static_cast<fs::FileType>(type);
  record.stat.size = take_le<std::uint64_t>(in);
  record.stat.mtime_ns = take_le<std::int64_t>(in);
  record.stat.ctime_ns = take_le<std::int64_t>(in);
  record.stat.inode = take_le<std::uint64_t>(in);
  record.stat.mode = take_le<std::uint32_t>(in);
  record.recorded_ns = take_le<std::int64_t>(in);
  std::memcpy(record.digest.data(), in.data(), record.digest.size());
  return record;
}

std::vector<BlobRef> blobs_of(const ArtifactRecord& record) {
  if (!record.blobs.empty()) return record.blobs;
  return {BlobRef{record.digest, record.size, record.media_type}};
}

std::string encode_artifact(const ArtifactRecord& record) {
  nlohmann::json blobs = nlohmann::json::array();
  for (const auto& blob : blobs_of(record)) blobs.push_back(blob_json(blob));
  nlohmann::json json = {{"v", kArtifactVersion},
                         {"service", record.service},
                         {"kind", record.kind},
                         {"digest", record.digest},
                         {"size", record.size},
                         {"media_type", record.media_type},
                         {"blobs", std::move(blobs)},
                         {"created_ns", record.created_ns},
                         {"last_used_ns", record.last_used_ns}};
  return json.dump();
}

std::optional<ArtifactRecord> decode_artifact(std::string_view bytes) {
  auto parsed = parse_versioned(bytes, {kArtifactVersion, kSingleBlobArtifactVersion});
  if (!parsed) return std::nullopt;
  const auto& [json, version] = *parsed;
  try {
    ArtifactRecord record;
    record.service = json.at("service").get<std::string>();
    record.kind = json.at("kind").get<std::string>();
    record.digest = json.at("digest").get<std::string>();
    record.size = json.at("size").get<std::uint64_t>();
    record.created_ns = json.at("created_ns").get<std::int64_t>();
    record.last_used_ns = json.at("last_used_ns").get<std::int64_t>();
    if (!is_sha256_hex(record.digest)) return std::nullopt;
    if (version == kSingleBlobArtifactVersion) {
      record.blobs = {BlobRef{record.digest, record.size, ""}};
      return record;
    }
    record.media_type = json.at("media_type").get<std::string>();
    bool has_primary = false;
    for (const auto& item : json.at("blobs")) {
      BlobRef blob{item.at("digest").get<std::string>(), item.at("size").get<std::uint64_t>(),
                   item.at("media_type").get<std::string>()};
      if (!is_sha256_hex(blob.digest)) return std::nullopt;
      has_primary = has_primary || (blob.digest == record.digest && blob.size == record.size);
      record.blobs.push_back(std::move(blob));
    }
    if (!has_primary) return std::nullopt;
    return record;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

std::string encode_ledger(const LedgerEntry& entry) {
  nlohmann::json json = {{"v", kJsonVersion},
                         {"sha", entry.sha},
                         {"input_key", entry.input_key},
                         {"artifact_digest", entry.artifact_digest},
                         {"time_ns", entry.time_ns}};
  // Written only when set, so older entries keep their bytes.
  if (!entry.digest.empty()) json["digest"] = entry.digest;
  if (!entry.tag.empty()) json["tag"] = entry.tag;
  if (!entry.pusher.empty()) json["pusher"] = entry.pusher;
  if (!entry.location.empty()) json["location"] = entry.location;
  if (entry.verified_ns != 0) json["verified_ns"] = entry.verified_ns;
  return json.dump();
}

std::optional<LedgerEntry> decode_ledger(std::string_view bytes) {
  auto parsed = parse_versioned(bytes, {kJsonVersion});
  if (!parsed) return std::nullopt;
  const nlohmann::json& json = parsed->first;
  try {
    LedgerEntry entry;
    entry.sha = json.at("sha").get<std::string>();
    entry.input_key = json.at("input_key").get<std::string>();
    entry.artifact_digest = json.at("artifact_digest").get<std::string>();
    entry.time_ns = json.at("time_ns").get<std::int64_t>();
    entry.digest = json.value("digest", std::string());
    entry.tag = json.value("tag", std::string());
    entry.pusher = json.value("pusher", std::string());
    entry.location = json.value("location", std::string());
    entry.verified_ns = json.value("verified_ns", std::int64_t{0});
    return entry;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

bool is_input_key(std::string_view key) { return is_lower_hex(key, 32); }

bool is_sha256_hex(std::string_view digest) { return is_lower_hex(digest, 64); }

}  // namespace wharf::cache
