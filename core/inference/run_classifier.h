// A run's trained variants (from its last checkpoint) as classifiers of
// pictures, through libtorch: what `classify RUN_DIR` prints. Plain values in
// and out; pictures are prepared as in training (export/picture_input.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "export/model_card.h"
#include "run/weights_choice.h"

namespace alexnet {

// One convolutional layer's output (after its activation) for one picture.
struct FeatureMaps {
  std::string layer;  // conv1 ...
  int channels = 0, height = 0, width = 0;
  std::vector<float> values;  // channels * height * width, channel after channel
};

// What a variant makes of one picture: its logits and every conv layer's maps.
struct Inspection {
  std::vector<float> logits;  // one per class
  std::vector<FeatureMaps> maps;
};

class RunClassifier {
 public:
  // `variants` empty: all of the run's. Throws StoreError (no checkpoint, a
  // damaged run) or ExportError (an unknown variant), naming the run or file.
  RunClassifier(const std::string& run_dir, const std::vector<std::string>& variants = {},
                Weights weights = Weights::Last);
  ~RunClassifier();
  RunClassifier(const RunClassifier&) = delete;
  RunClassifier& operator=(const RunClassifier&) = delete;

  const std::vector<std::string>& variants() const { return variant_names_; }
  const std::vector<std::string>& class_names() const { return class_names_; }
  const PictureTransform& transform() const { return transform_; }
  std::int64_t iteration() const { return iteration_; }  // the checkpoint's
  Weights weights() const { return weights_; }
  // The iteration variant `index`'s weights are from (its best's, with Weights::Best).
  std::int64_t iteration_of(std::size_t index) const;

  // `batch` prepared pictures of float [3, S, S] back to back; returns float
  // [batch, classes] logits of variant `index`, row after row.
  std::vector<float> logits(std::size_t index, const std::vector<float>& inputs, int batch);
  // One prepared picture (float [3, S, S]) through variant `index`, keeping the
  // feature maps of its convolutional layers (the same computation as logits).
  Inspection inspect(std::size_t index, const std::vector<float>& input);

 private:
  struct Models;
  std::unique_ptr<Models> models_;
  std::vector<std::string> variant_names_;
  std::vector<std::string> class_names_;
  PictureTransform transform_;
  std::int64_t iteration_ = 0;
  Weights weights_ = Weights::Last;
};

}  // namespace alexnet
