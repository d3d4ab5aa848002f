#include "push/command_pusher.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "proc/process.h"
#include "util/text.h"

namespace wharf::push {
namespace {

constexpr std::size_t kTailLines = 20;

// The last line of `text` with something on it, trimmed.
std::string last_line(std::string text) {
  auto blank = [](char c) { return c == '\n' || c == '\r' || c == ' ' || c == '\t'; };
  while (!text.empty() && blank(text.back())) text.pop_back();
  const auto newline = text.rfind('\n');
  std::string line = newline == std::string::npos ? text : text.substr(newline + 1);
  while (!line.empty() && blank(line.front())) line.erase(0, 1);
  while (!line.empty() && blank(line.back())) line.pop_back();
  return line;
}

// A log file made for one run and removed with this object.
class TempLog {
 public:
  TempLog() {
    std::string pattern = (std::filesystem::temp_directory_path() / "wharf-push-XXXXXX").string();
    const int fd = ::mkstemp(pattern.data());
    if (fd >= 0) {
      ::close(fd);
      path_ = pattern;
    }
  }
  ~TempLog() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  TempLog(const TempLog&) = delete;
  TempLog& operator=(const TempLog&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Holds only its configuration: `wharf deploy` calls push() for several
// services at once.
class CommandPusher final : public Pusher {
 public:
  explicit CommandPusher(CommandTarget target) : target_(std::move(target)) {}

  std::string kind() const override { return "command"; }

  Result<Preview> preview(const Artifact& artifact) override {
    Preview preview;
    preview.location = "";
    preview.bytes_to_send = artifact.size;
    preview.complete = false;  // only the command knows, and it is not run
    return preview;
  }

  Result<Pushed> push(const Artifact& artifact, const std::atomic<bool>* cancel) override {
    if (target_.command.empty()) {
      return fail(ErrorKind::config, fmt::format("service {}: the command target has no command", artifact.service));
    }
    std::optional<TempLog> temp_log;
    std::string log = target_.log_path;
    if (log.empty()) {
      temp_log.emplace();
      log = temp_log->path();
      if (log.empty()) return fail(ErrorKind::io, fmt::format("service {}: cannot create a log file", artifact.service));
    }
    proc::ProcessSpec spec;
    spec.argv = {"/bin/sh", "-c", target_.command};
    spec.cwd = target_.cwd;
    spec.log_path = log;
    spec.timeout = target_.timeout;
    spec.env = {
        "WHARF_SERVICE=" + artifact.service,
        "WHARF_ENV=" + artifact.environment,
        "WHARF_ARTIFACT=" + artifact.path,
        "WHARF_DIGEST=" + artifact.digest,
        "WHARF_TAG=" + (artifact.tags.empty() ? std::string() : artifact.tags.front()),
        "WHARF_TAGS=" + join(artifact.tags, " "),
        "WHARF_KEY=" + artifact.key,
        "WHARF_SHA=" + artifact.sha,
        "WHARF_SHORT_SHA=" + artifact.short_sha,
        "WHARF_KIND=" + artifact.kind,
        "WHARF_MEDIA_TYPE=" + artifact.media_type,
        "WHARF_SIZE=" + std::to_string(artifact.size),
    };
    const std::string shown = printable(target_.command, 120);
    auto result = proc::run_process(spec, cancel);
    if (!result) {
      return fail(result.error().kind,
                  fmt::format("service {}: cannot run the push command `{}`: {}", artifact.service, shown,
                              result.error().message));
    }
    if (!result->ok()) {
      std::string how = result->describe();
      if (result->timed_out) how += fmt::format(" after {} ms", target_.timeout.count());
      const std::string tail = proc::tail_lines(log, kTailLines);
      return fail(ErrorKind::io,
                  fmt::format("service {}: the push command `{}` {}{}{}", artifact.service, shown, how,
                              tail.empty() ? "" : "; the last lines of its output:\n",
                              tail.empty() ? std::string(" and printed nothing") : tail));
    }
    Pushed pushed;
    pushed.digest = artifact.digest;
    pushed.tag = artifact.tags.empty() ? std::string() : artifact.tags.front();
    pushed.location = last_line(proc::tail_lines(log, 3));
    pushed.bytes_sent = artifact.size;
    return pushed;
  }

 private:
  CommandTarget target_;
};

}  // namespace

std::unique_ptr<Pusher> make_command_pusher(CommandTarget target) {
  return std::make_unique<CommandPusher>(std::move(target));
}

}  // namespace wharf::push
