#include "compare_plot.h"

#include <QDir>
#include <qcustomplot.h>

#include "picture_file.h"
#include "run_history.h"

namespace alexnet::ui {

namespace {

Qt::PenStyle run_style(int index) {
  static const Qt::PenStyle styles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine, Qt::DashDotDotLine};
  return styles[index % 5];
}

QCPScatterStyle::ScatterShape run_marker(int index) {
  static const QCPScatterStyle::ScatterShape shapes[] = {QCPScatterStyle::ssCircle, QCPScatterStyle::ssSquare,
                                                         QCPScatterStyle::ssTriangle, QCPScatterStyle::ssDiamond,
                                                         QCPScatterStyle::ssCross};
  return shapes[index % 5];
}

void style_axes(QCustomPlot* plot, const QString& y_label, int curves) {
  QFont font = plot->font();
  font.setPointSize(11);  // as the loss view: readable on a slide
  plot->legend->setFont(font);
  plot->xAxis->setLabelFont(font);
  plot->yAxis->setLabelFont(font);
  plot->xAxis->setLabel(QObject::tr("iteration"));
  plot->yAxis->setLabel(y_label);
  plot->legend->setVisible(curves > 0);
  plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
  plot->rescaleAxes();
  plot->yAxis->setRangeLower(0);
}

}  // namespace

QString compared_names(const Comparison& comparison) {
  QStringList names;
  for (const ComparedRun& r : comparison.runs) names << QString::fromStdString(r.name);
  return names.join(QObject::tr(" vs "));
}

int draw_compared_dead_units(QCustomPlot* plot, const Comparison& comparison, const std::string& variant,
                             const std::string& layer) {
  plot->clearGraphs();
  const auto v = std::find(comparison.variants.begin(), comparison.variants.end(), variant);
  const QColor colour = variant_colour(v == comparison.variants.end() ? 0 : int(v - comparison.variants.begin()));
  int curves = 0;
  for (std::size_t r = 0; r < comparison.runs.size(); ++r) {
    QVector<double> x, y;
    for (const ProbeResult& probe : comparison.runs[r].run.probes) {
      if (probe.variant != variant) continue;
      for (const LayerProbe& l : probe.layers) {
        if (l.name != layer) continue;
        x << double(probe.iteration);
        y << 100.0 * l.dead_fraction;
      }
    }
    if (x.isEmpty()) continue;
    QCPGraph* g = plot->addGraph();
    g->setName(QString::fromStdString(comparison.runs[r].name));
    g->setPen(QPen(colour, 2.2, run_style(int(r))));
    g->setScatterStyle(QCPScatterStyle(run_marker(int(r)), 8));
    g->setData(x, y, true);
    ++curves;
  }
  style_axes(
      plot,
      QObject::tr("dead units of %1 in %2 (%)").arg(QString::fromStdString(layer), QString::fromStdString(variant)),
      curves);
  if (curves > 0 && plot->yAxis->range().upper < 1) plot->yAxis->setRangeUpper(1);  // a flat 0 % stays visible
  return curves;
}

int draw_compared_losses(QCustomPlot* plot, const Comparison& comparison) {
  plot->clearGraphs();
  int curves = 0;
  for (std::size_t r = 0; r < comparison.runs.size(); ++r) {
    const ComparedRun& run = comparison.runs[r];
    for (std::size_t v = 0; v < comparison.variants.size(); ++v) {
      QVector<double> x, y;
      for (const RecordPoint& p : run.run.records) {
        if (p.variant != comparison.variants[v]) continue;
        x << double(p.iteration);
        y << p.train_loss;
      }
      if (x.isEmpty()) continue;
      QCPGraph* g = plot->addGraph();
      g->setName(QString::fromStdString(run.name + " · " + comparison.variants[v]));
      g->setPen(QPen(variant_colour(int(v)), 2.2, run_style(int(r))));
      g->setData(x, y, true);
      ++curves;
    }
  }
  style_axes(plot, QObject::tr("training loss (cross-entropy)"), curves);
  return curves;
}

int export_compared_losses(const Comparison& comparison, const QString& dir, const QString& format, QString* error,
                           QSize size) {
  if (!QDir().mkpath(dir)) {
    *error = QObject::tr("cannot create %1").arg(dir);
    return -1;
  }
  QCustomPlot plot;
  const int curves = draw_compared_losses(&plot, comparison);
  const QString path = QDir(dir).filePath("compare-loss." + format);
  if (!save_plot(&plot, path, size, 1.0, QObject::tr("Training loss — %1").arg(compared_names(comparison)))) {
    *error = QObject::tr("cannot write %1").arg(path);
    return -1;
  }
  return curves;
}

}  // namespace alexnet::ui
