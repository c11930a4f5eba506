#include "sweep/sweep_summary.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace alexnet {

namespace {

std::string value_text(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// Groups of trials by the value of one parameter: exact values, or for a
// range three bins of (nearly) equal count, named by their bounds.
std::map<std::string, std::vector<double>> groups(const std::vector<std::pair<nlohmann::json, double>>& points,
                                                  bool continuous) {
  std::map<std::string, std::vector<double>> out;
  if (!continuous) {
    for (const auto& [v, m] : points) out[value_text(v)].push_back(m);
    return out;
  }
  std::vector<std::pair<double, double>> sorted;
  for (const auto& [v, m] : points) sorted.push_back({v.get<double>(), m});
  std::sort(sorted.begin(), sorted.end());
  const std::size_t n = sorted.size();
  for (int b = 0; b < 3; ++b) {
    const std::size_t from = n * std::size_t(b) / 3, to = n * std::size_t(b + 1) / 3;
    if (from >= to) continue;
    char name[96];
    std::snprintf(name, sizeof name, "%.3g..%.3g", sorted[from].first, sorted[to - 1].first);
    for (std::size_t i = from; i < to; ++i) out[name].push_back(sorted[i].second);
  }
  return out;
}

}  // namespace

SweepSummary summarise_sweep(const Sweep& sweep) {
  SweepSummary s;
  s.metric = metric_name(sweep);
  s.variant = sweep.variant;
  std::vector<const TrialRecord*> without;
  for (const TrialRecord& t : sweep.trials) {
    switch (t.state) {
      case TrialState::Queued:
        ++s.queued;
        break;
      case TrialState::Running:
        ++s.running;
        break;
      case TrialState::Finished:
        ++s.finished;
        break;
      case TrialState::Pruned:
        ++s.pruned;
        break;
      case TrialState::Failed:
        ++s.failed;
        break;
    }
    s.seconds += t.seconds;
    (std::isfinite(trial_value(sweep, t)) ? s.ranked : without).push_back(&t);
  }
  std::stable_sort(s.ranked.begin(), s.ranked.end(), [&](const TrialRecord* a, const TrialRecord* b) {
    return trial_value(sweep, *a) > trial_value(sweep, *b);
  });
  // The best among those that trained to the end (a pruned trial's figure is from fewer iterations).
  for (const TrialRecord* t : s.ranked) {
    if (t->state == TrialState::Finished) {
      s.best = t;
      break;
    }
  }
  s.ranked.insert(s.ranked.end(), without.begin(), without.end());
  // Each parameter's effect, over the finished trials (like against like).
  std::vector<std::pair<std::string, bool>> names;
  for (const SweepDimension& d : sweep.space.grid) names.push_back({d.name, false});
  for (const SweepDimension& d : sweep.space.random) names.push_back({d.name, d.kind != SweepDimension::Kind::Values});
  for (const auto& [name, continuous] : names) {
    std::vector<std::pair<nlohmann::json, double>> points;
    for (const TrialRecord& t : sweep.trials) {
      const double v = trial_value(sweep, t);
      if (t.state == TrialState::Finished && std::isfinite(v) && t.settings.contains(name))
        points.push_back({t.settings[name], v});
    }
    const auto g = groups(points, continuous);
    if (g.size() < 2) continue;
    ParameterEffect e;
    e.name = name;
    double hi = -1e300, lo = 1e300;
    for (const auto& [value, metrics] : g) {
      double mean = 0;
      for (double m : metrics) mean += m;
      mean /= double(metrics.size());
      if (mean > hi) hi = mean, e.best = value;
      if (mean < lo) lo = mean, e.worst = value;
    }
    e.spread = hi - lo;
    s.effects.push_back(e);
  }
  std::sort(s.effects.begin(), s.effects.end(),
            [](const ParameterEffect& a, const ParameterEffect& b) { return a.spread > b.spread; });
  return s;
}

}  // namespace alexnet
