// Reads a run folder back into the plain values the engine streamed while it
// ran, so a past run can be shown (window) or re-drawn (export) exactly.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "spec/experiment_config.h"
#include "train/training_events.h"

namespace alexnet {

struct RunContents {
  std::string dir;
  ExperimentConfig config;
  std::vector<std::string> class_names;
  std::string data_name;                  // the data set, as config.json's data_summary names it
  std::vector<float> normalisation_mean;  // per source channel (1: grey data), in [0, 1] units
  std::vector<float> normalisation_std;
  std::vector<RecordPoint> records;
  std::vector<ProbeResult> probes;               // filter grids decoded from their PNGs
  std::vector<GradientRecord> gradients;         // gradients.jsonl (absent in runs made before the instruments)
  std::vector<VariantResult> results;            // empty while a run is unfinished
  std::vector<Finding> findings;                 // findings.jsonl as stored (diagnose_run recomputes them)
  std::vector<std::int64_t> train_class_counts;  // images per class trained on (absent in older runs)
  std::vector<std::string> warnings;             // damaged lines or files that were skipped
};

// The text files of a run folder as bytes: what the parsers below read, so
// they can be fed from memory (fuzzing) as well as from disk.
struct RunFiles {
  std::string config;                    // config.json (required)
  std::optional<std::string> results;    // results.json, when there
  std::optional<std::string> metrics;    // metrics.csv
  std::optional<std::string> probes;     // probes.jsonl
  std::optional<std::string> findings;   // findings.jsonl
  std::optional<std::string> gradients;  // gradients.jsonl
};

// Decodes the filter grid a probe line names. `relative` has already passed
// is_plain_relative_path; the loader resolves it (confined) and decodes it.
using FilterLoader = std::function<FilterGrid(const std::string& relative, int tile, int columns, int rows)>;

// The parsers behind read_run and read_run_summary; `dir` only names files in
// messages and RunContents::dir. Same errors and warnings as those.
RunContents parse_run_summary(const std::string& dir, const RunFiles& files);
RunContents parse_run(const std::string& dir, const RunFiles& files, const FilterLoader& filters);

// Each log file on its own, appending to `run` (damaged lines become
// warnings naming `path` and the line); what parse_run calls.
void parse_metrics(const std::string& text, const std::string& path, RunContents& run);
void parse_probes(const std::string& text, const std::string& path, const FilterLoader& filters, RunContents& run);
void parse_gradients(const std::string& text, const std::string& path, RunContents& run);
void parse_results(const std::string& text, const std::string& path, RunContents& run);

// Throws StoreError when the folder is not a run (no readable config.json).
// Damaged metrics or probe lines (a torn last line after a kill) are skipped
// with a warning rather than refusing the whole run.
RunContents read_run(const std::string& dir);

// Only config.json and results.json (no logs, no pictures): what export and
// inference need. Throws StoreError like read_run.
RunContents read_run_summary(const std::string& dir);

// The first-layer filter grid stored as PNG bytes, back at one pixel per
// weight; `name` for messages. Throws StoreError.
FilterGrid decode_filter_png(const std::string& png, const std::string& name, int tile, int columns, int rows);

}  // namespace alexnet
