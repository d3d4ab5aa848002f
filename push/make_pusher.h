// The pusher a push table asks for, for one artifact: the registry's
// repository is expanded for it, dir/http/command pushers get their
// templates (they expand them per artifact).
#pragma once

#include <memory>
#include <string>

#include "graph/push_target.h"
#include "push/pusher.h"
#include "util/error.h"

namespace wharf::push {

struct PushContext {
  std::string repo_root;  // where relative dir paths start and commands run
  std::string log_dir;    // where a command's output goes (push-ENV-SERVICE.log); exists
};

// ErrorKind::config when a template does not expand.
Result<std::unique_ptr<Pusher>> make_pusher(const graph::PushTarget& target, const Artifact& artifact,
                                            const PushContext& context);

}  // namespace wharf::push
