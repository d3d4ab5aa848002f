// The independent judges of an OCI image layout (../shared/REAL-PARTS.md
// §2): oci-image-tool (structure, media types, sizes, digests), umoci unpack
// (the only one that checks diff_ids against the layers) and skopeo inspect.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace wharf::testing {

// Whether all three are installed (scripts/bootstrap.sh installs them).
bool have_oci_judges();

// All three accept the layout `dir` with `tag`; umoci unpacks it into
// `bundle`. Returns `skopeo inspect`'s JSON. Failures are test failures.
nlohmann::json judge_layout(const std::string& dir, const std::string& tag, const std::string& bundle);

// A blob of a layout parsed as JSON ("sha256:..." digest).
nlohmann::json layout_blob_json(const std::string& dir, const std::string& digest);

}  // namespace wharf::testing
