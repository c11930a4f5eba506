#pragma once
#include <string>
#include <vector>

#include "command_line.h"
#include "spec/experiment_config.h"

namespace alexnet::cli {
// `alexnet-lab train [options]`: a headless experiment into a run folder; returns the exit code.
int run_train(const std::vector<std::string>& args);

// The experiment train's options describe (the defaults for those not given);
// what `sweep` takes as its base experiment. Throws UsageError or SpecError.
ExperimentConfig config_from_args(const ParsedArgs& parsed);
}  // namespace alexnet::cli
