// Breaking dependency cycles the way a reader can predict: wharf.toml may not
// have them (Graph::build rejects a cycle), package managers allow them.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace wharf::infer {

// `deps`: each name's dependencies (names in the map; others are ignored).
// Walks depth first from each name in sorted order, dependencies in sorted
// order, and drops each edge that closes a cycle (it leads back to a name on
// the walk's path). Returns the cycles broken, each "a -> b -> a" ending with
// the dropped edge.
std::vector<std::string> break_cycles(std::map<std::string, std::vector<std::string>>& deps);

}  // namespace wharf::infer
