#include "analysis/findings_engine.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "analysis/finding_words.h"
#include "analysis/gradient_findings.h"
#include "run/run_reader.h"

namespace alexnet {

namespace {

// Thresholds, each chosen against the fault benchmark and healthy runs
// (docs/findings.md gives the figures).
constexpr double kDeadWarning = 0.5;  // half a layer's units dead on the probe set
constexpr double kDeadProblem = 0.9;
constexpr double kSaturatedWarning = 0.5;
constexpr double kSaturatedProblem = 0.9;
constexpr int kConsecutiveProbes = 2;        // a layer state must hold at two probes in a row
constexpr double kStartingLevelBand = 0.08;  // |loss - ln C| within 8 % of ln C: not learning
constexpr std::int64_t kNotLearningIterations = 300;
constexpr double kBlowUpFactor = 3.0;             // loss three times its best so far (and 2 above it): diverged
constexpr double kOverfitRise = 0.10;             // validation loss 10 % above its minimum (and 0.05 above)
constexpr double kChanceFactor = 1.5;             // validation accuracy under 1.5 / C: near chance
constexpr double kMemorisedLoss = 0.5;            // training loss under half of ln C
constexpr int kOscillationWindow = 8;             // records
constexpr double kOscillationSwing = 0.15;        // mean |change| between records, relative to the loss
constexpr double kImbalanceRatio = 3.0;           // the largest class over the smallest
constexpr std::int64_t kFewImagesPerClass = 100;  // fewer in some class: a set small enough to memorise
constexpr double kPlateauShare = 0.4;             // no progress for 40 % of the run ...
constexpr std::int64_t kPlateauIterations = 500;  // ... and at least this many iterations

bool same_content(const Finding& a, const Finding& b) {
  return same_finding(a, b) && a.last_iteration == b.last_iteration && a.severity == b.severity &&
         a.evidence == b.evidence && a.suggestion == b.suggestion && a.settings == b.settings;
}

double smoothed_loss(const std::vector<RecordPoint>& r, std::size_t i) {
  // Three records centred on i, fewer at the ends: the noise of one record is not a trend.
  double sum = 0;
  int n = 0;
  for (std::size_t k = i == 0 ? 0 : i - 1; k <= i + 1 && k < r.size(); ++k) {
    sum += r[k].train_loss;
    ++n;
  }
  return sum / n;
}

// The training loss of the last record at or before `iteration` (NaN without one).
double loss_at(const std::vector<RecordPoint>& r, std::int64_t iteration) {
  double loss = std::numeric_limits<double>::quiet_NaN();
  for (const RecordPoint& p : r) {
    if (p.iteration > iteration) break;
    loss = p.train_loss;
  }
  return loss;
}

}  // namespace

std::string severity_name(Severity s) {
  switch (s) {
    case Severity::Info:
      return "info";
    case Severity::Warning:
      return "warning";
    case Severity::Problem:
      return "problem";
  }
  return "info";
}

Severity severity_from_name(const std::string& name) {
  if (name == "info") return Severity::Info;
  if (name == "warning") return Severity::Warning;
  if (name == "problem") return Severity::Problem;
  throw std::invalid_argument("unknown severity \"" + name + "\" (expected info, warning or problem)");
}

FindingsContext findings_context(const ExperimentConfig& config, const std::vector<std::int64_t>& train_class_counts,
                                 const std::vector<std::string>& class_names) {
  FindingsContext c;
  c.classes = config.variants.empty() ? int(class_names.size()) : config.variants.front().classes;
  if (c.classes < 2) c.classes = std::max<int>(2, int(class_names.size()));
  c.iterations = config.iterations;
  c.learning_rate = config.learning_rate;
  c.optimizer = optimizer_name(config.optimizer);
  c.init = init_scheme_name(config.init);
  c.schedule = schedule_name(config.schedule);
  c.momentum = config.momentum;
  c.weight_decay = config.weight_decay;
  c.batch_size = config.batch_size;
  for (const VariantSpec& v : config.variants) c.activations[v.name] = activation_name(v.activation);
  c.train_class_counts = train_class_counts;
  c.class_names = class_names;
  return c;
}

FindingsEngine::FindingsEngine(FindingsContext context) : context_(std::move(context)) {}

FindingsEngine::History& FindingsEngine::history(const std::string& variant) {
  if (!histories_.count(variant)) order_.push_back(variant);
  return histories_[variant];
}

std::vector<Finding> FindingsEngine::start() {
  const std::vector<std::int64_t>& counts = context_.train_class_counts;
  if (counts.size() < 2) return {};
  std::vector<Finding> found;
  const auto [lo, hi] = std::minmax_element(counts.begin(), counts.end());
  auto name = [&](std::size_t k) {
    const std::string given = k < context_.class_names.size() ? context_.class_names[k] : std::to_string(k);
    const bool number = !given.empty() && given.find_first_not_of("0123456789") == std::string::npos;
    return number ? "class " + given : given;  // an IDX set's classes are named by their ids
  };
  const std::size_t small = std::size_t(lo - counts.begin()), large = std::size_t(hi - counts.begin());
  if (double(*hi) >= kImbalanceRatio * double(std::max<std::int64_t>(*lo, 1))) {
    found.push_back(make_finding(
        finding_kind::kClassImbalance, "", "", 0, 0, Severity::Warning,
        "the training labels are unbalanced: " + name(large) + " has " + count(*hi) + " images, " + name(small) + " " +
            count(*lo) + " (" + number(double(*hi) / double(std::max<std::int64_t>(*lo, 1)), 1) +
            " times fewer); accuracy then rewards guessing the large classes",
        "balance the classes (more pictures of the small ones, or fewer of the large), and judge the "
        "run by its confusion matrix rather than its accuracy",
        nlohmann::json::array()));
  }
  std::int64_t total = 0;
  for (std::int64_t n : counts) total += n;
  if (*lo < kFewImagesPerClass && total > 0) {
    const double epochs = double(context_.iterations) * double(context_.batch_size) / double(total);
    found.push_back(make_finding(finding_kind::kSmallTrainingSet, "", "", 0, 0, Severity::Warning,
                                 "the training split is small: " + count(total) + " images, " + count(*lo) + " of " +
                                     name(small) + "; the run sees each image about " + number(epochs, 0) +
                                     " times, enough to learn them by heart rather than the task",
                                 "more pictures per class, or augmentation; hold fewer out for validation",
                                 nlohmann::json::array({{{"augment", true}}})));
  }
  return merge(found);
}

std::vector<Finding> FindingsEngine::on_record(const RecordPoint& point) {
  now_ = std::max(now_, point.iteration);
  history(point.variant).records.push_back(point);
  return merge(detect(point.variant));
}

std::vector<Finding> FindingsEngine::on_probe(const ProbeResult& probe) {
  now_ = std::max(now_, probe.iteration);
  ProbePoint p;
  p.iteration = probe.iteration;
  p.validation_loss = probe.validation_loss;
  p.validation_accuracy = probe.validation_accuracy;
  for (const LayerProbe& l : probe.layers) p.layers.push_back({l.name, l.units, l.dead_fraction, l.saturated_fraction});
  History& h = history(probe.variant);
  if (!context_.activations.count(probe.variant)) context_.activations[probe.variant] = probe.activation;
  h.probes.push_back(std::move(p));
  return merge(detect(probe.variant));
}

std::vector<Finding> FindingsEngine::on_gradients(const GradientRecord& gradients) {
  now_ = std::max(now_, gradients.iteration);
  history(gradients.variant).gradients.push_back(gradients);
  return merge(detect(gradients.variant));
}

std::vector<Finding> FindingsEngine::on_divergence(const std::string& variant, std::int64_t iteration,
                                                   const std::string& what) {
  History& h = history(variant);
  if (h.diverged_at) return {};
  now_ = std::max(now_, iteration);
  h.diverged_at = iteration;
  h.diverged_what = what;
  return merge(detect(variant));
}

std::vector<Finding> FindingsEngine::on_result(const VariantResult& result) {
  History& h = history(result.variant);
  h.result = result;
  if (result.diverged && !h.diverged_at) {
    std::int64_t at = result.diverged_at >= 0 ? result.diverged_at : result.iterations + 1;
    // Runs made before results.json stored it: the trainer's note says it
    // ("diverged: the loss became NaN at iteration 57; ...").
    const std::size_t k = result.note.find("at iteration ");
    if (result.diverged_at < 0 && k != std::string::npos) at = std::strtoll(result.note.c_str() + k + 13, nullptr, 10);
    h.diverged_at = at;
    h.diverged_what = result.note.find("infinite") != std::string::npos ? "infinite" : "NaN";
  }
  return merge(detect(result.variant));
}

std::vector<Finding> FindingsEngine::finish() {
  std::vector<Finding> current;
  for (const std::string& v : order_) {
    for (Finding& f : detect(v)) current.push_back(std::move(f));
  }
  // How the variants relate: who reaches a common loss first, and what a smaller one gives up.
  struct Reach {
    std::string variant;
    std::int64_t at = -1;
  };
  // Comparisons between variants that learned: a stuck or diverged one reaches nothing worth comparing.
  std::vector<const std::string*> healthy;  // learned, with records enough to compare curves
  std::set<std::string> learned;
  for (const std::string& v : order_) {
    const History& h = histories_.at(v);
    const bool troubled = std::any_of(current.begin(), current.end(), [&](const Finding& f) {
      return f.variant == v && f.severity == Severity::Problem;
    });
    if (h.diverged_at || troubled) continue;
    learned.insert(v);
    if (h.records.size() >= 3) healthy.push_back(&v);
  }
  if (healthy.size() >= 2) {
    double start = 0, level = 0;
    for (const std::string* v : healthy) {
      const auto& r = histories_.at(*v).records;
      double best = r.front().train_loss;
      for (const RecordPoint& p : r) best = std::min(best, p.train_loss);
      start = std::max(start, r.front().train_loss);
      level = std::max(level, best);  // every variant reaches the worst variant's best
    }
    const double target = level + 0.25 * (start - level);
    std::vector<Reach> reached;
    for (const std::string* v : healthy) {
      for (const RecordPoint& p : histories_.at(*v).records) {
        if (p.train_loss <= target) {
          reached.push_back({*v, p.iteration});
          break;
        }
      }
    }
    if (reached.size() == healthy.size() && target < start) {
      std::sort(reached.begin(), reached.end(), [](const Reach& a, const Reach& b) { return a.at < b.at; });
      if (double(reached.back().at) >= 1.3 * double(std::max<std::int64_t>(reached.front().at, 1))) {
        std::vector<std::string> fastest;
        for (const Reach& r : reached) {
          if (r.at == reached.front().at) fastest.push_back(r.variant);
        }
        std::string text;
        for (std::size_t i = 0; i < fastest.size(); ++i) {
          text += (i ? (i + 1 == fastest.size() ? " and " : ", ") : "") + fastest[i];
        }
        text += std::string(fastest.size() == 1 ? " learns" : " learn") + " fastest: training loss " +
                number(target, 2) + " reached by ";
        for (std::size_t i = 0; i < reached.size(); ++i) {
          text += (i ? (i + 1 == reached.size() ? " and " : ", ") : "") + reached[i].variant + " at " +
                  count(reached[i].at);
        }
        current.push_back(make_finding(finding_kind::kComparison, reached.front().variant, "", reached.front().at,
                                       reached.back().at, Severity::Info, text, "", nlohmann::json::array()));
      }
    }
  }
  // A variant with at most half the parameters of others and within a point of their test accuracy.
  for (const std::string& a : order_) {
    const History& ha = histories_.at(a);
    if (!learned.count(a) || !ha.result || ha.result->diverged || ha.result->parameters <= 0) continue;
    std::string against;
    double share = 0;
    std::int64_t smallest_larger = 0;
    int larger = 0;
    for (const std::string& b : order_) {
      const History& hb = histories_.at(b);
      if (a == b || !learned.count(b) || !hb.result || hb.result->diverged || hb.result->parameters <= 0) continue;
      const double part = double(ha.result->parameters) / double(hb.result->parameters);
      const double gap = 100 * (hb.result->test_accuracy - ha.result->test_accuracy);
      if (part > 0.5 || gap > 1.0) continue;
      if (!against.empty()) against += " and ";
      against += gap <= 0 ? number(-gap, 2) + " points above " + b + "'s"
                          : "within " + number(gap, 2) + " points of " + b + "'s";
      if (part > share) {
        share = part;
        smallest_larger = hb.result->parameters;
      }
      ++larger;
    }
    if (larger == 0) continue;
    current.push_back(make_finding(finding_kind::kComparison, a, "", ha.result->iterations, ha.result->iterations,
                                   Severity::Info,
                                   a + " is " + against + " test accuracy with 1/" + number(1 / share, 0) + " of " +
                                       (larger == 1 ? "its" : "their") + " parameters (" +
                                       count(ha.result->parameters) + " against " + count(smallest_larger) + ")",
                                   "", nlohmann::json::array()));
  }
  return merge(current);
}

std::vector<Finding> FindingsEngine::merge(const std::vector<Finding>& current) {
  std::vector<Finding> changed;
  for (const Finding& f : current) {
    auto it = std::find_if(findings_.begin(), findings_.end(), [&](const Finding& g) { return same_finding(f, g); });
    if (it == findings_.end()) {
      findings_.push_back(f);
      if (f.found_iteration < 0) findings_.back().found_iteration = now_;
      changed.push_back(findings_.back());
    } else if (!same_content(*it, f)) {
      const std::int64_t found = it->found_iteration;
      *it = f;
      it->found_iteration = found;
      changed.push_back(*it);
    }
  }
  return changed;
}

std::vector<Finding> FindingsEngine::detect(const std::string& variant) const {
  const History& h = histories_.at(variant);
  const FindingsContext& c = context_;
  const double chance_loss = std::log(double(c.classes));
  const auto activation_it = c.activations.find(variant);
  const std::string activation = activation_it == c.activations.end() ? "" : activation_it->second;
  const bool relu = activation == "relu";
  std::vector<Finding> out;

  // diverged: a NaN or infinite loss, or the loss far above its best.
  if (h.diverged_at) {
    nlohmann::json repairs = nlohmann::json::array({{{"lr", round_rate(c.learning_rate / 10)}}});
    if (c.optimizer == "sgd" && c.momentum > 0.95) repairs.push_back({{"momentum", 0.9}});
    if (c.schedule == "constant") repairs.push_back({{"schedule", "warmup-linear"}});
    out.push_back(make_finding(finding_kind::kDiverged, variant, "", *h.diverged_at, *h.diverged_at, Severity::Problem,
                               "the training loss became " + h.diverged_what + " at iteration " +
                                   count(*h.diverged_at) + "; the variant was stopped there",
                               "the steps are too large for this network: " + describe_repairs(repairs), repairs));
    out.back().found_iteration = *h.diverged_at;  // the trainer checks every step's loss
  }
  {
    std::int64_t first = -1, last = -1;
    double worst = 0, best_then = 0;
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < h.records.size(); ++i) {
      const double loss = h.records[i].train_loss;
      if (i >= 2 && loss > std::max(kBlowUpFactor * best, best + 2.0)) {
        if (first < 0) first = h.records[i].iteration;
        last = h.records[i].iteration;
        if (loss > worst) {
          worst = loss;
          best_then = best;
        }
      }
      best = std::min(best, loss);
    }
    if (first >= 0 && !h.diverged_at) {
      nlohmann::json repairs = nlohmann::json::array({{{"lr", round_rate(c.learning_rate / 10)}}});
      out.push_back(make_finding(finding_kind::kDiverged, variant, "", first, last, Severity::Problem,
                                 "the training loss rose to " + number(worst, 2) + " from iteration " + count(first) +
                                     ", far above its best of " + number(best_then, 2),
                                 "the steps are too large: " + describe_repairs(repairs), repairs));
    }
  }

