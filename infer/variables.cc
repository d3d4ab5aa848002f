#include "infer/variables.h"

#include <algorithm>

namespace wharf::infer {
namespace {

bool name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }

class Substituter {
 public:
  Substituter(const VariableLookup& lookup, SubstitutionSyntax syntax) : lookup_(lookup), syntax_(syntax) {}

  std::string run(std::string_view text) {
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
      char c = text[i];
      if (syntax_.escape != 0 && c == syntax_.escape && i + 1 < text.size() && text[i + 1] == '$') {
        out += '$';
        i += 2;
        continue;
      }
      if (c != '$' || i + 1 >= text.size()) {
        out += c;
        ++i;
        continue;
      }
      char next = text[i + 1];
      if (syntax_.dollar_dollar && next == '$') {
        out += '$';
        i += 2;
      } else if (next == '{') {
        std::size_t close = matching_brace(text, i + 1);
        if (close == std::string_view::npos) {  // unterminated: literal, as written
          out.append(text.substr(i));
          break;
        }
        out += braced(text.substr(i + 2, close - i - 2));
        i = close + 1;
      } else if (name_start(next)) {
        std::size_t end = i + 1;
        while (end < text.size() && name_char(text[end])) ++end;
        out += plain(text.substr(i + 1, end - i - 1));
        i = end;
      } else {
        out += c;
        ++i;
      }
    }
    return out;
  }

  std::vector<std::string> missing;

 private:
  // The '}' closing the '{' at `open`, skipping nested ${...}.
  static std::size_t matching_brace(std::string_view text, std::size_t open) {
    int depth = 0;
    for (std::size_t i = open; i < text.size(); ++i) {
      if (text[i] == '{') ++depth;
      if (text[i] == '}' && --depth == 0) return i;
    }
    return std::string_view::npos;
  }

  std::string plain(std::string_view name) {
    if (auto value = lookup_(name)) return *value;
    note_missing(name);
    return {};
  }

  // The inside of ${...}: NAME, then an optional operator and word.
  std::string braced(std::string_view inner) {
    std::size_t end = 0;
    while (end < inner.size() && name_char(inner[end])) ++end;
    std::string_view name = inner.substr(0, end);
    std::string_view rest = inner.substr(end);
    if (rest.empty()) return plain(name);
    const bool colon = rest.front() == ':';
    if (colon) rest.remove_prefix(1);
    if (rest.empty()) return plain(name);
    const char op = rest.front();
    std::string_view word = rest.substr(1);
    std::optional<std::string> value = lookup_(name);
    // With ':' an empty value counts as unset.
    const bool set = value.has_value() && (!colon || !value->empty());
    switch (op) {
      case '-':
        return set ? *value : run(word);
      case '+':
        return set ? run(word) : std::string();
      case '?':
        if (set) return *value;
        note_missing(name);
        return {};
      default:  // an operator neither tool knows statically (${a#b}, ${a%b}): no static value
        note_missing(name);
        return value.value_or("");
    }
  }

  void note_missing(std::string_view name) {
    if (std::find(missing.begin(), missing.end(), name) == missing.end()) missing.emplace_back(name);
  }

  const VariableLookup& lookup_;
  SubstitutionSyntax syntax_;
};

}  // namespace

Substituted substitute(std::string_view text, const VariableLookup& lookup, SubstitutionSyntax syntax) {
  Substituter substituter(lookup, syntax);
  Substituted out;
  out.text = substituter.run(text);
  out.missing = std::move(substituter.missing);
  return out;
}

}  // namespace wharf::infer
