#include "infer/compose.h"

#include "infer/paths.h"
#include "infer/text.h"
#include "infer/variables.h"
#include "yaml/node.h"

namespace wharf::infer {
namespace {

class Interpolator {
 public:
  Interpolator(const std::map<std::string, std::string>& dotenv, std::string_view file, Warnings& warnings)
      : dotenv_(dotenv), file_(file), warnings_(warnings) {}

  // A scalar's text interpolated; a variable with no value becomes "" (as
  // compose does) with a warning at the scalar's line.
  std::string operator()(const yaml::Node& node) {
    auto lookup = [this](std::string_view name) -> std::optional<std::string> {
      auto it = dotenv_.find(std::string(name));
      if (it == dotenv_.end()) return std::nullopt;
      return it->second;
    };
    Substituted done = substitute(node.text(), lookup, SubstitutionSyntax{.dollar_dollar = true});
    for (const std::string& name : done.missing) {
      warnings_.add(file_, node.mark().line,
                    fmt::format("${} is not set in the .env beside this file; taken as \"\" (as compose does)", name));
    }
    return std::move(done.text);
  }

 private:
  const std::map<std::string, std::string>& dotenv_;
  std::string_view file_;
  Warnings& warnings_;
};

}  // namespace

std::map<std::string, std::string> read_dotenv(std::string_view text) {
  std::map<std::string, std::string> out;
  for (std::string_view text_line : split_lines(text)) {
    std::string_view line = trim(text_line);
    if (line.empty() || line.front() == '#') continue;
    if (line.starts_with("export ")) line = trim(line.substr(7));
    std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string name(trim(line.substr(0, eq)));
    std::string_view raw = trim(line.substr(eq + 1));
    std::string value;
    if (raw.size() >= 2 && raw.front() == '\'' && raw.find('\'', 1) != std::string_view::npos) {
      value = raw.substr(1, raw.find('\'', 1) - 1);
    } else if (raw.size() >= 2 && raw.front() == '"') {
      for (std::size_t i = 1; i < raw.size() && raw[i] != '"'; ++i) {
        if (raw[i] == '\\' && i + 1 < raw.size()) {
          char c = raw[++i];
          value += c == 'n' ? '\n' : c == 't' ? '\t' : c;
        } else {
          value += raw[i];
        }
      }
    } else {
      std::size_t comment = raw.find(" #");
      value = trim(raw.substr(0, comment));
    }
    if (!name.empty()) out[name] = std::move(value);
  }
  return out;
}

std::vector<ImageBuild> read_compose(std::string_view text, std::string_view file,
                                     const std::map<std::string, std::string>& dotenv, Warnings& warnings) {
  std::vector<ImageBuild> out;
  auto doc = yaml::parse(text, file);
  if (!doc) {
    warnings.add_located(doc.error().message + "; the file is skipped");
    return out;
  }
  const yaml::Node& services = (*doc)["services"];
  if (!services.is_mapping()) return out;
  Interpolator interpolate(dotenv, file, warnings);
  const std::string dir(parent_dir(file));
  for (const auto& service : services.entries()) {
    const yaml::Node& build = service.value["build"];
    if (build.is_null()) continue;  // image only: built elsewhere
    ImageBuild one;
    one.name = service.key;
    one.file = std::string(file);
    std::string context = ".";
    std::string dockerfile = "Dockerfile";
    bool inline_dockerfile = false;
    if (build.is_scalar()) {
      context = interpolate(build);
      one.line = build.mark().line;
      one.how = fmt::format("build {}", build.text());
    } else if (build.is_mapping()) {
      one.line = build.mark().line;
      one.how = "build";
      if (const yaml::Node* value = build.find("context"); value && value->is_scalar()) {
        context = interpolate(*value);
        one.line = value->mark().line;
        one.how = fmt::format("build.context {}", value->text());
      }
      if (const yaml::Node* value = build.find("dockerfile"); value && value->is_scalar()) {
        dockerfile = interpolate(*value);
      }
      inline_dockerfile = build.find("dockerfile_inline") != nullptr;
      const yaml::Node& args = build["args"];
      for (const auto& entry : args.entries()) {
        if (entry.value.is_scalar()) one.args[entry.key] = interpolate(entry.value);
      }
      for (const yaml::Node& item : args.items()) {
        std::string arg = interpolate(item);
        std::size_t eq = arg.find('=');
        if (eq != std::string::npos) one.args[arg.substr(0, eq)] = arg.substr(eq + 1);
      }
    } else {
      warnings.add(file, build.mark().line,
                   fmt::format("services.{}.build is neither a path nor a mapping; skipped", service.key));
      continue;
    }
    if (context.find("://") != std::string::npos || context.starts_with("git@") || context.starts_with('/')) {
      warnings.add(file, one.line,
                   fmt::format("services.{}: the build context '{}' is not a directory of this repository; skipped",
                               service.key, context));
      continue;
    }
    auto context_path = join_relative(dir, context);
    if (!context_path) {
      warnings.add(file, one.line,
                   fmt::format("services.{}: the build context '{}' leaves the repository; skipped", service.key, context));
      continue;
    }
    one.context = std::move(*context_path);
    if (!inline_dockerfile) {
      auto dockerfile_path = join_relative(one.context, dockerfile);
      if (!dockerfile_path || dockerfile.starts_with('/')) {
        warnings.add(file, one.line,
                     fmt::format("services.{}: the Dockerfile '{}' is not in this repository; skipped", service.key,
                                 dockerfile));
        continue;
      }
      one.dockerfile = std::move(*dockerfile_path);
    }
    out.push_back(std::move(one));
  }
  return out;
}

}  // namespace wharf::infer
