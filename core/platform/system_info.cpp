#include "platform/system_info.h"

#include <strings.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "torch_api.h"

namespace alexnet {

BlasInfo detect_blas() {
  BlasInfo info;
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    const auto slash = line.find('/');
    if (slash == std::string::npos) continue;
    const std::string path = line.substr(slash);
    const std::string name = std::filesystem::path(path).filename().string();
    const bool blas_like = name.find("blas") != std::string::npos || name.find("mkl_rt") != std::string::npos ||
                           name.find("blis") != std::string::npos;
    if (!blas_like || name.find("cblas") == 0) continue;
    std::error_code ec;
    const std::string real = std::filesystem::canonical(path, ec).string();
    const std::string resolved = ec ? path : real;
    const bool fast = resolved.find("openblas") != std::string::npos || resolved.find("mkl") != std::string::npos ||
                      resolved.find("blis") != std::string::npos;
    if (info.library.empty() || (fast && !info.optimised)) {
      info.library = resolved;
      info.optimised = fast;
    }
  }
  return info;
}

int core_count() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

int configure_threads(int requested) {
  const int cores = core_count();
  const int threads = requested > 0 ? requested : cores;
  torch::set_num_threads(threads);
  return threads;
}

std::string describe_openmp_waiting() {
  // libgomp's own reading of these variables: a policy first, then a spin count.
  if (const char* policy = std::getenv("OMP_WAIT_POLICY")) {
    const std::string value = policy;
    if (strcasecmp(policy, "passive") == 0) return "idle threads sleep (OMP_WAIT_POLICY=" + value + ")";
    return "idle threads: OMP_WAIT_POLICY=" + value;
  }
  if (const char* spin = std::getenv("GOMP_SPINCOUNT")) return std::string("idle threads: GOMP_SPINCOUNT=") + spin;
  return "idle threads spin (OpenMP's default)";
}

std::string describe_compute(int threads) {
  // A matrix product makes sure libtorch has loaded (and resolved) its BLAS.
  (void)torch::mm(torch::ones({8, 8}), torch::ones({8, 8}));
  const BlasInfo blas = detect_blas();
  std::string text = "BLAS: " + (blas.library.empty() ? std::string("none found") : blas.library) +
                     (blas.optimised ? " (optimised)" : "") + ", " + std::to_string(threads) + " thread" +
                     (threads == 1 ? "" : "s") + ", " + describe_openmp_waiting();
  if (!blas.optimised) {
    text +=
        "\nwarning: this is not an optimised BLAS; fully connected layers will be ~50x slower. "
        "Install libopenblas0-openmp (apt-get install libopenblas0-openmp).";
  }
  return text;
}

bool cpu_has_avx512_bf16() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("flags", 0) == 0) return line.find(" avx512_bf16") != std::string::npos;
  }
  return false;
}

}  // namespace alexnet
