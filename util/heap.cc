#include "util/heap.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

namespace wharf {
namespace {

constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;  // an x86-64 transparent huge page

std::uintptr_t align_up(std::uintptr_t at) { return (at + kHuge - 1) & ~(kHuge - 1); }
std::uintptr_t align_down(std::uintptr_t at) { return at & ~(kHuge - 1); }

// glibc's chunk header: a block's memory starts this far after its chunk.
constexpr std::uintptr_t kChunkHeader = 2 * sizeof(std::size_t);

// Moves the top of the heap to just below the next huge-page boundary with a
// block that is never used (address space only: its pages are never
// touched), so that the next block's memory starts at the boundary and its
// chunk header, the one byte malloc writes, lies below it.
//
// Why: only whole, aligned 2 MiB ranges can be huge pages, and the heap
// starts wherever ASLR put the program break. What lies between that and the
// first boundary (0 to 2 MiB) was faulted in 4 KiB at a time: 300 to 800
// page faults per `wharf plan --since` on the benchmark repo from one run to
// the next, ~312 every time with the gap skipped. A range in which any 4 KiB
// page was touched before the advice can no longer become a huge page,
// hence the header below the boundary.
void skip_to_huge_boundary() {
  // The top chunk, where a block no free chunk can serve comes from, ends at
  // the program break (keepcost is its size).
  const auto top = reinterpret_cast<std::uintptr_t>(sbrk(0)) - mallinfo2().keepcost;
  const std::uintptr_t gap = align_up(top) - top;
  if (gap < 4096) return;
  void* filler = std::malloc(gap - 2 * kChunkHeader);  // its chunk ends one header below the boundary
  if (reinterpret_cast<std::uintptr_t>(filler) != top + kChunkHeader) std::free(filler);  // not from the top
  // else `filler` stays allocated for the life of the process
}

}  // namespace

void reserve_heap(std::size_t bytes) {
  // Blocks below the mmap threshold come from the brk heap (32 MiB is the
  // most glibc accepts); freed memory below the trim threshold stays there.
  constexpr std::size_t kMaxMmapThreshold = std::size_t{32} << 20;
  if (bytes >= kMaxMmapThreshold) bytes = kMaxMmapThreshold / 2;
  mallopt(M_MMAP_THRESHOLD, static_cast<int>(kMaxMmapThreshold));
  mallopt(M_TRIM_THRESHOLD, static_cast<int>(4 * kMaxMmapThreshold));
  skip_to_huge_boundary();
  void* block = std::malloc(bytes);
  if (!block) return;
  const auto at = reinterpret_cast<std::uintptr_t>(block);
  const std::uintptr_t begin = align_up(at);  // `at` itself after skip_to_huge_boundary
  const std::uintptr_t end = align_down(at + bytes);
  // Advice only: without transparent huge pages it fails and changes nothing.
  if (end > begin) (void)madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
  std::free(block);  // back to the top of the heap, untouched, for what follows
}

}  // namespace wharf
