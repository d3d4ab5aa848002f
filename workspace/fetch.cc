#include "workspace/fetch.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include <unistd.h>

#include <fmt/format.h>

#include "proc/process.h"
#include "util/text.h"

namespace wharf::workspace {

namespace {

// Deepening for a merge base stops after this many commits: past it,
// fetching the whole history is the better advice.
constexpr int kMaxDeepen = 4096;

bool is_hex(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

bool is_full_sha(std::string_view text) { return (text.size() == 40 || text.size() == 64) && is_hex(text); }

// Text git printed, with any password in a URL ("https://user:secret@host")
// masked: wharf forwards git's output and its errors.
std::string without_credentials(std::string text) {
  for (std::size_t at = text.find("://"); at != std::string::npos; at = text.find("://", at + 3)) {
    std::size_t start = at + 3;
    std::size_t end = text.find_first_of("/ \n\t'\"", start);
    std::size_t sign = text.rfind('@', end == std::string::npos ? text.size() - 1 : end - 1);
    if (sign == std::string::npos || sign < start) continue;
    text.replace(start, sign - start, "***");
  }
  return text;
}

// Where each missing revision is used: service names, or "" for --since.
using Users = std::map<std::string, std::vector<std::string>>;

struct Bases {
  Users missing;      // full SHAs not in the repository
  Users abbreviated;  // hex that is too short to fetch and is not here
  std::set<std::string> present;  // full SHAs of the bases found
};

Bases find_bases(const vcs::Repository& repo, const plan::PlanOptions& options) {
  Users wanted;
  if (options.since) wanted[*options.since].push_back("");
  if (options.live) {
    for (const auto& [service, rev] : *options.live) wanted[rev].push_back(service);
  }
  Bases bases;
  for (const auto& [rev, users] : wanted) {
    auto resolved = repo.resolve_commit(rev);
    if (resolved) {
      bases.present.insert(resolved->hex());
    } else if (resolved.error().failure == vcs::ResolveFailure::not_found && is_full_sha(rev)) {
      bases.missing[rev] = users;
    } else if (resolved.error().failure == vcs::ResolveFailure::not_found && is_hex(rev) && rev.size() >= 4) {
      bases.abbreviated[rev] = users;
    }
    // Anything else (a typo'd branch, an ambiguous prefix) is the plan's error.
  }
  return bases;
}

// "live SHA 'abc...' of service 'a'; --since 'def...'", as the plan's own
// errors name a base.
std::string describe(const Users& users) {
  std::vector<std::string> parts;
  for (const auto& [rev, who] : users) {
    std::vector<std::string> services;
    bool since = false;
    for (const auto& name : who) {
      if (name.empty()) {
        since = true;
      } else {
        services.push_back("'" + name + "'");
      }
    }
    if (since) parts.push_back(fmt::format("--since '{}'", rev));
    if (!services.empty()) {
      parts.push_back(fmt::format("live SHA '{}' of service{} {}", rev, services.size() == 1 ? "" : "s",
                                  join(services, ", ")));
    }
  }
  return join(parts, "; ");
}

std::vector<std::string> shas_of(const Users& users) {
  std::vector<std::string> shas;
  for (const auto& [rev, _] : users) shas.push_back(rev);
  return shas;
}

// Runs git in the repository's work tree (or git dir), its output to a
// temporary file that is then handed to host.output. Returns the result and
// the output.
Result<std::pair<proc::ProcessResult, std::string>> run_git(const vcs::Repository& repo,
                                                            std::vector<std::string> args, const Host& host) {
  std::string dir = repo.workdir().empty() ? repo.git_dir() : repo.workdir();
  std::vector<std::string> argv{"git", "-C", dir};
  argv.insert(argv.end(), args.begin(), args.end());
  std::string log = (std::filesystem::temp_directory_path() / fmt::format("wharf-fetch-{}.log", ::getpid())).string();
  proc::ProcessSpec spec;
  spec.argv = argv;
  spec.log_path = log;
  auto ran = proc::run_process(spec);
  std::string output;
  if (FILE* f = std::fopen(log.c_str(), "rb")) {
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, f)) > 0;) output.append(buffer, n);
    std::fclose(f);
  }
  std::remove(log.c_str());
  if (!ran) return std::unexpected(ran.error());
  output = without_credentials(std::move(output));
  if (host.output && !output.empty()) host.output(output);
  return std::make_pair(*ran, std::move(output));
}

Result<void> fetch(const vcs::Repository& repo, const std::string& remote, const std::vector<std::string>& shas,
                   const Host& host) {
  std::vector<std::string> args{"fetch", "--depth=1", "--filter=blob:none", "--no-tags", remote};
  args.insert(args.end(), shas.begin(), shas.end());
  auto ran = run_git(repo, args, host);
  if (!ran) return std::unexpected(ran.error());
  const auto& [result, output] = *ran;
  if (result.ok()) return ok();
  if (output.find("not our ref") != std::string::npos || output.find("unadvertised object") != std::string::npos) {
    return fail(ErrorKind::repository,
                fmt::format("the remote '{}' refuses to send commits by SHA that it does not advertise; on the "
                            "server, allow it (git config uploadpack.allowReachableSHA1InWant true, or "
                            "uploadpack.allowAnySHA1InWant true for commits no branch reaches any more), or fetch "
                            "the whole history (git fetch --unshallow {}; fetch-depth: 0 in CI)",
                            remote, remote));
  }
  std::string tail(trim(output));
  if (auto cut = tail.rfind('\n', tail.size() > 600 ? tail.size() - 600 : 0); tail.size() > 600 && cut != std::string::npos) {
    tail = tail.substr(cut + 1);
  }
  return fail(ErrorKind::repository, fmt::format("`{}` {}{}{}", fetch_command(remote, shas), result.describe(),
                                                 tail.empty() ? "" : ": ", tail));
}