  // not_learning: the loss never leaves its starting level (for a network that
  // guesses every class alike that is ln C; a randomly initialised one starts
  // wherever its first logits put it), or goes back to ln C later.
  {
    const double band = kStartingLevelBand * chance_loss;
    auto near_chance = [&](double loss) { return std::abs(loss - chance_loss) <= band; };
    auto validation_between = [&](std::int64_t from, std::int64_t to) {
      std::string text;
      for (const ProbePoint& p : h.probes) {
        if (p.iteration > from && p.iteration <= to && std::isfinite(p.validation_accuracy)) {
          text = "; validation accuracy " + number(100 * p.validation_accuracy, 1) + " % at " + count(p.iteration);
        }
      }
      return text;
    };
    const nlohmann::json repairs = learning_repairs(c, variant, relu);
    std::size_t start_end = 0;  // records of the episode from the start (0: none)
    if (!h.records.empty()) {
      const double first = h.records.front().train_loss;
      std::size_t j = 0;
      while (j + 1 < h.records.size() && h.records[j + 1].train_loss >= (1 - kStartingLevelBand) * first) ++j;
      const std::int64_t to = h.records[j].iteration;
      if (j + 1 >= 3 && to >= kNotLearningIterations) {
        start_end = j + 1;
        double mean = 0;
        for (std::size_t k = 0; k <= j; ++k) mean += h.records[k].train_loss;
        mean /= double(j + 1);
        std::string evidence = "the training loss never left its starting level: " + number(first, 2) +
                               " at iteration " + count(h.records.front().iteration) + ", " +
                               number(h.records[j].train_loss, 2) + " at " + count(to);
        if (near_chance(mean)) {
          evidence += ", flat at " + number(mean, 2) + " ≈ ln " + std::to_string(c.classes) + " = " +
                      number(chance_loss, 2) + " (a network that guesses every class alike)";
        } else {
          evidence += " (never 8 % below its first record)";
        }
        evidence += validation_between(0, to);
        out.push_back(make_finding(finding_kind::kNotLearning, variant, "", 0, to, Severity::Problem, evidence,
                                   describe_repairs(repairs), repairs));
      }
    }
    std::size_t i = start_end;
    while (i < h.records.size()) {
      if (!near_chance(h.records[i].train_loss)) {
        ++i;
        continue;
      }
      std::size_t j = i;
      while (j + 1 < h.records.size() && near_chance(h.records[j + 1].train_loss)) ++j;
      const std::int64_t from = i == 0 ? 0 : h.records[i].iteration;
      const std::int64_t to = h.records[j].iteration;
      if (j - i + 1 >= 3 && to - from >= kNotLearningIterations) {
        double mean = 0;
        for (std::size_t k = i; k <= j; ++k) mean += h.records[k].train_loss;
        mean /= double(j - i + 1);
        bool learned_before = false;  // below the band once: it went back; never: it settled there
        for (std::size_t k = 0; k < i; ++k) learned_before |= h.records[k].train_loss < chance_loss - band;
        const std::string level =
            number(mean, 2) + " ≈ ln " + std::to_string(c.classes) + " = " + number(chance_loss, 2);
        const std::string span = " from iteration " + count(from) + " to " + count(to);
        std::string evidence;
        if (i == 0) {
          evidence = "the training loss never left its starting level: flat at " + level + span +
                     " (a network that guesses every class alike)";
        } else if (learned_before) {
          evidence = "the training loss went back to where a network that guesses every class alike sits: flat at " +
                     level + span;
        } else {
          evidence =
              "the training loss fell only to where a network that guesses every class alike sits and stayed "
              "there: flat at " +
              level + span;
        }
        out.push_back(make_finding(finding_kind::kNotLearning, variant, "", from, to, Severity::Problem,
                                   evidence + validation_between(from, to), describe_repairs(repairs), repairs));
      }
      i = j + 1;
    }
  }

