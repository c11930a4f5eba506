// Several runs side by side: their results per (run, variant), and the
// settings that differ between them, read from config.json, results.json and
// metrics.csv alone (no pictures), so that comparing is quick.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "run/run_reader.h"

namespace alexnet {

struct ComparedRun {
  std::string name;  // the folder's name (with its parent's when two share a name)
  RunContents run;   // config, results and records; no probes
};

struct Comparison {
  std::vector<ComparedRun> runs;
  std::vector<std::string> variants;     // compared, in first-seen order (or as asked)
  std::vector<std::string> differences;  // "schedule: warmup-cosine | constant", one per differing setting
  bool different_data = false;           // the runs trained on different data sets
};

// One row of the results side by side: a variant of a run.
struct ComparisonRow {
  std::string run, dir, variant, data;
  bool evaluated = false;  // false: no test results (the run did not get that far)
  double test_loss = 0, test_accuracy = 0, seconds = 0;
  std::int64_t iterations = 0;
};

// Throws StoreError naming a folder that is not a readable run, or fewer than
// two runs; std::invalid_argument for a variant that is in none of them.
Comparison compare_runs(const std::vector<std::string>& dirs, const std::vector<std::string>& variants = {});

// Adds each run's probes (from probes.jsonl: dead fractions and histograms, no
// filter pictures) for the dead-unit plot across runs. Damaged lines become
// the run's warnings.
void read_compared_probes(Comparison& comparison);

// A row per run and compared variant that the run has, runs in order.
std::vector<ComparisonRow> comparison_rows(const Comparison& comparison);

// run  variant  data  test_loss  test_accuracy  iterations  seconds  (one row per run and variant)
std::string comparison_table(const Comparison& comparison);
nlohmann::json comparison_json(const Comparison& comparison);

}  // namespace alexnet
