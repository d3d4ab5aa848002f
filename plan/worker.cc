#include "plan/worker.h"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

namespace wharf::plan::detail {

Result<void> Worker::load_head() {
  auto tree = repo_.commit_tree(shared_.head);
  if (!tree) return std::unexpected(tree.error());
  head_tree_ = std::move(*tree);
  return ok();
}

Result<ResolvedBase*> Worker::base_for(const std::string& service, const std::string& rev, bool* missing) {
  *missing = false;
  // Services come grouped by base: most ask for the one asked before.
  if (last_base_ && rev == last_rev_) return last_base_;
  auto known = rev_to_commit_.find(rev);
  if (known == rev_to_commit_.end()) {
    auto resolved = repo_.resolve_commit(rev);
    const std::string from = shared_.options.live ? fmt::format("live SHA '{}' of service '{}'", rev, service)
                                                  : fmt::format("--since '{}'", rev);
    if (!resolved) {
      switch (resolved.error().failure) {
        case vcs::ResolveFailure::ambiguous:
          return fail(ErrorKind::repository,
                      fmt::format("{} is ambiguous: several objects start with it; give more hex digits "
                                  "(the full 40-character SHA)",
                                  from));
        case vcs::ResolveFailure::not_found:
          if (shared_.options.missing_base == MissingBase::deploy) {
            *missing = true;
            return nullptr;
          }
          return fail(ErrorKind::repository,
                      fmt::format("{} is not in this repository{}; {}, or pass --missing-base=deploy to deploy it "
                                  "anyway",
                                  from, repo_.is_shallow() ? " (the clone is shallow)" : "",
                                  rev.size() == 40 || rev.size() == 64
                                      ? fmt::format("fetch it (git fetch --depth=1 --filter=blob:none --no-tags "
                                                    "origin {}, or pass --fetch-missing)",
                                                    rev)
                                      : "give the full SHA (git fetches only full SHAs) or fetch the history "
                                        "(git fetch --unshallow)"));
        case vcs::ResolveFailure::invalid:
          return fail(ErrorKind::repository, fmt::format("{} is not a revision: {}", from, resolved.error().message));
      }
    }
    known = rev_to_commit_.emplace(rev, *resolved).first;
  }
  vcs::ObjectId commit = known->second;
  if (shared_.options.merge_base) {
    auto base = repo_.merge_base(commit, shared_.head);
    if (!base) return std::unexpected(base.error());
    commit = *base;
  }
  std::string key = commit.hex();
  auto it = bases_.find(key);
  if (it == bases_.end()) {
    auto tree = repo_.commit_tree(commit);
    if (!tree) return std::unexpected(tree.error());
    it = bases_.emplace(key, ResolvedBase{commit, key, std::move(*tree), {}}).first;
    it->second.first_change.resize(shared_.graph.shared_slots());
  }
  last_rev_ = rev;
  last_base_ = &it->second;
  return &it->second;
}

Result<void> Worker::plan_service(const graph::Service& service, ServicePlan& out) {
  out.name = service.name;
  std::optional<std::string> rev;
  if (shared_.options.live) {
    if (auto it = shared_.options.live->find(service.name); it != shared_.options.live->end()) rev = it->second;
  } else {
    rev = shared_.options.since;
  }
  if (!rev) {
    out.action = Action::deploy;
    out.reasons.push_back(Reason{ReasonKind::not_live, "", "", false, ""});
    return ok();
  }
  out.base_rev = *rev;
  bool missing = false;
  auto base = base_for(service.name, *rev, &missing);
  if (!base) return std::unexpected(base.error());
  if (missing) {
    out.action = Action::deploy;
    out.reasons.push_back(Reason{ReasonKind::missing_base, "", "", false, ""});
    return ok();
  }
  out.base = (*base)->hex;

  // One reason per route; within a route, the first accepted path in pattern
  // order (committed changes first, then uncommitted ones). A route's inputs
  // are contiguous in service.inputs (own paths, each package's paths, the
  // workspace inputs: graph.h), so the route that has its reason already is
  // always the one of the input before.
  const graph::Input* answered = nullptr;  // an input of the last route given a reason
  for (std::size_t i = 0; i < service.inputs.size(); ++i) {
    const graph::Input& input = service.inputs[i];
    ReasonKind kind = reason_kind(input.kind);
    if (answered && answered->kind == input.kind && answered->package == input.package) continue;
    std::string_view root = input.pattern().root();
    // The first committed change: from the base's memo when the answer is
    // shared, else from a walk (its path copied: the walk reuses its buffer).
    const std::string* found = nullptr;
    std::optional<std::string> walked_to;
    ResolvedBase::FirstChange* memo = nullptr;
    // Whether a lockfile this input matches reaches the service is the
    // service's own answer: never shared through the memo.
    const bool judged = shared_.lockfiles && input.kind == graph::InputKind::workspace &&
                        (!input.pattern().is_literal() || is_lockfile(input.pattern().text()));
    std::string detail;
    if (!judged && !input.service_excludes_apply && input.shared_slot != graph::Input::kNoSlot) {
      memo = &(*base)->first_change[input.shared_slot];
    }
    if (memo && memo->known) {
      if (memo->path) found = &*memo->path;
      ++memo_hits_;
    } else {
      // Only below `root`, and only until the first change the input accepts;
      // tree order is bytewise path order, so "first" is well defined.
      auto walked = differ_.visit_changes((*base)->tree.get(), head_tree_.get(), root, [&](const std::string& path) {
        if (!graph::Graph::accepts(service, input, path)) return false;
        if (judged && is_lockfile(path)) {
          LockfileVerdict verdict = shared_.lockfiles->judge(service, path, (*base)->commit, shared_.head);
          if (!verdict.changed) return false;
          detail = std::move(verdict.detail);
        }
        walked_to = path;
        return true;
      });
      if (!walked) return std::unexpected(walked.error());
      if (memo) {
        memo->known = true;
        memo->path = std::move(walked_to);
        if (memo->path) found = &*memo->path;
      } else if (walked_to) {
        found = &*walked_to;
      }
    }
    bool uncommitted = false;
    if (!found && shared_.options.worktree) {
      for (auto it = std::lower_bound(shared_.uncommitted.begin(), shared_.uncommitted.end(), root);
           it != shared_.uncommitted.end() && graph::is_at_or_below(*it, root); ++it) {
        if (graph::Graph::accepts(service, input, *it)) {
          found = &*it;
          uncommitted = true;
          break;
        }
      }
    }
    if (found) {
      out.reasons.push_back(Reason{kind, *found, std::string(input.via()), uncommitted, std::move(detail)});
      answered = &input;
    }
  }
  out.action = out.reasons.empty() ? Action::skip : Action::deploy;
  return ok();
}

}  // namespace wharf::plan::detail
