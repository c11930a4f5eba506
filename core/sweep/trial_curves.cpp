#include "sweep/trial_curves.h"

#include <filesystem>

#include "run/run_paths.h"
#include "run/run_reader.h"
#include "sweep/sweep_summary.h"

namespace alexnet {

namespace {

// The records of `variant` in the trial's run folder (none yet: an empty curve).
TrialCurve read_curve(const Sweep& sweep, const TrialRecord& trial, std::vector<std::string>& warnings) {
  TrialCurve curve;
  curve.trial = trial.trial;
  curve.state = trial.state;
  curve.settings = describe_settings(trial.settings);
  const std::string run_dir = (std::filesystem::path(sweep.dir) / trial.run).string();
  try {
    if (!run_file_exists(run_dir, "metrics.csv")) return curve;
    RunContents run;
    const std::string path = (std::filesystem::path(run_dir) / "metrics.csv").string();
    parse_metrics(read_run_file(run_dir, "metrics.csv"), path, run);
    for (const RecordPoint& r : run.records) {
      if (r.variant != sweep.variant) continue;
      curve.iterations.push_back(r.iteration);
      curve.losses.push_back(r.train_loss);
    }
  } catch (const std::exception& e) {
    warnings.push_back(trial.run + ": " + e.what());
  }
  return curve;
}

}  // namespace

TrialCurves read_trial_curves(const Sweep& sweep, std::size_t limit) {
  TrialCurves found;
  for (const TrialRecord& t : sweep.trials) {
    if (t.state == TrialState::Running) found.curves.push_back(read_curve(sweep, t, found.warnings));
  }
  found.running = !found.curves.empty();
  if (found.running) return found;
  for (const TrialRecord* t : summarise_sweep(sweep).ranked) {
    if (found.curves.size() >= limit) break;
    TrialCurve curve = read_curve(sweep, *t, found.warnings);
    if (!curve.iterations.empty()) found.curves.push_back(std::move(curve));
  }
  return found;
}

}  // namespace alexnet
