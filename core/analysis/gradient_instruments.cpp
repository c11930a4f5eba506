#include "analysis/gradient_instruments.h"

namespace alexnet {

namespace {

double norm_of(const torch::Tensor& t) { return t.defined() ? t.norm().item<double>() : 0.0; }

}  // namespace

void StepInstruments::before_step(AlexNetImpl& model) {
  torch::NoGradGuard no_grad;
  names_ = model.layer_names();
  before_.clear();
  gradient_norms_.clear();
  weight_norms_.clear();
  for (const std::string& name : names_) {
    const torch::Tensor w = model.layer_weights(name);
    before_.push_back(w.detach().clone());
    gradient_norms_.push_back(norm_of(w.grad()));
    weight_norms_.push_back(norm_of(w.detach()));
  }
}

std::vector<LayerGradient> StepInstruments::after_step(AlexNetImpl& model) {
  torch::NoGradGuard no_grad;
  std::vector<LayerGradient> layers;
  for (std::size_t i = 0; i < names_.size(); ++i) {
    LayerGradient g;
    g.layer = names_[i];
    g.gradient_norm = gradient_norms_[i];
    g.weight_norm = weight_norms_[i];
    const double change = norm_of(model.layer_weights(names_[i]).detach() - before_[i]);
    // A layer of all-zero weights that moved has no finite ratio: say how far it moved instead.
    g.update_ratio = g.weight_norm > 0 ? change / g.weight_norm : (change > 0 ? kNotMeasured : 0.0);
    layers.push_back(g);
  }
  names_.clear();
  before_.clear();
  return layers;
}

}  // namespace alexnet
