#include "run_history.h"

#include <QFileInfo>

#include "analysis/findings_engine.h"

#include <algorithm>
#include <set>

namespace alexnet::ui {

RunHistory::RunHistory(QObject* parent) : QObject(parent) {}

void RunHistory::reset(const QStringList& variants, const QStringList& class_names, const QString& dir) {
  dir_ = dir;
  variants_ = variants;
  class_names_ = class_names;
  records_.clear();
  probes_.clear();
  gradients_.clear();
  results_.clear();
  findings_.clear();
  emit changed();
}

void RunHistory::load(const RunContents& run) {
  QStringList names, classes;
  for (const auto& v : run.config.variants) names << QString::fromStdString(v.name);
  for (const auto& c : run.class_names) classes << QString::fromStdString(c);
  dir_ = QString::fromStdString(run.dir);
  variants_ = names;
  class_names_ = classes;
  records_ = run.records;
  probes_ = run.probes;
  gradients_ = run.gradients;
  results_ = run.results;
  // Recomputed from the folder, as `diagnose` does: runs from before findings get them too.
  findings_ = diagnose_run(run);
  emit changed();
}

void RunHistory::setClassNames(const QStringList& class_names) {
  class_names_ = class_names;
  emit resultsChanged();
}

void RunHistory::ensureVariant(const QString& name) {
  if (!variants_.contains(name)) variants_ << name;
}

void RunHistory::addRecord(const RecordPoint& point) {
  ensureVariant(QString::fromStdString(point.variant));
  records_.push_back(point);
  emit recordAdded(QString::fromStdString(point.variant));
}

void RunHistory::addProbe(const ProbeResult& probe) {
  ensureVariant(QString::fromStdString(probe.variant));
  probes_.push_back(probe);
  emit probeAdded(QString::fromStdString(probe.variant));
}

void RunHistory::addGradients(const GradientRecord& gradients) {
  ensureVariant(QString::fromStdString(gradients.variant));
  gradients_.push_back(gradients);
  emit gradientsAdded(QString::fromStdString(gradients.variant));
}

void RunHistory::addResult(const VariantResult& result) {
  results_.push_back(result);
  emit resultsChanged();
}

void RunHistory::addFinding(const Finding& finding) {
  const auto it =
      std::find_if(findings_.begin(), findings_.end(), [&](const Finding& f) { return same_finding(f, finding); });
  if (it == findings_.end()) findings_.push_back(finding);
  else *it = finding;
  emit findingsChanged();
}

std::vector<RecordPoint> RunHistory::records(const QString& variant) const {
  std::vector<RecordPoint> out;
  const std::string name = variant.toStdString();
  for (const RecordPoint& p : records_) {
    if (p.variant == name) out.push_back(p);
  }
  return out;
}

std::vector<const ProbeResult*> RunHistory::probes(const QString& variant) const {
  std::vector<const ProbeResult*> out;
  const std::string name = variant.toStdString();
  for (const ProbeResult& p : probes_) {
    if (p.variant == name) out.push_back(&p);
  }
  std::stable_sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->iteration < b->iteration; });
  return out;
}

std::vector<const GradientRecord*> RunHistory::gradients(const QString& variant) const {
  std::vector<const GradientRecord*> out;
  const std::string name = variant.toStdString();
  for (const GradientRecord& g : gradients_) {
    if (g.variant == name) out.push_back(&g);
  }
  std::stable_sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->iteration < b->iteration; });
  return out;
}

std::vector<std::int64_t> RunHistory::probeIterations() const {
  std::set<std::int64_t> all;
  for (const ProbeResult& p : probes_) all.insert(p.iteration);
  return {all.begin(), all.end()};
}

QString RunHistory::runName() const { return dir_.isEmpty() ? tr("unsaved run") : QFileInfo(dir_).fileName(); }

QColor variant_colour(int index) {
  // Colour-blind-safe (Okabe-Ito), in the order the variants were listed.
  static const QColor palette[] = {QColor(0, 114, 178),   QColor(213, 94, 0),  QColor(0, 158, 115),
                                   QColor(204, 121, 167), QColor(230, 159, 0), QColor(86, 180, 233),
                                   QColor(0, 0, 0),       QColor(240, 228, 66)};
  return palette[std::max(0, index) % 8];
}

QColor RunHistory::colour(const QString& variant) const {
  return variant_colour(static_cast<int>(variants_.indexOf(variant)));
}

}  // namespace alexnet::ui
