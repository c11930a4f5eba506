// Two or more runs side by side: every (run, variant) loss curve overlaid
// (colour = variant, line style = run), the results with a row per run and
// variant, the settings that differ, and one layer's dead units across the
// runs. Its plots export like the other views'.
#pragma once

#include <QStringList>

#include "exportable_view.h"
#include "run/run_comparison.h"

class QComboBox;
class QCustomPlot;
class QLabel;
class QListWidget;
class QStandardItemModel;
class QTableView;

namespace alexnet::ui {

class CompareView : public ExportableView {
  Q_OBJECT
 public:
  explicit CompareView(QWidget* parent = nullptr);

  // Reads the runs (small files and probes.jsonl, no pictures); false with
  // `error` naming the run when one cannot be read or there are fewer than two.
  bool compare(const QStringList& dirs, QString* error = nullptr);
  const Comparison& comparison() const { return comparison_; }

  QStringList exportNames() const override { return {"compare-loss", "compare-dead-units"}; }
  bool exportPicture(int index, const QString& path, QSize size, double scale) override;

  QCustomPlot* lossPlot() const { return loss_plot_; }
  QCustomPlot* deadPlot() const { return dead_plot_; }
  QStandardItemModel* resultsModel() const { return results_; }
  QListWidget* differencesList() const { return differences_; }
  void showDeadUnits(const QString& variant, const QString& layer);

 private:
  void fillResults();
  void fillLayers();
  void drawDeadUnits();

  Comparison comparison_;
  QLabel* heading_;
  QCustomPlot* loss_plot_;
  QCustomPlot* dead_plot_;
  QComboBox* dead_variant_;
  QComboBox* dead_layer_;
  QStandardItemModel* results_;
  QTableView* results_table_;
  QListWidget* differences_;
};

}  // namespace alexnet::ui
