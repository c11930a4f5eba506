#pragma once
#include <string>
#include <vector>

namespace alexnet::cli {
// `alexnet-lab export RUN_DIR [--png|--pdf|--svg OUT_DIR] [--onnx OUT_DIR [--variants LIST]]`
int run_export(const std::vector<std::string>& args);
extern const char* const kExportUsage;
}  // namespace alexnet::cli
