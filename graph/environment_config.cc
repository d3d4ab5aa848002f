#include "graph/environment_config.h"

#include <algorithm>
#include <charconv>
#include <regex>

#include <fmt/format.h>

#include "graph/environment_reader.h"
#include "util/text.h"

namespace wharf::graph {

const char* to_string(LiveSourceKind kind) {
  switch (kind) {
    case LiveSourceKind::ledger:
      return "ledger";
    case LiveSourceKind::http:
      return "http";
    case LiveSourceKind::command:
      return "command";
    case LiveSourceKind::file:
      return "file";
  }
  return "?";
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  std::int64_t number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || end == text.data() || number < 0) return std::nullopt;
  std::string_view unit(end, text.data() + text.size() - end);
  constexpr std::int64_t kMax = std::int64_t{1} << 40;  // beyond any sensible wait; no overflow below
  if (number > kMax) return std::nullopt;
  if (unit == "ms") return std::chrono::milliseconds(number);
  if (unit == "s" || unit.empty()) return std::chrono::milliseconds(number * 1000);
  if (unit == "m") return std::chrono::milliseconds(number * 60'000);
  if (unit == "h") return std::chrono::milliseconds(number * 3'600'000);
  return std::nullopt;
}

namespace {

const std::vector<std::string> kSourceKeys = {"source", "url", "field",       "headers",  "command",
                                              "file",   "tag", "sha_pattern", "terraform"};
const std::vector<std::string> kEnvironmentKeys = {"source",    "url",     "field",    "headers",
                                                   "command",   "file",    "tag",      "sha_pattern",
                                                   "terraform", "timeout", "deadline", "service",
                                                   "push",      "confirm"};
const std::vector<std::string> kServiceKeys = {"source", "url", "field",       "headers",   "command",
                                               "file",   "tag", "sha_pattern", "terraform", "push"};
const std::vector<std::string> kKinds = {"ledger", "http", "command", "file"};

// The placeholders of a template that are not in `known`.
std::string unknown_placeholder(std::string_view text, std::initializer_list<std::string_view> known) {
  for (std::size_t open = text.find('{'); open != std::string_view::npos; open = text.find('{', open + 1)) {
    std::size_t close = text.find('}', open);
    if (close == std::string_view::npos) return std::string(text.substr(open));
    std::string_view name = text.substr(open, close - open + 1);
    if (std::find(known.begin(), known.end(), name) == known.end()) return std::string(name);
  }
  return "";
}

class EnvironmentReader {
 public:
  EnvironmentReader(std::shared_ptr<const std::string> file, const std::vector<std::string>& services,
                    std::vector<LocatedProblem>& problems)
      : file_(std::move(file)), services_(services), problems_(problems) {}

