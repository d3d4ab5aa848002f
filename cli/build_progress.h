// The live display of `wharf build` on stderr: on a terminal a block of
// lines, one per running service, redrawn in place, with finished services
// printed above it; otherwise one line per event.
#pragma once

#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <mutex>
#include <string>

#include <fmt/format.h>

#include "workspace/build.h"

namespace wharf::cli {

inline std::string human_bytes(std::uint64_t bytes) {
  if (bytes >= (1u << 20)) return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1 << 20));
  if (bytes >= 1024) return fmt::format("{:.1f} KiB", static_cast<double>(bytes) / 1024);
  return fmt::format("{} B", bytes);
}

class Progress {
 public:
  explicit Progress(bool terminal) : terminal_(terminal) {}

  void phase(const std::string& service, const char* name) {
    std::lock_guard lock(mutex_);
    auto& row = running_[service];
    row.phase = name;
    row.since = std::chrono::steady_clock::now();
    if (!terminal_) {
      std::cerr << fmt::format("wharf: {}: {}\n", service, name);
      return;
    }
    redraw();
  }

  void packed(const std::string& service, std::uint64_t files, std::uint64_t bytes) {
    std::lock_guard lock(mutex_);
    auto& row = running_[service];
    row.files = files;
    row.bytes = bytes;
    if (terminal_) redraw();
  }

  void finished(const workspace::BuiltService& s) {
    std::lock_guard lock(mutex_);
    running_.erase(s.name);
    clear();
    std::string line = fmt::format("wharf: {}: {}", s.name, workspace::status_name(s.status));
    if (s.status == workspace::BuildStatus::failed || s.status == workspace::BuildStatus::skipped) {
      line += ": " + s.reason;
    } else {
      line += fmt::format(" {} {} {} -> {}", s.kind, s.digest.substr(0, 19), human_bytes(s.size), s.path);
      if (s.status == workspace::BuildStatus::built && s.build_seconds > 0) {
        line += fmt::format(" (build {:.1f} s)", s.build_seconds);
      }
    }
    std::cerr << line << "\n";
    if (terminal_) redraw();
  }

  void done() {
    std::lock_guard lock(mutex_);
    clear();
  }

 private:
  struct Row {
    std::string phase;
    std::chrono::steady_clock::time_point since;
    std::uint64_t files = 0;
    std::uint64_t bytes = 0;
  };

  void clear() {
    if (!terminal_ || drawn_ == 0) return;
    std::cerr << fmt::format("\x1b[{}A\x1b[J", drawn_);
    drawn_ = 0;
  }

  void redraw() {
    clear();
    const auto now = std::chrono::steady_clock::now();
    for (const auto& [name, row] : running_) {
      double seconds = std::chrono::duration<double>(now - row.since).count();
      std::cerr << fmt::format("  {} {} {:.0f}s", name, row.phase, seconds);
      if (row.files) std::cerr << fmt::format(" {} files {}", row.files, human_bytes(row.bytes));
      std::cerr << "\n";
      ++drawn_;
    }
    std::cerr.flush();
  }

  bool terminal_;
  std::mutex mutex_;
  std::map<std::string, Row> running_;
  int drawn_ = 0;
};

}  // namespace wharf::cli
