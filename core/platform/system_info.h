// What the engine runs on: which BLAS libtorch calls, and how many threads.
#pragma once

#include <string>

namespace alexnet {

struct BlasInfo {
  std::string library;     // resolved path of the BLAS library mapped into this process
  bool optimised = false;  // OpenBLAS/MKL/BLIS rather than the reference BLAS
};

// Looks at the libraries mapped into the process (after libtorch has loaded).
BlasInfo detect_blas();

// The cores this process may use (at least 1): every "share of the cores"
// (training threads, loader threads, decoding) starts from this one number.
int core_count();

// Sets libtorch's intra-op thread count (0: every core) and returns it.
int configure_threads(int requested);

// How idle OpenMP threads wait, as this process's environment set it when
// libgomp loaded: "idle threads sleep (OMP_WAIT_POLICY=PASSIVE)" (what the
// program starts itself with, app/openmp_wait_policy.h), or what the user set.
std::string describe_openmp_waiting();

// "BLAS: /usr/lib/.../libopenblasp-r0.3.21.so (optimised), 2 threads, idle
// threads sleep (OMP_WAIT_POLICY=PASSIVE)", plus a warning when the reference
// BLAS is in use.
std::string describe_compute(int threads);

// Whether the CPU multiplies bfloat16 natively (the avx512_bf16 flag).
bool cpu_has_avx512_bf16();

}  // namespace alexnet
