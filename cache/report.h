// Text and JSON renderings of cache stats and gc reports for the CLI.
#pragma once

#include <string>

#include "cache/gc.h"
#include "cache/stats.h"

namespace wharf::cache {

std::string stats_to_text(const CacheStats& stats);
std::string stats_to_json(const CacheStats& stats);
std::string gc_to_text(const GcReport& report);
std::string gc_to_json(const GcReport& report);
// One artifact record as a JSON object with its key (for `wharf cache put`).
std::string artifact_to_json(const std::string& key, const ArtifactRecord& record);

}  // namespace wharf::cache
