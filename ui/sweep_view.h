// The Sweep tab: a sweep folder's trials as a sortable table (state, metric,
// settings), a parallel-coordinates picture of the whole space, and the metric
// against one parameter, and the loss curves of the trials training now (the
// best trials' once none is); refreshed from sweep.json every two seconds while a
// sweep runs. Selected trials open in Compare; **Resume** runs the sweep on
// (`alexnet-lab sweep --resume` as a child process: closing the window stops
// its trials at a checkpoint, and Resume goes on from there).
#pragma once

#include "exportable_view.h"

#include <QProcess>
#include <functional>

#include "spec/experiment_config.h"
#include "sweep/sweep_space.h"

class QComboBox;
class QCustomPlot;
class QLabel;
class QLineEdit;
class QSpinBox;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;
class QTimer;

namespace alexnet::ui {

class SweepTableModel;

class SweepView : public ExportableView {
  Q_OBJECT
 public:
  explicit SweepView(QWidget* parent = nullptr);
  ~SweepView() override;

  // Where a new sweep's base experiment comes from (the experiment panel), and
  // how long one trial of it takes in seconds (< 0: not known yet).
  void setBase(std::function<ExperimentConfig()> base, std::function<double(const ExperimentConfig&)> seconds);
  // The space typed in: "lr=0.0005,0.002; small.fc7.units=512,2048; weight-decay=loguniform(1e-5,1e-3)"
  // (grids, and ranges drawn `draws` times). Throws std::invalid_argument naming a bad item.
  static SweepSpace parse_space_text(const QString& text, int draws);
  // Starts a sweep of the panel's experiment over the space typed in, into a new
  // folder of the runs folder, and shows it. False with the reason in `error`.
  bool startSweep(const QString& program, QString* error = nullptr);
  // Shows the sweep in `dir`; false with the reason in `error` for a folder that holds none or a damaged one.
  bool openSweep(const QString& dir, QString* error = nullptr);
  // Continues it in a child process (alexnet-lab sweep --resume); `program` is alexnet-lab.
  bool resume(const QString& program, QString* error = nullptr);
  bool running() const { return process_.state() != QProcess::NotRunning; }
  void refresh();  // sweep.json read again

  QStringList exportNames() const override;  // sweep-coordinates, sweep-scatter, sweep-losses
  bool exportPicture(int index, const QString& path, QSize size, double scale) override;

  QTableView* table() const { return table_; }
  QCustomPlot* coordinates() const { return coordinates_; }
  QCustomPlot* scatter() const { return scatter_; }
  QCustomPlot* losses() const { return losses_; }
  QString summary() const;

 signals:
  void compareRequested(const QStringList& run_dirs);

 private:
  void redraw();
  void drawLosses();  // from the trials' metrics.csv
  void updateEstimate();

  QString dir_;
  SweepTableModel* model_;
  QSortFilterProxyModel* sorted_;
  QTableView* table_;
  QCustomPlot* coordinates_;
  QCustomPlot* scatter_;
  QCustomPlot* losses_;
  QLabel* losses_title_;
  QComboBox* parameter_;
  QLabel* summary_;
  QPushButton* compare_;
  QPushButton* resume_;
  QLineEdit* space_;
  QSpinBox* draws_;
  QLabel* estimate_;
  QPushButton* start_;
  std::function<ExperimentConfig()> base_;
  std::function<double(const ExperimentConfig&)> seconds_per_trial_;
  QTimer* timer_;
  QProcess process_;
};

}  // namespace alexnet::ui