  // dead_layer / saturated_layer: a layer's units dead (ReLU) or saturated
  // (tanh) on the probe set at consecutive probes.
  if (!h.probes.empty()) {
    std::vector<std::string> layers;
    for (const LayerState& l : h.probes.front().layers) layers.push_back(l.name);
    for (const std::string& layer : layers) {
      const bool tanh = activation == "tanh";
      if (!tanh && !relu) continue;  // leaky ReLU, ELU and GELU units do not die, nor saturate both ways
      auto fraction = [&](const ProbePoint& p) -> double {
        for (const LayerState& l : p.layers) {
          if (l.name == layer) return tanh ? l.saturated : l.dead;
        }
        return 0;
      };
      const double warning = tanh ? kSaturatedWarning : kDeadWarning;
      const double problem = tanh ? kSaturatedProblem : kDeadProblem;
      std::size_t i = 0;
      while (i < h.probes.size()) {
        if (fraction(h.probes[i]) < warning) {
          ++i;
          continue;
        }
        std::size_t j = i;
        double peak = fraction(h.probes[i]);
        while (j + 1 < h.probes.size() && fraction(h.probes[j + 1]) >= warning) {
          ++j;
          peak = std::max(peak, fraction(h.probes[j]));
        }
        if (int(j - i + 1) >= kConsecutiveProbes) {
          std::int64_t units = 0;
          for (const LayerState& l : h.probes[j].layers) {
            if (l.name == layer) units = l.units;
          }
          const double now = fraction(h.probes[j]);
          const std::string what =
              tanh ? "saturated (|tanh| > 0.99 for every probe image)" : "dead (no probe image makes them fire)";
          std::string evidence = layer + ": " + percent(now) + " of its " + count(units) + " units " + what +
                                 " from iteration " + count(h.probes[i].iteration) + " to " +
                                 count(h.probes[j].iteration) +
                                 (peak > now + 0.005 ? " (at most " + percent(peak) + ")" : "");
          const double loss = loss_at(h.records, h.probes[j].iteration);
          if (std::isfinite(loss) && std::abs(loss - chance_loss) <= kStartingLevelBand * chance_loss) {
            evidence += "; loss flat at " + number(loss, 2) + " ≈ ln " + std::to_string(c.classes);
          }
          nlohmann::json repairs = tanh ? nlohmann::json::array({{{"lr", round_rate(c.learning_rate / 10)}}})
                                        : learning_repairs(c, variant, true);
          if (tanh && c.init == "paper") repairs.insert(repairs.begin(), nlohmann::json::object({{"init", "kaiming"}}));
          out.push_back(make_finding(
              tanh ? finding_kind::kSaturatedLayer : finding_kind::kDeadLayer, variant, layer, h.probes[i].iteration,
              h.probes[j].iteration, peak >= problem ? Severity::Problem : Severity::Warning, evidence,
              (tanh ? "saturated units pass no gradient back: " : "dead units never learn again: ") +
                  describe_repairs(repairs),
              repairs));
        }
        i = j + 1;
      }
    }
  }

