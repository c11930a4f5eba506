// The settings a run folder was started with, to continue it (train --resume,
// the window's Continue run). Torch-free: the window reads it on its own thread.
#pragma once

#include <string>

#include "spec/experiment_config.h"

namespace alexnet {

// The run's config.json, its out_dir set to the folder. Throws StoreError when
// the folder is not a run or its config is damaged (the message names the file).
ExperimentConfig read_run_config(const std::string& run_dir);

}  // namespace alexnet
