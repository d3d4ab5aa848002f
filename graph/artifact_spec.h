// What a service's artifact is, in typed form: its [service.NAME.zip] or
// [service.NAME.image] table (kept as flattened settings in ComponentConfig,
// see SettingEntry) read into structs. parse_config() calls this to report a
// bad artifact table at file:line:col; `wharf build` calls it to pack.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "graph/config.h"
#include "graph/path_pattern.h"
#include "util/error.h"

namespace wharf::graph {

// Files of the repository placed in an archive: `from` is a file, a directory
// or a glob (PathPattern's dialect); each matched file lands at `to` joined
// with its path below `from`'s literal root (a file named exactly lands at
// `to`/its name; `to` ending in '/' or empty is a directory).
struct FileMapping {
  PathPattern from;
  std::string to;                    // archive path ("" = the root); no leading '/', no ".."
  std::vector<PathPattern> exclude;  // repository paths left out of this mapping
  SourceLocation where;              // of `from`, for "matches nothing" errors
};

struct ZipSpec {
  std::vector<FileMapping> files;
  std::string tag;  // template; "" = the default (short SHA)
};

struct LayerSpec {
  std::string name;  // for history and progress ("deps", "code"); default "layer N"
  std::vector<FileMapping> files;
};

struct ImageSpec {
  std::string base = "scratch";  // or "oci:DIR:TAG", DIR relative to the repository root
  std::vector<LayerSpec> layers;
  std::optional<std::vector<std::string>> entrypoint;
  std::optional<std::vector<std::string>> cmd;
  std::vector<std::string> env;  // "KEY=VALUE"
  std::optional<std::string> workdir;
  std::optional<std::string> user;
  std::map<std::string, std::string> labels;
  std::vector<std::string> exposed_ports;
  std::string platform = "linux/amd64";
  std::string compression = "gzip";  // or "zstd"
  std::string tag;                   // template; "" = the default (short SHA)
  // Set: the build command writes the image itself (an OCI layout directory,
  // an OCI archive or a `docker save` tarball) at this repository path, and
  // wharf takes it as the artifact; `layers` and the run settings must be unset.
  std::string import;
};

enum class ArtifactKind { none, zip, image };

struct ArtifactSpec {
  ArtifactKind kind = ArtifactKind::none;
  ZipSpec zip;
  ImageSpec image;
  SourceLocation where;  // the table's first setting
};

// The default tag template: the head commit's short SHA, as images are
// tagged in the runbooks.
inline constexpr std::string_view kDefaultTagTemplate = "{short_sha}";

// A problem found in a config: where, and the whole "file:line:col: ..." line.
struct ConfigProblem {
  SourceLocation where;
  std::string message;
};

// The problems of a service's artifact tables (parse_config reports them
// with the rest of the file's).
std::vector<ConfigProblem> artifact_problems(const ComponentConfig& service);

// The service's artifact. ErrorKind::config, one "file:line:col: message"
// line per problem: an unknown key (with the nearest valid one), a value of
// the wrong type, a bad pattern or archive path, both zip and image, an
// import beside layers, a tag template with an unknown {name}.
Result<ArtifactSpec> artifact_spec(const ComponentConfig& service);

// Expands a tag template: {service}, {sha}, {short_sha} (as `git rev-parse
// --short` abbreviates it), {key}.
std::string expand_tag(std::string_view tmpl, std::string_view service, std::string_view sha,
                       std::string_view short_sha, std::string_view key);

// A base image in a registry, `docker://HOST[:PORT]/REPOSITORY@sha256:HEX`:
// pinned by digest, so the key (which holds the text) names its bytes.
struct RegistryBase {
  std::string registry;    // host[:port]
  std::string repository;  // acme/node
  std::string digest;      // sha256:<hex>
};
// nullopt when `text` is not such a reference.
std::optional<RegistryBase> parse_registry_base(std::string_view text);
// What is wrong with a docker:// base ("" when nothing is).
std::string registry_base_problem(std::string_view text);

}  // namespace wharf::graph
