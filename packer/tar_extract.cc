#include "packer/tar_extract.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

namespace wharf::packer {
namespace {

namespace stdfs = std::filesystem;

// The name relative to the root: "./" prefixes and trailing slashes
// dropped, "." components skipped; nullopt if absolute, with a ".." or NUL.
std::optional<std::string> safe_name(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.find('\0') != std::string_view::npos) return std::nullopt;
  std::string out;
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t slash = name.find('/', start);
    std::string_view part =
        name.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (part == "..") return std::nullopt;
    if (!part.empty() && part != ".") out += (out.empty() ? "" : "/") + std::string(part);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

// A symlink's target, from the directory the link sits in, as a name from
// the root; nullopt when it leads above the root or is absolute.
std::optional<std::string> resolve_link(const std::string& link_name, std::string_view target) {
  if (target.empty() || target.front() == '/') return std::nullopt;
  std::vector<std::string> parts;
  std::size_t slash = link_name.rfind('/');
  std::string base = slash == std::string::npos ? "" : link_name.substr(0, slash);
  std::string joined = base.empty() ? std::string(target) : base + "/" + std::string(target);
  std::size_t start = 0;
  while (start <= joined.size()) {
    std::size_t next = joined.find('/', start);
    std::string part = joined.substr(start, next == std::string::npos ? std::string::npos : next - start);
    if (part == "..") {
      if (parts.empty()) return std::nullopt;
      parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    if (next == std::string::npos) break;
    start = next + 1;
  }
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : "/") + part;
  return out;
}

struct ArchiveFree {
  void operator()(archive* handle) const { archive_read_free(handle); }
};

struct PendingLink {
  std::string name;    // where the link goes, from the root
  std::string target;  // the file it names, from the root
};

class Extractor {
 public:
  Extractor(std::string archive_path, std::string dir) : archive_path_(std::move(archive_path)), dir_(std::move(dir)) {}

  Result<void> run() {
    std::unique_ptr<archive, ArchiveFree> reader(archive_read_new());
    archive_read_support_format_tar(reader.get());
    archive_read_support_filter_all(reader.get());
    if (archive_read_open_filename(reader.get(), archive_path_.c_str(), 1 << 20) != ARCHIVE_OK) {
      return bad(archive_error_string(reader.get()));
    }
    archive_entry* entry = nullptr;
    while (true) {
      int status = archive_read_next_header(reader.get(), &entry);
      if (status == ARCHIVE_EOF) break;
      if (status < ARCHIVE_WARN) return bad(archive_error_string(reader.get()));
      if (auto done = extract_one(reader.get(), entry); !done) return done;
    }
    return link_all();
  }

 private:
  Error bad_error(std::string_view why) const {
    return Error{ErrorKind::corrupt, fmt::format("image archive {}: {}", archive_path_, why)};
  }
  Result<void> bad(const char* why) const { return std::unexpected(bad_error(why ? why : "unreadable archive")); }

  Result<void> extract_one(archive* reader, archive_entry* entry) {
    const char* raw = archive_entry_pathname(entry);
    std::string shown = raw ? raw : "";
    auto name = safe_name(shown);
    if (!name) return std::unexpected(bad_error(fmt::format("entry \"{}\" would land outside the directory", shown)));
    if (name->empty()) return ok();  // "./" itself
    std::string path = dir_ + "/" + *name;
    std::error_code error;
    stdfs::create_directories(stdfs::path(path).parent_path(), error);
    if (error) return io_error("cannot create the directory of", path, error.message());
    if (const char* hardlink = archive_entry_hardlink(entry)) {
      auto target = safe_name(hardlink);
      if (!target) return std::unexpected(bad_error(fmt::format("hard link \"{}\" leads outside", shown)));
      links_.push_back({*name, *target});
      return ok();
    }
    switch (archive_entry_filetype(entry)) {
      case AE_IFDIR:
        stdfs::create_directories(path, error);
        if (error) return io_error("cannot create", path, error.message());
        return ok();
      case AE_IFLNK: {
        const char* target = archive_entry_symlink(entry);
        auto resolved = resolve_link(*name, target ? target : "");
        if (!resolved) {
          return std::unexpected(
              bad_error(fmt::format("symlink \"{}\" -> \"{}\" leads outside", shown, target ? target : "")));
        }
        links_.push_back({*name, *resolved});
        return ok();
      }
      case AE_IFREG:
        return write_file(reader, path, shown);
      default:
        return std::unexpected(bad_error(fmt::format("entry \"{}\" is neither a file, a directory nor a link", shown)));
    }
  }

  Result<void> write_file(archive* reader, const std::string& path, const std::string& shown) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0 && errno == EEXIST) {
      return std::unexpected(bad_error(fmt::format("entry \"{}\" appears twice", shown)));
    }
    if (fd < 0) return io_error("cannot create", path, std::strerror(errno));
    std::unique_ptr<int, void (*)(int*)> closer(&fd, [](int* f) { ::close(*f); });
    buffer_.resize(1 << 20);
    while (true) {
      la_ssize_t n = archive_read_data(reader, buffer_.data(), buffer_.size());
      if (n < 0) return bad(archive_error_string(reader));
      if (n == 0) return ok();
      std::string_view rest(buffer_.data(), static_cast<std::size_t>(n));
      while (!rest.empty()) {
        ssize_t wrote = ::write(fd, rest.data(), rest.size());
        if (wrote < 0 && errno == EINTR) continue;
        if (wrote < 0) return io_error("cannot write", path, std::strerror(errno));
        rest.remove_prefix(static_cast<std::size_t>(wrote));
      }
    }
  }

  // Links name files written earlier, or other links: resolved in passes
  // until none is left (a loop or a missing target is an error).
  Result<void> link_all() {
    while (!links_.empty()) {
      std::vector<PendingLink> waiting;
      for (const PendingLink& link : links_) {
        std::error_code error;
        std::string target = dir_ + "/" + link.target;
        if (!stdfs::is_regular_file(stdfs::symlink_status(target, error))) {
          waiting.push_back(link);
          continue;
        }
        stdfs::create_hard_link(target, dir_ + "/" + link.name, error);
        if (error) return io_error("cannot link", dir_ + "/" + link.name, error.message());
      }
      if (waiting.size() == links_.size()) {
        return std::unexpected(bad_error(fmt::format("link \"{}\" names \"{}\", which is not a file in the archive",
                                                     waiting.front().name, waiting.front().target)));
      }
      links_ = std::move(waiting);
    }
    return ok();
  }

  Result<void> io_error(std::string_view what, const std::string& path, const std::string& why) const {
    return fail(ErrorKind::io, fmt::format("extracting {}: {} {}: {}", archive_path_, what, path, why));
  }

  std::string archive_path_;
  std::string dir_;
  std::vector<PendingLink> links_;
  std::string buffer_;
};

}  // namespace

Result<void> extract_tar(const std::string& archive, const std::string& dir) { return Extractor(archive, dir).run(); }

}  // namespace wharf::packer
