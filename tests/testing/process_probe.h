// Whether a process the test started (and lost track of: a shell's background
// child, reparented to init) has been stopped.
#pragma once

#include <chrono>
#include <string>

namespace wharf::testing {

// True when the process is gone or a zombie (in a container PID 1 may never
// reap it). A SIGKILL is delivered asynchronously: the victim still shows
// as running until the kernel has torn it down, which on a loaded machine
// takes a while, so this polls until `patience` has passed.
bool stopped_within(int pid, std::chrono::milliseconds patience = std::chrono::seconds(10));

}  // namespace wharf::testing
