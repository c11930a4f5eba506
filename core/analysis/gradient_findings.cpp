#include "analysis/gradient_findings.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include <nlohmann/json.hpp>

#include "analysis/finding_words.h"

namespace alexnet {

namespace {

// Thresholds against the fault benchmark and healthy runs (docs/findings.md).
// A healthy run's layers take steps of 1e-4 to 4e-3 of their weights, and no
// layer's gradient is under a tenth of the largest one's.
// A layer's gradient norm this many times its first measurement, and above
// the largest gradient any layer had at the start: a vanished gradient that
// wobbles from 1e-9 to 1e-5 has grown ten-thousandfold without exploding.
constexpr double kExplodingFactor = 1000;
constexpr double kVanishingShare = 1e-2;   // a layer's gradient norm under 1 % of the largest layer's
constexpr double kVanishedShare = 1e-5;    // ... under this (or zero everywhere): a problem
constexpr double kHighUpdateRatio = 0.05;  // the median layer moves 5 % of its weights in one step
constexpr double kLowUpdateRatio = 1e-5;   // the largest step of any layer under 1e-5 of its weights
constexpr double kHealthyUpdateRatio = 1e-3;
constexpr double kFullRateShare = 0.5;  // lr_too_low judges records at >= half the run's largest rate
constexpr int kVanishingRecords = 3;    // a state must hold at this many records in a row
constexpr int kHighRateRecords = 2;
constexpr int kLowRateRecords = 3;

// Finite values of one field over a record's layers.
std::vector<double> finite(const GradientRecord& g, double LayerGradient::*field) {
  std::vector<double> values;
  for (const LayerGradient& l : g.layers) {
    if (std::isfinite(l.*field)) values.push_back(l.*field);
  }
  return values;
}

double median(std::vector<double> v) {
  if (v.empty()) return std::nan("");
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

// The longest (then latest) stretch of consecutive records where `holds`,
// at least `needed` long: [first, last] indices, or {-1, -1}.
std::pair<int, int> stretch(std::size_t n, int needed, const std::function<bool(std::size_t)>& holds) {
  std::pair<int, int> best{-1, -1};
  int start = -1;
  for (std::size_t i = 0; i <= n; ++i) {
    if (i < n && holds(i)) {
      if (start < 0) start = int(i);
      continue;
    }
    if (start >= 0 && int(i) - start >= needed && int(i) - start >= best.second - best.first + 1) {
      best = {start, int(i) - 1};
    }
    start = -1;
  }
  return best;
}

nlohmann::json steadier_steps(const FindingsContext& c) {
  nlohmann::json repairs = nlohmann::json::array({{{"lr", round_rate(c.learning_rate / 10)}}});
  if (c.optimizer == "sgd" && c.momentum > 0.95) repairs.push_back({{"momentum", 0.9}});
  if (c.schedule == "constant") repairs.push_back({{"schedule", "warmup-linear"}});
  return repairs;
}

void exploding(const FindingsContext& c, const std::string& variant, const std::vector<GradientRecord>& g,
               std::vector<Finding>& out) {
  std::vector<double> first;  // each layer's first finite, non-zero gradient norm
  for (const GradientRecord& r : g) {
    for (std::size_t k = 0; k < r.layers.size(); ++k) {
      if (first.size() <= k) first.resize(k + 1, 0);
      const double norm = r.layers[k].gradient_norm;
      if (first[k] == 0 && std::isfinite(norm) && norm > 0) first[k] = norm;
    }
  }
  const double largest_first = first.empty() ? 0.0 : *std::max_element(first.begin(), first.end());
  std::int64_t from = -1, to = -1;
  std::string evidence, layer;
  for (const GradientRecord& r : g) {
    for (std::size_t k = 0; k < r.layers.size(); ++k) {
      const LayerGradient& l = r.layers[k];
      const bool blown =
          !std::isfinite(l.gradient_norm) ||
          (first[k] > 0 && l.gradient_norm >= kExplodingFactor * first[k] && l.gradient_norm > largest_first);
      if (!blown) continue;
      if (from < 0) {
        from = r.iteration;
        layer = l.layer;
        evidence = std::isfinite(l.gradient_norm)
                       ? l.layer + ": gradient norm " + scientific(l.gradient_norm) + " at iteration " +
                             count(r.iteration) + ", " + count(std::int64_t(l.gradient_norm / first[k])) +
                             " times its first measurement (" + scientific(first[k]) + ")"
                       : l.layer + ": the gradient became " + (std::isnan(l.gradient_norm) ? "NaN" : "infinite") +
                             " at iteration " + count(r.iteration);
      }
      to = r.iteration;
    }
  }
  if (from < 0) return;
  const nlohmann::json repairs = steadier_steps(c);
  out.push_back(make_finding(finding_kind::kExplodingGradient, variant, layer, from, to, Severity::Problem,
                             evidence + (to > from ? "; it stayed so until " + count(to) : ""),
                             "the steps grow without bound: " + describe_repairs(repairs), repairs));
}

void vanishing(const FindingsContext& c, const std::string& variant, const std::vector<GradientRecord>& g,
               std::vector<Finding>& out) {
  // How many layers from the input up get under kVanishingShare of the largest gradient (all when none has any).
  std::vector<std::size_t> depth(g.size(), 0);
  std::vector<double> largest(g.size(), 0);
  for (std::size_t i = 0; i < g.size(); ++i) {
    const std::vector<double> norms = finite(g[i], &LayerGradient::gradient_norm);
    if (norms.size() != g[i].layers.size() || norms.empty()) continue;
    largest[i] = *std::max_element(norms.begin(), norms.end());
    std::size_t d = 0;
    while (d < norms.size() && norms[d] <= kVanishingShare * largest[i]) ++d;
    depth[i] = largest[i] == 0 ? norms.size() : d;
  }
  const auto [a, b] = stretch(g.size(), kVanishingRecords, [&](std::size_t i) { return depth[i] > 0; });
  if (a < 0) return;
  std::size_t d = g[a].layers.size();
  bool none_anywhere = true;
  double worst_share = 1;
  for (int i = a; i <= b; ++i) {
    d = std::min(d, depth[i]);
    none_anywhere = none_anywhere && largest[i] == 0;
    if (largest[i] > 0) worst_share = std::min(worst_share, g[i].layers[0].gradient_norm / largest[i]);
  }
  const std::vector<LayerGradient>& layers = g[b].layers;
  const bool relu = c.activations.count(variant) && c.activations.at(variant) == "relu";
  const nlohmann::json repairs = learning_repairs(c, variant, relu);
  const std::string span = "from iteration " + count(g[a].iteration) + " to " + count(g[b].iteration);
  std::string evidence;
  if (none_anywhere) {
    evidence = "no gradient reaches any layer: every gradient norm is 0 " + span +
               " (the units before the loss are dead, or its output cannot move it)";
  } else {
    const auto top = std::max_element(layers.begin(), layers.end(), [](const LayerGradient& x, const LayerGradient& y) {
      return x.gradient_norm < y.gradient_norm;
    });
    const std::string which = d == 1 ? layers[0].layer : layers[0].layer + " to " + layers[d - 1].layer;
    evidence = which + ": gradient norms under " + percent(kVanishingShare) + " of " + top->layer + "'s (" +
               scientific(top->gradient_norm) + " at iteration " + count(g[b].iteration) + "; " + layers[0].layer +
               " " + scientific(layers[0].gradient_norm) + ") " + span +
               "; the layers near the input learn next to nothing";
  }
  const Severity severity = none_anywhere || worst_share <= kVanishedShare ? Severity::Problem : Severity::Warning;
  out.push_back(make_finding(finding_kind::kVanishingGradient, variant, layers[d - 1].layer, g[a].iteration,
                             g[b].iteration, severity, evidence, describe_repairs(repairs), repairs));
}

void rate_too_high(const FindingsContext& c, const std::string& variant, const std::vector<GradientRecord>& g,
                   std::vector<Finding>& out) {
  std::vector<double> ratio(g.size());
  for (std::size_t i = 0; i < g.size(); ++i) ratio[i] = median(finite(g[i], &LayerGradient::update_ratio));
  const auto [a, b] = stretch(g.size(), kHighRateRecords, [&](std::size_t i) { return ratio[i] > kHighUpdateRatio; });
  if (a < 0) return;
  const double peak = *std::max_element(ratio.begin() + a, ratio.begin() + b + 1);
  nlohmann::json repairs = nlohmann::json::array();
  // A heavy weight decay shrinks every weight each step, whatever the gradient says.
  if (c.weight_decay >= 0.01) repairs.push_back({{"weight-decay", 0.0005}});
  for (const auto& r : steadier_steps(c)) repairs.push_back(r);
  out.push_back(make_finding(
      finding_kind::kLrTooHigh, variant, "", g[a].iteration, g[b].iteration, Severity::Warning,
      "each step changes the weights by a median " + percent(ratio[a]) + " of their size (up to " + percent(peak) +
          ") from iteration " + count(g[a].iteration) + " to " + count(g[b].iteration) +
          "; healthy runs change them by about " + number(100 * kHealthyUpdateRatio, 1) + " %",
      "the learning rate (or weight decay) is too large for these weights: " + describe_repairs(repairs), repairs));
}

void rate_too_low(const FindingsContext& c, const std::string& variant, const std::vector<RecordPoint>& records,
                  const std::vector<GradientRecord>& g, std::vector<Finding>& out) {
  // The rate each measurement was taken at, and the largest so far: a schedule's tail is not a fault.
  std::vector<double> largest(g.size(), std::nan("")), rate(g.size(), std::nan(""));
  double top_rate = 0;
  std::size_t r = 0;
  for (std::size_t i = 0; i < g.size(); ++i) {
    while (r < records.size() && records[r].iteration <= g[i].iteration) {
      top_rate = std::max(top_rate, records[r].learning_rate);
      if (records[r].iteration == g[i].iteration) rate[i] = records[r].learning_rate;
      ++r;
    }
    const std::vector<double> ratios = finite(g[i], &LayerGradient::update_ratio);
    if (!ratios.empty() && rate[i] >= kFullRateShare * top_rate && rate[i] > 0)
      largest[i] = *std::max_element(ratios.begin(), ratios.end());
  }
  const auto [a, b] = stretch(g.size(), kLowRateRecords, [&](std::size_t i) { return largest[i] < kLowUpdateRatio; });
  if (a < 0) return;
  double step = 0;
  for (int i = a; i <= b; ++i) step = std::max(step, largest[i]);
  const double factor = std::clamp(kHealthyUpdateRatio / std::max(step, 1e-12), 10.0, 1e4);
  const nlohmann::json repairs = nlohmann::json::array({{{"lr", round_rate(c.learning_rate * factor)}}});
  out.push_back(make_finding(finding_kind::kLrTooLow, variant, "", g[a].iteration, g[b].iteration, Severity::Warning,
                             "no layer's step moves its weights by more than " + scientific(step) +
                                 " of their size from iteration " + count(g[a].iteration) + " to " +
                                 count(g[b].iteration) + " (healthy runs: about " + scientific(kHealthyUpdateRatio) +
                                 "); training barely moves",
                             "the learning rate is too small: " + describe_repairs(repairs), repairs));
}

}  // namespace

std::vector<Finding> detect_gradient_findings(const FindingsContext& context, const std::string& variant,
                                              const std::vector<RecordPoint>& records,
                                              const std::vector<GradientRecord>& gradients) {
  std::vector<Finding> out;
  if (gradients.empty()) return out;
  exploding(context, variant, gradients, out);
  vanishing(context, variant, gradients, out);
  rate_too_high(context, variant, gradients, out);
  rate_too_low(context, variant, records, gradients, out);
  return out;
}

}  // namespace alexnet
