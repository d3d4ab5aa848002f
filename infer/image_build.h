// An image that a compose file or skaffold.yaml says is built from a
// Dockerfile: where, from what, and where that was written.
#pragma once

#include <map>
#include <string>

namespace wharf::infer {

struct ImageBuild {
  std::string name;        // the compose service, or the skaffold image as written
  std::string context;     // repository-relative directory ("" = the root)
  std::string dockerfile;  // repository-relative path; "" for an inline Dockerfile
  std::map<std::string, std::string> args;  // build args given to the Dockerfile's ARGs
  // Where it was declared, for the comment above the service:
  // docker-compose.yml:41 (build.context ./src/cart).
  std::string file;
  int line = 0;
  std::string how;
};

}  // namespace wharf::infer
