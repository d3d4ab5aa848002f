#include "graph/push_target.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "graph/environment_reader.h"
#include "util/text.h"

namespace wharf::graph {

const char* to_string(PushKind kind) {
  switch (kind) {
    case PushKind::none:
      return "none";
    case PushKind::registry:
      return "registry";
    case PushKind::dir:
      return "dir";
    case PushKind::http:
      return "http";
    case PushKind::command:
      return "command";
  }
  return "?";
}

namespace {

const std::vector<std::string> kKinds = {"registry", "dir", "http", "command"};
const std::vector<std::string> kPushKeys = {"to",   "registry", "repository", "insecure", "user_env", "password_env",
                                            "parallel", "path", "url",        "headers",  "command",  "tags",
                                            "timeout"};

// Reads one push table; the keys it holds override those already in
// `target` (a service's table over its environment's).
class PushReader {
 public:
  PushReader(const std::shared_ptr<const std::string>& file, std::vector<LocatedProblem>& problems,
             std::string what)
      : file_(file), problems_(problems), what_(std::move(what)) {}

  SourceLocation at(const toml::source_region& region) const {
    return SourceLocation{file_, static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
  }

  void error(const toml::source_region& region, const std::string& message) {
    const SourceLocation where = at(region);
    problems_.push_back({where.line, where.column, fmt::format("{}: {} {}", where.str(), what_, message)});
  }

  std::optional<std::string> text(const toml::node& node, std::string_view key) {
    const auto* s = node.as_string();
    if (!s || s->get().empty()) {
      error(node.source(), fmt::format("{} must be a non-empty string", key));
      return std::nullopt;
    }
    if (auto bad = find_control_char(s->get())) {
      error(node.source(), fmt::format("{} holds a control character (byte {}); remove it", key, *bad));
      return std::nullopt;
    }
    return s->get();
  }

  // A template: only the push placeholders, as {name}.
  std::optional<std::string> template_text(const toml::node& node, std::string_view key) {
    auto value = text(node, key);
    if (!value) return std::nullopt;
    for (std::size_t open = value->find('{'); open != std::string::npos; open = value->find('{', open + 1)) {
      const std::size_t close = value->find('}', open);
      const std::string_view name = close == std::string::npos
                                        ? std::string_view(*value).substr(open)
                                        : std::string_view(*value).substr(open + 1, close - open - 1);
      if (close == std::string::npos ||
          std::find(kPushPlaceholders.begin(), kPushPlaceholders.end(), name) == kPushPlaceholders.end()) {
        std::vector<std::string> known;
        for (std::string_view k : kPushPlaceholders) known.push_back("{" + std::string(k) + "}");
        error(node.source(), fmt::format("{} has the placeholder '{}'; use {}", key,
                                         printable(close == std::string::npos ? std::string(name)
                                                                              : "{" + std::string(name) + "}"),
                                         join(known, ", ")));
        return std::nullopt;
      }
    }
    return value;
  }

  std::optional<std::string> env_var(const toml::node& node, std::string_view key) {
    auto name = text(node, key);
    if (!name) return std::nullopt;
    if (!is_env_var_name(*name)) {
      error(node.source(), fmt::format("{} must name an environment variable (its value is used, never printed); "
                                       "'{}' is not one",
                                       key, printable(*name)));
      return std::nullopt;
    }
    return name;
  }

  void read(const toml::table& table, PushTarget& target) {
    for (const auto& [key_node, value] : table) {
      const std::string key(key_node.str());
      if (std::find(kPushKeys.begin(), kPushKeys.end(), key) == kPushKeys.end()) {
        std::string hint = nearest(key, kPushKeys);
        error(key_node.source(), fmt::format("has an unknown key '{}'{}", printable(key),
                                             hint.empty() ? fmt::format("; valid keys are: {}", join(kPushKeys, ", "))
                                                          : fmt::format("; did you mean '{}'?", hint)));
        continue;
      }
      read_key(key, value, target);
    }
  }

  void read_key(const std::string& key, const toml::node& value, PushTarget& target) {
    if (key == "to") {
      auto kind = text(value, key);
      if (!kind) return;
      auto it = std::find(kKinds.begin(), kKinds.end(), *kind);
      if (it == kKinds.end()) {
        error(value.source(), fmt::format("to is '{}'; use one of: {}", printable(*kind), join(kKinds, ", ")));
        return;
      }
      target.kind = static_cast<PushKind>(1 + (it - kKinds.begin()));
      target.where = at(value.source());
    } else if (key == "registry") {
      auto registry = text(value, key);
      if (!registry) return;
      if (registry->find("://") != std::string::npos || registry->find('/') != std::string::npos) {
        error(value.source(), fmt::format("registry '{}' must be a host[:port] like ghcr.io or 127.0.0.1:5000 (the "
                                          "path goes in repository; http is `insecure = true`)",
                                          printable(*registry)));
        return;
      }
      target.registry = *registry;
    } else if (key == "repository") {
      if (auto repository = template_text(value, key)) target.repository = *repository;
    } else if (key == "insecure") {
      if (const auto* flag = value.as_boolean()) {
        target.insecure = flag->get();
      } else {
        error(value.source(), "insecure must be true or false");
      }
    } else if (key == "user_env") {
      if (auto name = env_var(value, key)) target.user_env = *name;
    } else if (key == "password_env") {
      if (auto name = env_var(value, key)) target.password_env = *name;
    } else if (key == "parallel") {
      const auto* number = value.as_integer();
      if (!number || number->get() < 1 || number->get() > 64) {
        error(value.source(), "parallel must be a number from 1 to 64");
        return;
      }
      target.parallel = static_cast<std::size_t>(number->get());
    } else if (key == "path") {
      if (auto path = template_text(value, key)) target.path = *path;
    } else if (key == "url") {
      auto url = template_text(value, key);
      if (!url) return;
      if (!url->starts_with("http://") && !url->starts_with("https://")) {
        error(value.source(), fmt::format("url '{}' must start with http:// or https://", printable(*url)));
        return;
      }
      target.url = *url;
    } else if (key == "command") {
      if (auto command = text(value, key)) target.command = *command;
    } else if (key == "headers") {
      const toml::table* headers = value.as_table();
      if (!headers) {
        error(value.source(), "headers must be a table of header name = \"ENV_VAR\", like { Authorization = "
                              "\"STORE_TOKEN\" }");
        return;
      }
      target.headers.clear();
      for (const auto& [header, variable] : *headers) {
        if (auto name = env_var(variable, fmt::format("headers.{}", header.str()))) {
          target.headers.emplace_back(std::string(header.str()), *name);
        }
      }
    } else if (key == "tags") {
      const toml::array* array = value.as_array();
      if (!array || array->empty()) {
        error(value.source(), "tags must be a non-empty array of templates, like [\"{short_sha}\", \"{env}\"]");
        return;
      }
      target.tags.clear();
      for (const toml::node& item : *array) {
        if (auto tag = template_text(item, key)) target.tags.push_back(*tag);
      }
    } else if (key == "timeout") {
      auto duration = value.as_string()    ? parse_duration(value.as_string()->get())
                      : value.as_integer() ? parse_duration(std::to_string(value.as_integer()->get()))
                                           : std::nullopt;
      if (!duration || duration->count() == 0) {
        error(value.source(), "timeout must be a duration like \"10m\" or \"90s\"");
        return;
      }
      target.timeout = *duration;
    }
  }

 private:
  const std::shared_ptr<const std::string>& file_;
  std::vector<LocatedProblem>& problems_;
  std::string what_;
};

}  // namespace

std::string missing_push_key(const PushTarget& target) {
  switch (target.kind) {
    case PushKind::registry:
      return target.registry.empty() ? "registry" : "";
    case PushKind::dir:
      return target.path.empty() ? "path" : "";
    case PushKind::http:
      return target.url.empty() ? "url" : "";
    case PushKind::command:
      return target.command.empty() ? "command" : "";
    case PushKind::none:
      return "to";
  }
  return "";
}

void read_push_table(const toml::node& node, PushTarget& target, const std::string& what,
                     const std::shared_ptr<const std::string>& file, std::vector<LocatedProblem>& problems) {
  PushReader reader(file, problems, what);
  const toml::table* table = node.as_table();
  if (!table) {
    reader.error(node.source(), "must be a table, like { to = \"registry\", registry = \"ghcr.io\" }");
    return;
  }
  reader.read(*table, target);
}

}  // namespace wharf::graph
