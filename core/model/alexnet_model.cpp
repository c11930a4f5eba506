#include "alexnet_model.h"

#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "bf16_conv.h"
#include "bf16_linear.h"
#include "fused_lrn.h"
#include "fused_max_pool.h"
#include "hashed_dropout.h"

namespace alexnet {

std::string init_scheme_name(InitScheme s) { return s == InitScheme::Paper ? "paper" : "kaiming"; }

InitScheme init_scheme_from_name(const std::string& name) {
  if (name == "kaiming") return InitScheme::Kaiming;
  if (name == "paper") return InitScheme::Paper;
  throw std::invalid_argument("unknown init \"" + name + "\" (expected kaiming or paper)");
}

AlexNetImpl::AlexNetImpl(const VariantSpec& spec) : spec_(spec) {
  validate(spec_);  // also guarantees every feature map is non-empty
  int channels = spec_.input_channels;
  for (const ConvBlockSpec& c : spec_.convs) {
    convs_.push_back(register_module(
        c.name, torch::nn::Conv2d(
                    torch::nn::Conv2dOptions(channels, c.filters, c.kernel).stride(c.stride).padding(c.padding))));
    channels = c.filters;
  }
  const ShapeReport shapes = infer_shapes(spec_);
  const LayerShape& last_conv = shapes.layers[spec_.convs.size() - 1];
  std::int64_t features = static_cast<std::int64_t>(last_conv.channels) * last_conv.height * last_conv.width;
  for (const FcLayerSpec& f : spec_.hidden_fc) {
    fcs_.push_back(register_module(f.name, torch::nn::Linear(features, f.units)));
    features = f.units;
  }
  fcs_.push_back(register_module(spec_.classifier_name, torch::nn::Linear(features, spec_.classes)));
  initialise(InitScheme::Kaiming);
}

namespace {

// ALEXNET_LRN=torch selects torch's own LRN, so `make bench` can show what the fused op gains.
bool use_torch_lrn() {
  static const bool torch_lrn = [] {
    const char* v = std::getenv("ALEXNET_LRN");
    return v && std::strcmp(v, "torch") == 0;
  }();
  return torch_lrn;
}

torch::Tensor local_response_norm(const torch::Tensor& x) {
  if (use_torch_lrn()) {
    return torch::nn::functional::local_response_norm(
        x, torch::nn::functional::LocalResponseNormFuncOptions(kLrnSize).alpha(kLrnAlpha).beta(kLrnBeta).k(kLrnK));
  }
  return fused_local_response_norm(x, kLrnSize, kLrnAlpha, kLrnBeta, kLrnK);
}

}  // namespace

torch::Tensor AlexNetImpl::activate(const torch::Tensor& x) const {
  switch (spec_.activation) {
    case Activation::ReLU:
      return torch::relu(x);
    case Activation::Tanh:
      return torch::tanh(x);
    case Activation::LeakyReLU:
      return torch::leaky_relu(x, 0.01);
    case Activation::ELU:
      return torch::elu(x);
    case Activation::GELU:
      return torch::gelu(x);
  }
  return x;
}

// One definition of the network's order of operations; `visit(index, pre, post)`
// sees every weighted layer so that forward and forward_traced cannot differ.
template <typename Visit>
torch::Tensor AlexNetImpl::run(torch::Tensor x, Visit&& visit) {
  std::size_t index = 0;
  for (std::size_t i = 0; i < convs_.size(); ++i) {
    torch::Tensor pre;
    const ConvBlockSpec& c = spec_.convs[i];
    switch (conv_products(c, convs_[i]->options.in_channels())) {
      case ConvProducts::Float32:
        pre = convs_[i]->forward(x);
        break;
      case ConvProducts::Bf16Gemm:
        pre = bf16_conv2d(x, convs_[i]->weight, convs_[i]->bias, c.stride, c.padding);
        break;
      case ConvProducts::OneDnnBf16:
        pre = onednn_bf16_conv2d(x, convs_[i]->weight, convs_[i]->bias, c.stride, c.padding);
        break;
    }
    x = activate(pre);
    visit(index++, pre, x);
    if (c.lrn) x = local_response_norm(x);
    if (c.pool) x = fused_max_pool2d(x, kPoolKernel, kPoolStride);
  }
  x = x.flatten(1);
  for (std::size_t i = 0; i + 1 < fcs_.size(); ++i) {
    torch::Tensor pre =
        products_in_bf16(*fcs_[i]) ? bf16_linear(x, fcs_[i]->weight, fcs_[i]->bias) : fcs_[i]->forward(x);
    x = activate(pre);
    visit(index++, pre, x);
    if (spec_.dropout > 0) x = hashed_dropout(x, spec_.dropout, is_training());
  }
  x = fcs_.back()->forward(x);
  visit(index, x, x);
  return x;
}

bool AlexNetImpl::products_in_bf16(const torch::nn::LinearImpl& layer) const {
  return bf16_products_ && is_training() && layer.weight.numel() >= kBf16MinimumWeights;
}

AlexNetImpl::ConvProducts AlexNetImpl::conv_products(const ConvBlockSpec& conv, std::int64_t in_channels) const {
  if (!bf16_products_ || !is_training() || in_channels < kBf16MinimumInputChannels) return ConvProducts::Float32;
  return conv.filters >= kBf16MinimumFilters ? ConvProducts::Bf16Gemm : ConvProducts::OneDnnBf16;
}

torch::Tensor AlexNetImpl::forward(torch::Tensor x) {
  return run(std::move(x), [](std::size_t, const torch::Tensor&, const torch::Tensor&) {});
}

std::vector<LayerTrace> AlexNetImpl::forward_traced(torch::Tensor x) {
  std::vector<LayerTrace> traces;
  const std::vector<std::string> names = layer_names();
  run(std::move(x), [&](std::size_t i, const torch::Tensor& pre, const torch::Tensor& post) {
    traces.push_back({names[i], i + 1 < names.size(), pre, post});
  });
  return traces;
}

std::vector<std::string> AlexNetImpl::layer_names() const {
  std::vector<std::string> names;
  for (const ConvBlockSpec& c : spec_.convs) names.push_back(c.name);
  for (const FcLayerSpec& f : spec_.hidden_fc) names.push_back(f.name);
  names.push_back(spec_.classifier_name);
  return names;
}

torch::nn::Module& AlexNetImpl::layer(const std::string& name) {
  auto children = named_children();
  if (!children.contains(name)) throw std::invalid_argument("no layer named " + name);
  return *children[name];
}

torch::Tensor AlexNetImpl::first_layer_weights() const { return convs_.front()->weight; }

torch::Tensor AlexNetImpl::layer_weights(const std::string& name) {
  // The dictionary is kept: find() points into it (a temporary's pointer
  // dangled, which AddressSanitizer caught in `make sanitize`).
  const auto parameters = layer(name).named_parameters(/*recurse=*/false);
  const torch::Tensor* weight = parameters.find("weight");
  if (!weight) throw std::invalid_argument("layer " + name + " has no weights");
  return *weight;
}

std::int64_t AlexNetImpl::parameter_count() const {
  std::int64_t total = 0;
  for (const auto& p : parameters()) total += p.numel();
  return total;
}

void AlexNetImpl::initialise(InitScheme scheme) {
  torch::NoGradGuard no_grad;
  const bool tanh_like = spec_.activation == Activation::Tanh;
  auto init_layer = [&](torch::Tensor& weight, torch::Tensor& bias, bool paper_bias_one, bool classifier) {
    if (scheme == InitScheme::Paper) {
      weight.normal_(0.0, 0.01);
      bias.fill_(paper_bias_one ? 1.0 : 0.0);
      return;
    }
    if (tanh_like || classifier) {
      torch::nn::init::xavier_uniform_(weight);
    } else {
      torch::nn::init::kaiming_normal_(weight, 0.0, torch::kFanIn, torch::kReLU);
    }
    bias.zero_();
  };
  for (std::size_t i = 0; i < convs_.size(); ++i) {
    // The paper sets bias 1 in conv2, conv4 and conv5 (by name, so ablations keep it).
    const std::string& n = spec_.convs[i].name;
    init_layer(convs_[i]->weight, convs_[i]->bias, n == "conv2" || n == "conv4" || n == "conv5", false);
  }
  for (std::size_t i = 0; i < fcs_.size(); ++i) {
    const bool classifier = i + 1 == fcs_.size();
    init_layer(fcs_[i]->weight, fcs_[i]->bias, !classifier, classifier);
  }
}

}  // namespace alexnet