  // overfitting: validation loss rising from its minimum while the training loss goes on falling.
  {
    std::size_t best = 0;
    bool any = false;
    for (std::size_t k = 0; k < h.probes.size(); ++k) {
      if (!std::isfinite(h.probes[k].validation_loss)) continue;
      if (!any || h.probes[k].validation_loss < h.probes[best].validation_loss) best = k;
      any = true;
    }
    if (any) {
      const double minimum = h.probes[best].validation_loss;
      int rising = 0;
      std::size_t last = best;
      for (std::size_t k = best + 1; k < h.probes.size(); ++k) {
        const double v = h.probes[k].validation_loss;
        if (std::isfinite(v) && v >= minimum * (1 + kOverfitRise) && v >= minimum + 0.05) {
          ++rising;
          last = k;
        }
      }
      const double train_then = loss_at(h.records, h.probes[best].iteration);
      const double train_now = loss_at(h.records, h.probes[last].iteration);
      if (rising >= kConsecutiveProbes && std::isfinite(train_then) && std::isfinite(train_now) &&
          train_now < train_then) {
        nlohmann::json repairs =
            nlohmann::json::array({{{"iterations", h.probes[best].iteration}},
                                   // Or let the run find the place: stop once it has not improved for as long.
                                   {{"early-stop", h.probes[last].iteration - h.probes[best].iteration}},
                                   {{"weight-decay", c.weight_decay > 0 ? c.weight_decay * 10 : 5e-4}},
                                   {{"augment", true}}});
        out.push_back(make_finding(
            finding_kind::kOverfitting, variant, "", h.probes[best].iteration, h.probes[last].iteration,
            Severity::Warning,
            "validation loss rose from " + number(minimum, 3) + " at iteration " + count(h.probes[best].iteration) +
                " to " + number(h.probes[last].validation_loss, 3) + " at " + count(h.probes[last].iteration) +
                " while the training loss fell from " + number(train_then, 3) + " to " + number(train_now, 3),
            "the network learns its training images rather than the task: stop near iteration " +
                count(h.probes[best].iteration) + ", or regularise: " + describe_repairs(repairs),
            repairs));
      }
    }
  }

