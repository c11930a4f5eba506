// `alexnet-lab diagnose RUN_DIR...`: the findings of finished, stopped or damaged runs.
#pragma once

#include <string>
#include <vector>

namespace alexnet::cli {

int run_diagnose(const std::vector<std::string>& args);

}  // namespace alexnet::cli
