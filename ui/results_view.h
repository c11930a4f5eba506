// The report's results table (with more columns) on Qt's model/view classes,
// and the selected variant's confusion matrix with class names.
#pragma once

#include <QAbstractTableModel>

#include "exportable_view.h"
#include "run_history.h"

class QCustomPlot;
class QTableView;

namespace alexnet::ui {

class ResultsTableModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  explicit ResultsTableModel(RunHistory* history, QObject* parent = nullptr);
  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

 private:
  RunHistory* history_;
};

class ResultsView : public ExportableView {
  Q_OBJECT
 public:
  ResultsView(RunHistory* history, QWidget* parent = nullptr);

  QStringList exportNames() const override;  // confusion-VARIANT per result
  bool exportPicture(int index, const QString& path, QSize size, double scale) override;
  QTableView* table() const { return table_; }
  // As a click on that cell of the shown confusion matrix does.
  void activateCell(int truth, int predicted);

 signals:
  // A confusion cell was clicked: the images of exactly that pair, please.
  void cellActivated(const QString& variant, int truth, int predicted);

 private:
  void showConfusion(int row);

  RunHistory* history_;
  ResultsTableModel* model_;
  QTableView* table_;
  QCustomPlot* confusion_;
};

}  // namespace alexnet::ui
