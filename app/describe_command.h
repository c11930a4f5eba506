#pragma once
#include <string>
#include <vector>

namespace alexnet::cli {
// `alexnet-lab describe VARIANT [--input-size S] [--classes N]`; returns the exit code.
int run_describe(const std::vector<std::string>& args);
extern const char* const kDescribeUsage;
}  // namespace alexnet::cli
