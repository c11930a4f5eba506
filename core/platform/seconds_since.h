// Wall time since a steady-clock instant, in seconds: the one timer of the
// trainer, `bench` and the benchmarks.
#pragma once

#include <chrono>

namespace alexnet {

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace alexnet
