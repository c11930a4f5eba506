#pragma once
#include <string>
#include <vector>

namespace alexnet::cli {
// `alexnet-lab classify RUN_DIR IMAGE... | --onnx FILE IMAGE...`; returns the exit code.
int run_classify(const std::vector<std::string>& args);
extern const char* const kClassifyUsage;
}  // namespace alexnet::cli
