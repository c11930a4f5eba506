// An AlexNet variant built from a VariantSpec, in the libtorch module style.
#pragma once

#include <string>
#include <vector>

#include "init_scheme.h"
#include "torch_api.h"
#include "spec/variant_spec.h"

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
  torch::Tensor first_layer_weights() const;             // [filters, channels, k, k]
  torch::Tensor layer_weights(const std::string& name);  // a layer's weight tensor, biases apart
  std::int64_t parameter_count() const;

  void initialise(InitScheme scheme);

  // Training's large layers multiply in bfloat16 with float32 weights: hidden
  // FC layers of at least kBf16MinimumWeights weights (original's fc7,
  // bf16_linear.h) and every convolution whose input has at least
  // kBf16MinimumInputChannels channels (conv2-conv5, bf16_conv.h). Evaluation
  // and everything else stay float32.
  static constexpr std::int64_t kBf16MinimumWeights = std::int64_t(1) << 22;
  // conv1 sees the picture's 1-3 channels: its weight gradient was slower in
  // bf16 either way (docs/performance.md), so it stays float32.
  static constexpr int kBf16MinimumInputChannels = 16;
  // A convolution's products per unfolded input value are its filter count:
  // from 256 filters on (conv3-conv5) unfolding into one bf16 GEMM pays;
  // below (conv2) oneDNN's own bf16 convolution is faster.
  static constexpr int kBf16MinimumFilters = 256;
  void set_bf16_products(bool on) { bf16_products_ = on; }
  bool bf16_products() const { return bf16_products_; }

 private:
  torch::Tensor activate(const torch::Tensor& x) const;
  bool products_in_bf16(const torch::nn::LinearImpl& layer) const;
  enum class ConvProducts { Float32, Bf16Gemm, OneDnnBf16 };
  ConvProducts conv_products(const ConvBlockSpec& conv, std::int64_t in_channels) const;
  template <typename Visit>
  torch::Tensor run(torch::Tensor x, Visit&& visit);

  VariantSpec spec_;
  std::vector<torch::nn::Conv2d> convs_;
  std::vector<torch::nn::Linear> fcs_;  // hidden layers, then the classifier
  bool bf16_products_ = false;
};
TORCH_MODULE(AlexNet);

}  // namespace alexnet
