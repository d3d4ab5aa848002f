// The `wharf init` block as text: the workspace, then packages, then
// services, each sorted by name, each table under a comment saying where it
// came from. Deterministic: the same inference gives the same bytes.
#pragma once

#include <string>
#include <vector>

#include "infer/infer.h"

namespace wharf::infer {

// The block, markers included, ending in a newline. `left_out` names tables
// ("workspace", "service.api", as infer/toml_text.h's defined_tables gives
// them) that wharf.toml defines outside the block: they are not written, and
// a comment lists them.
std::string render_block(const Inferred& inferred, const std::vector<std::string>& left_out);

}  // namespace wharf::infer
