#include "graph/config_snapshot.h"

#include <bit>
#include <cstdint>
#include <cstring>
#include <unordered_map>

#include <fmt/format.h>
#include <xxhash.h>

#include "graph/config_fields.h"

namespace wharf::graph {
namespace {

// Bump whenever the encoding below, PathPattern's normalization or what the
// reader makes of a value changes: old snapshots then stop matching any
// digest. The list of fields is part of the digest by itself
// (config_schema()), so adding a field needs no bump.
constexpr std::string_view kFormat = "wharf-config-snapshot/3";
constexpr std::string_view kMagic = "WHARFCFG";

class Writer {
 public:
  void u32(std::uint32_t value) {
    char bytes[4];
    for (int i = 0; i < 4; ++i) bytes[i] = static_cast<char>((value >> (8 * i)) & 0xff);
    out_.append(bytes, 4);
  }
  void str(std::string_view text) {
    u32(static_cast<std::uint32_t>(text.size()));
    out_ += text;
  }
  void where(const SourceLocation& location) {
    u32(static_cast<std::uint32_t>(location.line));
    u32(static_cast<std::uint32_t>(location.column));
  }
  // One writer per field type (graph/config_fields.h).
  void field(const std::vector<PatternEntry>& entries) {
    u32(static_cast<std::uint32_t>(entries.size()));
    for (const auto& entry : entries) {
      str(entry.pattern.text());
      where(entry.where);
    }
  }
  void field(const std::vector<NameEntry>& entries) {
    u32(static_cast<std::uint32_t>(entries.size()));
    for (const auto& entry : entries) {
      str(entry.name);
      where(entry.where);
    }
  }
  void field(const TextEntry& text) {
    str(text.value);
    where(text.where);
  }
  void field(const std::vector<SettingEntry>& entries) {
    u32(static_cast<std::uint32_t>(entries.size()));
    for (const auto& entry : entries) {
      str(entry.pointer);
      str(entry.json);
      where(entry.where);
    }
  }
  template <class T>
  void fields(const T& table) {
    visit_fields(table, [this](const FieldSpec&, const auto& member) { field(member); });
  }
  void component(const ComponentConfig& component) {
    u32(component.kind == ComponentKind::service ? 1 : 0);
    str(component.name);
    where(component.where);
    fields(component);
  }
  std::string& bytes() { return out_; }

 private:
  std::string out_;
};

// Reads what Writer wrote; any read past the end or value out of range makes
// ok() false, and the caller throws the result away.
class Reader {
 public:
  Reader(std::string_view bytes, std::shared_ptr<const std::string> file) : in_(bytes), file_(std::move(file)) {}

  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == in_.size(); }

  std::uint32_t u32() {
    if (in_.size() - pos_ < 4) return fail_zero();
    std::uint32_t value = 0;
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(&value, in_.data() + pos_, 4);
    } else {
      for (int i = 0; i < 4; ++i)
        value |= static_cast<std::uint32_t>(static_cast<unsigned char>(in_[pos_ + i])) << (8 * i);
    }
    pos_ += 4;
    return value;
  }
  // A count of items each at least `min_item_bytes` long: bounded by what is left.
  std::uint32_t count(std::size_t min_item_bytes) {
    std::uint32_t n = u32();
    if (static_cast<std::size_t>(n) * min_item_bytes > in_.size() - pos_) return fail_zero();
    return n;
  }
  // A string of the snapshot, valid as long as its bytes.
  std::string_view view() {
    std::uint32_t size = u32();
    if (!ok_ || in_.size() - pos_ < size) {
      ok_ = false;
      return {};
    }
    std::string_view out = in_.substr(pos_, size);
    pos_ += size;
    return out;
  }
  std::string str() { return std::string(view()); }
  SourceLocation where() {
    SourceLocation location;
    location.line = static_cast<int>(u32());
    location.column = static_cast<int>(u32());
    if (location.line != 0) location.file = file_;  // 0: a value that was not written (an absent key)
    return location;
  }
  // One reader per field type, the mirror of Writer's.
  void field(std::vector<PatternEntry>& out) {
    std::uint32_t n = count(12);
    out.reserve(n);
    for (std::uint32_t i = 0; i < n && ok_; ++i) {
      std::string_view text = view();
      SourceLocation location = where();
      auto pattern = PathPattern::parse(text);
      if (!pattern || pattern->text() != text) {  // written normalized; anything else is damage
        ok_ = false;
        break;
      }
      out.push_back(PatternEntry{std::move(*pattern), std::move(location)});
    }
  }
  void field(std::vector<NameEntry>& out) {
    std::uint32_t n = count(12);
    out.reserve(n);
    for (std::uint32_t i = 0; i < n && ok_; ++i) {
      std::string name = str();
      out.push_back(NameEntry{std::move(name), where()});
    }
  }
  void field(TextEntry& out) {
    out.value = str();
    out.where = where();
  }
  void field(std::vector<SettingEntry>& out) {
    std::uint32_t n = count(16);
    out.reserve(n);
    for (std::uint32_t i = 0; i < n && ok_; ++i) {
      std::string pointer = str();
      std::string json = str();
      out.push_back(SettingEntry{std::move(pointer), std::move(json), where()});
    }
  }
  template <class T>
  void fields(T& table) {
    visit_fields(table, [this](const FieldSpec&, auto& member) {
      if (ok_) field(member);
    });
  }
  ComponentConfig component() {
    ComponentConfig component;
    std::uint32_t kind = u32();
    if (kind > 1) ok_ = false;
    component.kind = kind == 1 ? ComponentKind::service : ComponentKind::package;
    component.name = str();
    component.where = where();
    fields(component);
    return component;
  }

