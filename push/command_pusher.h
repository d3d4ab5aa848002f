// The `command` pusher: the escape hatch. A configured shell command does
// the push (`aws lambda update-function-code --zip-file fileb://$WHARF_ARTIFACT`,
// `aws s3 sync`, `gcloud run deploy --image ...`) with the artifact described
// in its environment.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "push/pusher.h"

namespace wharf::push {

struct CommandTarget {
  // Run as `/bin/sh -c <command>`, as written: no placeholders are expanded
  // (the values are in the environment, where the shell cannot mistake
  // them for syntax).
  std::string command;
  std::chrono::milliseconds timeout{600'000};
  std::string cwd;       // the repository root; "" = wharf's own
  std::string log_path;  // its stdout and stderr; "" = a temporary file, removed afterwards
};

// The command runs in its own process group (stopped as a whole at the
// timeout or on cancel) with, on top of wharf's environment:
//   WHARF_SERVICE, WHARF_ENV, WHARF_ARTIFACT (the zip or the layout
//   directory), WHARF_DIGEST ("sha256:<hex>"), WHARF_TAG (the first tag),
//   WHARF_TAGS (all, space-separated), WHARF_KEY, WHARF_SHA, WHARF_SHORT_SHA,
//   WHARF_KIND ("zip" | "image"), WHARF_MEDIA_TYPE, WHARF_SIZE.
// Exit 0: pushed; Pushed::location is its last non-empty output line ("" if
// none), bytes_sent the artifact's size (what a command is handed; it may
// send less). Otherwise ErrorKind::io naming the service, the command, how
// it ended and the last lines of its output. preview() runs nothing: never
// complete, bytes_to_send = the artifact's size.
std::unique_ptr<Pusher> make_command_pusher(CommandTarget target);

}  // namespace wharf::push
