#pragma once
#include <string>
#include <vector>

#include "option_table.h"

namespace alexnet::cli {
// `alexnet-lab classify RUN_DIR IMAGE... | --onnx FILE IMAGE...`; returns the exit code.
int run_classify(const std::vector<std::string>& args);
// Its options, once: --help, the parser and the man page (option_table.h).
const CommandDoc& classify_doc();
}  // namespace alexnet::cli
