#include "openmp_wait_policy.h"

#include <unistd.h>

#include <cstdlib>

namespace alexnet::cli {

void restart_with_sleeping_openmp_threads(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT")) return;
  if (setenv("OMP_WAIT_POLICY", "PASSIVE", 1) != 0) return;
  execv("/proc/self/exe", argv);
  // Still here: the restart failed, and this process's OpenMP runtime keeps the
  // default it was loaded with; the environment must not claim otherwise.
  unsetenv("OMP_WAIT_POLICY");
}

}  // namespace alexnet::cli
