#include "push/make_pusher.h"

#include <fmt/format.h>

#include "push/command_pusher.h"
#include "push/dir_pusher.h"
#include "push/http_pusher.h"
#include "push/registry_pusher.h"
#include "push/template.h"

namespace wharf::push {

Result<std::unique_ptr<Pusher>> make_pusher(const graph::PushTarget& target, const Artifact& artifact,
                                            const PushContext& context) {
  switch (target.kind) {
    case graph::PushKind::registry: {
      auto repository = expand_template(target.repository, artifact);
      if (!repository) return std::unexpected(repository.error());
      RegistryTarget registry;
      registry.registry = target.registry;
      registry.repository = *repository;
      registry.insecure = target.insecure;
      registry.user_env = target.user_env;
      registry.password_env = target.password_env;
      registry.parallel = target.parallel;
      registry.timeout = target.timeout;
      RegistryOptions options;
      options.share_session = true;  // one probe of the auth scheme per run, not per service
      return make_registry_pusher(std::move(registry), std::move(options));
    }
    case graph::PushKind::dir:
      return make_dir_pusher(DirTarget{target.path}, context.repo_root);
    case graph::PushKind::http: {
      HttpTarget http;
      http.url = target.url;
      http.headers = target.headers;
      http.timeout = target.timeout;
      return make_http_pusher(std::move(http));
    }
    case graph::PushKind::command: {
      CommandTarget command;
      command.command = target.command;
      command.timeout = target.timeout;
      command.cwd = context.repo_root;
      command.log_path = fmt::format("{}/push-{}-{}.log", context.log_dir, artifact.environment, artifact.service);
      return make_command_pusher(std::move(command));
    }
    case graph::PushKind::none:
      break;
  }
  return fail(ErrorKind::config, fmt::format("{}: no push target for {} in {}", target.where.str(), artifact.service,
                                             artifact.environment));
}

}  // namespace wharf::push
