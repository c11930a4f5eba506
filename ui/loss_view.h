// The loss curves of every variant on one plot, live, with smoothing, log
// scale, iterations or wall time on x, values on hover, and per-variant progress.
#pragma once

#include <QMap>

#include "exportable_view.h"
#include "run_history.h"

class QCustomPlot;
class QCheckBox;
class QComboBox;
class QGridLayout;
class QLabel;
class QProgressBar;
class QSlider;

class QTimer;

namespace alexnet::ui {

class LossView : public ExportableView {
  Q_OBJECT
 public:
  LossView(RunHistory* history, QWidget* parent = nullptr);

  QStringList exportNames() const override { return {"loss"}; }
  bool exportPicture(int index, const QString& path, QSize size, double scale) override;

  void setSmoothing(double weight);  // 0 .. 0.99
  QCustomPlot* plot() const { return plot_; }

 public slots:
  void showProgress(const alexnet::ProgressUpdate& update);
  void rebuild();

 private:
  void onMouseMove(QMouseEvent* event);
  // Each variant's validation figures as dashed curves of its colour.
  void addValidationCurves(bool wall, bool accuracy);
  // Warnings and problems about a span of iterations (not learning, diverged,
  // over-fitting, ...): a shaded span in the variant's colour with a short label.
  void markFindings();
  void drawProgress();  // the latest update of every variant, at most a few times a second

  RunHistory* history_;
  QCustomPlot* plot_;
  QSlider* smoothing_;
  QCheckBox* log_scale_;
  QComboBox* x_axis_;
  QComboBox* validation_;  // none, loss (dashed, on the loss axis), accuracy (dashed, on a right-hand axis)
  QGridLayout* progress_grid_;
  QMap<QString, QProgressBar*> bars_;
  QMap<QString, QLabel*> rates_;
  QMap<QString, alexnet::ProgressUpdate> pending_;  // arrived since the last draw
  QTimer* progress_timer_;
};

// x from 0 to past the last point, y from 0 (log: below the lowest) to above
// the highest, so no point sits on an edge.
void fit_loss_axes(QCustomPlot* plot, bool log_y);

// What the Validation box offers.
enum class ValidationShown { None = 0, Loss = 1, Accuracy = 2 };

// Debiased exponential moving average (as TensorBoard draws it).
std::vector<double> smooth(const std::vector<double>& values, double weight);

}  // namespace alexnet::ui
