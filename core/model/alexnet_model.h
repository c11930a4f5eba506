// An AlexNet variant built from a VariantSpec, in the libtorch module style.
#pragma once

#include <string>
#include <vector>

#include "init_scheme.h"
#include "torch_api.h"
#include "variant_spec.h"

namespace alexnet {

// What one weighted layer did on a batch: its output before and after the
// activation (for the classifier both are the logits). The probes need both.
struct LayerTrace {
  std::string name;
  bool has_activation = true;
  torch::Tensor pre_activation;
  torch::Tensor activation;
};

class AlexNetImpl : public torch::nn::Module {
 public:
  explicit AlexNetImpl(const VariantSpec& spec);

  torch::Tensor forward(torch::Tensor x);
  // The same computation, keeping each weighted layer's pre-activation and activation.
  std::vector<LayerTrace> forward_traced(torch::Tensor x);

  const VariantSpec& spec() const { return spec_; }
  std::vector<std::string> layer_names() const;  // conv1 ... fc8, in order
  torch::nn::Module& layer(const std::string& name);
  torch::Tensor first_layer_weights() const;  // [filters, channels, k, k]
  torch::Tensor layer_weights(const std::string& name);  // a layer's weight tensor, biases apart
  std::int64_t parameter_count() const;

  void initialise(InitScheme scheme);

 private:
  torch::Tensor activate(const torch::Tensor& x) const;
  template <typename Visit>
  torch::Tensor run(torch::Tensor x, Visit&& visit);

  VariantSpec spec_;
  std::vector<torch::nn::Conv2d> convs_;
  std::vector<torch::nn::Linear> fcs_;  // hidden layers, then the classifier
  torch::nn::MaxPool2d pool_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
};
TORCH_MODULE(AlexNet);

// Training's forward pass: with `bf16`, under CPU autocast to bfloat16 (the
// convolutions and matrix products in bf16, the rest as autocast decides); the
// logits come back in float32 either way.
torch::Tensor forward_logits(AlexNetImpl& model, const torch::Tensor& x, bool bf16);

}  // namespace alexnet
