// An AlexNet variant as an ONNX inference graph, built with the ONNX project's
// own protobuf classes (Debian's libonnx-dev) and checked by its checker.
// Plain data in, file bytes out: no torch here, so the graph's layout can be
// read (and tested) on its own.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "errors.h"
#include "spec/variant_spec.h"

namespace alexnet {

// One weighted layer's parameters, row-major as libtorch holds them:
// conv [out, in, k, k], fc [out, in]; bias [out].
struct LayerWeights {
  std::string name;
  std::vector<std::int64_t> weight_shape;
  std::vector<float> weight;
  std::vector<float> bias;
};

// ONNX opset the graph is written against: every op used exists there, and
// OpenCV 4.6's importer knows it.
constexpr std::int64_t kOnnxOpset = 13;
constexpr const char* kOnnxInputName = "input";    // float [batch, C, S, S], normalised
constexpr const char* kOnnxOutputName = "logits";  // float [batch, classes]

// The graph: Conv, the activation (ReLU, Tanh, LeakyRelu, Elu; GELU as
// 0.5·x·(1 + Erf(x/√2))), LRN with the model's size/alpha/beta/k, MaxPool,
// Flatten, Gemm; no Dropout (inference). `layers` must match the spec's layers
// in order and shape. `metadata` goes into the model's metadata_props.
// Throws ExportError when the weights do not fit the spec or the checker refuses.
std::string build_onnx_model(const VariantSpec& spec, const std::vector<LayerWeights>& layers,
                             const std::map<std::string, std::string>& metadata = {});

// Runs onnx::checker::check_model on serialised bytes; throws ExportError naming `what`.
void check_onnx_model(const std::string& bytes, const std::string& what);

}  // namespace alexnet
