#include "push/template.h"

#include <fmt/format.h>

#include <algorithm>

namespace wharf::push {
namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Calls `on_placeholder(name)` for each `{name}` and `on_text(piece)` for the
// text between them; stops (returning false) when on_placeholder does.
template <class OnText, class OnPlaceholder>
bool scan(std::string_view text, OnText on_text, OnPlaceholder on_placeholder) {
  std::size_t done = 0;
  std::size_t at = 0;
  while ((at = text.find('{', at)) != std::string_view::npos) {
    std::size_t end = at + 1;
    while (end < text.size() && is_name_char(text[end])) ++end;
    if (end == at + 1 || end == text.size() || text[end] != '}') {
      ++at;  // not `{name}`: a brace like any other character
      continue;
    }
    on_text(text.substr(done, at - done));
    if (!on_placeholder(text.substr(at + 1, end - at - 1))) return false;
    done = at = end + 1;
  }
  on_text(text.substr(done));
  return true;
}

bool is_placeholder(std::string_view name) {
  return std::find(kTemplatePlaceholders.begin(), kTemplatePlaceholders.end(), name) != kTemplatePlaceholders.end();
}

std::string value_of(std::string_view name, const Artifact& artifact) {
  if (name == "service") return artifact.service;
  if (name == "env") return artifact.environment;
  if (name == "sha") return artifact.sha;
  if (name == "short_sha") return artifact.short_sha;
  if (name == "key") return artifact.key;
  if (name == "digest") {
    const auto colon = artifact.digest.find(':');
    return colon == std::string::npos ? artifact.digest : artifact.digest.substr(colon + 1);
  }
  if (name == "tag") return artifact.tags.empty() ? std::string() : artifact.tags.front();
  if (name == "kind") return artifact.kind;
  if (name == "ext") return artifact.kind == "zip" ? "zip" : "";
  return {};
}

}  // namespace

std::optional<std::string> unknown_placeholder(std::string_view text) {
  std::optional<std::string> unknown;
  scan(
      text, [](std::string_view) {},
      [&](std::string_view name) {
        if (is_placeholder(name)) return true;
        unknown = std::string(name);
        return false;
      });
  return unknown;
}

Result<std::string> expand_template(std::string_view text, const Artifact& artifact) {
  if (auto unknown = unknown_placeholder(text)) {
    return fail(ErrorKind::config,
                fmt::format("service {}: unknown placeholder {{{}}} in \"{}\"; known: {{{}}}", artifact.service,
                            *unknown, text, fmt::join(kTemplatePlaceholders, "} {")));
  }
  std::string out;
  scan(
      text, [&](std::string_view piece) { out += piece; },
      [&](std::string_view name) {
        out += value_of(name, artifact);
        return true;
      });
  return out;
}

}  // namespace wharf::push