  SourceLocation at(const toml::source_region& region) const {
    return SourceLocation{file_, static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
  }

  void error(const SourceLocation& where, const std::string& message) {
    problems_.push_back({where.line, where.column, fmt::format("{}: {}", where.str(), message)});
  }
  void error(const toml::source_region& region, const std::string& message) { error(at(region), message); }

  void unknown_key(const toml::key& key, std::string_view table, const std::vector<std::string>& valid) {
    std::string hint = nearest(key.str(), valid);
    error(key.source(), fmt::format("unknown key '{}' in {}{}", printable(key.str()), table,
                                    hint.empty() ? fmt::format("; valid keys are: {}", join(valid, ", "))
                                                 : fmt::format("; did you mean '{}'?", hint)));
  }

  std::optional<std::string> text(const toml::node& node, std::string_view what) {
    const auto* s = node.as_string();
    if (!s) {
      error(node.source(), fmt::format("{} must be a string", what));
      return std::nullopt;
    }
    if (auto bad = find_control_char(s->get())) {
      error(node.source(), fmt::format("{} holds a control character (byte {}); remove it", what, *bad));
      return std::nullopt;
    }
    if (s->get().empty()) {
      error(node.source(), fmt::format("{} is empty", what));
      return std::nullopt;
    }
    return s->get();
  }

  // One key of a source table (the environment's or a service's).
  void read_source_key(std::string_view key, const toml::node& value, LiveSource& source, const std::string& what) {
    const std::string name = fmt::format("{} {}", what, key);
    if (key == "source") {
      auto kind = text(value, name);
      if (!kind) return;
      auto it = std::find(kKinds.begin(), kKinds.end(), *kind);
      if (it == kKinds.end()) {
        error(value.source(), fmt::format("{} is '{}'; use one of: {}", name, printable(*kind), join(kKinds, ", ")));
        return;
      }
      source.kind = static_cast<LiveSourceKind>(it - kKinds.begin());
    } else if (key == "url") {
      auto url = text(value, name);
      if (!url) return;
      if (!url->starts_with("http://") && !url->starts_with("https://")) {
        error(value.source(), fmt::format("{} '{}' must start with http:// or https://", name, printable(*url)));
        return;
      }
      if (auto bad = unknown_placeholder(*url, {"{service}"}); !bad.empty()) {
        error(value.source(),
              fmt::format("{} has the placeholder '{}'; only {{service}} is known", name, printable(bad)));
        return;
      }
      source.url = *url;
    } else if (key == "field") {
      if (auto field = text(value, name)) {
        if (field->starts_with('.') || field->ends_with('.') || field->find("..") != std::string::npos) {
          error(value.source(),
                fmt::format("{} '{}' must be names joined by '.', like build.git_sha", name, printable(*field)));
          return;
        }
        source.field = *field;
      }
    } else if (key == "command") {
      if (auto command = text(value, name)) source.command = *command;
    } else if (key == "file") {
      if (auto file = text(value, name)) source.file = *file;
    } else if (key == "tag") {
      auto tag = text(value, name);
      if (!tag) return;
      if (auto bad = unknown_placeholder(*tag, {"{sha}", "{sha7}", "{service}"}); !bad.empty()) {
        error(value.source(),
              fmt::format("{} has the placeholder '{}'; use {{sha}}, {{sha7}} or {{service}}", name, printable(bad)));
        return;
      }
      source.tag = *tag;
    } else if (key == "sha_pattern") {
      auto pattern = text(value, name);
      if (!pattern) return;
      try {
        std::regex compiled(*pattern, std::regex::ECMAScript);
        if (compiled.mark_count() > 1) {
          error(value.source(), fmt::format("{} has {} groups; use one (the SHA), or (?:...) for the others", name,
                                            compiled.mark_count()));
          return;
        }
      } catch (const std::regex_error& e) {
        error(value.source(), fmt::format("{} is not a valid regular expression: {}", name, e.what()));
        return;
      }
      source.sha_pattern = *pattern;
    } else if (key == "headers") {
      const toml::table* table = value.as_table();
      if (!table) {
        error(value.source(), fmt::format("{} must be a table of header name = \"ENV_VAR\", like {{ Authorization = "
                                          "\"PROD_TOKEN\" }}",
                                          name));
        return;
      }
      source.headers.clear();
      for (const auto& [header, variable] : *table) {
        auto var = text(variable, fmt::format("{}.{}", name, header.str()));
        if (!var) continue;
        if (!is_env_var_name(*var)) {
          error(variable.source(), fmt::format("{}.{} must name an environment variable (its value is sent, never "
                                               "printed); '{}' is not one",
                                               name, header.str(), printable(*var)));
          continue;
        }
        source.headers.emplace_back(std::string(header.str()), *var);
      }
    } else if (key == "terraform") {
      const toml::array* array = value.as_array();
      if (!array) {
        error(value.source(),
              fmt::format("{} must be an array of strings, like [\"module.svc[\\\"{{service}}\\\"]\"]", name));
        return;
      }
      source.terraform.clear();
      for (const toml::node& item : *array) {
        if (auto address = text(item, name)) source.terraform.push_back(*address);
      }
    }
  }

  // A source table's keys into `source`; `allowed` is the key list, `skip`
  // those the caller reads itself.
  template <class Other>
  void read_source(const toml::table& table, LiveSource& source, const std::string& what,
                   const std::vector<std::string>& allowed, Other&& other) {
    for (const auto& [key, value] : table) {
      if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end()) {
        unknown_key(key, what, allowed);
      } else if (std::find(kSourceKeys.begin(), kSourceKeys.end(), key.str()) != kSourceKeys.end()) {
        read_source_key(key.str(), value, source, what);
      } else {
        other(key, value);
      }
    }
  }