  // memorising: training loss far below ln C while validation accuracy stays near chance.
  {
    int run = 0;
    std::int64_t first = -1;
    for (const ProbePoint& p : h.probes) {
      const double loss = loss_at(h.records, p.iteration);
      const bool memorised = std::isfinite(p.validation_accuracy) && std::isfinite(loss) &&
                             p.validation_accuracy < kChanceFactor / c.classes && loss < kMemorisedLoss * chance_loss;
      if (!memorised) {
        run = 0;
        continue;
      }
      if (run++ == 0) first = p.iteration;
      if (run >= kConsecutiveProbes) {
        const nlohmann::json repairs =
            nlohmann::json::array({{{"weight-decay", c.weight_decay > 0 ? c.weight_decay * 10 : 5e-4}}});
        Finding f =
            make_finding(finding_kind::kMemorising, variant, "", first, p.iteration, Severity::Problem,
                         "training loss " + number(loss, 2) + ", far below ln " + std::to_string(c.classes) + " = " +
                             number(chance_loss, 2) + ", while validation accuracy stays at " +
                             number(100 * p.validation_accuracy, 1) + " % (chance: " + number(100.0 / c.classes, 1) +
                             " %) from iteration " + count(first) + " to " + count(p.iteration),
                         "the network memorises labels that carry nothing over to new images: check that the "
                         "labels belong to their images (shuffled or wrong labels), and that the training set is "
                         "not tiny",
                         repairs);
        if (!out.empty() && out.back().kind == finding_kind::kMemorising && out.back().first_iteration == first) {
          out.back() = f;
        } else {
          out.push_back(f);
        }
      }
    }
  }

