// The gradient instruments as a depth profile: for one variant, every
// weighted layer (conv1 at the bottom, the classifier at the top) against the
// iteration, coloured by the log10 of the update-to-weight ratio or of the
// gradient norm. Vanishing gradients show as a dark band at the bottom,
// exploding ones as a bright spot, a rate too high or too low as the whole
// picture too bright or too dark. Findings about gradients are outlined on it.
#pragma once

#include "exportable_view.h"
#include "run_history.h"

class QComboBox;
class QCustomPlot;
class QCPColorMap;
class QCPColorScale;
class QLabel;

namespace alexnet::ui {

class GradientView : public ExportableView {
  Q_OBJECT
 public:
  GradientView(RunHistory* history, QWidget* parent = nullptr);

  // One depth profile per variant (of the quantity shown).
  QStringList exportNames() const override;
  bool exportPicture(int index, const QString& path, QSize size, double scale) override;

  void select(const QString& variant);
  QCustomPlot* plot() const { return plot_; }
  // The layers drawn, bottom to top, and how many records (0: none yet).
  QStringList layers() const { return layers_; }
  int columns() const { return columns_; }

 private:
  void refillVariants();
  void redraw();
  void markFindings(const QString& variant, double half_column);

  RunHistory* history_;
  QComboBox* variant_;
  QComboBox* quantity_;
  QCustomPlot* plot_;
  QCPColorMap* map_;
  QCPColorScale* scale_;
  QLabel* note_;
  QStringList layers_;
  int columns_ = 0;
};

}  // namespace alexnet::ui