  // What a service reading from `source` lacks, or "".
  static std::string missing(const LiveSource& source) {
    switch (source.kind) {
      case LiveSourceKind::http:
        return source.url.empty() ? "url" : "";
      case LiveSourceKind::command:
        return source.command.empty() ? "command" : "";
      case LiveSourceKind::file:
        return source.file.empty() ? "file" : "";
      case LiveSourceKind::ledger:
        return "";
    }
    return "";
  }

  void read_environment(const toml::key& key, const toml::node& node, std::vector<EnvironmentConfig>& out) {
    EnvironmentConfig environment;
    environment.name = std::string(key.str());
    environment.where = at(key.source());
    if (!is_valid_name(environment.name)) {
      error(environment.where, fmt::format("environment name \"{}\" is not valid: use a letter or digit, then "
                                           "letters, digits, '.', '_' or '-'",
                                           printable(environment.name)));
      return;
    }
    const std::string what = fmt::format("[environment.{}]", environment.name);
    const toml::table* table = node.as_table();
    if (!table) {
      error(node.source(), fmt::format("{} must be a table", what));
      return;
    }
    const toml::table* overrides = nullptr;
    read_source(*table, environment.defaults, what, kEnvironmentKeys, [&](const toml::key& k, const toml::node& v) {
      if (k.str() == "service") {
        overrides = v.as_table();
        if (!overrides)
          error(v.source(),
                fmt::format("{} service must hold tables like [environment.{}.service.NAME]", what, environment.name));
        return;
      }
      if (k.str() == "push") {
        read_push_table(v, environment.push, fmt::format("[environment.{}.push]", environment.name), file_, problems_);
        if (std::string lacks = missing_push_key(environment.push); !lacks.empty()) {
          error(v.source(), fmt::format("[environment.{}.push] has no '{}'{}", environment.name, lacks,
                                        lacks == "to" ? "; add to = \"registry\" (or dir, http, command)" : ""));
        }
        return;
      }
      if (k.str() == "confirm") {
        if (const auto* flag = v.as_boolean()) {
          environment.confirm = flag->get();
        } else {
          error(v.source(), fmt::format("{} confirm must be true or false", what));
        }
        return;
      }
      auto duration = v.as_string()    ? parse_duration(v.as_string()->get())
                      : v.as_integer() ? parse_duration(std::to_string(v.as_integer()->get()))
                                       : std::nullopt;
      if (!duration || duration->count() == 0) {
        error(v.source(), fmt::format("{} {} must be a duration like \"10s\", \"500ms\" or \"2m\"", what, k.str()));
        return;
      }
      (k.str() == "timeout" ? environment.timeout : environment.deadline) = *duration;
    });
    std::map<std::string, SourceLocation> override_where;
    if (overrides) {
      for (const auto& [service, body] : *overrides) {
        const std::string name(service.str());
        const std::string service_what = fmt::format("[environment.{}.service.{}]", environment.name, name);
        if (std::find(services_.begin(), services_.end(), name) == services_.end()) {
          std::string hint = nearest(name, services_);
          error(service.source(),
                fmt::format("{}: there is no service '{}' in the config{}", service_what, printable(name),
                            hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint)));
          continue;
        }
        const toml::table* body_table = body.as_table();
        if (!body_table) {
          error(body.source(), fmt::format("{} must be a table", service_what));
          continue;
        }
        LiveSource merged = environment.defaults;
        read_source(*body_table, merged, service_what, kServiceKeys, [&](const toml::key&, const toml::node& v) {
          // push: the service's keys over the environment's.
          PushTarget push = environment.push;
          const std::string push_what = fmt::format("[environment.{}.service.{}.push]", environment.name, name);
          read_push_table(v, push, push_what, file_, problems_);
          if (std::string lacks = missing_push_key(push); !lacks.empty()) {
            error(v.source(), fmt::format("{} has no '{}' (nor has [environment.{}.push])", push_what, lacks,
                                          environment.name));
          }
          environment.service_push[name] = std::move(push);
        });
        environment.services[name] = std::move(merged);
        override_where[name] = at(service.source());
      }
    }
    // Every service must be readable: the defaults for those without an
    // override, and each override.
    const bool some_use_defaults = std::any_of(services_.begin(), services_.end(),
                                               [&](const auto& s) { return !environment.services.contains(s); });
    if (std::string lacks = missing(environment.defaults); !lacks.empty() && some_use_defaults) {
      error(environment.where, fmt::format("{} reads from source \"{}\" but has no '{}'; add {} = \"...\" (or one to "
                                           "each [environment.{}.service.NAME])",
                                           what, to_string(environment.defaults.kind), lacks, lacks, environment.name));
    }
    for (const auto& [name, source] : environment.services) {
      if (std::string lacks = missing(source); !lacks.empty()) {
        error(override_where[name], fmt::format("[environment.{}.service.{}] reads from source \"{}\" but has no '{}'",
                                                environment.name, name, to_string(source.kind), lacks));
      }
    }
    out.push_back(std::move(environment));
  }

