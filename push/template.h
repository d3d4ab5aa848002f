// Path and URL templates of the dir and http pushers: `{service}` and the
// like, filled from the artifact being pushed, so one environment's target
// names every service's artifact (`/srv/artifacts/{env}/{service}/{digest}.{ext}`,
// `https://store.example/{service}/{short_sha}.zip`).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "graph/push_target.h"
#include "push/pusher.h"
#include "util/error.h"

namespace wharf::push {

// {service} {env} {sha} {short_sha} {key} {digest} (hex, without "sha256:")
// {tag} (the artifact's first tag) {kind} ("zip" | "image") {ext} ("zip" for
// a zip, "" for an image).
// (graph::kPushPlaceholders: the config reader checks the same names.)
inline constexpr const auto& kTemplatePlaceholders = graph::kPushPlaceholders;

// The first `{name}` in `text` (name = letters, digits, '_') that is not a
// placeholder, or nullopt. Other braces are text. The config reader uses it
// to report a bad template at file:line:col before anything is pushed.
std::optional<std::string> unknown_placeholder(std::string_view text);

// `text` with every placeholder replaced. ErrorKind::config naming the
// service and the unknown placeholder (with the known ones) otherwise.
Result<std::string> expand_template(std::string_view text, const Artifact& artifact);

}  // namespace wharf::push
