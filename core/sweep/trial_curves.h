// The training-loss curves of a sweep's trials, for watching a sweep as it
// runs: the ranked variant's records from each trial's metrics.csv (read
// confined and bounded: a sweep folder may come from someone else). Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sweep/sweep_folder.h"

namespace alexnet {

struct TrialCurve {
  int trial = 0;
  TrialState state = TrialState::Queued;
  std::string settings;  // "lr=0.002, small.fc7.units=512"
  std::vector<std::int64_t> iterations;
  std::vector<double> losses;  // the mean training loss of each record
};

struct TrialCurves {
  // The running trials' curves; when none runs, those of the `limit` best
  // trials (by the sweep's metric) that have records.
  std::vector<TrialCurve> curves;
  bool running = false;               // whether `curves` are the running trials
  std::vector<std::string> warnings;  // trials whose records could not be read, and why
};

TrialCurves read_trial_curves(const Sweep& sweep, std::size_t limit = 6);

}  // namespace alexnet
