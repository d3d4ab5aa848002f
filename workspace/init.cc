#include "workspace/init.h"

#include <algorithm>
#include <filesystem>
#include <optional>

#include <fmt/format.h>

#include "graph/config.h"
#include "graph/graph.h"
#include "infer/block.h"
#include "infer/infer.h"
#include "infer/line_diff.h"
#include "infer/render.h"
#include "infer/toml_text.h"
#include "vcs/repository.h"
#include "vcs/tree_files.h"

namespace wharf::workspace {
namespace {

// Where the config text comes from, and how messages name it.
struct ConfigSource {
  std::string path;     // on disk; "" in a bare repository
  std::string display;  // "wharf.toml", "wharf.toml at HEAD"
  std::optional<std::string> text;
};

Result<ConfigSource> read_config(const Options& options, const vcs::Repository& repo, const vcs::TreeFiles& tree,
                                 const fs::FileSystem& files, const InitRequest& request) {
  ConfigSource source;
  if (repo.workdir().empty()) {
    if (request.mode == InitMode::write) {
      return fail(ErrorKind::usage,
                  "the repository is bare: there is no work tree to write wharf.toml into (wharf init and wharf init "
                  "--check work here; --write needs a clone with a work tree)");
    }
    const std::string relative = options.config.empty() ? "wharf.toml" : options.config;
    source.display = fmt::format("{} at {}", relative, request.rev);
    auto text = tree.read(relative);
    if (!text) return std::unexpected(text.error());
    source.text = std::move(*text);
    return source;
  }
  source.path = options.config.empty() ? repo.workdir() + "/wharf.toml" : from_directory(options, options.config);
  auto relative = std::filesystem::path(source.path).lexically_relative(repo.workdir());
  source.display = !relative.empty() && !relative.string().starts_with("..") ? relative.string() : source.path;
  auto text = files.read_file(source.path);
  if (text) {
    source.text = std::move(*text);
  } else if (text.error().kind != ErrorKind::not_found) {
    return std::unexpected(text.error());
  }
  return source;
}

int line_count(std::string_view text) { return static_cast<int>(std::count(text.begin(), text.end(), '\n')); }

}  // namespace

Result<InitResult> run_init(const Options& options, const Host& host, fs::FileSystem& files, const InitRequest& request) {
  auto repo = vcs::Repository::discover(from_directory(options, "."));
  if (!repo) return std::unexpected(repo.error());
  auto commit = repo->resolve_commit(request.rev);
  if (!commit) {
    return fail(ErrorKind::repository,
                fmt::format("--rev {}: not a commit, branch or tag in this repository ({})", request.rev,
                            commit.error().message));
  }
  auto tree = vcs::TreeFiles::at_commit(*repo, *commit);
  if (!tree) return std::unexpected(tree.error());
  auto inferred = infer::infer_config(*tree);
  if (!inferred) return std::unexpected(inferred.error());
  for (const std::string& warning : inferred->warnings) {
    if (host.warn) host.warn(warning);
  }

  auto config = read_config(options, *repo, *tree, files, request);
  if (!config) return std::unexpected(config.error());
  auto parts = infer::split_config(config->text.value_or(""), config->display);
  if (!parts) return std::unexpected(parts.error());
  auto left_out = infer::defined_tables(parts->before + parts->after, config->display);
  if (!left_out) return std::unexpected(left_out.error());
  const std::string block = infer::render_block(*inferred, *left_out);
  const std::string full = infer::join_config(*parts, block);

  // What is written must load: the reader's and the graph's checks.
  std::optional<Error> problem;
  auto parsed = graph::parse_config(full, config->display);
  if (!parsed) {
    problem = parsed.error();
  } else if (auto graph = graph::Graph::build(std::move(*parsed)); !graph) {
    problem = graph.error();
  }

  InitResult result;
  const std::string counts =
      fmt::format("{} services, {} packages, {} workspace inputs", inferred->services.size(), inferred->packages.size(),
                  inferred->inputs.size());
  switch (request.mode) {
    case InitMode::print:
      if (problem && host.warn) host.warn("with this block the config would not load: " + problem->message);
      result.output = block;
      result.summary = fmt::format("inferred {} at {}", counts, request.rev);
      break;
    case InitMode::write:
      if (problem) {
        return fail(ErrorKind::config, fmt::format("{} is unchanged: with the inferred block it would not load:\n{}",
                                                   config->display, problem->message));
      }
      if (config->text && *config->text == full) {
        result.summary = fmt::format("{} is up to date ({})", config->display, counts);
        break;
      }
      if (auto written = files.write_file_atomic(config->path, full, fs::Sync::durable); !written) {
        return std::unexpected(written.error());
      }
      result.summary = fmt::format("{} {} ({})", config->text ? "updated the block of" : "wrote", config->display, counts);
      break;
    case InitMode::check:
      if (problem && host.warn) host.warn("with this block the config would not load: " + problem->message);
      if (parts->has_block && parts->block == block) {
        result.summary = fmt::format("{} matches what wharf init infers at {}", config->display, request.rev);
        break;
      }
      result.exit_code = 1;
      result.output = infer::line_diff(parts->block, block, line_count(parts->before) + 1,
                                       fmt::format("{} (its wharf init block)", config->display),
                                       fmt::format("wharf init at {}", request.rev));
      result.summary = !config->text       ? fmt::format("{} does not exist; run wharf init --write", config->display)
                       : !parts->has_block ? fmt::format("{} has no wharf init block; run wharf init --write",
                                                         config->display)
                                           : fmt::format("{}'s wharf init block is out of date; run wharf init --write",
                                                         config->display);
      break;
  }
  return result;
}

}  // namespace wharf::workspace
