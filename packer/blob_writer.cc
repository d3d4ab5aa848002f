#include "packer/blob_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "util/text.h"

namespace wharf::packer {
namespace {

constexpr std::size_t kFlushSize = 1 << 20;

Error io_error(std::string_view what, const std::string& path) {
  return Error{ErrorKind::io, fmt::format("{} {}: {}", what, path, std::strerror(errno))};
}

}  // namespace

Result<BlobWriter> BlobWriter::open(const BlobTarget& target) {
  if (target.path.empty()) return BlobWriter(target, -1, {});
  std::string temp = target.path + ".tmp.XXXXXX";
  int fd = mkstemp(temp.data());
  if (fd < 0) return std::unexpected(io_error("cannot create a temporary file for", target.path));
  // mkstemp makes 0600 files; a zip or layer is an ordinary readable file.
  ::fchmod(fd, 0644);
  return BlobWriter(target, fd, std::move(temp));
}

BlobWriter::BlobWriter(BlobTarget target, int fd, std::string temp_path)
    : target_(std::move(target)), fd_(fd), temp_path_(std::move(temp_path)) {}

BlobWriter::BlobWriter(BlobWriter&& other) noexcept
    : target_(std::move(other.target_)),
      fd_(std::exchange(other.fd_, -1)),
      temp_path_(std::move(other.temp_path_)),
      buffer_(std::move(other.buffer_)),
      sha_(other.sha_),
      size_(other.size_) {
  other.temp_path_.clear();
}

BlobWriter::~BlobWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
}

Result<void> BlobWriter::write(std::string_view bytes) {
  sha_.update(bytes);
  size_ += bytes.size();
  buffer_.append(bytes);
  if (fd_ >= 0 && buffer_.size() >= kFlushSize) return flush();
  return ok();
}

Result<void> BlobWriter::flush() {
  std::string_view rest = buffer_;
  while (!rest.empty()) {
    ssize_t n = ::write(fd_, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::unexpected(io_error("cannot write", temp_path_));
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  buffer_.clear();
  return ok();
}

Result<PackedBlob> BlobWriter::finish() {
  PackedBlob blob;
  auto digest = sha_.digest();
  blob.sha256 = to_hex(digest);
  blob.size = size_;
  if (fd_ < 0) {
    blob.bytes = std::move(buffer_);
    return blob;
  }
  if (auto flushed = flush(); !flushed) return std::unexpected(flushed.error());
  if (target_.sync == fs::Sync::durable && ::fsync(fd_) != 0) {
    return std::unexpected(io_error("cannot fsync", temp_path_));
  }
  if (::close(std::exchange(fd_, -1)) != 0) return std::unexpected(io_error("cannot close", temp_path_));
  if (std::rename(temp_path_.c_str(), target_.path.c_str()) != 0) {
    return std::unexpected(io_error("cannot rename the packed file to", target_.path));
  }
  temp_path_.clear();
  blob.path = target_.path;
  return blob;
}

}  // namespace wharf::packer
