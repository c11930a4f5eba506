// The findings engine: watches a run's records, probes, divergences and
// results as they arrive (no pass of its own over the data) and says what went
// wrong, where, since when and what to try. The same code runs live in the
// trainer and offline in `diagnose`, which replays a run folder through it, so
// the two answers agree. Torch-free: plain values in, plain values out.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "spec/experiment_config.h"
#include "train/training_events.h"

namespace alexnet {

// The kinds, a fixed vocabulary that findings.jsonl and `diagnose --json` use
// (docs/findings.md says when each fires). Never renamed; new ones are added.
namespace finding_kind {
inline constexpr const char* kDiverged = "diverged";
inline constexpr const char* kExplodingGradient = "exploding_gradient";
inline constexpr const char* kVanishingGradient = "vanishing_gradient";
inline constexpr const char* kNotLearning = "not_learning";
inline constexpr const char* kPlateau = "plateau";
inline constexpr const char* kOscillation = "oscillation";
inline constexpr const char* kDeadLayer = "dead_layer";
inline constexpr const char* kSaturatedLayer = "saturated_layer";
inline constexpr const char* kOverfitting = "overfitting";
inline constexpr const char* kMemorising = "memorising";
inline constexpr const char* kLrTooHigh = "lr_too_high";
inline constexpr const char* kLrTooLow = "lr_too_low";
inline constexpr const char* kClassImbalance = "class_imbalance";
inline constexpr const char* kSmallTrainingSet = "small_training_set";  // added: the fault benchmark's tiny set
inline constexpr const char* kComparison = "comparison";                // how variants relate (info)
}  // namespace finding_kind

std::string severity_name(Severity s);
Severity severity_from_name(const std::string& name);  // throws std::invalid_argument

// What the engine knows of the run besides its events.
struct FindingsContext {
  int classes = 10;
  std::int64_t iterations = 0;  // planned
  double learning_rate = 0;
  std::string optimizer, init, schedule;
  double momentum = 0, weight_decay = 0;
  int batch_size = 0;
  std::map<std::string, std::string> activations;  // variant -> relu, tanh, ...
  std::vector<std::int64_t> train_class_counts;    // empty: not known (runs made before it was stored)
  std::vector<std::string> class_names;
};
FindingsContext findings_context(const ExperimentConfig& config, const std::vector<std::int64_t>& train_class_counts,
                                 const std::vector<std::string>& class_names);

class FindingsEngine {
 public:
  explicit FindingsEngine(FindingsContext context);

  // Each returns the findings that are new or changed by the event.
  std::vector<Finding> start();  // about the data (class_imbalance)
  std::vector<Finding> on_record(const RecordPoint& point);
  std::vector<Finding> on_probe(const ProbeResult& probe);
  std::vector<Finding> on_gradients(const GradientRecord& gradients);
  std::vector<Finding> on_divergence(const std::string& variant, std::int64_t iteration, const std::string& what);
  std::vector<Finding> on_result(const VariantResult& result);
  std::vector<Finding> finish();  // the run ended or stopped: what needs the whole run (comparisons)

  // Every finding so far, one per key, in the order they arose.
  const std::vector<Finding>& findings() const { return findings_; }

 private:
  struct LayerState {
    std::string name;
    std::int64_t units = 0;
    double dead = 0, saturated = 0;
  };
  struct ProbePoint {
    std::int64_t iteration = 0;
    double validation_loss = 0, validation_accuracy = 0;  // NaN: not measured
    std::vector<LayerState> layers;
  };
  struct History {
    std::vector<RecordPoint> records;
    std::vector<ProbePoint> probes;
    std::vector<GradientRecord> gradients;
    std::optional<std::int64_t> diverged_at;
    std::string diverged_what;
    std::optional<VariantResult> result;
  };

  std::vector<Finding> detect(const std::string& variant) const;    // everything the history shows now
  std::vector<Finding> merge(const std::vector<Finding>& current);  // keeps them, returns new or changed
  History& history(const std::string& variant);

  FindingsContext context_;
  std::vector<std::string> order_;  // variants as they first appeared
  std::map<std::string, History> histories_;
  std::vector<Finding> findings_;
  std::int64_t now_ = 0;  // the iteration of the latest event
};

struct RunContents;

// A run's stored records and probes fed to `engine` in the order the trainer
// made them (start, then at each iteration the probe before the record): what
// a resumed run's engine has seen up to its checkpoint.
void replay_run(FindingsEngine& engine, const RunContents& run);

// A whole run folder's findings, recomputed: replay_run, its results, finish.
std::vector<Finding> diagnose_run(const RunContents& run);

}  // namespace alexnet
