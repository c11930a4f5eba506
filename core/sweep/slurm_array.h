// A sweep's trials as one Slurm job array: each task runs one trial
// (`alexnet-lab sweep --run-trial DIR --trial $SLURM_ARRAY_TASK_ID`) into the
// shared sweep folder, and takes its ASHA decisions through it. Torch-free.
#pragma once

#include <string>
#include <vector>

namespace alexnet {

struct SlurmArraySettings {
  std::string program;          // alexnet-lab's path, as the nodes see it
  std::string sweep_dir;        // absolute, on a file system the nodes share
  std::vector<int> trials;      // the array's indices: the trials still to run
  std::string partition, time;  // empty: the cluster's defaults
  int cpus_per_trial = 1;
  int max_running = 0;  // 0: no limit (%M)
};

// "0-26%4", or "3,5,7%2" when only some are left.
std::string array_spec(const std::vector<int>& trials, int max_running);

// The sbatch script (what --dry-run prints). Throws std::invalid_argument for
// a partition or time with characters a script line must not hold.
std::string sbatch_script(const SlurmArraySettings& settings);

// Runs `sbatch --parsable` on the script file and returns the job id. Throws
// std::runtime_error with sbatch's own message when it refuses.
std::string submit_sbatch(const std::string& script_path);

// A line on the job's tasks from squeue ("Slurm job 12: 3 tasks running, 20
// pending"), or a note that squeue is not there or knows the job no more.
std::string slurm_job_status(const std::string& job);

// What a command printed (stdout and stderr) and its exit status, run through /bin/sh.
struct CommandOutput {
  std::string text;
  int status = -1;
};
CommandOutput run_command(const std::vector<std::string>& argv);

}  // namespace alexnet
