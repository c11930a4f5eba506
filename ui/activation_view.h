// Figure 3 of the report for any variant and layer: the histogram of
// activations over training (x = iteration, y = value, colour = count), and
// the dead / nearly-dead (ReLU) or saturated (tanh) fraction of every layer.
#pragma once

#include "exportable_view.h"
#include "run_history.h"

#include <vector>

class QComboBox;
class QCustomPlot;
class QCPColorMap;
class QCPColorScale;
class QCPItemText;
class QLabel;

namespace alexnet::ui {

// The iterations the histogram map covers: from the first probe (0 for any
// run) to the run's end, each probe's column up to the next probe, split into
// `cells` equal cells.
struct HistogramSpan {
  double begin = 0, end = 1;
  int cells = 1;
  double cell_width() const { return (end - begin) / cells; }
};
HistogramSpan histogram_span(const std::vector<double>& probe_iterations, double run_end);

class ActivationView : public ExportableView {
  Q_OBJECT
 public:
  ActivationView(RunHistory* history, QWidget* parent = nullptr);

  // Per variant: its histogram (of the selected layer, fc7 by default) and its dead-unit plot.
  QStringList exportNames() const override;
  bool exportPicture(int index, const QString& path, QSize size, double scale) override;

  void select(const QString& variant, const QString& layer);
  QCustomPlot* histogramPlot() const { return histogram_plot_; }
  QCustomPlot* fractionPlot() const { return fraction_plot_; }

 private:
  void refillSelectors();
  void redraw();
  double records_end(const QString& variant) const;  // the last recorded iteration (0: none yet)

  RunHistory* history_;
  QComboBox* variant_;
  QComboBox* layer_;
  QComboBox* which_;
  QCustomPlot* histogram_plot_;
  QCPColorMap* map_ = nullptr;
  QCPColorScale* scale_ = nullptr;
  QCPItemText* waiting_ = nullptr;  // shown instead of an empty map before the first probe
  QCustomPlot* fraction_plot_;
  QLabel* note_;
};

}  // namespace alexnet::ui
