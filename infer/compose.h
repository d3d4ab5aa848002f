// docker-compose.yml / compose.yaml: the services it builds.
//
// `services.X.build` is a string (the context) or a mapping (`context`,
// default "."; `dockerfile`, default "Dockerfile", relative to the context;
// `dockerfile_inline`; `args` as a mapping or a list of NAME=value). Paths are
// relative to the compose file's directory. Values are interpolated as
// compose does (`${VAR}`, `${VAR:-default}`, `${VAR-default}`, `$$`) from the
// `.env` file beside the compose file only: the environment of whoever runs
// `wharf init` must not change what it infers. A service with only `image:`
// is not built here and is skipped; anchors and `<<` merges are resolved by
// yaml/node.h.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "infer/image_build.h"
#include "infer/warnings.h"

namespace wharf::infer {

// A `.env` file: NAME=value lines (`export ` allowed, `#` comments, values
// in single quotes literal, in double quotes with \n \t \" \\ escapes,
// unquoted ones trimmed and cut at " #").
std::map<std::string, std::string> read_dotenv(std::string_view text);

// `file` is the compose file's repository-relative path; `dotenv` the `.env`
// beside it, if any. A file that does not parse is one warning (file:line)
// and no builds.
std::vector<ImageBuild> read_compose(std::string_view text, std::string_view file,
                                     const std::map<std::string, std::string>& dotenv, Warnings& warnings);

}  // namespace wharf::infer
