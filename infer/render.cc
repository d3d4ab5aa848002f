#include "infer/render.h"

#include <algorithm>

#include <fmt/format.h>

#include "infer/block.h"
#include "infer/toml_text.h"

namespace wharf::infer {
namespace {

constexpr std::size_t kLineWidth = 100;

void render_array(std::string& out, std::string_view key, const std::vector<std::string>& items) {
  if (items.empty()) return;
  std::string one_line = fmt::format("{} = [", key);
  for (std::size_t i = 0; i < items.size(); ++i) one_line += (i ? ", " : "") + toml_string(items[i]);
  one_line += "]";
  if (one_line.size() <= kLineWidth) {
    out += one_line + "\n";
    return;
  }
  out += fmt::format("{} = [\n", key);
  for (const std::string& item : items) out += fmt::format("  {},\n", toml_string(item));
  out += "]\n";
}

void render_component(std::string& out, std::string_view kind, const Component& component) {
  out += "\n";
  for (const std::string& line : component.origin) out += "# " + line + "\n";
  out += fmt::format("[{}.{}]\n", kind, toml_key(component.name));
  render_array(out, "paths", component.paths);
  render_array(out, "exclude", component.exclude);
  render_array(out, "deps", component.deps);
}

bool is_left_out(const std::vector<std::string>& left_out, std::string_view kind, const std::string& name) {
  return std::find(left_out.begin(), left_out.end(), fmt::format("{}.{}", kind, name)) != left_out.end();
}

// A name the user took outside the block, as either kind, cannot be used.
bool name_taken(const std::vector<std::string>& left_out, const std::string& name) {
  return is_left_out(left_out, "service", name) || is_left_out(left_out, "package", name);
}

}  // namespace

std::string render_block(const Inferred& inferred, const std::vector<std::string>& left_out) {
  std::string out(kBlockBegin);
  out += "\n";
  if (!left_out.empty()) {
    // Wrapped at the line width: a config can leave out hundreds.
    out += "# Not here because wharf.toml defines them outside this block (yours win):\n";
    std::string line = "#";
    for (std::size_t i = 0; i < left_out.size(); ++i) {
      std::string item = fmt::format(" [{}]{}", left_out[i], i + 1 < left_out.size() ? "," : "");
      if (line.size() + item.size() > kLineWidth) {
        out += line + "\n";
        line = "#";
      }
      line += item;
    }
    out += line + "\n";
  }
  const bool own_workspace = std::find(left_out.begin(), left_out.end(), "workspace") != left_out.end();
  if (!inferred.inputs.empty() && !own_workspace) {
    out += "\n# from the repository root and the shared Dockerfiles: a change to one reaches every service\n";
    out += "[workspace]\ninputs = [\n";
    std::size_t width = 0;
    for (const WorkspaceInput& input : inferred.inputs) width = std::max(width, toml_string(input.path).size() + 1);
    for (const WorkspaceInput& input : inferred.inputs) {
      std::string item = toml_string(input.path) + ",";
      out += fmt::format("  {:<{}}  # {}\n", item, width, input.why);
    }
    out += "]\n";
  }
  for (const Component& package : inferred.packages) {
    if (!name_taken(left_out, package.name)) render_component(out, "package", package);
  }
  for (const Component& service : inferred.services) {
    if (!name_taken(left_out, service.name)) render_component(out, "service", service);
  }
  out += "\n";
  out += kBlockEnd;
  out += "\n";
  return out;
}

}  // namespace wharf::infer
