// A build context's .dockerignore as wharf `exclude` entries: what the
// builder never sends cannot change the image.
//
// Docker's patterns are anchored at the context root (`*.md` is only the
// top level; `**/*.md` is any depth) and a pattern that matches a directory
// covers everything below it: wharf's dialect, with the context prefixed.
// A negation (`!keep.md`) has no wharf equivalent; the patterns before it
// that could cover what it brings back are left out (so nothing the build
// reads is ever excluded), with a warning naming them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "infer/warnings.h"

namespace wharf::infer {

// `file` names the .dockerignore in warnings; `context` is the build
// context's directory. Repository-relative patterns, in file order.
std::vector<std::string> dockerignore_excludes(std::string_view text, std::string_view file, std::string_view context,
                                               Warnings& warnings);

// The leading literal directories of a pattern ("a/b/*.md" -> "a/b"; "" when
// it starts with a glob): every path it can match lies at or below it.
std::string literal_root(std::string_view pattern);

}  // namespace wharf::infer
