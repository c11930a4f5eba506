// The plain values the engine streams out (no tensors): what the terminal,
// the run store and the window all consume.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace alexnet {

// A figure not measured (no validation split, no probe at that record): NaN,
// an empty field in metrics.csv and null in JSON.
inline constexpr double kNotMeasured = std::numeric_limits<double>::quiet_NaN();

struct RecordPoint {
  std::string variant;
  std::int64_t iteration = 0;  // iterations completed
  double train_loss = 0;       // mean over the iterations since the last record
  double learning_rate = 0;
  double images_per_second = 0;
  double elapsed_seconds = 0;  // this variant's training time so far
  // On the probe set (the validation split's first images), when a probe fell
  // on this record's iteration.
  double validation_loss = kNotMeasured;
  double validation_accuracy = kNotMeasured;  // 0..1
};

struct Histogram {
  std::vector<double> edges;          // bins + 1 edges, fixed for the whole run
  std::vector<std::int64_t> counts;   // values beyond the edges land in the end bins
  std::int64_t below = 0, above = 0;  // how many of them were outside
};

struct LayerProbe {
  std::string name;
  std::int64_t units = 0;           // channels or neurons
  double dead_fraction = 0;         // pre-activation <= 0 for every sample and position
  double nearly_dead_fraction = 0;  // active for under 1% of samples and positions
  double saturated_fraction = 0;    // tanh only: |tanh| > 0.99 for every sample and position
  Histogram pre_activation;
  Histogram activation;
};

struct FilterGrid {
  int width = 0, height = 0;      // pixels
  std::vector<std::uint8_t> rgb;  // width * height * 3
  int tile = 0, columns = 0, rows = 0, filters = 0;
  std::string normalisation;  // how weights map to colours, for the caption
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
  // The probe set is the validation split's first images: its plain
  // cross-entropy and accuracy (kNotMeasured when the run holds none out).
  double validation_loss = kNotMeasured;
  double validation_accuracy = kNotMeasured;
  std::vector<LayerProbe> layers;
  std::vector<WeightHistogram> weights;  // every weighted layer, the classifier included
  FilterGrid filters;
};

// One layer at the last training step before a record (its weights, biases
// apart): how hard the loss pulls on them and how far the optimizer moved them.
struct LayerGradient {
  std::string layer;         // conv1 ... the classifier
  double gradient_norm = 0;  // L2 norm of the loss's gradient (averaged over the ranks)
  double weight_norm = 0;    // L2 norm of the weights before the step
  double update_ratio = 0;   // ||W after - W before|| / ||W before|| (NaN: zero weights that moved)
};

struct GradientRecord {
  std::string variant;
  std::int64_t iteration = 0;  // the record's: the step measured is the one that completed it
  std::vector<LayerGradient> layers;
};

struct VariantResult {
  std::string variant;
  double test_loss = 0;
  double test_accuracy = 0;
  // On the whole validation split at the end (kNotMeasured without one).
  double validation_loss = kNotMeasured;
  double validation_accuracy = kNotMeasured;
  std::vector<std::vector<std::int64_t>> confusion;  // [true class][predicted class]
  std::int64_t iterations = 0;
  double seconds = 0;
  std::int64_t parameters = 0;
  bool diverged = false;
  std::int64_t diverged_at = -1;  // the iteration whose loss was NaN or infinite (-1: none)
  std::string note;               // why it stopped early, if it did
  // The best weights by validation accuracy on the probe set (-1: none kept,
  // as in a run without a validation split). Their test figures are measured
  // with --early-stop (kNotMeasured otherwise).
  std::int64_t best_iteration = -1;
  double best_validation_accuracy = kNotMeasured;
  double best_test_loss = kNotMeasured;
  double best_test_accuracy = kNotMeasured;
};

struct ProgressUpdate {
  std::string variant;
  std::int64_t iteration = 0, total = 0;
  double loss = 0;  // the latest step's loss
  double images_per_second = 0;
  double eta_seconds = 0;  // for the whole experiment
};

// What the findings engine (analysis/findings_engine.h) concludes about a run:
// a plain value like the others, appended to findings.jsonl as it arises and
// sent to the window. A finding is known by (kind, variant, layer,
// first_iteration); a later one with the same key updates it (it lasted
// longer, or grew more severe).
enum class Severity { Info, Warning, Problem };

struct Finding {
  std::string kind;     // a fixed vocabulary: dead_layer, not_learning, ... (docs/findings.md)
  std::string variant;  // empty for findings about the run (class_imbalance)
  std::string layer;    // empty where no layer applies
  std::int64_t first_iteration = 0, last_iteration = 0;
  // When the engine first said so: the iteration of the record, probe or
  // divergence that made it (first_iteration is when the fault began).
  std::int64_t found_iteration = 0;
  Severity severity = Severity::Info;
  std::string evidence;    // a sentence with the numbers
  std::string suggestion;  // what to try, in order
  // The settings to change, as a JSON array of objects in the order to try
  // them: [{"init": "kaiming"}, {"lr": 0.001}] (train's option names).
  std::string settings = "[]";
};

// Whether two findings are the same one (a later state of it).
inline bool same_finding(const Finding& a, const Finding& b) {
  return a.kind == b.kind && a.variant == b.variant && a.layer == b.layer && a.first_iteration == b.first_iteration;
}

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
  virtual void on_gradients(const GradientRecord& /*gradients*/) {}
  virtual void on_result(const VariantResult& /*result*/) {}
  virtual void on_finding(const Finding& /*finding*/) {}
};

}  // namespace alexnet
