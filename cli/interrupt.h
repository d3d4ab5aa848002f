// Ctrl-C and SIGTERM during a long command (build, deploy): the first sets a
// flag the work checks (commands in their own process groups are told to
// stop, pushes end, nothing half-written is kept); a second kills wharf at
// once.
#pragma once

#include <signal.h>

#include <atomic>

namespace wharf::cli {

inline std::atomic<bool> g_interrupted{false};

extern "C" inline void on_interrupt(int) { g_interrupted.store(true); }

class InterruptScope {
 public:
  InterruptScope() {
    g_interrupted = false;
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~InterruptScope() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

}  // namespace wharf::cli
