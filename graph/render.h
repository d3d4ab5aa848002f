// `wharf graph` output: the input set of every service, as text, JSON or a
// graphviz picture.
#pragma once

#include <string>

#include "graph/graph.h"

namespace wharf::graph {

std::string graph_to_text(const Graph& graph);
std::string graph_to_json(const Graph& graph);
std::string graph_to_dot(const Graph& graph);

}  // namespace wharf::graph
