#include "infer/dockerfile.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include <nlohmann/json.hpp>

#include "infer/paths.h"
#include "infer/text.h"
#include "infer/variables.h"

namespace wharf::infer {
namespace {

std::string upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_comment(std::string_view line) {
  std::size_t first = line.find_first_not_of(" \t");
  return first != std::string_view::npos && line[first] == '#';
}

// One instruction, its continuation lines joined.
struct Instruction {
  std::string keyword;  // upper case
  std::string args;     // the rest, trimmed
  int line = 0;         // of its first line
};

// The escape character from the parser directives at the top (BuildKit
// stops looking at the first line that is not a directive).
char escape_directive(const std::vector<std::string_view>& lines) {
  char escape = '\\';
  for (std::string_view raw : lines) {
    std::string_view line = trim(raw);
    if (!line.starts_with('#')) break;
    line = trim(line.substr(1));
    std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) break;
    std::string key = lower(trim(line.substr(0, eq)));
    if (key.empty() || !std::all_of(key.begin(), key.end(), [](unsigned char c) { return std::isalpha(c); })) break;
    std::string_view value = trim(line.substr(eq + 1));
    if (key == "escape" && (value == "`" || value == "\\")) escape = value.front();
  }
  return escape;
}

// The heredoc terminators an instruction opens (`<<EOF`, `<<-"EOF"`), in
// order, with whether leading tabs are stripped (`<<-`).
std::vector<std::pair<std::string, bool>> heredocs(std::string_view args) {
  std::vector<std::pair<std::string, bool>> out;
  std::size_t at = 0;
  while ((at = args.find("<<", at)) != std::string_view::npos) {
    std::size_t i = at + 2;
    bool strip_tabs = false;
    if (i < args.size() && args[i] == '-') {
      strip_tabs = true;
      ++i;
    }
    char quote = 0;
    if (i < args.size() && (args[i] == '"' || args[i] == '\'')) quote = args[i++];
    std::size_t begin = i;
    while (i < args.size() && (std::isalnum(static_cast<unsigned char>(args[i])) || args[i] == '_')) ++i;
    if (i > begin && !std::isdigit(static_cast<unsigned char>(args[begin])) &&
        (quote == 0 || (i < args.size() && args[i] == quote))) {
      out.emplace_back(std::string(args.substr(begin, i - begin)), strip_tabs);
    }
    at = i;
  }
  return out;
}

std::vector<Instruction> instructions(std::string_view text, char escape) {
  const std::vector<std::string_view> lines = split_lines(text);
  std::vector<Instruction> out;
  std::size_t i = 0;
  auto continues = [escape](std::string_view line) {
    line = trim(line);
    return !line.empty() && line.back() == escape;
  };
  while (i < lines.size()) {
    std::string_view line = lines[i];
    if (trim(line).empty() || is_comment(line)) {
      ++i;
      continue;
    }
    Instruction instruction;
    instruction.line = static_cast<int>(i) + 1;
    std::string joined;
    std::string_view part = trim(line);
    ++i;
    while (continues(part)) {
      part.remove_suffix(1);
      joined.append(part);
      // Comment and empty lines inside a continuation are skipped.
      while (i < lines.size() && (trim(lines[i]).empty() || is_comment(lines[i]))) ++i;
      if (i >= lines.size()) {
        part = {};
        break;
      }
      part = trim(lines[i++]);
    }
    joined.append(part);
    std::string_view whole = trim(joined);
    std::size_t space = whole.find_first_of(" \t");
    instruction.keyword = upper(whole.substr(0, space));
    instruction.args = space == std::string_view::npos ? std::string() : std::string(trim(whole.substr(space)));
    if (instruction.keyword == "RUN" || instruction.keyword == "COPY" || instruction.keyword == "ADD") {
      for (const auto& [terminator, strip_tabs] : heredocs(instruction.args)) {
        while (i < lines.size()) {
          std::string_view body = lines[i++];
          if (!body.empty() && body.back() == '\r') body.remove_suffix(1);
          if (strip_tabs) body.remove_prefix(std::min(body.find_first_not_of('\t'), body.size()));
          if (body == terminator) break;
        }
      }
    }
    out.push_back(std::move(instruction));
  }
  return out;
}

// Splits on unquoted blanks; quotes and escapes stay in the words (expand()
// resolves them).
std::vector<std::string> split_words(std::string_view text, char escape) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote == 0 && (c == ' ' || c == '\t')) {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    word += c;
    if (c == escape && quote != '\'' && i + 1 < text.size()) {
      word += text[++i];
    } else if (quote == 0 && (c == '"' || c == '\'')) {
      quote = c;
    } else if (c == quote) {
      quote = 0;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

// The variables visible at a point of the Dockerfile: ARG and ENV values,
// nullopt for an ARG declared without one.
using Variables = std::map<std::string, std::optional<std::string>, std::less<>>;

class Expander {
 public:
  Expander(const Variables& vars, char escape) : vars_(vars), escape_(escape) {}

  // A word as the builder sees it: quotes removed, variables substituted
  // (not inside single quotes), escapes resolved.
  std::string expand(std::string_view raw) {
    std::string out;
    std::string segment;
    char quote = 0;
    auto flush = [&] {
      out += substitute_vars(segment);
      segment.clear();
    };
    for (std::size_t i = 0; i < raw.size(); ++i) {
      char c = raw[i];
      if (quote == '\'') {
        if (c == '\'') {
          quote = 0;
        } else {
          out += c;
        }
      } else if (c == '\'' && quote == 0) {
        flush();
        quote = '\'';
      } else if (c == '"') {
        flush();
        quote = quote == '"' ? 0 : '"';
      } else if (c == escape_ && i + 1 < raw.size() && raw[i + 1] != '$') {
        flush();
        out += raw[++i];
      } else {
        segment += c;
      }
    }
    flush();
    return out;
  }

  std::string substitute_vars(std::string_view text) {
    if (text.find('$') == std::string_view::npos) return std::string(text);
    auto lookup = [this](std::string_view name) -> std::optional<std::string> {
      auto it = vars_.find(name);
      if (it == vars_.end()) return std::nullopt;
      return it->second;
    };
    Substituted done = substitute(text, lookup, SubstitutionSyntax{.escape = escape_});
    for (auto& name : done.missing) missing.push_back(std::move(name));
    return std::move(done.text);
  }

  std::vector<std::string> missing;

 private:
  const Variables& vars_;
  char escape_;
};

struct Stage {
  std::string name;  // lower case; "" when unnamed
  Variables vars;    // ARG and ENV
  Variables env;     // ENV only: what a stage built FROM this one inherits
};

class Reader {
 public:
  Reader(std::string_view file, const std::map<std::string, std::string>& build_args, Warnings& warnings, char escape)
      : file_(file), build_args_(build_args), warnings_(warnings), escape_(escape) {}

  void read(const Instruction& instruction) {
    const std::string& keyword = instruction.keyword;
    if (keyword == "FROM") {
      from(instruction);
    } else if (keyword == "ARG") {
      arg(instruction);
    } else if (keyword == "ENV") {
      env(instruction);
    } else if ((keyword == "COPY" || keyword == "ADD") && in_stage_) {
      copy(instruction, keyword == "ADD");
    }
  }

  DockerfileSources result;

 private:
  void from(const Instruction& instruction) {
    std::vector<std::string> words;
    for (auto& word : split_words(instruction.args, escape_)) {
      if (!word.starts_with("--")) words.push_back(std::move(word));
    }
    if (in_stage_) stages_.push_back(std::move(current_));
    Expander expander(global_args_, escape_);
    Stage stage;
    if (!words.empty()) {
      std::string base = lower(expander.expand(words[0]));
      for (const Stage& earlier : stages_) {
        if (!earlier.name.empty() && earlier.name == base) {
          stage.vars = earlier.env;
          stage.env = earlier.env;
        }
      }
    }
    if (words.size() >= 3 && upper(words[1]) == "AS") stage.name = lower(words[2]);
    current_ = std::move(stage);
    in_stage_ = true;
  }

  void arg(const Instruction& instruction) {
    Variables& target = in_stage_ ? current_.vars : global_args_;
    for (const std::string& word : split_words(instruction.args, escape_)) {
      std::size_t eq = word.find('=');
      std::string name = word.substr(0, eq);
      std::optional<std::string> value;
      if (auto given = build_args_.find(name); given != build_args_.end()) {
        value = given->second;
      } else if (eq != std::string::npos) {
        Expander expander(target, escape_);
        value = expander.expand(std::string_view(word).substr(eq + 1));
      } else if (in_stage_) {
        // `ARG NAME` in a stage takes the global ARG's default.
        if (auto global = global_args_.find(name); global != global_args_.end()) value = global->second;
      }
      target[name] = std::move(value);
    }
  }

  void env(const Instruction& instruction) {
    if (!in_stage_) return;
    Expander expander(current_.vars, escape_);
    std::vector<std::string> words = split_words(instruction.args, escape_);
    std::vector<std::pair<std::string, std::string>> set;
    if (!words.empty() && words[0].find('=') == std::string::npos) {
      // The old form: ENV NAME the rest of the line.
      std::string_view rest = trim(std::string_view(instruction.args).substr(words[0].size()));
      set.emplace_back(words[0], expander.expand(rest));
    } else {
      for (const std::string& word : words) {
        std::size_t eq = word.find('=');
        if (eq == std::string::npos) continue;
        set.emplace_back(word.substr(0, eq), expander.expand(std::string_view(word).substr(eq + 1)));
      }
    }
    for (auto& [name, value] : set) {
      current_.vars[name] = value;
      current_.env[name] = std::move(value);
    }
  }

  void copy(const Instruction& instruction, bool is_add) {
    std::string_view args = instruction.args;
    // Flags first: --from=..., --chown=..., --link, ...
    while (args.starts_with("--")) {
      std::size_t end = args.find_first_of(" \t");
      std::string_view flag = args.substr(0, end);
      if (flag == "--from" || flag.starts_with("--from=")) return;  // another stage or an image
      args = end == std::string_view::npos ? std::string_view() : trim(args.substr(end));
    }
    Expander expander(current_.vars, escape_);
    std::vector<std::string> words;
    bool json_form = false;
    if (args.starts_with('[')) {
      nlohmann::json parsed = nlohmann::json::parse(args, nullptr, /*allow_exceptions=*/false);
      if (parsed.is_array() && std::all_of(parsed.begin(), parsed.end(), [](const auto& v) { return v.is_string(); })) {
        json_form = true;
        for (const auto& item : parsed) words.push_back(item.get<std::string>());
      }
    }
    if (!json_form) words = split_words(args, escape_);
    if (words.size() < 2) {
      warnings_.add(file_, instruction.line, fmt::format("{} needs a source and a destination; ignored", instruction.keyword));
      return;
    }
    words.pop_back();  // the destination
    for (const std::string& raw : words) {
      if (raw.starts_with("<<")) continue;  // a heredoc: text in the Dockerfile itself
      std::string source = json_form ? expander.substitute_vars(raw) : expander.expand(raw);
      if (!expander.missing.empty()) {
        warnings_.add(file_, instruction.line,
                      fmt::format("{} source '{}' uses ${}, which has no value here (an ARG without a default?); "
                                  "the whole build context is an input",
                                  instruction.keyword, raw, expander.missing.front()));
        expander.missing.clear();
        result.whole_context = true;
        continue;
      }
      if (is_add && (source.find("://") != std::string::npos || source.starts_with("git@"))) continue;  // a URL
      auto path = join_relative("", source);
      if (!path) {
        warnings_.add(file_, instruction.line,
                      fmt::format("{} source '{}' leaves the build context; ignored", instruction.keyword, raw));
        continue;
      }
      result.sources.push_back(CopySource{std::move(*path), instruction.line});
    }
  }

  std::string_view file_;
  const std::map<std::string, std::string>& build_args_;
  Warnings& warnings_;
  char escape_;
  Variables global_args_;
  std::vector<Stage> stages_;
  Stage current_;
  bool in_stage_ = false;
};

}  // namespace

DockerfileSources read_dockerfile(std::string_view text, std::string_view file,
                                  const std::map<std::string, std::string>& build_args, Warnings& warnings) {
  const char escape = escape_directive(split_lines(text));
  Reader reader(file, build_args, warnings, escape);
  for (const Instruction& instruction : instructions(text, escape)) reader.read(instruction);
  return std::move(reader.result);
}

}  // namespace wharf::infer
