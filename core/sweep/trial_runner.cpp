#include "sweep/trial_runner.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "errors.h"
#include "run/run_config.h"
#include "sweep/sweep_tensorboard.h"
#include "train/trainer.h"

namespace alexnet {
namespace fs = std::filesystem;

namespace {

// Passes everything on, keeping the last error for the trial's reason.
class ReasonKeeper : public TrainingObserver {
 public:
  explicit ReasonKeeper(TrainingObserver& next) : next_(next) {}
  void on_message(const std::string& text) override {
    if (text.rfind("error: ", 0) == 0) last_error = text.substr(7);
    next_.on_message(text);
  }
  void on_state(RunState s) override { next_.on_state(s); }
  void on_progress(const ProgressUpdate& u) override { next_.on_progress(u); }
  void on_result(const VariantResult& r) override { next_.on_result(r); }
  void on_finding(const Finding& f) override { next_.on_finding(f); }
  std::string last_error;

 private:
  TrainingObserver& next_;
};

nlohmann::json metrics_of(const std::vector<VariantResult>& results) {
  nlohmann::json m = nlohmann::json::object();
  for (const VariantResult& r : results) {
    m[r.variant] = {{"validation_accuracy", r.validation_accuracy},
                    {"validation_loss", r.validation_loss},
                    {"test_accuracy", r.test_accuracy},
                    {"test_loss", r.test_loss},
                    {"iterations", r.iterations},
                    {"diverged", r.diverged}};
  }
  return m;
}

void mark(const std::string& dir, int index, TrialState state, const std::string& reason) {
  update_sweep(dir, [&](Sweep& s) {
    s.trials[std::size_t(index)].state = state;
    s.trials[std::size_t(index)].reason = reason;
  });
}

// The trial's results at a stage: its metrics and training time, in sweep.json.
void record_results(TrialRecord& t, const std::vector<VariantResult>& results) {
  t.metrics = metrics_of(results);
  t.iterations = 0;
  t.seconds = 0;
  for (const VariantResult& r : results) {
    t.iterations = std::max(t.iterations, r.iterations);
    t.seconds += r.seconds;
  }
}

}  // namespace

TrialState run_trial(const std::string& dir, int index, int threads, TrainingObserver& observer,
                     const std::function<void(Trainer*)>& current) {
  const Sweep sweep = read_sweep(dir);
  if (index < 0 || std::size_t(index) >= sweep.trials.size()) {
    throw StoreError(dir + " has no trial " + std::to_string(index) + " (it has " +
                     std::to_string(sweep.trials.size()) + ")");
  }
  const TrialRecord& trial = sweep.trials[std::size_t(index)];
  if (trial.state == TrialState::Finished || trial.state == TrialState::Pruned || trial.state == TrialState::Failed)
    return trial.state;
  // No trial ever runs twice at once: this lock is held while it trains.
  std::unique_ptr<FolderLock> running;
  try {
    running = std::make_unique<FolderLock>(dir, trial_lock_name(trial), false);
  } catch (const StoreError&) {
    throw StoreError("trial " + std::to_string(index) + " of " + dir +
                     " is being run by another process now; a trial never runs twice at once");
  }
  mark(dir, index, TrialState::Running, "");
  const std::string run_dir = trial_dir(sweep, trial);
  ExperimentConfig config;
  try {
    config = trial_config(config_from_json(sweep.base), trial.settings);
  } catch (const std::exception& e) {
    mark(dir, index, TrialState::Failed, std::string("its settings are refused: ") + e.what());
    return TrialState::Failed;
  }
  config.out_dir = run_dir;
  const std::vector<std::int64_t> rungs = asha_rungs(sweep.asha, config.iterations);
  ReasonKeeper keeper(observer);
  for (;;) {
    // The next stage: the first rung not yet decided, or the end.
    std::int64_t decided = 0;
    const Sweep now = read_sweep(dir);  // held: a range-for over a temporary's member would dangle
    for (const RungResult& r : now.trials[std::size_t(index)].rungs) decided = std::max(decided, r.iteration);
    const auto next = std::find_if(rungs.begin(), rungs.end(), [&](std::int64_t r) { return r > decided; });
    const std::int64_t stop = next == rungs.end() ? -1 : *next;
    const bool resume = fs::exists(fs::path(run_dir) / "config.json");
    if (!resume) write_trial_start(sweep, trial);  // TensorBoard's HParams tab: this session's values
    ExperimentConfig stage = resume ? read_run_config(run_dir) : config;
    stage.threads = threads;
    Trainer trainer(stage, keeper, resume);
    if (stop >= 0) trainer.stop_at(stop, "paused at the ASHA rung of iteration " + std::to_string(stop));
    if (current) current(&trainer);
    const RunState state = trainer.run();
    if (current) current(nullptr);
    if (state == RunState::Failed) {
      mark(dir, index, TrialState::Failed, keeper.last_error.empty() ? "training failed" : keeper.last_error);
      return TrialState::Failed;
    }
    const std::vector<VariantResult> results = trainer.results();
    const std::int64_t reached =
        results.empty() ? 0 : std::max_element(results.begin(), results.end(), [](const auto& a, const auto& b) {
                                return a.iterations < b.iterations;
                              })->iterations;
    const bool at_stage_end = state == RunState::Finished || (stop >= 0 && reached >= stop);
    if (!at_stage_end) {
      // Stopped from outside (a signal, a cancelled task): it stays resumable.
      mark(dir, index, TrialState::Queued,
           "interrupted at iteration " + std::to_string(reached) + "; sweep --resume goes on from its checkpoint");
      return TrialState::Queued;
    }
    const auto ranked = std::find_if(results.begin(), results.end(),
                                     [&](const VariantResult& r) { return r.variant == sweep.variant; });
    if (ranked != results.end() && ranked->diverged) {
      update_sweep(dir, [&](Sweep& s) {
        TrialRecord& t = s.trials[std::size_t(index)];
        record_results(t, results);
        t.state = TrialState::Failed;
        t.reason = ranked->note;
      });
      write_trial_end(sweep, trial, false);
      return TrialState::Failed;
    }
    if (stop < 0) {
      update_sweep(dir, [&](Sweep& s) {
        TrialRecord& t = s.trials[std::size_t(index)];
        record_results(t, results);
        t.state = TrialState::Finished;
        t.reason.clear();
      });
      write_trial_end(sweep, trial, true);
      return TrialState::Finished;
    }
    // A rung: record the metric, then go on only among the best 1/reduction recorded there.
    bool promoted = true;
    update_sweep(dir, [&](Sweep& s) {
      TrialRecord& t = s.trials[std::size_t(index)];
      record_results(t, results);
      const double value = trial_value(s, t);
      t.rungs.erase(
          std::remove_if(t.rungs.begin(), t.rungs.end(), [&](const RungResult& r) { return r.iteration == stop; }),
          t.rungs.end());
      t.rungs.push_back({stop, std::isfinite(value) ? value : 0.0});
      std::vector<double> at_rung;
      for (const TrialRecord& other : s.trials) {
        for (const RungResult& r : other.rungs) {
          if (r.iteration == stop) at_rung.push_back(r.value);
        }
      }
      promoted = asha_promotes(at_rung, t.rungs.back().value, s.asha.reduction);
      if (!promoted) {
        t.state = TrialState::Pruned;
        t.pruned_at = stop;
        char value_text[32];
        std::snprintf(value_text, sizeof value_text, "%.2f %%", 100 * t.rungs.back().value);
        t.reason = "pruned at " + std::to_string(stop) + ": " + metric_name(s) + " " + value_text +
                   " is not among the best 1/" + std::to_string(s.asha.reduction) + " of the " +
                   std::to_string(at_rung.size()) + " trials at this rung";
      }
    });
    if (!promoted) return TrialState::Pruned;
  }
}

}  // namespace alexnet
