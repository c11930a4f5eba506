// Everything the views draw, for one run: filled live from the worker's
// signals, or at once from a run folder. Views read it and redraw on its signals.
#pragma once

#include <QColor>
#include <QObject>
#include <QString>
#include <QStringList>
#include <vector>

#include "event_types.h"
#include "run/run_reader.h"

namespace alexnet::ui {

// The colour of the index-th variant, the same in every view and comparison.
QColor variant_colour(int index);

class RunHistory : public QObject {
  Q_OBJECT
 public:
  explicit RunHistory(QObject* parent = nullptr);

  // Forget everything and expect these variants (in this order).
  void reset(const QStringList& variants, const QStringList& class_names, const QString& dir = {});
  void load(const RunContents& run);
  // The run folder, once a live run has made it.
  void setDir(const QString& dir) { dir_ = dir; }
  // The run folder's name, for titles ("unsaved run" before it has one).
  QString runName() const;
  // The data set's class names, when a live run has loaded its data.
  void setClassNames(const QStringList& class_names);

  void addRecord(const RecordPoint& point);
  void addProbe(const ProbeResult& probe);
  void addGradients(const GradientRecord& gradients);
  void addResult(const VariantResult& result);
  // A new finding, or a later state of one already held (same kind, variant, layer and first iteration).
  void addFinding(const Finding& finding);

  const QStringList& variants() const { return variants_; }
  const QStringList& classNames() const { return class_names_; }
  const QString& dir() const { return dir_; }
  std::vector<RecordPoint> records(const QString& variant) const;
  std::vector<const ProbeResult*> probes(const QString& variant) const;        // in iteration order
  std::vector<const GradientRecord*> gradients(const QString& variant) const;  // in iteration order
  std::vector<std::int64_t> probeIterations() const;                           // over all variants, sorted
  const std::vector<VariantResult>& results() const { return results_; }
  const std::vector<Finding>& findings() const { return findings_; }
  QColor colour(const QString& variant) const;

 signals:
  void changed();  // reset or loaded
  void recordAdded(const QString& variant);
  void probeAdded(const QString& variant);
  void gradientsAdded(const QString& variant);
  void resultsChanged();
  void findingsChanged();

 private:
  void ensureVariant(const QString& name);

  QString dir_;
  QStringList variants_;
  QStringList class_names_;
  std::vector<RecordPoint> records_;
  std::vector<ProbeResult> probes_;
  std::vector<GradientRecord> gradients_;
  std::vector<VariantResult> results_;
  std::vector<Finding> findings_;
};

}  // namespace alexnet::ui
