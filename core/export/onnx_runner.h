// Runs an exported model through OpenCV's DNN module: a runtime that is not
// libtorch, so an export is proved to stand on its own.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "export/model_card.h"

namespace alexnet {

// One network read from ONNX bytes. Throws ExportError naming `what` when
// OpenCV cannot read or run it (an op it does not know, a file that is not ONNX).
class OnnxNetwork {
 public:
  OnnxNetwork(const std::string& onnx_bytes, const std::string& what);
  ~OnnxNetwork();
  OnnxNetwork(const OnnxNetwork&) = delete;
  OnnxNetwork& operator=(const OnnxNetwork&) = delete;

  // Inputs: `batch` pictures of float [3, size, size], back to back. Returns
  // float [batch, classes] logits, row after row.
  std::vector<float> logits(const std::vector<float>& inputs, int batch, int size);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string what_;
};

// An exported VARIANT.onnx with the VARIANT.json beside it.
struct ExportedModel {
  ModelCard card;
  std::string onnx_path;
  std::string card_path;
};

// Reads the card beside `onnx_path` (same name, .json). Throws ExportError
// naming the file that is missing or damaged.
ExportedModel read_exported_model(const std::string& onnx_path);

struct ClassScore {
  int index = 0;
  std::string name;
  double probability = 0;
};

// Softmax of the logits, the `top` most probable classes first.
std::vector<ClassScore> top_classes(const float* logits, const std::vector<std::string>& class_names, int top);

}  // namespace alexnet
