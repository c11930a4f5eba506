// Inverted dropout whose mask is a hash of (key, element index), forward and
// backward in one pass each.
//
// torch 1.13 draws a dropout mask one element at a time from its global
// Mersenne Twister under a lock (bernoulli_ without MKL): 3.8 ms for one
// 64 x 4096 layer on our 2-core machine, about 4 % of original's training step
// for its two FC layers. Here each call draws one 64-bit key from that same
// global generator, and element i is kept when a counter-based hash of
// (key, i) clears the threshold: parallel, vectorised, nothing to store for
// backward. The run's dropout stream is therefore still the global
// generator's (seeded by the run, saved in checkpoints, per rank), so runs
// stay reproducible and resume exactly.
#pragma once

#include <cstdint>

#include "torch_api.h"

namespace alexnet {

// x float or double (other types take torch's dropout); p in [0, 1). Outside
// training it returns x. Kept elements are scaled by 1 / (1 - p).
torch::Tensor hashed_dropout(const torch::Tensor& x, double p, bool training);

// The mask rule, for tests: is element `index` kept under `key` at drop probability p?
bool hashed_dropout_keeps(std::uint64_t key, std::uint64_t index, double p);

}  // namespace alexnet
