// What the plots share: axis fonts and the colour map of every heat map.
#pragma once

class QCustomPlot;
class QCPColorGradient;

namespace alexnet::ui {

void style_axes(QCustomPlot* plot);  // 10 pt labels (and legend)
// Viridis (QCustomPlot 2.1 predates its preset): perceptually even, dark = low.
QCPColorGradient viridis();

}  // namespace alexnet::ui
