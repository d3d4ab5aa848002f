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
    case Format::pnpm:
      return detail::parse_pnpm(path, text, strategy_, *cache_, stats_);
    case Format::npm:
      return detail::parse_npm(path, text);
    case Format::yarn_classic:
    case Format::yarn_berry:
      if (detail::is_yarn_berry(text)) return detail::parse_yarn_berry(path, text);
      return detail::parse_yarn_classic(path, text, dir, tree);
  }
  return fail(ErrorKind::config, fmt::format("{}: unknown lockfile format", path));
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
