#include "infer/go_work.h"

#include <algorithm>
#include <map>

#include "infer/paths.h"
#include "infer/read_file.h"
#include "infer/text.h"

namespace wharf::infer {
namespace {

// One directive of a go.mod / go.work file: its verb and the text after it,
// with blocks `verb ( ... )` spread into one directive per line.
struct Directive {
  std::string verb;
  std::string args;
  int line = 0;
};

std::vector<Directive> directives(std::string_view text) {
  std::vector<Directive> out;
  std::string block;  // the verb of the open block, if any
  int line_no = 0;
  for (std::string_view line : split_lines(text)) {
    ++line_no;
    if (std::size_t comment = line.find("//"); comment != std::string_view::npos) line = line.substr(0, comment);
    line = trim(line);
    if (line.empty()) continue;
    if (!block.empty()) {
      if (line == ")") {
        block.clear();
      } else {
        out.push_back(Directive{block, std::string(line), line_no});
      }
      continue;
    }
    std::size_t space = line.find_first_of(" \t");
    std::string verb(line.substr(0, space));
    std::string_view rest = space == std::string_view::npos ? std::string_view() : trim(line.substr(space));
    if (rest == "(") {
      block = verb;
      continue;
    }
    out.push_back(Directive{verb, std::string(rest), line_no});
  }
  return out;
}

std::string unquote(std::string_view word) {
  if (word.size() >= 2 && (word.front() == '"' || word.front() == '`') && word.back() == word.front()) {
    return std::string(word.substr(1, word.size() - 2));
  }
  return std::string(word);
}

std::string first_word(std::string_view text) {
  std::size_t space = text.find_first_of(" \t");
  return unquote(text.substr(0, space));
}

}  // namespace

GoWorkspace read_go_work(const fs::SourceTree& tree, const std::vector<std::string>& files, Warnings& warnings) {
  GoWorkspace workspace;
  if (!std::binary_search(files.begin(), files.end(), "go.work")) return workspace;
  auto text = read_file(tree, "go.work", warnings);
  if (!text) return workspace;
  workspace.present = true;
  for (const Directive& directive : directives(*text)) {
    if (directive.verb != "use") continue;
    std::string raw = first_word(directive.args);
    auto dir = join_relative("", raw);
    if (!dir || raw.starts_with('/')) {
      warnings.add("go.work", directive.line, fmt::format("use {} is not a directory of this repository; skipped", raw));
      continue;
    }
    workspace.modules.push_back(GoModule{std::move(*dir), {}, {}, directive.line});
  }
  std::sort(workspace.modules.begin(), workspace.modules.end(),
            [](const GoModule& a, const GoModule& b) { return a.dir < b.dir; });
  // Each module's go.mod: its path, then what it requires or replaces.
  std::map<std::string, std::string> dir_of_path;
  std::vector<std::vector<Directive>> parsed(workspace.modules.size());
  for (std::size_t i = 0; i < workspace.modules.size(); ++i) {
    GoModule& module = workspace.modules[i];
    const std::string go_mod = child_path(module.dir, "go.mod");
    if (!std::binary_search(files.begin(), files.end(), go_mod)) {
      warnings.add("go.work", module.use_line, fmt::format("{} has no go.mod", display_dir(module.dir)));
      continue;
    }
    auto mod_text = read_file(tree, go_mod, warnings);
    if (!mod_text) continue;
    parsed[i] = directives(*mod_text);
    for (const Directive& directive : parsed[i]) {
      if (directive.verb == "module") module.module_path = first_word(directive.args);
    }
    if (!module.module_path.empty()) dir_of_path[module.module_path] = module.dir;
  }
  for (std::size_t i = 0; i < workspace.modules.size(); ++i) {
    GoModule& module = workspace.modules[i];
    auto add = [&](const std::string& dir) {
      if (dir != module.dir && std::find(module.dep_dirs.begin(), module.dep_dirs.end(), dir) == module.dep_dirs.end()) {
        module.dep_dirs.push_back(dir);
      }
    };
    for (const Directive& directive : parsed[i]) {
      if (directive.verb == "require") {
        if (auto it = dir_of_path.find(first_word(directive.args)); it != dir_of_path.end()) add(it->second);
      } else if (directive.verb == "replace") {
        std::size_t arrow = directive.args.find("=>");
        if (arrow == std::string::npos) continue;
        std::string target = first_word(trim(std::string_view(directive.args).substr(arrow + 2)));
        if (!target.starts_with("./") && !target.starts_with("../")) continue;  // a module, not a directory
        auto dir = join_relative(module.dir, target);
        if (!dir) continue;
        bool used = std::any_of(workspace.modules.begin(), workspace.modules.end(),
                                [&](const GoModule& other) { return other.dir == *dir; });
        if (used) add(*dir);
      }
    }
    std::sort(module.dep_dirs.begin(), module.dep_dirs.end());
  }
  return workspace;
}

}  // namespace wharf::infer
