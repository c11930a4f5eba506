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

// One 64-bit number from the global generator (under its lock): the seed of a
// DropoutStream.
std::uint64_t draw_from_global_generator();

// While one lives, hashed_dropout on this thread takes its keys from a
// counter-based stream of `seed` instead of the global generator. Variants
// that train side by side on several threads would otherwise draw from the
// global generator in whatever order they happen to run; the trainer instead
// draws one seed per variant and step from it, in variant order, so the masks
// depend on the run's seed alone. Streams nest; each thread has its own.
class DropoutStream {
 public:
  explicit DropoutStream(std::uint64_t seed);
  ~DropoutStream();
  DropoutStream(const DropoutStream&) = delete;
  DropoutStream& operator=(const DropoutStream&) = delete;

  std::uint64_t next_key();

 private:
  std::uint64_t seed_;
  std::uint64_t drawn_ = 0;
  DropoutStream* outer_;
};

}  // namespace alexnet
