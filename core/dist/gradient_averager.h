// Data parallelism's one collective per step: a model's gradients averaged
// over the ranks through a single allreduce of one flat buffer (c10d::Reducer,
// which buckets, cannot be used from C++ in libtorch 1.13). The buffer also
// carries the step's loss, so every rank sees the same mean loss and decides
// the same way about divergence.
#pragma once

#include <cstdint>
#include <vector>

#include "dist/cluster.h"

namespace alexnet {

class GradientAverager {
 public:
  GradientAverager(Cluster& cluster, std::vector<torch::Tensor> parameters);

  // After backward(): every parameter's gradient becomes the mean over the
  // ranks (sum, then divide: Gloo has no average). Returns the mean of `loss`
  // over the ranks. One process alone: nothing moves, `loss` comes back.
  double average(double loss);

  double seconds() const { return seconds_; }  // spent in average(), copies included
  std::int64_t calls() const { return calls_; }
  std::int64_t bytes_per_call() const { return flat_.defined() ? flat_.numel() * 4 : 0; }

 private:
  Cluster& cluster_;
  std::vector<torch::Tensor> parameters_;
  torch::Tensor flat_;  // every gradient, then the loss; float32
  double seconds_ = 0;
  std::int64_t calls_ = 0;
};

}  // namespace alexnet
