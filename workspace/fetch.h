// Plans in a shallow CI clone: the bases it lacks, named exactly and fetched
// by SHA. A plan compares the trees of a base and the head, never the
// history between them, so a depth-1 blobless fetch of each missing live
// commit brings all it reads: on the benchmark repository ~1 MB instead of
// the whole history (see bench/shallow_bench.sh).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "plan/plan.h"
#include "vcs/repository.h"
#include "workspace/host.h"

namespace wharf::workspace {

// The one-line git command that fetches `shas` from `remote`, as wharf runs it.
std::string fetch_command(const std::string& remote, const std::vector<std::string>& shas);

// Makes sure the bases of `options` (its --since, or each live SHA) are in
// `repo` before it is planned. With `remote` set (--fetch-missing), the
// full SHAs that are missing are fetched in one `git fetch --depth=1
// --filter=blob:none --no-tags REMOTE SHA...` (its output through
// host.output), and with --merge-base a shallow history is deepened, doubling,
// until each merge base is found. What is still missing is an error naming
// the services, the SHAs and the exact command to run (ErrorKind::repository),
// unless options.missing_base is deploy: then the plan deploys those services.
// An abbreviated SHA cannot be fetched: the error says so and names its service.
Result<void> ensure_bases(const vcs::Repository& repo, const plan::PlanOptions& options, const std::string& remote,
                          const Host& host);

// For plan::PlanOptions::fetch_blobs: fetches blobs a partial clone lacks
// from `remote` in one call (`git fetch --filter=blob:none
// --no-write-fetch-head REMOTE BLOB...`: one pack, in which the versions of a
// lockfile are deltas of each other), and says whether it did.
std::function<bool(const std::vector<std::string>& blob_ids)> blob_fetcher(const vcs::Repository& repo,
                                                                           const std::string& remote, const Host& host);

}  // namespace wharf::workspace
