// torch's SGD (momentum, weight decay) and Adam (weight decay), with each
// parameter's update done in one pass over memory.
//
// torch's own step is a chain of whole-tensor operations (grad + wd·p, then
// the momentum or moment buffers, then the parameter), each reading and
// writing every element again: for original's 20.7 M parameters about 1 GB of
// memory traffic per Adam step, a third of an iteration at S = 64. These read
// each tensor once and write it once. The arithmetic is torch's, element by
// element, so results agree with torch's step to float rounding; they keep
// torch's per-parameter state (SGDParamState, AdamParamState) and serialise
// exactly as torch's optimizers do, so a checkpoint loads into either.
//
// Settings the fused loop does not cover (Nesterov, dampening, AMSGrad, no
// momentum, a tensor that is not contiguous float32) take torch's own step.
#pragma once

#include <torch/optim/adam.h>
#include <torch/optim/sgd.h>

#include <memory>
#include <vector>

#include "spec/experiment_config.h"

namespace alexnet {

class FusedSGD : public torch::optim::SGD {
 public:
  using torch::optim::SGD::SGD;
  torch::Tensor step(LossClosure closure = nullptr) override;
};

class FusedAdam : public torch::optim::Adam {
 public:
  using torch::optim::Adam::Adam;
  torch::Tensor step(LossClosure closure = nullptr) override;
};

// The optimizer a run's settings ask for (its rate, momentum, weight decay),
// as the trainer steps it; the benchmark uses the same one.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const ExperimentConfig& config,
                                                        std::vector<torch::Tensor> parameters);

// Leaves every parameter's gradient undefined instead of zeroing it (what
// set_to_none does in Python): backward then hands its fresh gradient over
// instead of adding it into a zeroed buffer, which saves two passes over
// every gradient per step.
void release_gradients(torch::optim::Optimizer& optimizer);

}  // namespace alexnet
