#pragma once
#include <string>
#include <vector>

#include "option_table.h"

namespace alexnet::cli {
// `alexnet-lab bench ...`: training throughput per variant; returns the exit code.
int run_bench(const std::vector<std::string>& args);
// Its options, once: --help, the parser and the man page (option_table.h).
const CommandDoc& bench_doc();
}  // namespace alexnet::cli