  // oscillation: the loss swings up and down between records instead of falling.
  if (int(h.records.size()) >= kOscillationWindow) {
    std::int64_t first = -1, last = -1;
    double swing_seen = 0;
    for (std::size_t end = kOscillationWindow; end <= h.records.size(); ++end) {
      const std::size_t begin = end - kOscillationWindow;
      int turns = 0;
      double swing = 0, mean = 0;
      for (std::size_t k = begin; k < end; ++k) mean += h.records[k].train_loss;
      mean /= kOscillationWindow;
      for (std::size_t k = begin + 1; k < end; ++k) {
        const double d = h.records[k].train_loss - h.records[k - 1].train_loss;
        swing += std::abs(d);
        if (k + 1 < end) {
          const double next = h.records[k + 1].train_loss - h.records[k].train_loss;
          if (d * next < 0) ++turns;
        }
      }
      swing /= kOscillationWindow - 1;
      const double drop = h.records[begin].train_loss - h.records[end - 1].train_loss;
      if (turns >= kOscillationWindow - 3 && swing >= kOscillationSwing * mean && drop <= swing) {
        if (first < 0) first = h.records[begin].iteration;
        last = h.records[end - 1].iteration;
        swing_seen = std::max(swing_seen, swing / mean);
      }
    }
    if (first >= 0) {
      const nlohmann::json repairs = nlohmann::json::array(
          {{{"lr", round_rate(c.learning_rate / 3)}}, {{"batch", std::min(4096, c.batch_size * 2)}}});
      out.push_back(make_finding(finding_kind::kOscillation, variant, "", first, last, Severity::Warning,
                                 "the training loss swings up and down between records from iteration " + count(first) +
                                     " to " + count(last) + " (by " + number(100 * swing_seen, 0) +
                                     " % of its level on average) instead of falling",
                                 "the steps overshoot: " + describe_repairs(repairs), repairs));
    }
  }

