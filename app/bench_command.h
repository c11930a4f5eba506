#pragma once
#include <string>
#include <vector>

namespace alexnet::cli {
// `alexnet-lab bench ...`: training throughput per variant; returns the exit code.
int run_bench(const std::vector<std::string>& args);
extern const char* const kBenchUsage;
}  // namespace alexnet::cli
