#include "util/heap.h"

#include <malloc.h>
#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>

namespace wharf {

void reserve_heap(std::size_t bytes) {
  // Blocks below the mmap threshold come from the brk heap (32 MiB is the
  // most glibc accepts); freed memory below the trim threshold stays there.
  constexpr std::size_t kMaxMmapThreshold = std::size_t{32} << 20;
  constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;  // an x86-64 transparent huge page
  if (bytes >= kMaxMmapThreshold) bytes = kMaxMmapThreshold / 2;
  mallopt(M_MMAP_THRESHOLD, static_cast<int>(kMaxMmapThreshold));
  mallopt(M_TRIM_THRESHOLD, static_cast<int>(4 * kMaxMmapThreshold));
  void* block = std::malloc(bytes);
  if (!block) return;
  const auto at = reinterpret_cast<std::uintptr_t>(block);
  const std::uintptr_t begin = (at + kHuge - 1) & ~(kHuge - 1);
  const std::uintptr_t end = (at + bytes) & ~(kHuge - 1);
  // Advice only: without transparent huge pages it fails and changes nothing.
  if (end > begin) (void)madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
  std::free(block);  // back to the top of the heap, untouched, for what follows
}

}  // namespace wharf
