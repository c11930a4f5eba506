#include "export/onnx_export.h"

#include <filesystem>

#include "model/alexnet_model.h"
#include "run/checkpoint.h"
#include "run/run_reader.h"
#include "run/run_store.h"

namespace alexnet {
namespace fs = std::filesystem;

namespace {

std::vector<float> to_floats(const torch::Tensor& t) {
  const torch::Tensor c = t.detach().to(torch::kFloat).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

}  // namespace

PictureTransform picture_transform_of(const RunContents& run) {
  PictureTransform t;
  t.input_size = run.config.input_size;
  t.mean = run.normalisation_mean;
  t.std = run.normalisation_std;
  t.source_channels = static_cast<int>(t.mean.size());
  if ((t.source_channels != 1 && t.source_channels != 3) || t.std.size() != t.mean.size()) {
    throw StoreError(run.dir + "/config.json: the data summary has no usable normalisation (mean and std per channel)");
  }
  return t;
}

std::vector<std::string> class_names_of(const RunContents& run) {
  const int classes = run.config.variants.front().classes;
  if (static_cast<int>(run.class_names.size()) == classes) return run.class_names;
  std::vector<std::string> ids;
  for (int c = 0; c < classes; ++c) ids.push_back(std::to_string(c));
  return ids;
}

std::vector<LayerWeights> layer_weights_of(AlexNetImpl& model) {
  std::vector<LayerWeights> layers;
  for (const std::string& name : model.layer_names()) {
    torch::nn::Module& layer = model.layer(name);
    const auto parameters = layer.named_parameters(false);
    const torch::Tensor weight = parameters["weight"];
    const torch::Tensor bias = parameters["bias"];
    layers.push_back({name, weight.sizes().vec(), to_floats(weight), to_floats(bias)});
  }
  return layers;
}

std::vector<OnnxExport> export_run_onnx(const std::string& run_dir, const std::string& out_dir,
                                        const std::vector<std::string>& variants,
                                        const std::function<void(int, int, const std::string&)>& progress,
                                        Weights weights) {
  const RunContents run = read_run_summary(run_dir);
  const PictureTransform transform = picture_transform_of(run);
  const std::vector<std::string> class_names = class_names_of(run);
  std::vector<TrainedModel> models = models_named(run.config.variants, variants, run_dir);
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec || !fs::is_directory(out_dir)) {
    throw ExportError("cannot create the output folder " + out_dir + (ec ? ": " + ec.message() : ""));
  }
  load_checkpoint_models(run_dir, models, weights);

  std::vector<OnnxExport> written;
  const int total = static_cast<int>(models.size());
  for (TrainedModel& m : models) {
    if (progress) progress(static_cast<int>(written.size()), total, m.spec.name);
    ModelCard card;
    card.variant = m.spec.name;
    card.model_file = m.spec.name + ".onnx";
    card.data = run.data_name.empty() ? run.config.data : run.data_name;
    card.run_dir = fs::absolute(run_dir).lexically_normal().string();
    card.iteration = m.iteration;
    card.weights = weights_name(weights);
    card.activation = activation_name(m.spec.activation);
    card.class_names = class_names;
    card.transform = transform;
    for (const VariantResult& r : run.results) {
      if (r.variant != m.spec.name) continue;
      if (weights == Weights::Last && r.iterations == m.iteration) card.test_accuracy = r.test_accuracy;
      if (weights == Weights::Best && r.best_iteration == m.iteration && std::isfinite(r.best_test_accuracy))
        card.test_accuracy = r.best_test_accuracy;
    }
    const std::string bytes = build_onnx_model(m.spec, layer_weights_of(*m.model),
                                               {{"variant", m.spec.name},
                                                {"iteration", std::to_string(m.iteration)},
                                                {"weights", card.weights},
                                                {"data", card.data},
                                                {"class_names", nlohmann::json(card.class_names).dump()}});
    OnnxExport e;
    e.variant = m.spec.name;
    e.onnx_path = (fs::path(out_dir) / card.model_file).string();
    e.card_path = (fs::path(out_dir) / (m.spec.name + ".json")).string();
    e.bytes = static_cast<std::int64_t>(bytes.size());
    try {
      write_file_atomically(e.onnx_path, bytes);
      write_file_atomically(e.card_path, model_card_to_json(card));
    } catch (const StoreError& error) {
      throw ExportError(error.what());
    }
    written.push_back(e);
  }
  if (progress) progress(total, total, "");
  return written;
}

}  // namespace alexnet
