// The runs of the Runs view as a table model: one row per run folder, from
// the summaries core/run/run_catalog reads (small files only). The note
// column is editable and is kept in the run folder.
#pragma once

#include <QAbstractTableModel>
#include <vector>

#include "run/run_catalog.h"

namespace alexnet::ui {

class RunsTableModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { Name, Started, Data, Variants, Iterations, BestAccuracy, State, Findings, Note, ColumnCount };
  static constexpr int SortRole = Qt::UserRole;  // numbers sort as numbers
  static constexpr int DirRole = Qt::UserRole + 1;

  using QAbstractTableModel::QAbstractTableModel;

  void setRuns(std::vector<RunSummary> runs);
  const std::vector<RunSummary>& runs() const { return runs_; }
  const RunSummary* runAt(int row) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
  Qt::ItemFlags flags(const QModelIndex& index) const override;
  bool setData(const QModelIndex& index, const QVariant& value, int role) override;  // the note

 signals:
  void failed(const QString& message);  // a note that could not be written

 private:
  std::vector<RunSummary> runs_;
};

}  // namespace alexnet::ui
