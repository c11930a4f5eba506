#include "run/predictions.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "run/run_paths.h"
#include "run/run_store.h"

namespace alexnet {

namespace {

// The largest test split a run may have (far beyond any here): bounds the read.
constexpr std::size_t kMaxPredictionBytes = std::size_t(512) << 20;

bool parse_line(const std::string& line, Prediction* p) {
  long long index = 0, truth = 0, predicted = 0;
  double confidence = 0;
  char tail = 0;
  if (std::sscanf(line.c_str(), "%lld,%lld,%lld,%lf%c", &index, &truth, &predicted, &confidence, &tail) != 4) {
    return false;
  }
  if (truth < 0 || truth > 1000000 || predicted < 0 || predicted > 1000000) return false;
  p->index = index;
  p->truth = static_cast<int>(truth);
  p->predicted = static_cast<int>(predicted);
  p->confidence = confidence;
  return true;
}

}  // namespace

std::string predictions_csv(const std::vector<Prediction>& predictions) {
  std::string out = "index,true,predicted,confidence\n";
  char line[96];
  for (const Prediction& p : predictions) {
    std::snprintf(line, sizeof line, "%lld,%d,%d,%.6f\n", static_cast<long long>(p.index), p.truth, p.predicted,
                  p.confidence);
    out += line;
  }
  return out;
}

std::vector<Prediction> parse_predictions(const std::string& text, const std::string& what, int classes) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != "index,true,predicted,confidence") {
    throw StoreError(what + " is damaged: it does not start with the header index,true,predicted,confidence");
  }
  std::vector<Prediction> predictions;
  int number = 1;
  while (std::getline(in, line)) {
    ++number;
    Prediction p;
    const auto refuse = [&](const std::string& why) {
      return StoreError(what + " is damaged: line " + std::to_string(number) + " " + why);
    };
    if (!parse_line(line, &p)) throw refuse("is not index,true,predicted,confidence");
    if (p.index != static_cast<std::int64_t>(predictions.size())) throw refuse("is out of order");
    if (p.truth >= classes || p.predicted >= classes) {
      throw refuse("names a class beyond the run's " + std::to_string(classes));
    }
    if (!(p.confidence >= 0 && p.confidence <= 1)) throw refuse("has a confidence outside [0, 1]");
    predictions.push_back(p);
  }
  return predictions;
}

std::vector<Prediction> read_predictions(const std::string& run_dir, const std::string& variant, int classes,
                                         Weights weights) {
  const std::string relative =
      std::string("predictions/") + (weights == Weights::Best ? "best/" : "") + variant + ".csv";
  if (!is_plain_relative_path(relative) || !run_file_exists(run_dir, relative)) {
    throw StoreError(run_dir + " has no stored test predictions for " + variant +
                     (weights == Weights::Best
                          ? "'s best weights (they are measured on the test set with --early-stop)"
                          : " (the run has not been evaluated, or was made before they were stored)"));
  }
  return parse_predictions(read_run_file(run_dir, relative, kMaxPredictionBytes), run_dir + "/" + relative, classes);
}

std::string weights_name(Weights w) { return w == Weights::Best ? "best" : "last"; }

Weights weights_from_name(const std::string& name) {
  if (name == "last") return Weights::Last;
  if (name == "best") return Weights::Best;
  throw std::invalid_argument("unknown weights \"" + name + "\" (expected last or best)");
}

std::vector<std::vector<std::int64_t>> confusion_of(const std::vector<Prediction>& predictions, int classes) {
  std::vector<std::vector<std::int64_t>> confusion(static_cast<std::size_t>(classes),
                                                   std::vector<std::int64_t>(static_cast<std::size_t>(classes), 0));
  for (const Prediction& p : predictions) {
    if (p.truth < classes && p.predicted < classes) ++confusion[std::size_t(p.truth)][std::size_t(p.predicted)];
  }
  return confusion;
}

}  // namespace alexnet
