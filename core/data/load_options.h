// How a run loads its data set: the same options wherever a run's data is
// loaded again (training, resuming, thumbnails of its test images), so that
// the images are the ones it trained and was tested on.
#pragma once

#include <cstdint>

#include "data/dataset.h"
#include "spec/experiment_config.h"

namespace alexnet {

inline LoadOptions load_options_for(const ExperimentConfig& config) {
  LoadOptions load;
  load.image_size = config.input_size;
  load.seed = config.seed;
  load.max_picture_pixels = static_cast<std::uint64_t>(config.max_picture_pixels);
  load.cache_budget_bytes = std::uint64_t(config.data_cache_mb) << 20;
  return load;
}

}  // namespace alexnet
