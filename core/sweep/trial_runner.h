// One trial of a sweep, run by whichever process is given it: a trial
// process the local sweep started, or a task of a Slurm job array. It trains
// the trial's run folder stage by stage (to each ASHA rung, then to the end),
// resuming it where a kill or a cancelled task left it, and takes every
// decision through the sweep folder (sweep/sweep_folder.h).
#pragma once

#include <functional>
#include <string>

#include "sweep/sweep_folder.h"
#include "train/training_events.h"

namespace alexnet {

class Trainer;

// Runs trial `index` of the sweep in `dir` on `threads` threads until it
// finishes, is pruned or fails, and returns that state. A trial that another
// process is running is refused (StoreError); one already done returns its
// state at once. `current` is told the trainer at work (nullptr between
// stages) so a signal handler can stop it: the trial then stays queued, its
// run folder resumable. Messages go to `observer`.
TrialState run_trial(const std::string& dir, int index, int threads, TrainingObserver& observer,
                     const std::function<void(Trainer*)>& current = {});

}  // namespace alexnet
