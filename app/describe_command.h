#pragma once
#include <string>
#include <vector>

#include "option_table.h"

namespace alexnet::cli {
// `alexnet-lab describe VARIANT [--input-size S] [--classes N]`; returns the exit code.
int run_describe(const std::vector<std::string>& args);
// Its options, once: --help, the parser and the man page (option_table.h).
const CommandDoc& describe_doc();
}  // namespace alexnet::cli
