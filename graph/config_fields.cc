#include "graph/config_fields.h"

#include <fmt/format.h>

namespace wharf::graph {

std::string config_schema() {
  std::string out;
  auto line = [&](std::string_view table) {
    return [&out, table](const FieldSpec& spec, const auto& member) {
      out += fmt::format("{} {} {} tables={} required={} key={} names={}\n", table, spec.name, field_type_name(member),
                         static_cast<int>(spec.tables), spec.required, static_cast<int>(spec.key),
                         static_cast<int>(spec.names));
    };
  };
  const WorkspaceConfig workspace;
  const ComponentConfig component;
  visit_fields(workspace, line("workspace"));
  visit_fields(component, line("component"));
  return out;
}

}  // namespace wharf::graph
