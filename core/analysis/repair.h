// A finding's suggested settings applied to an experiment: what the window's
// "Try the fix" starts. Torch-free.
#pragma once

#include <cstddef>
#include <string>

#include "spec/experiment_config.h"

namespace alexnet {

// The `index`-th object of `settings` (a finding's JSON list, in the order to
// try them) applied to `config` (names as spec/setting_override.h takes them).
// The run folder is cleared (a new run). Throws std::invalid_argument naming
// an unknown setting or a bad value.
ExperimentConfig apply_repair(ExperimentConfig config, const std::string& settings, std::size_t index = 0);

// "--lr 5e-05 --init kaiming": the repair as train options, for messages.
std::string describe_repair(const std::string& settings, std::size_t index = 0);

}  // namespace alexnet
