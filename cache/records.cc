#include "cache/records.h"

#include <algorithm>
#include <cstring>

#include <nlohmann/json.hpp>

namespace wharf::cache {
namespace {

// Version 2: the records are sealed (cache/seal.h) since wharf-cache/3.
constexpr std::uint8_t kStatVersion = 2;
constexpr int kJsonVersion = 2;
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

std::optional<nlohmann::json> parse_versioned(std::string_view bytes) {
  auto json = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return std::nullopt;
  auto version = json.find("v");
  if (version == json.end() || *version != kJsonVersion) return std::nullopt;
  return json;
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

std::string encode_artifact(const ArtifactRecord& record) {
  nlohmann::json json = {{"v", kJsonVersion},
                         {"service", record.service},
                         {"kind", record.kind},
                         {"digest", record.digest},
                         {"size", record.size},
                         {"created_ns", record.created_ns},
                         {"last_used_ns", record.last_used_ns}};
  return json.dump();
}

std::optional<ArtifactRecord> decode_artifact(std::string_view bytes) {
  auto json = parse_versioned(bytes);
  if (!json) return std::nullopt;
  try {
    ArtifactRecord record;
    record.service = json->at("service").get<std::string>();
    record.kind = json->at("kind").get<std::string>();
    record.digest = json->at("digest").get<std::string>();
    record.size = json->at("size").get<std::uint64_t>();
    record.created_ns = json->at("created_ns").get<std::int64_t>();
    record.last_used_ns = json->at("last_used_ns").get<std::int64_t>();
    if (!is_sha256_hex(record.digest)) return std::nullopt;
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
  return json.dump();
}

std::optional<LedgerEntry> decode_ledger(std::string_view bytes) {
  auto json = parse_versioned(bytes);
  if (!json) return std::nullopt;
  try {
    LedgerEntry entry;
    entry.sha = json->at("sha").get<std::string>();
    entry.input_key = json->at("input_key").get<std::string>();
    entry.artifact_digest = json->at("artifact_digest").get<std::string>();
    entry.time_ns = json->at("time_ns").get<std::int64_t>();
    return entry;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

bool is_input_key(std::string_view key) { return is_lower_hex(key, 32); }

bool is_sha256_hex(std::string_view digest) { return is_lower_hex(digest, 64); }

}  // namespace wharf::cache
