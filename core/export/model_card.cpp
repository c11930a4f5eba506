#include "export/model_card.h"

#include <nlohmann/json.hpp>

#include "io/json_text.h"

#include "export/onnx_graph.h"

namespace alexnet {

namespace {
constexpr const char* kCardFormat = "alexnet-lab onnx model 1";
}

std::vector<std::string> preparation_steps(const PictureTransform& t) {
  const std::string s = std::to_string(t.input_size);
  std::vector<std::string> steps;
  steps.push_back(t.source_channels == 1 ? "decode the picture and convert it to one grey channel"
                                         : "decode the picture as RGB (not BGR)");
  steps.push_back("resize it to " + s + " x " + s +
                  " pixels (area averaging when shrinking, bilinear when enlarging; the aspect ratio is not kept)");
  steps.push_back("divide every value by 255, so it lies in [0, 1]");
  steps.push_back("per channel, subtract normalisation.mean and divide by normalisation.std");
  if (t.source_channels == 1) steps.push_back("repeat the grey channel three times");
  steps.push_back("lay it out as float32 [1, 3, " + s + ", " + s + "] (N, C, H, W) and feed it as \"input\"");
  steps.push_back("\"logits\" are class scores; softmax turns them into probabilities");
  return steps;
}

std::string model_card_to_json(const ModelCard& card) {
  const PictureTransform& t = card.transform;
  nlohmann::json j = {
      {"format", kCardFormat},
      {"variant", card.variant},
      {"model", card.model_file},
      {"data", card.data},
      {"run", card.run_dir},
      {"iteration", card.iteration},
      {"weights", card.weights},
      {"activation", card.activation},
      {"class_names", card.class_names},
      {"input",
       {{"name", kOnnxInputName},
        {"layout", "NCHW"},
        {"type", "float32"},
        {"channels", 3},
        {"height", t.input_size},
        {"width", t.input_size}}},
      {"output", {{"name", kOnnxOutputName}, {"classes", card.class_names.size()}}},
      {"picture", {{"source_channels", t.source_channels}, {"colour", t.source_channels == 1 ? "grey" : "rgb"}}},
      {"normalisation", {{"scale", 1.0 / 255.0}, {"mean", t.mean}, {"std", t.std}}},
      {"preparation", preparation_steps(t)},
  };
  if (card.test_accuracy >= 0) j["test_accuracy"] = card.test_accuracy;
  return j.dump(2) + "\n";
}

ModelCard model_card_from_json(const std::string& text, const std::string& what) {
  ModelCard card;
  try {
    const nlohmann::json j = parse_bounded_json(text);
    if (!j.is_object() || j.value("format", "") != kCardFormat) {
      throw ExportError(what + ": not an AlexNet Lab model description (expected \"format\": \"" + kCardFormat + "\")");
    }
    card.variant = j.at("variant").get<std::string>();
    card.model_file = j.value("model", "");
    card.data = j.value("data", "");
    card.run_dir = j.value("run", "");
    card.iteration = json_int_or<std::int64_t>(j, "iteration", 0);
    card.weights = j.value("weights", "last");  // absent in cards made before best weights
    card.activation = j.value("activation", "");
    card.test_accuracy = j.value("test_accuracy", -1.0);
    card.class_names = j.at("class_names").get<std::vector<std::string>>();
    card.transform.input_size = json_int<int>(j.at("input").at("height"));
    card.transform.source_channels = json_int<int>(j.at("picture").at("source_channels"));
    card.transform.mean = j.at("normalisation").at("mean").get<std::vector<float>>();
    card.transform.std = j.at("normalisation").at("std").get<std::vector<float>>();
  } catch (const nlohmann::json::exception& e) {
    throw ExportError(what + ": damaged model description: " + e.what());
  }
  const PictureTransform& t = card.transform;
  const auto channels = static_cast<std::size_t>(t.source_channels);
  if (t.input_size < 1 || t.input_size > 4096) throw ExportError(what + ": input size out of range");
  if (t.source_channels != 1 && t.source_channels != 3) throw ExportError(what + ": source_channels must be 1 or 3");
  if (t.mean.size() != channels || t.std.size() != channels) {
    throw ExportError(what + ": normalisation needs one mean and one std per source channel");
  }
  for (float s : t.std) {
    if (!(s > 0)) throw ExportError(what + ": a normalisation std is not positive");
  }
  if (card.class_names.empty() || card.class_names.size() > 100000) {
    throw ExportError(what + ": class_names must list the classes");
  }
  return card;
}

}  // namespace alexnet
