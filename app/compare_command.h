// `alexnet-lab compare RUN_DIR RUN_DIR... [--variants LIST] [--png|--pdf|--svg OUT] [--json]`:
// the results of several runs side by side, the settings that differ, and the
// loss curves overlaid in one picture, headless.
#pragma once

#include <string>
#include <vector>

namespace alexnet::cli {

int run_compare(const std::vector<std::string>& args);

}  // namespace alexnet::cli
