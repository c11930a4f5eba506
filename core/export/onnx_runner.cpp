#include "export/onnx_runner.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include <opencv2/core/utils/logger.hpp>
#include <opencv2/dnn.hpp>

#include "export/onnx_graph.h"
#include "run/run_store.h"

namespace alexnet {
namespace fs = std::filesystem;

struct OnnxNetwork::Impl {
  cv::dnn::Net net;
};

OnnxNetwork::OnnxNetwork(const std::string& onnx_bytes, const std::string& what) : impl_(new Impl), what_(what) {
  // OpenCV prints its own parse errors to the terminal; ours name the file.
  cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
  try {
    impl_->net = cv::dnn::readNetFromONNX(onnx_bytes.data(), onnx_bytes.size());
  } catch (const cv::Exception& e) {
    throw ExportError(what + ": OpenCV cannot read it as an ONNX model (" + e.err + ")");
  }
  if (impl_->net.empty()) throw ExportError(what + ": OpenCV read no network from it");
  impl_->net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  impl_->net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
}

OnnxNetwork::~OnnxNetwork() = default;

std::vector<float> OnnxNetwork::logits(const std::vector<float>& inputs, int batch, int size) {
  const int dims[] = {batch, 3, size, size};
  if (inputs.size() != static_cast<std::size_t>(batch) * 3 * size * size) {
    throw ExportError(what_ + ": the input holds " + std::to_string(inputs.size()) + " values, not " +
                      std::to_string(static_cast<std::size_t>(batch) * 3 * size * size));
  }
  const cv::Mat blob(4, dims, CV_32F, const_cast<float*>(inputs.data()));
  cv::Mat out;
  try {
    impl_->net.setInput(blob);
    out = impl_->net.forward();  // the graph has one output, the logits
  } catch (const cv::Exception& e) {
    throw ExportError(what_ + ": OpenCV cannot run it (" + e.err + ")");
  }
  out = out.reshape(1, batch);
  if (!out.isContinuous()) out = out.clone();
  return std::vector<float>(out.ptr<float>(), out.ptr<float>() + out.total());
}

ExportedModel read_exported_model(const std::string& onnx_path) {
  ExportedModel m;
  m.onnx_path = onnx_path;
  m.card_path = fs::path(onnx_path).replace_extension(".json").string();
  if (!fs::is_regular_file(onnx_path)) throw ExportError(onnx_path + ": no such ONNX file");
  if (!fs::is_regular_file(m.card_path)) {
    throw ExportError(m.card_path +
                      " is missing: an exported model needs its description beside it "
                      "(class names, input size, normalisation)");
  }
  m.card = model_card_from_json(read_whole_file(m.card_path), m.card_path);
  return m;
}

std::vector<ClassScore> top_classes(const float* logits, const std::vector<std::string>& class_names, int top) {
  const int classes = static_cast<int>(class_names.size());
  const float peak = *std::max_element(logits, logits + classes);
  double total = 0;
  std::vector<ClassScore> scores(static_cast<std::size_t>(classes));
  for (int c = 0; c < classes; ++c) {
    scores[static_cast<std::size_t>(c)] = {c, class_names[static_cast<std::size_t>(c)],
                                           std::exp(double(logits[c]) - peak)};
    total += scores[static_cast<std::size_t>(c)].probability;
  }
  for (ClassScore& s : scores) s.probability /= total;
  std::stable_sort(scores.begin(), scores.end(),
                   [](const ClassScore& a, const ClassScore& b) { return a.probability > b.probability; });
  scores.resize(static_cast<std::size_t>(std::clamp(top, 1, classes)));
  return scores;
}

}  // namespace alexnet
