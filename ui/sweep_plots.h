// The pictures of a sweep: parallel coordinates (an axis per parameter and one
// for the metric, a line per trial coloured by its metric) and the metric
// against one parameter (a log axis for a log-uniform one), and the loss
// curves of the trials being trained. Plain drawing
// into a QCustomPlot from a Sweep.
#pragma once

#include <QString>

#include "sweep/sweep_folder.h"
#include "sweep/trial_curves.h"

class QCustomPlot;

namespace alexnet::ui {

// Returns how many trials were drawn (those with a metric).
int draw_parallel_coordinates(QCustomPlot* plot, const Sweep& sweep);
int draw_metric_against(QCustomPlot* plot, const Sweep& sweep, const QString& parameter);
// The training loss of `variant` in each of `curves` (the running trials, or
// the best ones when none runs), a line per trial named by its settings.
// Returns how many lines were drawn.
int draw_trial_losses(QCustomPlot* plot, const TrialCurves& curves, const QString& variant);

}  // namespace alexnet::ui
