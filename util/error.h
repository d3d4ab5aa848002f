// Errors as values at library boundaries; only the CLI maps them to a
// message and an exit code (see cli/run.cc).
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace wharf {

// What went wrong, so callers branch without matching strings. The CLI maps
// the kind to an exit code: usage/config -> 2, everything else -> 3.
enum class ErrorKind {
  usage,       // bad flags or arguments
  config,      // wharf.toml or a --live file is invalid
  repository,  // git repository missing, bad revision, missing base
  not_found,   // a file or object that should exist does not
  io,          // the file system failed
  corrupt,     // stored data failed a check (cache, index)
};

struct Error {
  ErrorKind kind;
  std::string message;
};

template <class T>
using Result = std::expected<T, Error>;

// A Result<void> that is fine.
inline Result<void> ok() { return {}; }

[[nodiscard]] inline std::unexpected<Error> fail(ErrorKind kind, std::string message) {
  return std::unexpected(Error{kind, std::move(message)});
}

// Exit code for an error kind, as documented in README.md.
int exit_code_for(ErrorKind kind);

const char* to_string(ErrorKind kind);

}  // namespace wharf
