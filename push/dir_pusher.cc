#include "push/dir_pusher.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "push/template.h"
#include "util/sha.h"
#include "util/text.h"
#include "util/unique_fd.h"

namespace wharf::push {
namespace {

namespace stdfs = std::filesystem;

constexpr std::size_t kBufferSize = std::size_t{1} << 20;

std::string errno_text() { return std::strerror(errno); }

// The directory holding `path` ("." for a bare name).
std::string parent_of(const std::string& path) {
  const std::string parent = stdfs::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

std::string random_suffix() {
  static thread_local std::mt19937_64 engine{std::random_device{}()};
  return fmt::format("{:012x}", engine() & 0xffffffffffffULL);
}

// ".<name>.wharf-<random>" beside `path`: the same directory, so the
// final rename never crosses a file system, and hidden from `aws s3 sync`
// --exclude '.*' style filters.
std::string temp_sibling(const std::string& path) {
  const stdfs::path p(path);
  return (p.parent_path() / ("." + p.filename().string() + ".wharf-" + random_suffix())).string();
}

Result<void> fsync_path(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECTORY));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) {
    return fail(ErrorKind::io, fmt::format("cannot sync directory {}: {}", path, errno_text()));
  }
  return ok();
}

void remove_quietly(const std::string& path) {
  std::error_code ignored;
  stdfs::remove_all(path, ignored);
}

struct Hashed {
  std::uint64_t size = 0;
  std::string hex;
};

