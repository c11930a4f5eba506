// Gradient and update instruments (in the spirit of Cockpit): one training
// step of one model measured layer by layer, on the weights (biases apart).
// The trainer measures the last step before each record, so the cost is a
// copy of the weights and a few norms once every record_every steps.
#pragma once

#include <string>
#include <vector>

#include "model/alexnet_model.h"
#include "train/training_events.h"

namespace alexnet {

class StepInstruments {
 public:
  // After backward (and, in a data-parallel run, the gradients' averaging),
  // before the optimizer's step: the gradients' norms and the weights as they are.
  void before_step(AlexNetImpl& model);
  // After the step: every layer's gradient norm, weight norm (before the step)
  // and ‖ΔW‖ / ‖W‖ of the step. Empty without a before_step.
  std::vector<LayerGradient> after_step(AlexNetImpl& model);

 private:
  std::vector<std::string> names_;
  std::vector<torch::Tensor> before_;
  std::vector<double> gradient_norms_, weight_norms_;
};

}  // namespace alexnet
