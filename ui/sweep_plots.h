// The pictures of a sweep: parallel coordinates (an axis per parameter and one
// for the metric, a line per trial coloured by its metric) and the metric
// against one parameter (a log axis for a log-uniform one). Plain drawing
// into a QCustomPlot from a Sweep.
#pragma once

#include <QString>

#include "sweep/sweep_folder.h"

class QCustomPlot;

namespace alexnet::ui {

// Returns how many trials were drawn (those with a metric).
int draw_parallel_coordinates(QCustomPlot* plot, const Sweep& sweep);
int draw_metric_against(QCustomPlot* plot, const Sweep& sweep, const QString& parameter);

}  // namespace alexnet::ui
