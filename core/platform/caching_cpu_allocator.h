// libtorch's CPU allocator hands large buffers straight back to the kernel, so
// every training step page-faults its way through fresh memory again: a
// 4096 x 4096 weight gradient then takes ~10x longer than its matrix product.
// This allocator keeps freed large buffers and gives the same sizes back on the
// next step.
#pragma once

#include <cstddef>

namespace alexnet {

// Installs the caching allocator as libtorch's CPU allocator (idempotent).
void install_caching_cpu_allocator();

// Bytes currently held in the cache (not in use by any tensor).
std::size_t cached_cpu_bytes();

}  // namespace alexnet