 private:
  std::uint32_t fail_zero() {
    ok_ = false;
    pos_ = in_.size();
    return 0;
  }

  std::string_view in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
  std::shared_ptr<const std::string> file_;
};

std::string hex64(std::uint64_t value) { return fmt::format("{:016x}", value); }

// The header: magic, digest (32 hex), payload checksum (16 hex).
constexpr std::size_t kHeaderSize = 8 + 32 + 16;

}  // namespace

std::string snapshot_digest(std::string_view config_text) {
  XXH3_state_t* state = XXH3_createState();
  XXH3_128bits_reset(state);
  static const std::string schema = config_schema();
  XXH3_128bits_update(state, kFormat.data(), kFormat.size());
  XXH3_128bits_update(state, "\0", 1);
  XXH3_128bits_update(state, schema.data(), schema.size());
  XXH3_128bits_update(state, "\0", 1);
  XXH3_128bits_update(state, config_text.data(), config_text.size());
  XXH128_hash_t hash = XXH3_128bits_digest(state);
  XXH3_freeState(state);
  return hex64(hash.high64) + hex64(hash.low64);
}

std::string encode_snapshot(const Graph& graph, std::string_view digest) {
  const Config& config = graph.config();
  Writer writer;
  writer.fields(config.workspace);
  writer.u32(static_cast<std::uint32_t>(config.packages.size()));
  for (const auto& package : config.packages) writer.component(package);
  writer.u32(static_cast<std::uint32_t>(config.services.size()));
  for (const auto& service : config.services) writer.component(service);
  std::unordered_map<std::string_view, std::uint32_t> package_index;
  for (std::size_t p = 0; p < config.packages.size(); ++p) {
    package_index.emplace(config.packages[p].name, static_cast<std::uint32_t>(p));
  }
  for (const Service& service : graph.services()) {
    writer.u32(static_cast<std::uint32_t>(service.packages.size()));
    for (std::string_view name : service.packages) writer.u32(package_index.at(name));
  }
  const std::string& payload = writer.bytes();
  std::string out;
  out.reserve(kHeaderSize + payload.size());
  out += kMagic;
  out += digest;
  out += hex64(XXH3_64bits(payload.data(), payload.size()));
  out += payload;
  return out;
}

std::optional<Snapshot> decode_snapshot(std::string_view bytes, std::string_view digest, std::string_view file) {
  if (bytes.size() < kHeaderSize || bytes.substr(0, 8) != kMagic || bytes.substr(8, 32) != digest) {
    return std::nullopt;
  }
  std::string_view payload = bytes.substr(kHeaderSize);
  if (bytes.substr(40, 16) != hex64(XXH3_64bits(payload.data(), payload.size()))) return std::nullopt;

  Reader reader(payload, std::make_shared<const std::string>(file));
  Snapshot snapshot;
  Config& config = snapshot.config;
  config.file = std::string(file);
  reader.fields(config.workspace);
  for (auto* list : {&config.packages, &config.services}) {
    std::uint32_t n = reader.count(4);
    list->reserve(n);
    for (std::uint32_t i = 0; i < n && reader.ok(); ++i) list->push_back(reader.component());
  }
  snapshot.closures.resize(config.services.size());
  for (auto& closure : snapshot.closures) {
    std::uint32_t n = reader.count(4);
    closure.reserve(n);
    for (std::uint32_t i = 0; i < n && reader.ok(); ++i) {
      std::uint32_t p = reader.u32();
      if (p >= config.packages.size()) return std::nullopt;
      closure.push_back(p);
    }
  }
  if (!reader.ok() || !reader.at_end()) return std::nullopt;
  return snapshot;
}

std::string snapshot_path(std::string_view cache_dir, std::string_view config_path) {
  return fmt::format("{}/config/{}.snapshot", cache_dir, hex64(XXH3_64bits(config_path.data(), config_path.size())));
}

Result<Graph> load_graph_with_snapshot(fs::FileSystem& fs, const std::string& config_path,
                                       const std::string& snapshot_file, bool* from_snapshot, std::string* digest_out) {
  if (from_snapshot) *from_snapshot = false;
  auto text = fs.read_file(config_path);
  if (!text) {
    return fail(ErrorKind::config,
                fmt::format("{}: cannot read the config file; create wharf.toml at the repository root "
                            "or pass --config FILE",
                            config_path));
  }
  auto parse_and_build = [&]() -> Result<Graph> {
    auto config = parse_config(*text, config_path);
    if (!config) return std::unexpected(config.error());
    return Graph::build(std::move(*config));
  };
  if (snapshot_file.empty()) return parse_and_build();
  std::string digest = snapshot_digest(*text);
  if (digest_out) *digest_out = digest;
  if (auto bytes = fs.read_file(snapshot_file)) {
    if (auto snapshot = decode_snapshot(*bytes, digest, config_path)) {
      if (from_snapshot) *from_snapshot = true;
      return Graph::assemble(std::move(snapshot->config), snapshot->closures);
    }
  }
  auto graph = parse_and_build();
  if (!graph) return graph;
  std::string dir = snapshot_file.substr(0, snapshot_file.rfind('/'));
  if (fs.make_dirs(dir)) (void)fs.write_file_atomic(snapshot_file, encode_snapshot(*graph, digest), fs::Sync::none);
  return graph;
}

}  // namespace wharf::graph
