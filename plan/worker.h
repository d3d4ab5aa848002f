// One thread's share of a plan: resolving bases and deciding DEPLOY or skip
// for services, with its own libgit2 handle. Internal to plan/.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "plan/plan.h"
#include "vcs/repository.h"
#include "vcs/tree_diff.h"

namespace wharf::plan::detail {

// A base resolved once per distinct revision string and per commit.
struct ResolvedBase {
  vcs::ObjectId commit;
  std::string hex;  // commit, in full
  vcs::TreePtr tree;
  // The first committed change each shared input reaches (by
  // Input::shared_slot), for inputs that no exclude of the service itself can
  // touch (Input::service_excludes_apply, the usual case for packages and
  // workspace inputs): every service that shares a package asks the same
  // question of the same base. An array: ~11,000 lookups for the benchmark's
  // --since, where a hash map's cache misses showed in the profile.
  struct FirstChange {
    bool known = false;
    std::optional<std::string> path;  // none: no change this input accepts
  };
  std::vector<FirstChange> first_change;
};

// What every worker reads and nobody writes while services are planned.
struct Shared {
  const graph::Graph& graph;
  const PlanOptions& options;
  vcs::ObjectId head;
  std::vector<std::string> uncommitted;      // --worktree paths, sorted
  std::map<std::string, int> users_per_rev;  // services per base revision
  LockfileJudge* lockfiles = nullptr;        // null: a lockfile change is like any other
};

// Plans services on one thread with its own repository handle (libgit2
// objects are not shared across threads), tree cache and resolved bases.
class Worker {
 public:
  Worker(const vcs::Repository& repo, const Shared& shared) : repo_(repo), shared_(shared), differ_(repo) {}

  Result<void> load_head();
  Result<void> plan_service(const graph::Service& service, ServicePlan& out);

  std::size_t bases() const { return bases_.size(); }
  std::size_t memo_hits() const { return memo_hits_; }  // inputs answered from ResolvedBase::first_change
  const vcs::TreeDiffer& differ() const { return differ_; }
  vcs::TreeDiffer& differ() { return differ_; }
  git_tree* head_tree() const { return head_tree_.get(); }

 private:
  Result<ResolvedBase*> base_for(const std::string& service, const std::string& rev, bool* missing);
  const vcs::Repository& repo_;
  const Shared& shared_;
  vcs::TreeDiffer differ_;
  vcs::TreePtr head_tree_;
  std::map<std::string, vcs::ObjectId> rev_to_commit_;
  std::map<std::string, ResolvedBase> bases_;  // by commit hex (after merge-base)
  std::size_t memo_hits_ = 0;
  std::string last_rev_;               // the revision base_for resolved last
  ResolvedBase* last_base_ = nullptr;  // and what it gave
};

}  // namespace wharf::plan::detail