// Deepens the history until each base has a merge base with the head.
Result<void> deepen_for_merge_bases(const vcs::Repository& repo, const plan::PlanOptions& options,
                                    const std::set<std::string>& bases, const std::string& remote, const Host& host) {
  auto head = repo.resolve_commit(options.head);
  if (!head) return ok();  // the plan's error
  int deepened = 0;
  for (int step = 16;; step *= 2) {
    std::vector<std::string> unresolved;
    for (const auto& hex : bases) {
      auto base = repo.resolve_commit(hex);
      if (base && !repo.merge_base(*base, *head)) unresolved.push_back(hex);
    }
    if (unresolved.empty() || !repo.is_shallow()) break;
    if (deepened >= kMaxDeepen) {
      return fail(ErrorKind::repository,
                  fmt::format("no merge base of {} and {} within {} more commits of history; fetch the whole history "
                              "(git fetch --unshallow {}; fetch-depth: 0 in CI)",
                              join(unresolved, ", "), options.head, deepened, remote));
    }
    auto ran = run_git(repo, {"fetch", fmt::format("--deepen={}", step), "--filter=blob:none", "--no-tags", remote}, host);
    if (!ran) return std::unexpected(ran.error());
    if (!ran->first.ok()) {
      return fail(ErrorKind::repository,
                  fmt::format("git fetch --deepen={} {} {}: {}", step, remote, ran->first.describe(), trim(ran->second)));
    }
    deepened += step;
    if (host.output) {
      host.output(fmt::format("wharf: deepened the clone by {} commits from '{}' to find merge bases with {}\n",
                              deepened, remote, options.head));
    }
  }
  return ok();
}

}  // namespace

std::string fetch_command(const std::string& remote, const std::vector<std::string>& shas) {
  return fmt::format("git fetch --depth=1 --filter=blob:none --no-tags {} {}", remote, join(shas, " "));
}

std::function<bool(const std::vector<std::string>& blob_ids)> blob_fetcher(const vcs::Repository& repo,
                                                                           const std::string& remote, const Host& host) {
  return [&repo, remote, host](const std::vector<std::string>& blob_ids) {
    if (blob_ids.empty()) return true;
    std::vector<std::string> args{"-c",
                                  "fetch.negotiationAlgorithm=noop",
                                  "fetch",
                                  "--no-tags",
                                  "--no-write-fetch-head",
                                  "--recurse-submodules=no",
                                  "--filter=blob:none",
                                  remote};
    args.insert(args.end(), blob_ids.begin(), blob_ids.end());
    auto ran = run_git(repo, args, host);
    return ran && ran->first.ok();
  };
}

Result<void> ensure_bases(const vcs::Repository& repo, const plan::PlanOptions& options, const std::string& remote,
                          const Host& host) {
  Bases bases = find_bases(repo, options);
  const bool deploy_missing = options.missing_base == plan::MissingBase::deploy;
  if (!bases.abbreviated.empty() && !deploy_missing) {
    return fail(ErrorKind::repository,
                fmt::format("{} not in this repository and abbreviated: git fetches only full SHAs; record full "
                            "40-character SHAs where the environment reports its version (or pass "
                            "--missing-base=deploy to deploy those services)",
                            describe(bases.abbreviated)));
  }
  if (!bases.missing.empty() && !remote.empty()) {
    auto fetched = fetch(repo, remote, shas_of(bases.missing), host);
    if (!fetched) {
      if (!deploy_missing) return fetched;
      if (host.warn) host.warn(fetched.error().message + "; deploying what could not be fetched (--missing-base=deploy)");
    }
    Bases after = find_bases(repo, options);
    bases.missing = std::move(after.missing);
    bases.present = std::move(after.present);
  }
  if (!bases.missing.empty() && !deploy_missing && !remote.empty()) {
    return fail(ErrorKind::repository, fmt::format("still not in this repository after `{}`: {}",
                                                   fetch_command(remote, shas_of(bases.missing)),
                                                   describe(bases.missing)));
  }
  if (!bases.missing.empty() && !deploy_missing) {
    return fail(ErrorKind::repository,
                fmt::format("{} {} not in this repository{}; fetch {} (a depth-1 blobless fetch brings what a plan "
                            "reads):\n  {}\nor pass --fetch-missing to let wharf run it (--missing-base=deploy deploys "
                            "those services instead)",
                            describe(bases.missing), bases.missing.size() == 1 ? "is" : "are",
                            repo.is_shallow() ? " (the clone is shallow)" : "",
                            bases.missing.size() == 1 ? "it" : "them",
                            fetch_command("origin", shas_of(bases.missing))));
  }
  if (options.merge_base && !remote.empty()) return deepen_for_merge_bases(repo, options, bases.present, remote, host);
  return ok();
}

}  // namespace wharf::workspace
