#include "platform/caching_cpu_allocator.h"

#include <sys/mman.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <c10/core/CPUAllocator.h>

namespace alexnet {

namespace {

constexpr std::size_t kAlignment = 64;                     // what c10's own allocator guarantees
constexpr std::size_t kSmallestCached = 1 << 20;           // malloc's heap already reuses small blocks
constexpr std::size_t kCacheLimit = std::size_t(6) << 30;  // never hold more than this unused

constexpr std::size_t kHugePage = std::size_t(2) << 20;

// Buffers of a huge page or more (weights, gradients, optimizer state,
// activations) start on a 2 MiB boundary and ask for transparent huge pages:
// the optimizer's and the weight gradients' passes over fc7's 64 MB then miss
// the TLB 512 times less often, which took 10-20 % off such passes here.
// Where THP is off the advice is ignored and nothing else changes.
void* aligned_or_throw(std::size_t bytes) {
  void* p = nullptr;
  static const bool huge_pages = std::getenv("ALEXNET_NO_HUGE_PAGES") == nullptr;  // to measure what they gain
  const bool huge = huge_pages && bytes >= kHugePage;
  if (posix_memalign(&p, huge ? kHugePage : kAlignment, bytes) != 0 || p == nullptr) {
    TORCH_CHECK(false, "out of memory: cannot allocate ", bytes, " bytes");
  }
  if (huge) (void)madvise(p, bytes, MADV_HUGEPAGE);
  return p;
}

class BufferCache {
 public:
  void* acquire(std::size_t bytes) {
    if (bytes >= kSmallestCached) {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = free_.find(bytes);
      if (it != free_.end() && !it->second.empty()) {
        void* p = it->second.back();
        it->second.pop_back();
        cached_ -= bytes;
        in_use_[p] = bytes;
        return p;
      }
    }
    void* p = aligned_or_throw(bytes);
    std::lock_guard<std::mutex> lock(mutex_);
    in_use_[p] = bytes;
    return p;
  }

  void release(void* p) {
    std::unique_lock<std::mutex> lock(mutex_);
    auto it = in_use_.find(p);
    const std::size_t bytes = it->second;
    in_use_.erase(it);
    if (bytes >= kSmallestCached && cached_ + bytes <= kCacheLimit) {
      free_[bytes].push_back(p);
      cached_ += bytes;
      return;
    }
    lock.unlock();
    std::free(p);
  }

  std::size_t cached() {
    std::lock_guard<std::mutex> lock(mutex_);
    return cached_;
  }

 private:
  std::mutex mutex_;
  std::unordered_map<void*, std::size_t> in_use_;
  std::map<std::size_t, std::vector<void*>> free_;
  std::size_t cached_ = 0;
};

// Never destroyed: tensors may be freed during static destruction.
BufferCache& cache() {
  static BufferCache* instance = new BufferCache();
  return *instance;
}

// One deleter for every buffer: mkldnn frees through raw_deleter(), which must
// be able to free anything this allocator returned.
void release(void* p) {
  if (p) cache().release(p);
}

std::size_t rounded(std::size_t bytes) {
  constexpr std::size_t page = 4096;
  return (bytes + page - 1) / page * page;
}

class CachingCpuAllocator final : public c10::Allocator {
 public:
  c10::DataPtr allocate(std::size_t bytes) const override {
    const c10::Device cpu(c10::DeviceType::CPU);
    if (bytes == 0) return {nullptr, nullptr, &release, cpu};
    void* p = cache().acquire(bytes < kSmallestCached ? bytes : rounded(bytes));
    return {p, p, &release, cpu};
  }
  c10::DeleterFnPtr raw_deleter() const override { return &release; }
};

}  // namespace

void install_caching_cpu_allocator() {
  static CachingCpuAllocator* allocator = [] {
    auto* a = new CachingCpuAllocator();
    c10::SetCPUAllocator(a, /*priority=*/100);
    return a;
  }();
  (void)allocator;
}

std::size_t cached_cpu_bytes() { return cache().cached(); }

}  // namespace alexnet
