// A sweep's trials run on this machine: up to `parallel` trial processes at a
// time (`PROGRAM sweep --run-trial DIR --trial N --threads T`, each on its
// share of the cores, its output in DIR/trial-N.log), started as others end,
// until none is left queued. One driver per sweep folder (sweep.driver.lock);
// the trial processes die with it. Torch-free.
#pragma once

#include <atomic>
#include <functional>
#include <string>

namespace alexnet {

struct LocalSweepSettings {
  std::string program;  // this program's path
  int parallel = 1;
  int threads_per_trial = 1;
};

// Trials marked running by a process that is gone are the caller's to queue
// again first (requeue_abandoned_trials). Returns when every trial is done, or, once `stop` turns true, after asking
// the running trials to stop (they stay queued, resumable) and waiting for
// them. `say` gets a line for each trial that starts or ends and a summary
// now and then. Throws StoreError when another driver holds the folder.
void run_local_sweep(const std::string& dir, const LocalSweepSettings& settings,
                     const std::function<void(const std::string&)>& say, const std::atomic<bool>& stop);

// Before a resume: trials marked running whose process is gone (no lock held) are queued again.
int requeue_abandoned_trials(const std::string& dir);

}  // namespace alexnet
