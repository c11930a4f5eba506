// Several runs' loss curves in one plot: colour = variant (as in the loss
// view), line style = run, the legend naming both.
#pragma once

#include <QSize>
#include <QString>
#include <string>

#include "run/run_comparison.h"

class QCustomPlot;

namespace alexnet::ui {

// Fills `plot` with one curve per (run, variant) that has records; returns how many.
int draw_compared_losses(QCustomPlot* plot, const Comparison& comparison);

// The dead fraction of one layer of one variant, one line per run that probed
// it (line style and marker = run); returns how many.
int draw_compared_dead_units(QCustomPlot* plot, const Comparison& comparison, const std::string& variant,
                             const std::string& layer);

// The runs' names joined by " vs ", for headings.
QString compared_names(const Comparison& comparison);

// Writes compare-loss.FORMAT (png, pdf or svg) into `dir`, with a heading
// naming the runs; returns the number of curves drawn, or -1 with `error` set.
int export_compared_losses(const Comparison& comparison, const QString& dir, const QString& format, QString* error,
                           QSize size = QSize(1920, 1080));

}  // namespace alexnet::ui
