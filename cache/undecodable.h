// Records no reader can use: values that fail their seal or length check
// (damaged, or written by an older wharf without a seal) and values that
// pass it but do not decode as what their database holds. Every reader
// treats them as misses; `wharf cache stats` counts them and `wharf cache gc`
// deletes them, so they do not stay misses, and take space, for ever.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cache/lmdb_env.h"

namespace wharf::cache {

// Whether a payload that passed its seal decodes as what `db` holds. The
// meta database and transcripts (free text) always do.
bool decodes(Db db, std::string_view value);

// The keys of `db`'s undecodable records, in key order.
Result<std::vector<std::string>> undecodable_keys(Txn& txn, Db db);

}  // namespace wharf::cache
