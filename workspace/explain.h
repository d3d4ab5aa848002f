// `wharf explain SERVICE`: the service's current key against the key of the
// artifact last built for it, and what changed between their transcripts.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hashing/explain.h"
#include "workspace/workspace.h"

namespace wharf::workspace {

struct Explanation {
  std::string service;
  std::string current_key;  // 32 hex digits
  std::size_t input_files = 0;
  bool current_cached = false;            // an artifact for the current key is cached
  std::optional<std::string> last_built;  // key of the artifact last built; nullopt: never built
  bool have_old_transcript = false;       // the last built key's transcript is in the cache
  std::vector<hashing::KeyChange> changes;

  bool unchanged() const { return last_built && *last_built == current_key; }
};

// Computes the service's key (see compute_keys) and compares it with the
// last built one. ErrorKind::usage for an unknown service.
Result<Explanation> explain_service(Workspace& workspace, const std::string& service);

}  // namespace wharf::workspace
