#include "inference/run_classifier.h"

#include <stdexcept>

#include "model/alexnet_model.h"
#include "run/checkpoint.h"
#include "export/onnx_export.h"
#include "run/run_reader.h"

namespace alexnet {

struct RunClassifier::Models {
  std::vector<TrainedModel> trained;
};

RunClassifier::RunClassifier(const std::string& run_dir, const std::vector<std::string>& variants, Weights weights)
    : models_(new Models), weights_(weights) {
  const RunContents run = read_run_summary(run_dir);
  models_->trained = models_named(run.config.variants, variants, run_dir);
  for (const TrainedModel& m : models_->trained) variant_names_.push_back(m.spec.name);
  transform_ = picture_transform_of(run);
  class_names_ = class_names_of(run);
  iteration_ = load_checkpoint_models(run_dir, models_->trained, weights).iteration;
}

std::int64_t RunClassifier::iteration_of(std::size_t index) const { return models_->trained.at(index).iteration; }

RunClassifier::~RunClassifier() = default;

std::vector<float> RunClassifier::logits(std::size_t index, const std::vector<float>& inputs, int batch) {
  const std::int64_t s = transform_.input_size;
  torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::from_blob(const_cast<float*>(inputs.data()), {batch, 3, s, s}, torch::kFloat);
  const torch::Tensor out = models_->trained.at(index).model->forward(x).contiguous();
  return std::vector<float>(out.data_ptr<float>(), out.data_ptr<float>() + out.numel());
}

Inspection RunClassifier::inspect(std::size_t index, const std::vector<float>& input) {
  const std::int64_t s = transform_.input_size;
  if (input.size() != static_cast<std::size_t>(3 * s * s)) {
    throw std::invalid_argument("inspect: the picture is not prepared for S = " + std::to_string(s));
  }
  torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::from_blob(const_cast<float*>(input.data()), {1, 3, s, s}, torch::kFloat);
  Inspection out;
  for (const LayerTrace& t : models_->trained.at(index).model->forward_traced(x)) {
    const torch::Tensor a = t.activation.contiguous();
    if (!t.has_activation) {
      out.logits.assign(a.data_ptr<float>(), a.data_ptr<float>() + a.numel());
    } else if (a.dim() == 4) {
      FeatureMaps m;
      m.layer = t.name;
      m.channels = static_cast<int>(a.size(1));
      m.height = static_cast<int>(a.size(2));
      m.width = static_cast<int>(a.size(3));
      m.values.assign(a.data_ptr<float>(), a.data_ptr<float>() + a.numel());
      out.maps.push_back(std::move(m));
    }
  }
  return out;
}

}  // namespace alexnet
