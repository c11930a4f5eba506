// Where every rank starts from: rank 0's models, optimizer state and position
// in the run (a fresh start or a resumed checkpoint, which only rank 0 reads),
// copied to the others before the first step.
#pragma once

#include <cstdint>
#include <vector>

#include "dist/cluster.h"
#include "train/variant_state.h"

namespace alexnet {

struct RunPosition {
  std::int64_t iteration = 0;
  double rate_scale = 1.0;
};

// Collective: every rank calls it with variants built from the same config.
// Afterwards each rank holds rank 0's weights, optimizer state, position and
// divergence flags.
void share_training_state(Cluster& cluster, std::vector<VariantState>& variants, RunPosition& position);

}  // namespace alexnet
