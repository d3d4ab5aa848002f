// The input key of a service: a Merkle key over everything that determines
// its build, computed through the tagged Hasher so it can be explained.
//
//   package key = H(format, kind, name, normalized config, workspace excludes,
//                   (path, mode, content digest) of each input file, by path)
//   service key = H(format, kind, name, normalized config, workspace inputs and
//                   excludes, (path, mode, digest) of each own input file,
//                   (name, key) of each package in its closure, by name,
//                   (name, value or "unset") of each declared env variable)
//
// Paths are repository-relative and sorted bytewise; timestamps, the checkout
// location, directory listing order and the machine never enter a key. The
// build command is part of the normalized config. Each package key is
// computed once and shared by every service using it; when a service's own
// excludes remove some of a package's files, that service gets a key of the
// package over the files it actually sees (same name, different key).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fs/file_system.h"
#include "graph/graph.h"
#include "hashing/file_hasher.h"
#include "hashing/work_tree.h"
#include "util/error.h"

namespace wharf::hashing {

// Bump when anything about what goes into a key changes.
// (/2: config fields hashed as declared in graph/config_fields.h.)
inline constexpr std::string_view kKeyFormat = "wharf-input-key/3";

// The value of an environment variable, nullopt when unset (unset != empty).
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// An input file as hashed.
struct InputFile {
  std::string path;
  std::uint32_t mode = 0;  // git mode: 100644, 100755, 120000, 160000
  Digest128 digest{};
};

struct ComponentKey {
  graph::ComponentKind kind = graph::ComponentKind::service;
  std::string name;
  const graph::ComponentConfig* config = nullptr;
  Digest128 key{};
  std::vector<std::uint32_t> files;     // into KeySet::files(), by path
  std::vector<std::uint32_t> packages;  // services: into KeySet::packages(), by name
  // services: declared env variables by name, with their values.
  std::vector<std::pair<std::string, std::optional<std::string>>> env;
  // Distinct input files including the packages' (for reports).
  std::size_t input_files = 0;
};

// The keys of some services and of the packages they use, and the data to
// re-derive each key's transcript. Immutable once computed.
class KeySet {
 public:
  // Lists the inputs of `services` (tracked files, plus untracked files git
  // does not ignore, at or below their input patterns; `.git` skipped),
  // hashes each file once with `hasher`, and computes the keys.
  static Result<KeySet> compute(const graph::Graph& graph, std::span<const graph::Service* const> services,
                                const WorkTree& tree, FileHasher& hasher, const EnvLookup& env);

  // In the order asked for.
  const std::vector<ComponentKey>& services() const { return services_; }
  const std::vector<ComponentKey>& packages() const { return packages_; }
  const std::vector<InputFile>& files() const { return files_; }
  const ComponentKey* find_service(std::string_view name) const;

  // The "tag: value" lines hashed into `component`'s key (see Hasher).
  std::string transcript(const ComponentKey& component) const;
  // The transcripts of many components, computed in parallel.
  std::vector<std::string> transcripts(std::span<const ComponentKey* const> components) const;

 private:
  Digest128 hash_component(const ComponentKey& component, std::string* transcript) const;

  const graph::WorkspaceConfig* workspace_ = nullptr;
  std::vector<InputFile> files_;
  std::vector<ComponentKey> packages_;
  std::vector<ComponentKey> services_;
};

// "100644" and friends.
std::string mode_string(std::uint32_t git_mode);

}  // namespace wharf::hashing
