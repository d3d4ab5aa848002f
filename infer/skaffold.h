// skaffold.yaml: the images its artifacts build with docker.
//
// Every document of the file (multi-document files are common) is read:
// `build.artifacts[]` with `image`, `context` (default ".", relative to the
// skaffold.yaml's directory) and `docker.dockerfile` (default "Dockerfile",
// relative to the context), `docker.buildArgs`. Artifacts built another way
// (jib, bazel, ko, buildpacks, custom) have no Dockerfile and are skipped;
// so are profiles' artifacts (not read yet).
#pragma once

#include <string_view>
#include <vector>

#include "infer/image_build.h"
#include "infer/warnings.h"

namespace wharf::infer {

std::vector<ImageBuild> read_skaffold(std::string_view text, std::string_view file, Warnings& warnings);

}  // namespace wharf::infer
