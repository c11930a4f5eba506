// The JSON that travels beside an exported VARIANT.onnx: what the model predicts
// (class names) and how a picture must be prepared for it, so the file can be
// used without AlexNet Lab. Also the one description of that preparation used
// by AlexNet Lab itself when it classifies a picture.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "errors.h"

namespace alexnet {

// How a decoded picture becomes the network's input, exactly as in training.
struct PictureTransform {
  int input_size = 64;      // S: the network sees 3 x S x S
  int source_channels = 3;  // 1: the data set was grey (convert, then replicate to 3); 3: RGB
  std::vector<float> mean;  // per source channel, in [0, 1] units
  std::vector<float> std;
};

struct ModelCard {
  std::string variant;
  std::string model_file;  // VARIANT.onnx, beside the card
  std::string data;        // the data set it was trained on
  std::string run_dir;     // where it came from
  std::int64_t iteration = 0;
  std::string weights = "last";  // last, or best (by validation accuracy)
  double test_accuracy = -1;     // -1: not evaluated
  std::vector<std::string> class_names;
  std::string activation;
  PictureTransform transform;
};

// The card as JSON text, with the preparation also spelt out in words.
std::string model_card_to_json(const ModelCard& card);
// Throws ExportError naming `what` when the text is not a card or is inconsistent.
ModelCard model_card_from_json(const std::string& text, const std::string& what);

// The steps of the preparation, for people (also in the card).
std::vector<std::string> preparation_steps(const PictureTransform& t);

}  // namespace alexnet
