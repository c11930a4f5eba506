// A run's test images as small RGB pictures (plain bytes, no tensors), for the
// galleries of what a variant got wrong. The data set is loaded as the run
// loaded it, once, when the source is made.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "spec/experiment_config.h"
#include "export/model_card.h"

namespace alexnet {

struct Thumbnail {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgb;  // width * height * 3
};

class TestImageSource {
 public:
  // Throws DataError naming the data set when it cannot be loaded again
  // (moved, deleted, or another machine's path).
  explicit TestImageSource(const ExperimentConfig& config);
  ~TestImageSource();
  TestImageSource(const TestImageSource&) = delete;
  TestImageSource& operator=(const TestImageSource&) = delete;

  std::int64_t size() const;
  // The test image at `index` as stored (grey replicated to RGB); an empty
  // thumbnail for an index outside the split.
  Thumbnail thumbnail(std::int64_t index) const;
  // Its true class (-1 outside the split).
  int label(std::int64_t index) const;
  // The network's input for it, float [3, S, S], prepared exactly as the
  // evaluation prepared it (resized, normalised; no augmentation).
  std::vector<float> network_input(std::int64_t index, const PictureTransform& transform) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace alexnet
