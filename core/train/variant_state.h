// One variant while it trains: its model and optimizer, plus the running
// counters a checkpoint must carry so a resumed run goes on without a seam.
#pragma once

#include <memory>
#include <string>

#include "model/alexnet_model.h"
#include "analysis/gradient_instruments.h"
#include "analysis/probes.h"

namespace alexnet {

struct VariantState {
  VariantSpec spec;
  AlexNet model{nullptr};
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  EdgeBook edges;  // histogram edges fixed at the first probe
  std::int64_t steps = 0;
  double seconds = 0;   // training time only (no probes, no pauses)
  double loss_sum = 0;  // since the last record
  std::int64_t loss_count = 0;
  double seconds_at_record = 0;
  double last_loss = 0;
  // The latest probe's validation figures, for the record at its iteration.
  std::int64_t validated_at = -1;
  double validation_loss = 0, validation_accuracy = 0;
  // The last step before each record, measured layer by layer.
  StepInstruments instruments;
  GradientRecord gradients;  // the latest measurement, reported with its record
  double instrument_seconds = 0;
  // The best weights so far by validation accuracy on the probe set (a copy,
  // written with each checkpoint as best.pt); undefined before the first measurement.
  AlexNet best_model{nullptr};
  std::int64_t best_iteration = -1;
  double best_validation_accuracy = -1;
  bool stopped_early = false;  // --early-stop: no better validation accuracy for its patience
  bool diverged = false;
  std::string diverged_value;  // NaN or infinite
  std::int64_t diverged_at = -1;
  std::string note;

  bool training() const { return !diverged && !stopped_early; }
};

}  // namespace alexnet
