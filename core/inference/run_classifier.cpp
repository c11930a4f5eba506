#include "inference/run_classifier.h"

#include <algorithm>

#include "checkpoint.h"
#include "export/onnx_export.h"
#include "run_reader.h"

namespace alexnet {

struct RunClassifier::Models {
  std::vector<TrainedModel> trained;
};

RunClassifier::RunClassifier(const std::string& run_dir, const std::vector<std::string>& variants)
    : models_(new Models) {
  const RunContents run = read_run_summary(run_dir);
  for (const std::string& wanted : variants) {
    const bool known = std::any_of(run.config.variants.begin(), run.config.variants.end(),
                                   [&](const VariantSpec& s) { return s.name == wanted; });
    if (!known) throw ExportError(run_dir + " has no variant named " + wanted);
  }
  for (const VariantSpec& spec : run.config.variants) {
    if (variants.empty() || std::find(variants.begin(), variants.end(), spec.name) != variants.end()) {
      models_->trained.push_back({spec, nullptr});
      variant_names_.push_back(spec.name);
    }
  }
  transform_ = picture_transform_of_run(run_dir);
  iteration_ = load_checkpoint_models(run_dir, models_->trained).iteration;
  class_names_ = run.class_names;
  const int classes = run.config.variants.front().classes;
  if (static_cast<int>(class_names_.size()) != classes) {
    class_names_.clear();
    for (int c = 0; c < classes; ++c) class_names_.push_back(std::to_string(c));
  }
}

RunClassifier::~RunClassifier() = default;

std::vector<float> RunClassifier::logits(std::size_t index, const std::vector<float>& inputs, int batch) {
  const std::int64_t s = transform_.input_size;
  torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::from_blob(const_cast<float*>(inputs.data()), {batch, 3, s, s}, torch::kFloat);
  const torch::Tensor out = models_->trained.at(index).model->forward(x).contiguous();
  return std::vector<float>(out.data_ptr<float>(), out.data_ptr<float>() + out.numel());
}

}  // namespace alexnet
