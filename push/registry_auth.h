// Where registry credentials come from, and the pieces of the auth
// handshake: environment variables, then docker's config.json (`auths`
// entries, then `credHelpers` / `credsStore` through their
// docker-credential-<name> command), and the WWW-Authenticate challenge.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "push/registry_pusher.h"
#include "util/error.h"

namespace wharf::push {

struct Credentials {
  std::string user;
  std::string password;
  bool empty() const { return user.empty() && password.empty(); }
};

// The registry's credentials, or empty ones (anonymous) when none is
// configured. An error only when something configured is broken (a
// variable named but unset, an unreadable config.json, a helper that
// fails); messages name the variable, file or helper, never the secret.
Result<Credentials> find_credentials(const RegistryTarget& target, const RegistryOptions& options);

// "Bearer realm="https://auth/token",service="reg",scope="repository:a:pull""
// -> scheme "bearer" (lower case) and its parameters.
struct Challenge {
  std::string scheme;
  std::map<std::string, std::string> params;
};
Challenge parse_challenge(std::string_view header);

std::string base64_encode(std::string_view bytes);
// Standard alphabet; padding optional; whitespace not allowed.
Result<std::string> base64_decode(std::string_view text);

}  // namespace wharf::push
