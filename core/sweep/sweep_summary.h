// What a sweep has found so far: its trials ranked by the metric, the best
// settings, and how much each parameter matters (the spread of the metric's
// mean across its values; a range's values in three bins of equal count).
// What `sweep --show`, its --json and the window's Sweep view present. Torch-free.
#pragma once

#include <string>
#include <vector>

#include "sweep/sweep_folder.h"

namespace alexnet {

struct ParameterEffect {
  std::string name;
  double spread = 0;        // the best value group's mean metric minus the worst's
  std::string best, worst;  // the value (or bin) with the highest and the lowest mean
};

struct SweepSummary {
  std::string metric;  // validation_accuracy or test_accuracy, of `variant`
  std::string variant;
  std::vector<const TrialRecord*> ranked;  // with a value, best first; then the rest in trial order
  const TrialRecord* best = nullptr;
  std::vector<ParameterEffect> effects;  // largest spread first
  int queued = 0, running = 0, finished = 0, pruned = 0, failed = 0;
  double seconds = 0;  // training time of every trial so far
};

SweepSummary summarise_sweep(const Sweep& sweep);

}  // namespace alexnet
