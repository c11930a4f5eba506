// The plain values the engine streams out (no tensors): what the terminal,
// the run store and the window all consume.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace alexnet {

struct RecordPoint {
  std::string variant;
  std::int64_t iteration = 0;  // iterations completed
  double train_loss = 0;       // mean over the iterations since the last record
  double learning_rate = 0;
  double images_per_second = 0;
  double elapsed_seconds = 0;  // this variant's training time so far
};

struct Histogram {
  std::vector<double> edges;          // bins + 1 edges, fixed for the whole run
  std::vector<std::int64_t> counts;   // values beyond the edges land in the end bins
  std::int64_t below = 0, above = 0;  // how many of them were outside
};

struct LayerProbe {
  std::string name;
  std::int64_t units = 0;            // channels or neurons
  double dead_fraction = 0;          // pre-activation <= 0 for every sample and position
  double nearly_dead_fraction = 0;   // active for under 1% of samples and positions
  double saturated_fraction = 0;     // tanh only: |tanh| > 0.99 for every sample and position
  Histogram pre_activation;
  Histogram activation;
};

struct FilterGrid {
  int width = 0, height = 0;          // pixels
  std::vector<std::uint8_t> rgb;      // width * height * 3
  int tile = 0, columns = 0, rows = 0, filters = 0;
  std::string normalisation;          // how weights map to colours, for the caption
};

// The weights of one layer (biases apart), every weight counted once.
struct WeightHistogram {
  std::string layer;  // conv1 ... the classifier
  Histogram weights;
};

struct ProbeResult {
  std::string variant;
  std::int64_t iteration = 0;
  std::string activation;  // relu, tanh, ...
  std::vector<LayerProbe> layers;
  std::vector<WeightHistogram> weights;  // every weighted layer, the classifier included
  FilterGrid filters;
};

struct VariantResult {
  std::string variant;
  double test_loss = 0;
  double test_accuracy = 0;
  std::vector<std::vector<std::int64_t>> confusion;  // [true class][predicted class]
  std::int64_t iterations = 0;
  double seconds = 0;
  std::int64_t parameters = 0;
  bool diverged = false;
  std::string note;  // why it stopped early, if it did
};

struct ProgressUpdate {
  std::string variant;
  std::int64_t iteration = 0, total = 0;
  double loss = 0;  // the latest step's loss
  double images_per_second = 0;
  double eta_seconds = 0;  // for the whole experiment
};

enum class RunState { Preparing, Training, Paused, Evaluating, Finished, Stopped, Failed };

class TrainingObserver {
 public:
  virtual ~TrainingObserver() = default;
  virtual void on_message(const std::string& /*text*/) {}
  // The data set's class names, once it is loaded (before any record).
  virtual void on_classes(const std::vector<std::string>& /*class_names*/) {}
  virtual void on_state(RunState /*state*/) {}
  virtual void on_progress(const ProgressUpdate& /*update*/) {}
  virtual void on_record(const RecordPoint& /*point*/) {}
  virtual void on_probe(const ProbeResult& /*probe*/) {}
  virtual void on_result(const VariantResult& /*result*/) {}
};

}  // namespace alexnet
