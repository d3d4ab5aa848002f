// Start-up tuning of the C heap for a short-lived process.
#pragma once

#include <cstddef>

namespace wharf {

// Grows the heap once by `bytes` (at most 16 MiB), keeps that memory in the
// allocator (no trimming, no separate mmap for big blocks), and asks the
// kernel to back its whole 2 MiB ranges with transparent huge pages. Only
// mallopt and madvise: nothing about glibc's heap layout is assumed.
//
// Why: a `wharf plan` touches a few MB of fresh heap (graph, config, git
// trees). Faulting that in 4 KiB at a time was 1,232 page faults per `wharf
// plan --since` on the benchmark repo, against 310-750 with this (perf
// stat; how much of the heap can be huge pages depends on where ASLR put
// it). Only address space is reserved: untouched memory costs nothing, and
// where transparent huge pages are off this only keeps freed memory for
// reuse. Not for tiny commands: the first touch of a huge page costs more
// than a few small ones.
void reserve_heap(std::size_t bytes);

}  // namespace wharf
