#include "plot_style.h"

#include <qcustomplot.h>

namespace alexnet::ui {

void style_axes(QCustomPlot* plot) {
  QFont font = plot->font();
  font.setPointSize(10);
  for (QCPAxis* axis : {plot->xAxis, plot->yAxis}) axis->setLabelFont(font);
  if (plot->legend) plot->legend->setFont(font);
}

QCPColorGradient viridis() {
  QCPColorGradient gradient;
  gradient.setColorStops({{0.0, QColor(68, 1, 84)},
                          {0.25, QColor(59, 82, 139)},
                          {0.5, QColor(33, 145, 140)},
                          {0.75, QColor(94, 201, 98)},
                          {1.0, QColor(253, 231, 37)}});
  return gradient;
}

}  // namespace alexnet::ui
