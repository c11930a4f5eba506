#pragma once
#include <string>
#include <vector>

namespace alexnet::cli {
// `alexnet-lab train [options]`: a headless experiment into a run folder; returns the exit code.
int run_train(const std::vector<std::string>& args);
}  // namespace alexnet::cli
