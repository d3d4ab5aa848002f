// Handoff outputs of a plan for the tools that deploy (`wharf plan
// --format ...`). Each format is a contract, checked by golden files in
// tests/env/golden/:
//   terraform      {"image_tags": {"svc": "TAG"}} for -var-file: the services
//                  to deploy (with all_tags, every service that has a base:
//                  the others at the tag of their live SHA)
//   targets        one -target=ADDRESS per line, from the environment's
//                  `terraform` addresses, for the services to deploy
//   github-matrix  {"include": [{"service", "base", "reason"}]} on one line
//   markdown       a table (service, DEPLOY/skip, live -> head, why)
//   dot            the service graph, services to deploy filled and the
//                  edges by which a change reached them in red
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "graph/environment_config.h"
#include "graph/graph.h"
#include "plan/plan.h"
#include "util/error.h"

namespace wharf::env {

// The tag template ({sha}, {sha7}, {service}) applied.
std::string image_tag(std::string_view tag_template, std::string_view service, std::string_view sha);

// `environment` may be null (a plan --since or --live): tags are then the
// default "{sha7}".
std::string to_terraform(const plan::Plan& plan, const graph::EnvironmentConfig* environment, bool all_tags);
// The same document from (service, tag) pairs, in their order: what `wharf
// deploy --tfvars-out` writes from the tags it pushed.
std::string to_terraform_tags(const std::vector<std::pair<std::string, std::string>>& tags);
// ErrorKind::usage without an environment, or when a service to deploy has
// no terraform addresses (the message names it and the key to add).
Result<std::string> to_targets(const plan::Plan& plan, const graph::EnvironmentConfig* environment);
std::string to_github_matrix(const plan::Plan& plan);
std::string to_markdown(const plan::Plan& plan);
std::string to_dot(const plan::Plan& plan, const graph::Graph& graph);

// Appends "matrix=<github-matrix>" and "any=true|false" lines to the file at
// `path` ($GITHUB_OUTPUT). ErrorKind::io naming the file when it cannot.
Result<void> append_github_output(const std::string& path, const plan::Plan& plan);

}  // namespace wharf::env
