// Asynchronous successive halving (ASHA; Li et al., MLSys 2020), as the sweep
// decides it through its folder: every trial trains to the first rung; at
// each rung it goes on only when its metric is among the best 1/reduction of
// all the metrics recorded at that rung so far (its own included), so no
// trial waits for the others. Torch-free.
#pragma once

#include <cstdint>
#include <vector>

namespace alexnet {

struct AshaSettings {
  bool on = false;
  std::int64_t min_iterations = 0;  // the first rung (0: a ninth of the trials' iterations)
  int reduction = 3;                // eta: each rung keeps 1/reduction and trains reduction times longer
};

// The rungs below `max_iterations`: min, min * reduction, ... (the last stage
// trains to max_iterations). Empty when min_iterations >= max_iterations.
std::vector<std::int64_t> asha_rungs(const AshaSettings& settings, std::int64_t max_iterations);

// Whether a trial whose metric (higher is better) at a rung is `value` goes
// on, given every metric recorded at that rung (its own included): among the
// best max(1, n / reduction) of the n.
bool asha_promotes(const std::vector<double>& at_rung, double value, int reduction);

}  // namespace alexnet
