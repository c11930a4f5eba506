// `alexnet-lab delete RUN_DIR...` and `alexnet-lab rename RUN_DIR NAME`: a
// run folder acted on alone (see core/run/run_removal.h).
#pragma once

#include <string>
#include <vector>

namespace alexnet::cli {

int run_delete(const std::vector<std::string>& args);
int run_rename(const std::vector<std::string>& args);

}  // namespace alexnet::cli
