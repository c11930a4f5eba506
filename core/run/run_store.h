// The run folder on disk. Whole files are written atomically (temporary file,
// flush, fsync, rename); metrics and probes are appended line by line and
// flushed, so a kill leaves a valid prefix.
//
//   config.json                 the ExperimentConfig, with every variant's full spec
//   metrics.csv                 variant,iteration,train_loss,learning_rate,images_per_second,elapsed_seconds,
//                               validation_loss,validation_accuracy (empty where no probe fell on the row)
//   probes.jsonl                one JSON object per variant and probe (format in docs/run-folder.md)
//   findings.jsonl              one finding a line, as they arise (run/findings_file.h)
//   gradients.jsonl             per variant and record: each layer's gradient norm, weight norm, update ratio
//   filters/VARIANT-ITER.png    the first-layer filter grid of that probe
//   results.json                per variant: test loss and accuracy, confusion matrix, ...
//   checkpoints/                see checkpoint.h
//   tb/events.out.tfevents.*    the same loss, histograms, dead fractions and filter grids for TensorBoard
#pragma once

#include "errors.h"

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "spec/experiment_config.h"
#include "run/weights_choice.h"
#include "train/training_events.h"

namespace alexnet {

void write_file_atomically(const std::string& path, const std::string& bytes);
std::string read_whole_file(const std::string& path);  // throws StoreError

// $XDG_DATA_HOME/alexnet-lab/runs (default ~/.local/share/alexnet-lab/runs): where runs go
std::string default_runs_folder();
// A new folder name in it: YYYYMMDD-HHMMSS[-N]
std::string new_default_run_dir();

constexpr const char* kMetricsHeader =
    "variant,iteration,train_loss,learning_rate,images_per_second,elapsed_seconds,validation_loss,validation_accuracy";
// Runs made before the validation split wrote six columns; they are read as they are.
constexpr const char* kMetricsHeaderWithoutValidation =
    "variant,iteration,train_loss,learning_rate,images_per_second,elapsed_seconds";

nlohmann::json probe_to_json(const ProbeResult& probe, const std::string& filters_file);
nlohmann::json gradients_to_json(const GradientRecord& gradients);
nlohmann::json result_to_json(const VariantResult& result);
std::string metrics_row(const RecordPoint& p);

// A FilterGrid as PNG bytes, each weight an upscale x upscale block.
std::string encode_filter_png(const FilterGrid& grid, int upscale = 4);
void write_filter_png(const FilterGrid& grid, const std::string& path, int upscale = 4);

// Before a resume from `iteration`: drops the metrics rows, probe and gradient lines
// after it (and torn lines), so the resumed run appends without a gap or a
// duplicate. Each file is replaced atomically.
void trim_logs_after(const std::string& dir, std::int64_t iteration);

class TensorBoardWriter;
struct Prediction;

class RunStore {
 public:
  explicit RunStore(std::string dir);  // creates the folder (and parents)
  ~RunStore();
  RunStore(const RunStore&) = delete;
  RunStore& operator=(const RunStore&) = delete;

  const std::string& dir() const { return dir_; }
  std::string path(const std::string& name) const;

  void write_config(const ExperimentConfig& config, const nlohmann::json& data_summary);
  void append_record(const RecordPoint& point);
  void append_probe(const ProbeResult& probe);
  // A line of gradients.jsonl, and TensorBoard's gradients/ and update_ratio/ scalars.
  void append_gradients(const GradientRecord& gradients);
  void write_results(const std::vector<VariantResult>& results);
  // A new or updated finding: a line of findings.jsonl, and TensorBoard text.
  void append_finding(const Finding& finding);
  // findings.jsonl made exactly `findings` (a resumed run's, replayed up to its checkpoint).
  void replace_findings(const std::vector<Finding>& findings);
  // predictions/VARIANT.csv (predictions/best/VARIANT.csv for the best
  // weights), written whole (atomically) at evaluation.
  void write_predictions(const std::string& variant, const std::vector<Prediction>& predictions,
                         Weights weights = Weights::Last);
  void flush();  // fsync the appended files

 private:
  void append_line(std::FILE* file, const std::string& name, const std::string& line);

  std::string dir_;
  std::FILE* metrics_ = nullptr;
  std::FILE* probes_ = nullptr;
  std::FILE* findings_ = nullptr;
  std::FILE* gradients_ = nullptr;
  std::unique_ptr<TensorBoardWriter> tensorboard_;
};

}  // namespace alexnet
