// What each variant predicted for every test image, stored at evaluation time
// in predictions/VARIANT.csv, so that a run's mistakes can be shown (and its
// confusion matrix checked) without running a model.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "run/weights_choice.h"

namespace alexnet {

struct Prediction {
  std::int64_t index = 0;  // the image's position in the test split
  int truth = 0;
  int predicted = 0;
  double confidence = 0;  // the softmax probability of the predicted class
};

// "index,true,predicted,confidence" with a header line.
std::string predictions_csv(const std::vector<Prediction>& predictions);

// Throws StoreError naming `what` for a damaged file: a line that is not four
// numbers, a class outside [0, classes), a confidence outside [0, 1], or
// indices that are not 0, 1, 2, ... in order.
std::vector<Prediction> parse_predictions(const std::string& text, const std::string& what, int classes);

// A run's stored predictions for one variant, read confined to the run folder.
// Throws StoreError when there are none (runs made before they were stored,
// or not evaluated yet) or they are damaged.
// `weights` Best: predictions/best/VARIANT.csv, made with --early-stop.
std::vector<Prediction> read_predictions(const std::string& run_dir, const std::string& variant, int classes,
                                         Weights weights = Weights::Last);

// [true class][predicted class] counts.
std::vector<std::vector<std::int64_t>> confusion_of(const std::vector<Prediction>& predictions, int classes);

}  // namespace alexnet
