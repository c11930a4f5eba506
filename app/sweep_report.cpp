#include "sweep_report.h"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "sweep/sweep_summary.h"

namespace alexnet::cli {

namespace {

std::string percent_cell(double v, int width) {
  char text[32];
  if (std::isfinite(v)) std::snprintf(text, sizeof text, "%*.2f %%", width - 2, 100 * v);
  else std::snprintf(text, sizeof text, "%*s", width, "-");
  return text;
}

}  // namespace

std::string sweep_table(const Sweep& sweep) {
  const SweepSummary s = summarise_sweep(sweep);
  std::ostringstream o;
  o << "sweep " << sweep.dir << ": " << sweep.trials.size() << " trials (" << s.finished << " finished, " << s.pruned
    << " pruned, " << s.failed << " failed, " << s.running << " running, " << s.queued << " queued), ranked by "
    << s.variant << "'s " << s.metric;
  if (sweep.asha.on) o << "; ASHA, reduction " << sweep.asha.reduction;
  if (!sweep.slurm_job.empty()) o << "; Slurm job array " << sweep.slurm_job;
  o << "\n";
  char line[256];
  std::snprintf(line, sizeof line, "%5s  %-8s  %10s  %10s  %10s  %8s  %s\n", "trial", "state", "validation", "test",
                "iterations", "seconds", "settings");
  o << line;
  for (const TrialRecord* t : s.ranked) {
    std::string settings = describe_settings(t->settings);
    if (t->state == TrialState::Pruned || t->state == TrialState::Failed) settings += "  (" + t->reason + ")";
    std::snprintf(line, sizeof line, "%5d  %-8s  %10s  %10s  %10lld  %8.1f  ", t->trial,
                  trial_state_name(t->state).c_str(),
                  percent_cell(trial_metric(*t, s.variant, "validation_accuracy"), 10).c_str(),
                  percent_cell(trial_metric(*t, s.variant, "test_accuracy"), 10).c_str(),
                  static_cast<long long>(t->iterations), t->seconds);
    o << line << settings << "\n";
  }
  if (s.best) {
    o << "best: trial " << s.best->trial << " (" << describe_settings(s.best->settings) << "): " << s.metric << " "
      << percent_cell(trial_value(sweep, *s.best), 0) << "\n";
  } else {
    o << "best: none yet (no trial has finished)\n";
  }
  if (!s.effects.empty()) {
    o << "what matters (the spread of the mean " << s.metric << " across each parameter's values, finished trials):\n";
    for (const ParameterEffect& e : s.effects) {
      std::snprintf(line, sizeof line, "  %-24s %6.2f points  (best %s, worst %s)\n", e.name.c_str(), 100 * e.spread,
                    e.best.c_str(), e.worst.c_str());
      o << line;
    }
  }
  char hours[64];
  std::snprintf(hours, sizeof hours, "%.1f", s.seconds / 60);
  o << "training time of all trials: " << hours << " min\n";
  return o.str();
}

nlohmann::json sweep_json(const Sweep& sweep) {
  const SweepSummary s = summarise_sweep(sweep);
  nlohmann::json trials = nlohmann::json::array();
  for (const TrialRecord* t : s.ranked) {
    nlohmann::json metrics = t->metrics.contains(s.variant) ? t->metrics[s.variant] : nlohmann::json::object();
    metrics["seconds"] = t->seconds;
    trials.push_back({{"trial", t->trial},
                      {"run", t->run},
                      {"state", trial_state_name(t->state)},
                      {"settings", t->settings},
                      {"metrics", metrics},
                      {"reason", t->reason},
                      {"pruned_at", t->pruned_at < 0 ? nlohmann::json(nullptr) : nlohmann::json(t->pruned_at)}});
  }
  nlohmann::json effects = nlohmann::json::array();
  for (const ParameterEffect& e : s.effects)
    effects.push_back({{"name", e.name}, {"spread", e.spread}, {"best", e.best}, {"worst", e.worst}});
  return {{"sweep", sweep.dir},
          {"variant", s.variant},
          {"metric", s.metric},
          {"trials", trials},
          {"best",
           s.best ? nlohmann::json{{"trial", s.best->trial}, {"settings", s.best->settings}} : nlohmann::json(nullptr)},
          {"effects", effects}};
}

}  // namespace alexnet::cli