 private:
  std::shared_ptr<const std::string> file_;
  const std::vector<std::string>& services_;
  std::vector<LocatedProblem>& problems_;
};

std::string joined_problems(std::vector<LocatedProblem>& problems) {
  std::stable_sort(problems.begin(), problems.end(), [](const auto& a, const auto& b) {
    return std::pair{a.line, a.column} < std::pair{b.line, b.column};
  });
  std::vector<std::string> lines;
  for (const auto& problem : problems) lines.push_back(problem.text);
  return join(lines, "\n");
}

}  // namespace

Result<toml::table> parse_toml(std::string_view text, std::string_view file) {
  try {
    return toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    const auto& begin = e.source().begin;
    return fail(ErrorKind::config, fmt::format("{}:{}:{}: {}", file, begin.line, begin.column, e.description()));
  }
}

void read_environments(const toml::node& node, const std::shared_ptr<const std::string>& file,
                       const std::vector<std::string>& services, std::vector<EnvironmentConfig>& out,
                       std::vector<LocatedProblem>& problems) {
  EnvironmentReader reader(file, services, problems);
  const toml::table* table = node.as_table();
  if (!table) {
    reader.error(node.source(), "'environment' must hold tables like [environment.NAME]");
    return;
  }
  for (const auto& [key, value] : *table) reader.read_environment(key, value, out);
  // toml++ orders tables by key; keep file order.
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::pair{a.where.line, a.where.column} < std::pair{b.where.line, b.where.column};
  });
}

Result<std::vector<EnvironmentConfig>> load_environments(std::string_view text, std::string_view file,
                                                         const std::vector<std::string>& services) {
  auto root = parse_toml(text, file);
  if (!root) return std::unexpected(root.error());
  std::vector<EnvironmentConfig> out;
  std::vector<LocatedProblem> problems;
  if (const toml::node* node = root->get("environment")) {
    read_environments(*node, std::make_shared<const std::string>(file), services, out, problems);
  }
  if (!problems.empty()) return fail(ErrorKind::config, joined_problems(problems));
  return out;
}

Result<const EnvironmentConfig*> find_environment(const std::vector<EnvironmentConfig>& environments,
                                                  std::string_view name, std::string_view file) {
  std::vector<std::string> names;
  for (const auto& environment : environments) {
    if (environment.name == name) return &environment;
    names.push_back(environment.name);
  }
  if (names.empty()) {
    return fail(ErrorKind::usage, fmt::format("no environment '{}': {} has no [environment.NAME] tables; add one "
                                              "(see README.md, Environments)",
                                              printable(name), file));
  }
  std::string hint = nearest(name, names);
  return fail(ErrorKind::usage,
              fmt::format("no environment '{}' in {}{}; there are: {}", printable(name), file,
                          hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint), join(names, ", ")));
}

}  // namespace wharf::graph
