#include "subnormal_flush.h"

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#define ALEXNET_HAS_MXCSR 1
#endif

namespace alexnet {

namespace {

#ifdef ALEXNET_HAS_MXCSR
constexpr unsigned kFlushToZero = 0x8000;       // results that would be subnormal become zero
constexpr unsigned kDenormalsAreZero = 0x0040;  // subnormal inputs read as zero
#endif

unsigned control_word() {
#ifdef ALEXNET_HAS_MXCSR
  return _mm_getcsr();
#else
  return 0;
#endif
}

// The control word is per thread: set it on this one and on every thread of
// its OpenMP team (libgomp keeps the same team threads for the next regions).
void set_control_word(unsigned word, int team_threads) {
#ifdef ALEXNET_HAS_MXCSR
#pragma omp parallel num_threads(team_threads)
  _mm_setcsr(word);
  _mm_setcsr(word);
#else
  (void)word;
  (void)team_threads;
#endif
}

}  // namespace

SubnormalsFlushed::SubnormalsFlushed(int team_threads) : team_threads_(team_threads), saved_(control_word()) {
#ifdef ALEXNET_HAS_MXCSR
  set_control_word(saved_ | kFlushToZero | kDenormalsAreZero, team_threads_);
#endif
}

SubnormalsFlushed::~SubnormalsFlushed() { set_control_word(saved_, team_threads_); }

}  // namespace alexnet
