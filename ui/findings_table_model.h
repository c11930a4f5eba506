// The findings of the shown run as a table model: one row per finding, most
// severe first, for the Findings view.
#pragma once

#include <QAbstractTableModel>
#include <vector>

#include "event_types.h"

namespace alexnet::ui {

class FindingsTableModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { SeverityColumn, Variant, Layer, Iterations, Evidence, ColumnCount };
  static constexpr int SortRole = Qt::UserRole;

  using QAbstractTableModel::QAbstractTableModel;

  void setFindings(std::vector<Finding> findings);  // sorted: problems, warnings, then the rest
  const Finding* findingAt(int row) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

 private:
  std::vector<Finding> findings_;
};

// "problem", "warning", "info" as the window says them.
QString severity_text(Severity severity);

}  // namespace alexnet::ui
