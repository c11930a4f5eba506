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

}  // namespace

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
  QFont font = plot->font();
  font.setPointSize(11);  // as the loss view: readable on a slide
  plot->legend->setFont(font);
  plot->xAxis->setLabelFont(font);
  plot->yAxis->setLabelFont(font);
  plot->xAxis->setLabel(QObject::tr("iteration"));
  plot->yAxis->setLabel(QObject::tr("training loss (cross-entropy)"));
  plot->legend->setVisible(curves > 0);
  plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
  plot->rescaleAxes();
  plot->yAxis->setRangeLower(0);
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
  QStringList names;
  for (const ComparedRun& r : comparison.runs) names << QString::fromStdString(r.name);
  const QString path = QDir(dir).filePath("compare-loss." + format);
  if (!save_plot(&plot, path, size, 1.0, QObject::tr("Training loss — %1").arg(names.join(QObject::tr(" vs "))))) {
    *error = QObject::tr("cannot write %1").arg(path);
    return -1;
  }
  return curves;
}

}  // namespace alexnet::ui
