// A sweep's trials as a table model: trial, state, the ranked variant's
// validation and test accuracy, iterations, training time, then one column
// per parameter of the space. Numbers sort as numbers (SortRole).
#pragma once

#include <QAbstractTableModel>
#include <QStringList>
#include <cstdint>
#include <map>

#include "sweep/sweep_folder.h"

namespace alexnet::ui {

class SweepTableModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { Trial, State, Validation, Test, Iterations, Seconds, FixedColumns };
  static constexpr int SortRole = Qt::UserRole;
  static constexpr int RunDirRole = Qt::UserRole + 1;

  using QAbstractTableModel::QAbstractTableModel;

  void setSweep(const Sweep& sweep);  // forgets the live iterations
  // How far running trials have got by their last record (trial -> iteration):
  // sweep.json only learns it at a rung or the end.
  void setLiveIterations(const std::map<int, std::int64_t>& iterations);
  const Sweep& sweep() const { return sweep_; }
  const QStringList& parameters() const { return parameters_; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

 private:
  Sweep sweep_;
  QStringList parameters_;
  std::map<int, std::int64_t> live_iterations_;
};

}  // namespace alexnet::ui
