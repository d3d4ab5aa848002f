// Start-up tuning of the C heap for a short-lived process.
#pragma once

#include <cstddef>

namespace wharf {

// Grows the heap once by `bytes` (at most 16 MiB), keeps that memory in the allocator (no
// trimming, no separate mmap for big blocks), and asks the kernel to back it
// with transparent huge pages, from the first huge-page boundary above what
// the heap held before (the address space below that is skipped).
//
// Why: a `wharf plan` touches a few MB of fresh heap (graph, config, git
// trees). Faulting that in 4 KiB at a time was ~1,000 page faults, about a
// fifth of a run: 1,278 faults, against 316 with huge pages, and `wharf plan
// --since` on the benchmark repo in 7.8 ms instead of 9.8 ms (best of 60
// interleaved runs). Only address space is reserved: untouched memory costs
// nothing, and where transparent huge pages are off this only keeps freed
// memory for reuse. Not for tiny commands: the first touch of a huge page
// costs more than a few small ones (--version 2.2 vs 2.0 ms).
void reserve_heap(std::size_t bytes);

}  // namespace wharf
