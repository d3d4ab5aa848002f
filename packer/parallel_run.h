// The thread count of a pack, as a oneTBB arena: the packers run their
// pipelines inside it, so `threads` bounds the work without touching the
// process-wide scheduler (wharf build packs several services at once).
#pragma once

#include <tbb/task_arena.h>

namespace wharf::packer {

// Runs `body` with at most `threads` worker threads (0: all cores).
template <class Body>
auto run_with_threads(int threads, Body&& body) {
  tbb::task_arena arena(threads > 0 ? threads : tbb::task_arena::automatic);
  return arena.execute(std::forward<Body>(body));
}

// Pipeline tokens for `threads`: enough to keep every thread busy while the
// in-order writer waits for a slow item, few enough to bound memory.
inline std::size_t pipeline_tokens(int threads) {
  int n = threads > 0 ? threads : tbb::this_task_arena::max_concurrency();
  return static_cast<std::size_t>(2 * n + 2);
}

}  // namespace wharf::packer
