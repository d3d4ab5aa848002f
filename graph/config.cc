#include "graph/config.h"

#include <algorithm>

#include <fmt/format.h>
#include <toml++/toml.h>
#include <nlohmann/json.hpp>

#include "graph/artifact_spec.h"
#include "graph/config_fields.h"
#include "graph/environment_reader.h"
#include "util/text.h"

namespace wharf::graph {

std::string SourceLocation::str() const { return fmt::format("{}:{}:{}", file ? *file : std::string(), line, column); }

namespace {

const std::vector<std::string> kTopLevelKeys = {"workspace", "package", "service", "environment"};

// Collects every problem so one run shows them all.
class Reader {
 public:
  explicit Reader(std::string_view file) : file_(std::make_shared<const std::string>(file)) {}

  SourceLocation at(const toml::source_region& region) const {
    return SourceLocation{file_, static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
  }

  void error(const toml::source_region& region, std::string message) { error(at(region), std::move(message)); }

  void error(const SourceLocation& where, std::string message) {
    errors_.push_back(Problem{where.line, where.column, fmt::format("{}: {}", where.str(), message)});
  }

  void unknown_key(const toml::key& key, std::string_view where, const std::vector<std::string>& valid) {
    std::string hint = nearest(key.str(), valid);
    std::string message = fmt::format("unknown key '{}' in {}", printable(key.str()), where);
    if (!hint.empty()) {
      message += fmt::format("; did you mean '{}'?", hint);
    } else {
      message += fmt::format("; valid keys are: {}", join(valid, ", "));
    }
    error(key.source(), message);
  }

  // What a value is, for messages: "workspace.inputs" or "[service.x] paths".
  // Kept as parts and joined only when there is a problem to report.
  struct Context {
    std::string_view kind;  // "" for [workspace]
    std::string_view name;
    std::string_view key;
    std::string table() const { return kind.empty() ? "[workspace]" : fmt::format("[{}.{}]", kind, name); }
    std::string str() const {
      return kind.empty() ? fmt::format("workspace.{}", key) : table() + " " + std::string(key);
    }
  };

  // A string array; each string with its own location.
  std::vector<std::pair<std::string, SourceLocation>> strings(const toml::node& node, const Context& what) {
    std::vector<std::pair<std::string, SourceLocation>> out;
    const toml::array* array = node.as_array();
    if (!array) {
      error(node.source(), fmt::format("{} must be an array of strings, like [\"a\", \"b\"]", what.str()));
      return out;
    }
    out.reserve(array->size());
    for (const toml::node& item : *array) {
      if (const auto* s = item.as_string()) {
        out.emplace_back(s->get(), at(item.source()));
      } else {
        error(item.source(), fmt::format("{} must contain only strings", what.str()));
      }
    }
    return out;
  }

  // One reader per field type (graph/config_fields.h); a new type needs one.
  void read(const toml::node& node, std::vector<PatternEntry>& out, const FieldSpec&, const Context& what) {
    auto items = strings(node, what);
    out.reserve(items.size());
    for (auto& [text, where] : items) {
      auto pattern = PathPattern::parse(text);
      if (!pattern) {
        error(where, pattern.error().message);
        continue;
      }
      out.push_back(PatternEntry{std::move(*pattern), std::move(where)});
    }
  }

  void read(const toml::node& node, std::vector<NameEntry>& out, const FieldSpec& spec, const Context& what) {
    for (auto& [name, where] : strings(node, what)) {
      const bool valid = spec.names == NameRule::env_var ? is_env_var_name(name) : is_valid_name(name);
      if (!valid) {
        error(where, fmt::format("{} entry \"{}\" is not a valid {}", what.str(), printable(name),
                                 spec.names == NameRule::env_var
                                     ? "environment variable name (a letter or '_', then letters, digits or '_')"
                                     : "name (a letter or digit, then letters, digits, '.', '_' or '-')"));
        continue;
      }
      out.push_back(NameEntry{std::move(name), std::move(where)});
    }
  }

  void read(const toml::node& node, TextEntry& out, const FieldSpec&, const Context& what) {
    const auto* s = node.as_string();
    if (!s) {
      error(node.source(), fmt::format("{} must be a string", what.str()));
      return;
    }
    if (auto bad = find_control_char(s->get(), /*allow_tab_newline=*/true)) {
      error(node.source(), fmt::format("{} holds a control character (byte {}); remove it", what.str(), *bad));
      return;
    }
    out = TextEntry{s->get(), at(node.source())};
  }

  // A nested table, kept as its leaves (see SettingEntry).
  void read(const toml::node& node, std::vector<SettingEntry>& out, const FieldSpec&, const Context& what) {
    if (!node.is_table()) {
      error(node.source(),
            fmt::format("{} must be a table, like [{}.{}.{}]", what.str(), what.kind, what.name, what.key));
      return;
    }
    flatten(node, "", out, what);
  }

  static std::string pointer_segment(std::string_view key) {
    std::string out;
    for (char c : key) {
      if (c == '~') {
        out += "~0";
      } else if (c == '/') {
        out += "~1";
      } else {
        out += c;
      }
    }
    return out;
  }

  // A scalar as JSON, or nullopt (reported) for what a setting cannot hold.
  std::optional<nlohmann::json> scalar(const toml::node& node, const Context& what, std::string_view pointer) {
    if (const auto* s = node.as_string()) {
      if (auto bad = find_control_char(s->get(), /*allow_tab_newline=*/true)) {
        error(node.source(),
              fmt::format("{}{} holds a control character (byte {}); remove it", what.str(), pointer, *bad));
        return std::nullopt;
      }
      return nlohmann::json(s->get());
    }
    if (const auto* i = node.as_integer()) return nlohmann::json(i->get());
    if (const auto* b = node.as_boolean()) return nlohmann::json(b->get());
    error(node.source(), fmt::format("{}{} must be a string, an integer or a boolean", what.str(), pointer));
    return std::nullopt;
  }

  void flatten(const toml::node& node, const std::string& pointer, std::vector<SettingEntry>& out,
               const Context& what) {
    if (const auto* table = node.as_table()) {
      if (table->empty()) out.push_back(SettingEntry{pointer, "{}", at(node.source())});
      for (const auto& [key, child] : *table) {
        if (auto bad = find_control_char(key.str(), /*allow_tab_newline=*/false)) {
          error(key.source(), fmt::format("{} key holds a control character (byte {})", what.str(), *bad));
          continue;
        }
        flatten(child, pointer + "/" + pointer_segment(key.str()), out, what);
      }
      return;
    }
    if (const auto* array = node.as_array()) {
      if (array->empty()) {
        out.push_back(SettingEntry{pointer, "[]", at(node.source())});
        return;
      }
      if (array->front().is_table()) {  // an array of tables: each table by its index
        for (std::size_t i = 0; i < array->size(); ++i) {
          const toml::node& item = *array->get(i);
          if (!item.is_table()) {
            error(item.source(), fmt::format("{}{} mixes tables and values; use only tables", what.str(), pointer));
            continue;
          }
          flatten(item, fmt::format("{}/{}", pointer, i), out, what);
        }
        return;
      }
      nlohmann::json values = nlohmann::json::array();
      for (const toml::node& item : *array) {
        if (item.is_table() || item.is_array()) {
          error(item.source(), fmt::format("{}{} must hold only strings, integers or booleans", what.str(), pointer));
          return;
        }
        auto value = scalar(item, what, pointer);
        if (!value) return;
        values.push_back(std::move(*value));
      }
      out.push_back(SettingEntry{pointer, values.dump(), at(node.source())});
      return;
    }
    if (auto value = scalar(node, what, pointer))
      out.push_back(SettingEntry{pointer, value->dump(), at(node.source())});
  }

  // Reads the keys of `body` into the fields of `target` that `applies`
  // accepts; reports unknown keys (with the nearest valid one) and missing
  // required fields (at `where`, the table's name).
  template <class T, class Applies>
  void read_fields(const toml::table& body, T& target, Context what, Applies applies, const SourceLocation& where) {
    std::vector<std::string> valid;
    visit_fields(target, [&](const FieldSpec& spec, auto&) {
      if (applies(spec)) valid.emplace_back(spec.name);
    });
    for (const auto& [key, item] : body) {
      bool known = false;
      visit_fields(target, [&](const FieldSpec& spec, auto& member) {
        if (known || !applies(spec) || spec.name != key.str()) return;
        known = true;
        what.key = spec.name;
        read(item, member, spec, what);
      });
      if (!known) unknown_key(key, what.table(), valid);
    }
    visit_fields(target, [&](const FieldSpec& spec, auto&) {
      if (!applies(spec) || !spec.required || body.contains(spec.name)) return;
      error(where, fmt::format("{} has no '{}'; add {} = {}", what.table(), spec.name, spec.name,
                               spec.name == "paths" ? fmt::format("[\"dir/of/{}\"]", what.name) : "..."));
    });
  }

  void read_workspace(const toml::node& node, WorkspaceConfig& workspace) {
    const toml::table* table = node.as_table();
    if (!table) {
      error(node.source(), "[workspace] must be a table");
      return;
    }
    read_fields(
        *table, workspace, Context{}, [](const FieldSpec&) { return true; }, at(node.source()));
  }

  void read_components(const toml::node& node, ComponentKind kind, std::vector<ComponentConfig>& out) {
    const char* kind_name = kind == ComponentKind::service ? "service" : "package";
    const toml::table* table = node.as_table();
    if (!table) {
      error(node.source(), fmt::format("'{}' must hold tables like [{}.NAME]", kind_name, kind_name));
      return;
    }
    out.reserve(out.size() + table->size());
    for (const auto& [name, value] : *table) {
      ComponentConfig component;
      component.kind = kind;
      component.name = std::string(name.str());
      component.where = at(name.source());
      if (!is_valid_name(component.name)) {
        error(component.where, fmt::format("{} name \"{}\" is not valid: use a letter or digit, then letters, "
                                           "digits, '.', '_' or '-' (at most {} characters)",
                                           kind_name, printable(component.name), kMaxNameLength));
        continue;
      }
      const Context what{kind_name, component.name, ""};
      const toml::table* body = value.as_table();
      if (!body) {
        error(value.source(), fmt::format("{} must be a table", what.table()));
        continue;
      }
      read_fields(
          *body, component, what, [kind](const FieldSpec& spec) { return spec.applies_to(kind); }, component.where);
      for (const ConfigProblem& problem : artifact_problems(component)) {
        errors_.push_back(Problem{problem.where.line, problem.where.column, problem.message});
      }
      out.push_back(std::move(component));
    }
  }

  // [environment.*] tables are only checked here (graph/environment_config.h):
  // they need the service names, read first.
  void check_environments(const toml::node& node, const std::vector<ComponentConfig>& services) {
    std::vector<std::string> names;
    for (const auto& service : services) names.push_back(service.name);
    std::vector<EnvironmentConfig> environments;
    std::vector<LocatedProblem> problems;
    read_environments(node, file_, names, environments, problems);
    for (auto& problem : problems) errors_.push_back(Problem{problem.line, problem.column, std::move(problem.text)});
  }

  struct Problem {
    int line;
    int column;
    std::string text;
  };
  std::vector<Problem> errors_;

 private:
  std::shared_ptr<const std::string> file_;
};

}  // namespace

Result<Config> parse_config(std::string_view text, std::string_view file) {
  auto parsed = parse_toml(text, file);
  if (!parsed) return std::unexpected(parsed.error());
  const toml::table& root = *parsed;

  Reader reader(file);
  Config config;
  config.file = std::string(file);
  const toml::node* environments = nullptr;
  for (const auto& [key, value] : root) {
    if (key == "workspace") {
      reader.read_workspace(value, config.workspace);
    } else if (key == "package") {
      reader.read_components(value, ComponentKind::package, config.packages);
    } else if (key == "service") {
      reader.read_components(value, ComponentKind::service, config.services);
    } else if (key == "environment") {
      environments = &value;
    } else {
      reader.unknown_key(key, "the top level", kTopLevelKeys);
    }
  }
  if (environments) reader.check_environments(*environments, config.services);
  if (!reader.errors_.empty()) {
    // toml++ iterates tables in key order, not file order: sort by position
    // so messages read top to bottom.
    std::stable_sort(reader.errors_.begin(), reader.errors_.end(), [](const auto& a, const auto& b) {
      return std::pair{a.line, a.column} < std::pair{b.line, b.column};
    });
    std::vector<std::string> lines;
    for (const auto& problem : reader.errors_) lines.push_back(problem.text);
    return fail(ErrorKind::config, join(lines, "\n"));
  }
  // Keep file order (toml++ tables are ordered by key).
  auto by_position = [](const ComponentConfig& a, const ComponentConfig& b) {
    return std::pair{a.where.line, a.where.column} < std::pair{b.where.line, b.where.column};
  };
  std::stable_sort(config.packages.begin(), config.packages.end(), by_position);
  std::stable_sort(config.services.begin(), config.services.end(), by_position);
  return config;
}

}  // namespace wharf::graph
