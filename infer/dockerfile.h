// What a Dockerfile takes from its build context: the sources of its COPY
// and ADD instructions, with ARG and ENV substituted as the builder would.
//
// Read as BuildKit reads it: parser directives at the top (`# escape=`),
// line continuations with the escape character (comment and empty lines
// inside one skipped), heredocs (`<<EOF` ... `EOF`, their bodies are not
// instructions), instruction names in any case, unknown instructions
// ignored. Not sources: `COPY --from=stage|image` (another stage or an
// image), URLs in ADD (and git@ addresses), heredoc sources.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "infer/warnings.h"

namespace wharf::infer {

struct CopySource {
  // Relative to the build context, normalized; "" is the whole context. May
  // be a glob (Docker's `*`, `?`, `[...]`, `**`, the same dialect as wharf's).
  std::string path;
  int line = 0;  // of the instruction
};

struct DockerfileSources {
  std::vector<CopySource> sources;
  // A source could not be resolved statically (a variable with no value),
  // so the whole context is an input; a warning names the line.
  bool whole_context = false;
};

// `file` names the Dockerfile in warnings; `build_args` are values given to
// ARGs from outside (compose's build.args), overriding their defaults.
DockerfileSources read_dockerfile(std::string_view text, std::string_view file,
                                  const std::map<std::string, std::string>& build_args, Warnings& warnings);

}  // namespace wharf::infer
