#include "lockfile/lockfile.h"

#include <fmt/format.h>

#include "lockfile/readers.h"

namespace wharf::lockfile {

const char* to_string(Format format) {
  switch (format) {
    case Format::pnpm:
      return "pnpm";
    case Format::npm:
      return "npm";
    case Format::yarn_classic:
      return "yarn-classic";
    case Format::yarn_berry:
      return "yarn-berry";
  }
  return "?";
}

std::optional<Format> format_for_path(std::string_view path) {
  std::string_view base = path.substr(path.rfind('/') + 1);
  if (base == "pnpm-lock.yaml") return Format::pnpm;
  if (base == "package-lock.json" || base == "npm-shrinkwrap.json") return Format::npm;
  if (base == "yarn.lock") return Format::yarn_classic;
  return std::nullopt;
}

Result<Lockfile> Parser::parse(std::string_view path, std::string_view text, const fs::SourceTree& tree) {
  auto format = format_for_path(path);
  if (!format) {
    return fail(ErrorKind::config,
                fmt::format("{}: not a lockfile wharf reads (pnpm-lock.yaml, package-lock.json, npm-shrinkwrap.json, "
                            "yarn.lock)",
                            path));
  }
  std::size_t slash = path.rfind('/');
  std::string_view dir = slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
  switch (*format) {
    case Format::pnpm: {
      detail::PnpmText one{path, text};
      return std::move(detail::parse_pnpm_all(std::span(&one, 1), strategy_, *cache_, stats_).front());
    }
    case Format::npm:
      return detail::parse_npm(path, text);
    case Format::yarn_classic:
    case Format::yarn_berry:
      if (detail::is_yarn_berry(text)) return detail::parse_yarn_berry(path, text);
      return detail::parse_yarn_classic(path, text, dir, tree);
  }
  return fail(ErrorKind::config, fmt::format("{}: unknown lockfile format", path));
}

std::vector<Result<Lockfile>> Parser::parse_all(std::span<const Input> inputs) {
  // pnpm lockfiles together (that is where the time goes); the others one
  // by one.
  std::vector<detail::PnpmText> pnpm;
  std::vector<std::size_t> pnpm_at;
  std::vector<std::optional<Result<Lockfile>>> results(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (format_for_path(inputs[i].path) == Format::pnpm) {
      pnpm.push_back(detail::PnpmText{inputs[i].path, inputs[i].text});
      pnpm_at.push_back(i);
    } else {
      static const fs::MemorySourceTree no_files;
      results[i] = parse(inputs[i].path, inputs[i].text, inputs[i].tree ? *inputs[i].tree : no_files);
    }
  }
  if (!pnpm.empty()) {
    auto parsed = detail::parse_pnpm_all(pnpm, strategy_, *cache_, stats_);
    for (std::size_t j = 0; j < parsed.size(); ++j) results[pnpm_at[j]] = std::move(parsed[j]);
  }
  std::vector<Result<Lockfile>> out;
  out.reserve(inputs.size());
  for (auto& result : results) out.push_back(std::move(*result));
  return out;
}

Result<Lockfile> parse(std::string_view path, std::string_view text, const fs::SourceTree& tree) {
  Parser parser;
  return parser.parse(path, text, tree);
}

std::vector<std::string> importers(const Lockfile& lockfile) {
  std::vector<std::string> dirs;
  dirs.reserve(lockfile.importers.size());
  for (const auto& importer : lockfile.importers) dirs.push_back(importer.dir);
  return dirs;
}

bool same_settings(const Lockfile& a, const Lockfile& b) { return a.format == b.format && a.settings == b.settings; }

}  // namespace wharf::lockfile
