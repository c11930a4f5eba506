#pragma once
#include <string>
#include <vector>

#include "option_table.h"

namespace alexnet::cli {
// `alexnet-lab export RUN_DIR [--png|--pdf|--svg OUT_DIR] [--onnx OUT_DIR [--variants LIST]]`
int run_export(const std::vector<std::string>& args);
// Its options, once: --help, the parser and the man page (option_table.h).
const CommandDoc& export_doc();
}  // namespace alexnet::cli
