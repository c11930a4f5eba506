// `sweep --slurm`: the trials still to run as one Slurm job array.
#pragma once

#include <string>

#include "command_line.h"
#include "sweep/sweep_folder.h"

namespace alexnet::cli {

// Writes SWEEP_DIR/sweep.sbatch and submits it (or, with --dry-run, prints
// it); records the job in sweep.json. Returns the exit code.
int submit_to_slurm(Sweep& sweep, const ParsedArgs& parsed);
std::string slurm_job_status(const std::string& job);

}  // namespace alexnet::cli
