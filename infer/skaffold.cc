#include "infer/skaffold.h"

#include "infer/paths.h"
#include "yaml/node.h"

namespace wharf::infer {

std::vector<ImageBuild> read_skaffold(std::string_view text, std::string_view file, Warnings& warnings) {
  std::vector<ImageBuild> out;
  auto docs = yaml::parse_all(text, file);
  if (!docs) {
    warnings.add_located(docs.error().message + "; the file is skipped");
    return out;
  }
  const std::string dir(parent_dir(file));
  for (const yaml::Node& doc : *docs) {
    for (const yaml::Node& artifact : doc["build"]["artifacts"].items()) {
      const yaml::Node& image = artifact["image"];
      if (!image.is_scalar() || image.text().empty()) {
        warnings.add(file, artifact.mark().line, "an artifact without an image name; skipped");
        continue;
      }
      bool other_builder = false;
      for (const char* builder : {"jib", "bazel", "ko", "buildpacks", "custom"}) {
        if (artifact.find(builder)) other_builder = true;
      }
      if (other_builder) continue;
      ImageBuild one;
      one.name = image.text();
      one.file = std::string(file);
      one.line = image.mark().line;
      one.how = fmt::format("artifact {}", image.text());
      const yaml::Node& context = artifact["context"];
      const std::string context_text = context.is_scalar() ? context.text() : ".";
      auto context_path = join_relative(dir, context_text);
      if (!context_path || context_text.starts_with('/')) {
        warnings.add(file, one.line,
                     fmt::format("artifact {}: the context '{}' is not in this repository; skipped", one.name, context_text));
        continue;
      }
      one.context = std::move(*context_path);
      const yaml::Node& docker = artifact["docker"];
      const yaml::Node& dockerfile = docker["dockerfile"];
      const std::string dockerfile_text = dockerfile.is_scalar() ? dockerfile.text() : "Dockerfile";
      auto dockerfile_path = join_relative(one.context, dockerfile_text);
      if (!dockerfile_path || dockerfile_text.starts_with('/')) {
        warnings.add(file, one.line,
                     fmt::format("artifact {}: the Dockerfile '{}' is not in this repository; skipped", one.name,
                                 dockerfile_text));
        continue;
      }
      one.dockerfile = std::move(*dockerfile_path);
      for (const auto& arg : docker["buildArgs"].entries()) {
        // A template ({{.IMAGE_TAG}}) has no static value: the ARG keeps its default.
        if (arg.value.is_scalar() && arg.value.text().find("{{") == std::string::npos) {
          one.args[arg.key] = arg.value.text();
        }
      }
      out.push_back(std::move(one));
    }
  }
  return out;
}

}  // namespace wharf::infer
