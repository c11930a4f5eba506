// Measurements for `alexnet-lab bench`: training throughput of a variant on
// random batches, the machine's sgemm peak, and the data loader's rate. The
// figures are printed, never asserted (timings are not tests).
#pragma once

#include <cstdint>
#include <vector>

#include "data/dataset.h"
#include "spec/variant_spec.h"

namespace alexnet {

// Multiply-accumulates of one forward pass of one image: (weights - biases) x
// output positions, summed over the conv and FC layers.
std::int64_t forward_macs(const VariantSpec& spec);

struct StepTiming {
  double median_step_seconds = 0;
  double images_per_second = 0;
  double gflops = 0;  // 6 x forward MACs per image (forward 2, backward 4 FLOPs per MAC)
};

// SGD steps (momentum, weight decay, dropout on) of a freshly built variant on
// one fixed random batch: `warmup` untimed steps, then the median of `steps`.
// With `bf16` the large FC layers multiply in bfloat16, as `train --precision bf16`.
StepTiming time_training_steps(const VariantSpec& spec, int batch_size, int steps, int warmup = 3, bool bf16 = false);

// Median wall time of one iteration of an experiment in which every variant
// takes one step: one after the other on all threads, and in the trainer's
// rounds on its lanes (compare both with the sum of their time_training_steps
// medians).
struct IterationTiming {
  double in_turn_seconds = 0;
  double in_rounds_seconds = 0;
  int lanes = 1;
};
IterationTiming time_experiment_iteration(const std::vector<VariantSpec>& specs, int batch_size, int steps,
                                          int warmup = 3, bool bf16 = false);

// The best of a few n x n float matrix products, in GFLOP/s.
// bf16: the same product in bfloat16, the peak that bf16 training is read against.
double measure_sgemm_gflops(int n = 2048, int repeats = 5, bool bf16 = false);

// Batches per second the training data loader (decode, resize, normalise,
// augment when asked) delivers on its prefetch thread, times the batch size.
double measure_loader_images_per_second(const ImageSet& set, int batch_size, int input_size, bool augment, int batches);

// Peak resident set size of this process so far, and the current one, in MiB.
double peak_rss_mib();
double current_rss_mib();

}  // namespace alexnet