// SHA-256 of a file, read in pieces.
Result<Hashed> hash_file(const std::string& path) {
  UniqueFd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) {
    return fail(errno == ENOENT ? ErrorKind::not_found : ErrorKind::io,
                fmt::format("cannot open {}: {}", path, errno_text()));
  }
  std::vector<char> buffer(kBufferSize);
  Sha256 sha;
  Hashed out;
  for (;;) {
    const ssize_t n = ::read(in.get(), buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(ErrorKind::io, fmt::format("cannot read {}: {}", path, errno_text()));
    if (n == 0) break;
    sha.update(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
    out.size += static_cast<std::uint64_t>(n);
  }
  out.hex = to_hex(sha.digest());
  return out;
}

// Copies `source` to the new file `target` (which must not exist), fsyncs
// it, and checks its SHA-256 against `expected_hex` when that is not empty.
// A failure removes `target`.
Result<std::uint64_t> copy_file(const std::string& source, const std::string& target,
                                const std::string& expected_hex, const std::atomic<bool>* cancel) {
  UniqueFd in(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) {
    return fail(errno == ENOENT ? ErrorKind::not_found : ErrorKind::io,
                fmt::format("cannot open {}: {}", source, errno_text()));
  }
  UniqueFd out(::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (out.get() < 0) return fail(ErrorKind::io, fmt::format("cannot create {}: {}", target, errno_text()));
  auto failed = [&](ErrorKind kind, std::string message) -> Result<std::uint64_t> {
    out.close();
    ::unlink(target.c_str());
    return fail(kind, std::move(message));
  };
  std::vector<char> buffer(kBufferSize);
  Sha256 sha;
  std::uint64_t copied = 0;
  for (;;) {
    if (cancel && cancel->load()) return failed(ErrorKind::io, "cancelled");
    const ssize_t n = ::read(in.get(), buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return failed(ErrorKind::io, fmt::format("cannot read {}: {}", source, errno_text()));
    if (n == 0) break;
    sha.update(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
    for (ssize_t written = 0; written < n;) {
      const ssize_t w = ::write(out.get(), buffer.data() + written, static_cast<std::size_t>(n - written));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return failed(ErrorKind::io, fmt::format("cannot write {}: {}", target, errno_text()));
      written += w;
    }
    copied += static_cast<std::uint64_t>(n);
  }
  const std::string actual = to_hex(sha.digest());
  if (!expected_hex.empty() && actual != expected_hex) {
    return failed(ErrorKind::corrupt, fmt::format("{} hashes to sha256:{}, not sha256:{}; build the artifact again",
                                                  source, actual, expected_hex));
  }
  if (::fsync(out.get()) != 0 || !out.close()) {
    return failed(ErrorKind::io, fmt::format("cannot write {}: {}", target, errno_text()));
  }
  return copied;
}

bool is_sha256_hex(std::string_view text) {
  return text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// Copies the tree `source` into the new directory `target` (created here):
// directories and regular files only (an OCI layout has nothing else). A
// file under blobs/sha256/ is checked against its name (`below` is the path
// of `source` inside the layout). Directories are fsynced after their
// entries.
Result<std::uint64_t> copy_tree(const std::string& source, const std::string& target, const std::string& below,
                                const std::atomic<bool>* cancel) {
  if (::mkdir(target.c_str(), 0755) != 0) {
    return fail(ErrorKind::io, fmt::format("cannot create directory {}: {}", target, errno_text()));
  }
  std::vector<std::pair<std::string, bool>> entries;  // name, is a directory
  {
    DIR* dir = ::opendir(source.c_str());
    if (!dir) {
      return fail(errno == ENOENT ? ErrorKind::not_found : ErrorKind::io,
                  fmt::format("cannot read directory {}: {}", source, errno_text()));
    }
    while (const dirent* entry = ::readdir(dir)) {
      const std::string name = entry->d_name;
      if (name == "." || name == "..") continue;
      struct stat st{};
      if (::lstat((source + "/" + name).c_str(), &st) != 0) {
        ::closedir(dir);
        return fail(ErrorKind::io, fmt::format("cannot stat {}/{}: {}", source, name, errno_text()));
      }
      if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
        ::closedir(dir);
        return fail(ErrorKind::corrupt,
                    fmt::format("{}/{} is neither a file nor a directory; an image layout holds only those",
                                source, name));
      }
      entries.emplace_back(name, S_ISDIR(st.st_mode));
    }
    ::closedir(dir);
  }
  std::uint64_t copied = 0;
  for (const auto& [name, is_dir] : entries) {
    const std::string from = source + "/" + name;
    const std::string to = target + "/" + name;
    const bool blob = below == "blobs/sha256" && is_sha256_hex(name);
    auto done = is_dir ? copy_tree(from, to, below.empty() ? name : below + "/" + name, cancel)
                       : copy_file(from, to, blob ? name : std::string(), cancel);
    if (!done) return done;
    copied += *done;
  }
  if (auto synced = fsync_path(target); !synced) return std::unexpected(synced.error());
  return copied;
}

// Total size of the regular files below `path`.
Result<std::uint64_t> tree_size(const std::string& path) {
  std::error_code error;
  std::uint64_t total = 0;
  for (stdfs::recursive_directory_iterator it(path, error), end; !error && it != end; it.increment(error)) {
    if (it->is_regular_file(error)) total += it->file_size(error);
    if (error) break;
  }
  if (error) return fail(ErrorKind::io, fmt::format("cannot read {}: {}", path, error.message()));
  return total;
}

// The manifests an OCI layout's index.json names: digest and ref.name.
struct IndexEntry {
  std::string digest;
  std::string ref_name;
};

std::vector<IndexEntry> read_index(const std::string& layout_dir) {
  std::vector<IndexEntry> entries;
  std::FILE* file = std::fopen((layout_dir + "/index.json").c_str(), "rb");
  if (!file) return entries;
  std::string text;
  char buffer[65536];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) text.append(buffer, n);
  std::fclose(file);
  auto index = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!index.is_object() || !index.contains("manifests") || !index["manifests"].is_array()) return entries;
  for (const auto& manifest : index["manifests"]) {
    if (!manifest.is_object() || !manifest.contains("digest") || !manifest["digest"].is_string()) continue;
    IndexEntry entry{manifest["digest"].get<std::string>(), ""};
    if (manifest.contains("annotations") && manifest["annotations"].is_object()) {
      const auto& annotations = manifest["annotations"];
      auto ref = annotations.find("org.opencontainers.image.ref.name");
      if (ref != annotations.end() && ref->is_string()) entry.ref_name = ref->get<std::string>();
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

// What the target holds of the artifact.
enum class Holding { nothing, digest, digest_and_tag };

class DirPusher final : public Pusher {
 public:
  DirPusher(DirTarget target, std::string base_dir) : target_(std::move(target)), base_dir_(std::move(base_dir)) {}

  std::string kind() const override { return "dir"; }

  Result<Preview> preview(const Artifact& artifact) override {
    auto path = resolve(artifact);
    if (!path) return std::unexpected(path.error());
    auto holding = holds(artifact, *path);
    if (!holding) return std::unexpected(holding.error());
    Preview preview;
    preview.location = *path;
    preview.complete = *holding == Holding::digest_and_tag;
    if (*holding == Holding::nothing) {
      auto size = artifact_bytes(artifact);
      if (!size) return std::unexpected(size.error());
      preview.bytes_to_send = *size;
    }
    return preview;
  }

  Result<Pushed> push(const Artifact& artifact, const std::atomic<bool>* cancel) override {
    auto path = resolve(artifact);
    if (!path) return std::unexpected(path.error());
    auto pushed = push_to(artifact, *path, cancel);
    if (!pushed) {
      return fail(pushed.error().kind,
                  fmt::format("service {}: cannot push {} to {}: {}", artifact.service, artifact.path, *path,
                              pushed.error().message));
    }
    return pushed;
  }

 private:
  // The expanded, absolute target path.
  Result<std::string> resolve(const Artifact& artifact) const {
    auto expanded = expand_template(target_.path, artifact);
    if (!expanded) return std::unexpected(expanded.error());
    if (expanded->empty()) {
      return fail(ErrorKind::config, fmt::format("service {}: the dir target's path is empty", artifact.service));
    }
    stdfs::path path(*expanded);
    if (path.is_relative()) path = stdfs::path(base_dir_.empty() ? "." : base_dir_) / path;
    if (expanded->back() == '/') {
      stdfs::path source = stdfs::path(artifact.path).lexically_normal();
      if (!source.has_filename()) source = source.parent_path();  // "layout/"
      path /= source.filename();
    }
    return path.lexically_normal().string();
  }

  Result<std::uint64_t> artifact_bytes(const Artifact& artifact) const {
    if (artifact.kind == "image") return tree_size(artifact.path);
    struct stat st{};
    if (::stat(artifact.path.c_str(), &st) != 0) {
      return fail(ErrorKind::not_found, fmt::format("service {}: the artifact {} is missing: {}; build it again",
                                                    artifact.service, artifact.path, errno_text()));
    }
    return static_cast<std::uint64_t>(st.st_size);
  }

  // Whether the target already holds the artifact (see dir_pusher.h).
  Result<Holding> holds(const Artifact& artifact, const std::string& path) const {
    struct stat st{};
    if (::lstat(path.c_str(), &st) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) return Holding::nothing;
      return fail(ErrorKind::io, fmt::format("service {}: cannot stat {}: {}", artifact.service, path, errno_text()));
    }
    if (artifact.kind == "image") {
      if (!S_ISDIR(st.st_mode)) {
        return fail(ErrorKind::config,
                    fmt::format("service {}: {} is a file, and the image is a layout directory; choose a path "
                                "template that ends in '/' or names a directory",
                                artifact.service, path));
      }
      const auto colon = artifact.digest.find(':');
      const std::string manifest_blob =
          path + "/blobs/sha256/" + (colon == std::string::npos ? artifact.digest : artifact.digest.substr(colon + 1));
      struct stat blob{};
      if (::stat(manifest_blob.c_str(), &blob) != 0) return Holding::nothing;
      Holding best = Holding::nothing;
      for (const auto& entry : read_index(path)) {
        if (entry.digest != artifact.digest) continue;
        if (!artifact.tags.empty() && entry.ref_name == artifact.tags.front()) return Holding::digest_and_tag;
        best = Holding::digest;
      }
      return best;
    }
    if (S_ISDIR(st.st_mode)) {
      return fail(ErrorKind::config,
                  fmt::format("service {}: {} is a directory; end the path template in '/' to put the zip into it",
                              artifact.service, path));
    }
    if (!S_ISREG(st.st_mode) || static_cast<std::uint64_t>(st.st_size) != artifact.size) return Holding::nothing;
    auto hashed = hash_file(path);
    if (!hashed) return std::unexpected(hashed.error());
    return "sha256:" + hashed->hex == artifact.digest ? Holding::digest_and_tag : Holding::nothing;
  }

  Result<Pushed> push_to(const Artifact& artifact, const std::string& path, const std::atomic<bool>* cancel) const {
    auto holding = holds(artifact, path);
    if (!holding) return std::unexpected(holding.error());
    Pushed pushed;
    pushed.digest = artifact.digest;
    pushed.tag = artifact.tags.empty() ? std::string() : artifact.tags.front();
    pushed.location = path;
    if (*holding != Holding::nothing) {
      auto size = artifact_bytes(artifact);
      if (!size) return std::unexpected(size.error());
      pushed.already_there = true;
      pushed.bytes_present = *size;
      if (*holding == Holding::digest) {
        // The same image under another tag: only index.json (which names
        // the tag) is replaced, atomically on its own.
        auto copied = replace_file(artifact.path + "/index.json", path + "/index.json", "", cancel);
        if (!copied) return std::unexpected(copied.error());
        pushed.bytes_sent = *copied;
      }
      return pushed;
    }
    std::error_code error;
    stdfs::create_directories(parent_of(path), error);
    if (error) {
      return fail(ErrorKind::io, fmt::format("cannot create directory {}: {}", parent_of(path),
                                             error.message()));
    }
    if (artifact.kind == "image") {
      auto copied = replace_tree(artifact.path, path, cancel);
      if (!copied) return std::unexpected(copied.error());
      pushed.bytes_sent = *copied;
    } else {
      const auto colon = artifact.digest.find(':');
      auto copied = replace_file(artifact.path, path,
                                 colon == std::string::npos ? artifact.digest : artifact.digest.substr(colon + 1),
                                 cancel);
      if (!copied) return std::unexpected(copied.error());
      pushed.bytes_sent = *copied;
    }
    return pushed;
  }

  // Copies `source` beside `path` and renames it over `path`.
  static Result<std::uint64_t> replace_file(const std::string& source, const std::string& path,
                                            const std::string& expected_hex, const std::atomic<bool>* cancel) {
    const std::string temp = temp_sibling(path);
    auto copied = copy_file(source, temp, expected_hex, cancel);
    if (!copied) return copied;
    if (::rename(temp.c_str(), path.c_str()) != 0) {
      const std::string why = errno_text();
      ::unlink(temp.c_str());
      return fail(ErrorKind::io, fmt::format("cannot rename {} to {}: {}", temp, path, why));
    }
    if (auto synced = fsync_path(parent_of(path)); !synced) {
      return std::unexpected(synced.error());
    }
    return copied;
  }

  // Copies the tree `source` beside `path`, then swaps it in as a whole.
  static Result<std::uint64_t> replace_tree(const std::string& source, const std::string& path,
                                            const std::atomic<bool>* cancel) {
    const std::string temp = temp_sibling(path);
    auto copied = copy_tree(source, temp, "", cancel);
    if (!copied) {
      remove_quietly(temp);
      return copied;
    }
    if (::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, path.c_str(), RENAME_EXCHANGE) == 0) {
      remove_quietly(temp);  // now the old tree
    } else if (errno == ENOENT) {
      if (::rename(temp.c_str(), path.c_str()) != 0) {
        const std::string why = errno_text();
        remove_quietly(temp);
        return fail(ErrorKind::io, fmt::format("cannot rename {} to {}: {}", temp, path, why));
      }
    } else if (errno == EINVAL || errno == ENOSYS) {
      // A file system without RENAME_EXCHANGE: the old tree moves aside
      // first, leaving a moment without one (never a mix of both).
      const std::string old = temp_sibling(path);
      if (::rename(path.c_str(), old.c_str()) != 0 || ::rename(temp.c_str(), path.c_str()) != 0) {
        const std::string why = errno_text();
        remove_quietly(temp);
        return fail(ErrorKind::io, fmt::format("cannot replace {} with {}: {}", path, temp, why));
      }
      remove_quietly(old);
    } else {
      const std::string why = errno_text();
      remove_quietly(temp);
      return fail(ErrorKind::io, fmt::format("cannot swap {} into {}: {}", temp, path, why));
    }
    if (auto synced = fsync_path(parent_of(path)); !synced) {
      return std::unexpected(synced.error());
    }
    return copied;
  }

  DirTarget target_;
  std::string base_dir_;
};

}  // namespace

std::unique_ptr<Pusher> make_dir_pusher(DirTarget target, std::string base_dir) {
  return std::make_unique<DirPusher>(std::move(target), std::move(base_dir));
}

}  // namespace wharf::push
