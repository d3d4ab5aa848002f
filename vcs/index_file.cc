#include "vcs/index_file.h"

#include <algorithm>
#include <cstring>
#include <memory>

#include <fmt/format.h>
#include <tbb/task_group.h>

#include "util/sha.h"

namespace wharf::vcs {
namespace {

std::uint32_t be32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
}

std::uint16_t be16(const unsigned char* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }

// The trailing SHA-1 over everything before it (all zeros: git wrote it with
// index.skipHash, nothing to check).
bool checksum_ok(std::string_view bytes) {
  const auto* trailer = reinterpret_cast<const unsigned char*>(bytes.data() + bytes.size() - 20);
  if (std::all_of(trailer, trailer + 20, [](unsigned char c) { return c == 0; })) return true;
  Sha1 sha;
  sha.update(bytes.substr(0, bytes.size() - 20));
  auto digest = sha.digest();
  return std::memcmp(digest.data(), trailer, 20) == 0;
}

constexpr std::size_t kFixedPart = 62;  // stat data (40) + object id (20) + flags (2)
constexpr std::uint16_t kExtendedFlag = 0x4000;
constexpr std::uint16_t kStageMask = 0x3000;
constexpr std::uint16_t kNameMask = 0x0fff;
constexpr std::uint16_t kAssumeValidFlag = 0x8000;
constexpr std::uint16_t kSkipWorktreeFlag = 0x4000;  // in the extended flags
constexpr std::uint16_t kIntentToAddFlag = 0x2000;   // in the extended flags

std::unexpected<Error> damaged(std::string_view what) {
  return fail(ErrorKind::corrupt, fmt::format("the git index is damaged ({}); run `git status` to have git "
                                              "rebuild it, or `rm .git/index && git reset`",
                                              what));
}

Result<std::optional<std::vector<IndexEntry>>> parse_entries(std::string_view bytes, std::uint32_t version,
                                                             std::uint32_t count, const timespec& file_mtime,
                                                             std::string* declined, CacheTree* cache_tree);

// One node of a cache tree and its subtrees, depth first, from `at`:
// "<name>\0<entry count> <subtree count>\n" then the tree id when the count
// is not negative (git's Documentation/gitformat-index.txt).
bool parse_tree_node(std::string_view body, std::size_t& at, const std::string& parent, bool is_root,
                     std::vector<CacheTree::Node>& out, int depth) {
  if (depth > 4096) return false;
  std::size_t nul = body.find('\0', at);
  if (nul == std::string_view::npos) return false;
  std::string_view name = body.substr(at, nul - at);
  std::size_t newline = body.find('\n', nul + 1);
  if (newline == std::string_view::npos) return false;
  std::string_view counts = body.substr(nul + 1, newline - nul - 1);
  std::size_t space = counts.find(' ');
  if (space == std::string_view::npos) return false;
  auto to_int = [](std::string_view text, long& value) {
    if (text.empty() || text.size() > 10) return false;
    bool negative = text.front() == '-';
    if (negative) text.remove_prefix(1);
    if (text.empty()) return false;
    value = 0;
    for (char c : text) {
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
    }
    if (negative) value = -value;
    return true;
  };
  long entries = 0;
  long subtrees = 0;
  if (!to_int(counts.substr(0, space), entries) || !to_int(counts.substr(space + 1), subtrees) || subtrees < 0) {
    return false;
  }
  at = newline + 1;
  CacheTree::Node node;
  node.path = is_root ? std::string() : (parent.empty() ? std::string(name) : parent + "/" + std::string(name));
  if (entries >= 0) {
    if (at + 20 > body.size()) return false;
    std::memcpy(node.id.id, body.data() + at, 20);
    node.valid = true;
    at += 20;
  }
  const std::string path = node.path;
  out.push_back(std::move(node));
  for (long i = 0; i < subtrees; ++i) {
    if (!parse_tree_node(body, at, path, false, out, depth + 1)) return false;
  }
  return true;
}

}  // namespace

std::optional<CacheTree> parse_cache_tree(std::string_view body) {
  std::vector<CacheTree::Node> nodes;
  std::size_t at = 0;
  if (body.empty()) return CacheTree{};
  if (!parse_tree_node(body, at, std::string(), true, nodes, 0) || at != body.size()) return std::nullopt;
  return CacheTree::from_nodes(std::move(nodes));
}

bool not_older(std::uint32_t sec, std::uint32_t nsec, const timespec& ref) {
  auto ref_sec = static_cast<std::uint32_t>(ref.tv_sec);
  if (sec != ref_sec) return sec > ref_sec;
  return nsec >= static_cast<std::uint32_t>(ref.tv_nsec);
}

Result<std::optional<std::vector<IndexEntry>>> parse_index_file(std::string_view bytes, const timespec& file_mtime,
                                                                std::string* declined, CacheTree* cache_tree) {
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  if (bytes.size() < 12 + 20 || std::memcmp(data, "DIRC", 4) != 0) return damaged("no DIRC header");
  const std::uint32_t version = be32(data + 4);
  const std::uint32_t count = be32(data + 8);
  if (version < 2 || version > 4) {
    *declined = fmt::format("index version {}", version);
    return std::optional<std::vector<IndexEntry>>{};
  }
  // The checksum (SHA-1 of the whole file) runs beside the parse, which
  // does not need it: each takes about as long as the other.
  tbb::task_group checksum_task;
  bool checksum_matches = false;
  checksum_task.run([&] { checksum_matches = checksum_ok(bytes); });
  auto parsed = parse_entries(bytes, version, count, file_mtime, declined, cache_tree);
  checksum_task.wait();
  if (!checksum_matches) return damaged("checksum mismatch");
  return parsed;
}