  // plateau: the loss stopped improving long before the end (not stuck at ln C: that is not_learning).
  if (h.records.size() >= 5 && !h.diverged_at) {
    std::size_t best = 0;
    for (std::size_t k = 1; k < h.records.size(); ++k) {
      if (smoothed_loss(h.records, k) < smoothed_loss(h.records, best) * 0.98) best = k;
    }
    const std::int64_t since = h.records[best].iteration;
    const std::int64_t now = h.records.back().iteration;
    const double best_loss = smoothed_loss(h.records, best);
    const bool at_start_level = std::abs(best_loss - chance_loss) <= kStartingLevelBand * chance_loss;
    const std::int64_t span =
        std::max<std::int64_t>(kPlateauIterations, std::int64_t(kPlateauShare * double(c.iterations)));
    if (!at_start_level && now - since >= span) {
      const nlohmann::json repairs = c.schedule == "constant" ? nlohmann::json::array({{{"schedule", "warmup-linear"}}})
                                                              : nlohmann::json::array({{{"iterations", since}}});
      out.push_back(make_finding(
          finding_kind::kPlateau, variant, "", since, now, Severity::Info,
          "the training loss has not improved by 2 % since iteration " + count(since) + " (" + number(best_loss, 3) +
              "); the " + count(now - since) + " iterations after it bought nothing",
          c.schedule == "constant"
              ? "a decaying rate often goes on where a constant one stalls: " + describe_repairs(repairs)
              : "the run could have ended at iteration " + count(since),
          repairs));
    }
  }
  const std::vector<Finding> from_gradients = detect_gradient_findings(c, variant, h.records, h.gradients);
  // A rate too low to move the weights is why the loss stays put: its repair (a larger rate) comes first.
  for (const Finding& low : from_gradients) {
    if (low.kind != finding_kind::kLrTooLow) continue;
    for (Finding& f : out) {
      if (f.kind != finding_kind::kNotLearning && f.kind != finding_kind::kPlateau) continue;
      f.settings = low.settings;
      f.suggestion = low.suggestion;
    }
  }
  out.insert(out.end(), from_gradients.begin(), from_gradients.end());
  return out;
}

