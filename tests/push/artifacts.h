// Artifacts for the pusher tests, made by hand: a "zip" (any bytes: the
// pushers never open it) and a small OCI image layout (oci-layout,
// index.json, a manifest, a config and one layer blob).
#pragma once

#include <string>

#include "push/pusher.h"

namespace wharf::push::testing {

// Writes `contents` to dir/name and describes it as service `service`'s zip.
Artifact make_zip(const std::string& dir, const std::string& name, const std::string& contents,
                  const std::string& service = "api");

// Writes an OCI image layout into dir/name whose one layer holds
// `layer_bytes`, tagged `tag`.
Artifact make_layout(const std::string& dir, const std::string& name, const std::string& layer_bytes,
                     const std::string& tag = "abc1234", const std::string& service = "web");

std::string sha256_of(const std::string& bytes);  // "sha256:<hex>"
std::string read_file(const std::string& path);   // "" when missing

}  // namespace wharf::push::testing
