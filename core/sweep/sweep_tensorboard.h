// A sweep in TensorBoard's HParams tab (`tensorboard --logdir SWEEP_DIR`): the
// experiment (each parameter's domain, the metrics) at the sweep folder's
// root, and each trial a session in its run folder, whose metrics are the
// scalars of its tb/ run. Torch-free.
#pragma once

#include "sweep/sweep_folder.h"

namespace alexnet {

void write_sweep_experiment(const Sweep& sweep);
void write_trial_start(const Sweep& sweep, const TrialRecord& trial);
// finished: success; failed: failure (a pruned trial's session is left open: it did not fail).
void write_trial_end(const Sweep& sweep, const TrialRecord& trial, bool success);

}  // namespace alexnet