void replay_run(FindingsEngine& engine, const RunContents& run) {
  engine.start();
  // At each iteration the trainer probes first, then records: replayed so.
  std::vector<const ProbeResult*> probes;
  for (const ProbeResult& p : run.probes) probes.push_back(&p);
  std::stable_sort(probes.begin(), probes.end(),
                   [](const ProbeResult* a, const ProbeResult* b) { return a->iteration < b->iteration; });
  std::vector<const RecordPoint*> records;
  for (const RecordPoint& r : run.records) records.push_back(&r);
  std::stable_sort(records.begin(), records.end(),
                   [](const RecordPoint* a, const RecordPoint* b) { return a->iteration < b->iteration; });
  // Each record's gradients right after it, as the trainer reports them.
  std::map<std::pair<std::string, std::int64_t>, const GradientRecord*> gradients;
  for (const GradientRecord& g : run.gradients) gradients[{g.variant, g.iteration}] = &g;
  std::size_t p = 0;
  for (const RecordPoint* r : records) {
    while (p < probes.size() && probes[p]->iteration <= r->iteration) engine.on_probe(*probes[p++]);
    engine.on_record(*r);
    const auto g = gradients.find({r->variant, r->iteration});
    if (g != gradients.end()) engine.on_gradients(*g->second);
  }
  while (p < probes.size()) engine.on_probe(*probes[p++]);
}

std::vector<Finding> diagnose_run(const RunContents& run) {
  FindingsEngine engine(findings_context(run.config, run.train_class_counts, run.class_names));
  replay_run(engine, run);
  for (const VariantResult& r : run.results) engine.on_result(r);
  engine.finish();
  return engine.findings();
}

}  // namespace alexnet
