// A variant of AlexNet described as plain data: what the JSON spec files hold,
// what `describe` prints and what the model builder turns into layers.
#pragma once

#include "errors.h"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace alexnet {

enum class Activation { ReLU, Tanh, LeakyReLU, ELU, GELU };

std::string activation_name(Activation a);
// Throws SpecError for names other than relu, tanh, leaky_relu, elu, gelu.
Activation activation_from_name(const std::string& name);

struct ConvBlockSpec {
  std::string name;  // conv1, conv2, ...: probes and plots refer to layers by name
  int filters = 0;
  int kernel = 0;
  int stride = 1;
  int padding = 0;
  bool lrn = false;   // LocalResponseNorm(5, 1e-4, 0.75, 2) after the activation
  bool pool = false;  // max-pool 3x3 stride 2 after the activation (and LRN)
};

struct FcLayerSpec {
  std::string name;  // fc6, fc7, ...
  int units = 0;
};

struct VariantSpec {
  std::string name;
  std::string description;
  int input_size = 64;     // S: inputs are 3 x S x S
  int input_channels = 3;  // grey images are replicated to 3 channels
  int classes = 10;
  Activation activation = Activation::ReLU;
  double dropout = 0.5;  // after every hidden FC layer
  std::vector<ConvBlockSpec> convs;
  std::vector<FcLayerSpec> hidden_fc;  // followed by the classifier layer
  std::string classifier_name = "fc8";
};

// LocalResponseNorm and pooling constants from DESIGN.md.
constexpr int kLrnSize = 5;
constexpr double kLrnAlpha = 1e-4;
constexpr double kLrnBeta = 0.75;
constexpr double kLrnK = 2.0;
constexpr int kPoolKernel = 3;
constexpr int kPoolStride = 2;
constexpr std::int64_t kMaxParameters = 1000000000;  // "absurd" beyond this

// One row of the layer table: a layer with weights (conv or FC).
struct LayerShape {
  std::string name;
  std::string kind;  // "conv 11x11/4 pad 2 + relu + lrn + pool", "fc + relu + dropout", ...
  int channels = 0;  // output channels or units
  int height = 1;    // output spatial size (1 for FC layers)
  int width = 1;
  std::int64_t parameters = 0;
  bool has_activation = true;  // false for the classifier
};

struct ShapeReport {
  std::vector<LayerShape> layers;
  std::int64_t total_parameters = 0;
};

// Walks the spec through every layer. Throws SpecError when a feature map
// shrinks to nothing (naming the layer and the smallest input size that works).
ShapeReport infer_shapes(const VariantSpec& spec);

// Checks sizes, names and the parameter budget; throws SpecError. Also runs
// infer_shapes, so a spec that passes can be built.
void validate(const VariantSpec& spec);

// Smallest input size S for which every feature map is non-empty, or 0 if none
// up to 4096 works.
int smallest_working_input_size(VariantSpec spec);

}  // namespace alexnet
