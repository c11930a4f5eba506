#pragma once
#include <string>
#include <vector>

namespace alexnet::cli {
// `alexnet-lab sweep`: many experiments as one (a space of settings, run and
// pruned here or as a Slurm job array); returns the exit code.
int run_sweep(const std::vector<std::string>& args);
}  // namespace alexnet::cli