namespace {

Result<std::optional<std::vector<IndexEntry>>> parse_entries(std::string_view bytes, std::uint32_t version,
                                                             std::uint32_t count, const timespec& file_mtime,
                                                             std::string* declined, CacheTree* cache_tree) {
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t end = bytes.size() - 20;
  std::size_t at = 12;
  std::vector<IndexEntry> entries;
  // Every entry takes at least kFixedPart bytes: a damaged count cannot
  // reserve more than the file could hold.
  entries.reserve(std::min<std::size_t>(count, bytes.size() / kFixedPart));
  std::string previous;  // v4 paths are compressed against the previous one
  for (std::uint32_t i = 0; i < count; ++i) {
    if (at + kFixedPart > end) return damaged("entry past the end");
    const unsigned char* e = data + at;
    const std::uint16_t flags = be16(e + 60);
    std::size_t name_at = at + kFixedPart;
    std::uint16_t extended = 0;
    if (flags & kExtendedFlag) {
      if (version < 3) return damaged("extended flags in a version 2 index");
      if (name_at + 2 > end) return damaged("entry past the end");
      extended = be16(data + name_at);
      name_at += 2;
    }
    std::string path;
    if (version == 4) {
      // varint: how many bytes of the previous path to drop (git's offset
      // encoding: each continuation adds one before shifting).
      std::size_t p = name_at;
      if (p >= end) return damaged("entry past the end");
      std::uint64_t drop = data[p] & 0x7f;
      while (data[p++] & 0x80) {
        if (p >= end || drop > (std::uint64_t{1} << 32)) return damaged("bad path prefix length");
        drop = ((drop + 1) << 7) | (data[p] & 0x7f);
      }
      if (drop > previous.size()) return damaged("bad path prefix length");
      const void* nul = std::memchr(data + p, '\0', end - p);
      if (!nul) return damaged("unterminated path");
      const std::size_t suffix = static_cast<const unsigned char*>(nul) - (data + p);
      path.assign(previous, 0, previous.size() - drop);
      path.append(reinterpret_cast<const char*>(data + p), suffix);
      at = p + suffix + 1;
      previous = path;
    } else {
      std::size_t length = flags & kNameMask;
      if (length == kNameMask) {  // 0xfff: the real length is longer; find the NUL
        const void* nul = std::memchr(data + name_at, '\0', end - name_at);
        if (!nul) return damaged("unterminated path");
        length = static_cast<const unsigned char*>(nul) - (data + name_at);
      }
      if (name_at + length >= end) return damaged("entry past the end");
      path.assign(reinterpret_cast<const char*>(data + name_at), length);
      // Entries are padded with 1-8 NULs to a multiple of 8 bytes.
      at += ((name_at - at) + length + 8) & ~std::size_t{7};
    }
    const std::uint32_t mode = be32(e + 24);
    if ((mode & 0170000) == 0040000) {  // a sparse-directory entry
      *declined = "sparse index";
      return std::optional<std::vector<IndexEntry>>{};
    }
    const int stage = (flags & kStageMask) >> 12;
    if (stage != 0 && !entries.empty() && entries.back().path == path) continue;  // one entry per path
    IndexEntry entry;
    entry.path = std::move(path);
    std::memcpy(entry.id.id, e + 40, 20);
    entry.mode = mode;
    entry.ctime_sec = be32(e + 0);
    entry.ctime_nsec = be32(e + 4);
    entry.mtime_sec = be32(e + 8);
    entry.mtime_nsec = be32(e + 12);
    entry.ino = be32(e + 20);
    entry.file_size = be32(e + 36);
    entry.conflicted = stage != 0;
    entry.racy = entry.conflicted || not_older(entry.mtime_sec, entry.mtime_nsec, file_mtime);
    entry.assume_unchanged = (flags & kAssumeValidFlag) != 0;
    entry.skip_worktree = (extended & kSkipWorktreeFlag) != 0;
    entry.intent_to_add = (extended & kIntentToAddFlag) != 0;
    entries.push_back(std::move(entry));
  }
  // Extensions: only a split index ("link") changes what the entries mean.
  while (at + 8 <= end) {
    const std::uint32_t size = be32(data + at + 4);
    if (std::memcmp(data + at, "link", 4) == 0) {
      *declined = "split index";
      return std::optional<std::vector<IndexEntry>>{};
    }
    if (size > end - at - 8) return damaged("extension past the end");
    if (cache_tree && std::memcmp(data + at, "TREE", 4) == 0) {
      *cache_tree = parse_cache_tree(bytes.substr(at + 8, size)).value_or(CacheTree{});
    }
    at += 8 + size;
  }
  return std::optional<std::vector<IndexEntry>>{std::move(entries)};
}

}  // namespace

}  // namespace wharf::vcs
