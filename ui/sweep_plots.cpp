#include "sweep_plots.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <qcustomplot.h>

#include "plot_style.h"
#include "run_history.h"

namespace alexnet::ui {

namespace {

struct Axis {
  QString name;
  bool categorical = false, logarithmic = false;
  std::vector<std::string> categories;  // in the order of the space
  std::vector<double> values;           // a numeric grid's values
  double low = 0, high = 1;
};

std::string category(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

std::vector<Axis> axes_of(const Sweep& sweep) {
  std::vector<Axis> axes;
  for (const auto* list : {&sweep.space.grid, &sweep.space.random}) {
    for (const SweepDimension& d : *list) {
      Axis a;
      a.name = QString::fromStdString(d.name);
      const bool numbers = std::all_of(d.values.begin(), d.values.end(), [](const auto& v) { return v.is_number(); });
      if (d.kind == SweepDimension::Kind::Values && !numbers) {
        a.categorical = true;
        for (const auto& v : d.values) a.categories.push_back(category(v));
      } else if (d.kind == SweepDimension::Kind::Values) {
        a.low = 1e300, a.high = -1e300;
        for (const auto& v : d.values) {
          a.values.push_back(v.get<double>());
          a.low = std::min(a.low, a.values.back()), a.high = std::max(a.high, a.values.back());
        }
        a.logarithmic = a.low > 0 && a.high / a.low >= 10;
      } else {
        a.low = d.low, a.high = d.high;
        a.logarithmic = d.kind == SweepDimension::Kind::LogUniform;
      }
      axes.push_back(a);
    }
  }
  return axes;
}

// Where a value sits on its axis, 0 (bottom) to 1 (top).
double position(const Axis& a, const nlohmann::json& v) {
  if (a.categorical) {
    const auto it = std::find(a.categories.begin(), a.categories.end(), category(v));
    const double n = double(a.categories.size());
    return n <= 1 ? 0.5 : double(it - a.categories.begin()) / (n - 1);
  }
  if (!v.is_number()) return 0.5;
  const double x = v.get<double>();
  if (a.high <= a.low) return 0.5;
  if (a.logarithmic) return (std::log(x) - std::log(a.low)) / (std::log(a.high) - std::log(a.low));
  return (x - a.low) / (a.high - a.low);
}

QString number_text(double v) { return QString::number(v, 'g', 3); }

QColor colour_at(double t) { return viridis().color(t, QCPRange(0, 1)); }

}  // namespace

int draw_parallel_coordinates(QCustomPlot* plot, const Sweep& sweep) {
  plot->clearPlottables();
  plot->clearItems();
  const std::vector<Axis> axes = axes_of(sweep);
  const int n = int(axes.size());
  double lo = 1e300, hi = -1e300;
  for (const TrialRecord& t : sweep.trials) {
    const double v = trial_value(sweep, t);
    if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  }
  int drawn = 0;
  for (const TrialRecord& t : sweep.trials) {
    const double v = trial_value(sweep, t);
    if (!std::isfinite(v)) continue;
    const double shade = hi > lo ? (v - lo) / (hi - lo) : 1.0;
    auto* curve = new QCPCurve(plot->xAxis, plot->yAxis);
    QVector<double> x, y;
    for (int k = 0; k < n; ++k) {
      x << k;
      y << (t.settings.contains(axes[std::size_t(k)].name.toStdString())
                ? position(axes[std::size_t(k)], t.settings[axes[std::size_t(k)].name.toStdString()])
                : 0.5);
    }
    x << n;
    y << shade;
    curve->setData(x, y);
    QColor c = colour_at(shade);
    if (t.state == TrialState::Pruned) c.setAlpha(90);  // pruned: faint
    curve->setPen(QPen(c, t.state == TrialState::Finished ? 2.0 : 1.2,
                       t.state == TrialState::Pruned ? Qt::DashLine : Qt::SolidLine));
    curve->setProperty("trial", t.trial);
    ++drawn;
  }
  // The axes: a vertical line each, named below, with their ends.
  for (int k = 0; k <= n; ++k) {
    auto* line = new QCPItemLine(plot);
    line->start->setCoords(k, 0);
    line->end->setCoords(k, 1);
    line->setPen(QPen(Qt::gray, 1));
    const bool metric = k == n;
    const Axis* a = metric ? nullptr : &axes[std::size_t(k)];
    const QString top = metric           ? (hi > lo ? QString::number(100 * hi, 'f', 1) + " %" : QString())
                        : a->categorical ? QString::fromStdString(a->categories.back())
                                         : number_text(a->high);
    const QString bottom = metric           ? (hi > lo ? QString::number(100 * lo, 'f', 1) + " %" : QString())
                           : a->categorical ? QString::fromStdString(a->categories.front())
                                            : number_text(a->low);
    for (const auto& [text, y, align] :
         {std::tuple{top, 1.0, Qt::AlignBottom}, std::tuple{bottom, 0.0, Qt::AlignTop}}) {
      auto* label = new QCPItemText(plot);
      label->position->setCoords(k, y);
      label->setPositionAlignment(Qt::AlignHCenter | align);
      label->setText(text);
    }
    if (a && a->categorical) {
      for (std::size_t c = 1; c + 1 < a->categories.size(); ++c) {
        auto* label = new QCPItemText(plot);
        label->position->setCoords(k, position(*a, a->categories[c]));
        label->setPositionAlignment(Qt::AlignLeft | Qt::AlignVCenter);
        label->setText(" " + QString::fromStdString(a->categories[c]));
      }
    }
  }
  QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
  for (int k = 0; k < n; ++k)
    ticker->addTick(k, axes[std::size_t(k)].name + (axes[std::size_t(k)].logarithmic ? " (log)" : ""));
  ticker->addTick(n, metric_name(sweep) == "validation_accuracy" ? QObject::tr("validation accuracy")
                                                                 : QObject::tr("test accuracy"));
  plot->xAxis->setTicker(ticker);
  plot->xAxis->setRange(-0.4, n + 0.5);
  plot->yAxis->setRange(-0.1, 1.1);
  plot->yAxis->setVisible(false);
  plot->xAxis->grid()->setVisible(false);
  plot->yAxis->grid()->setVisible(false);
  style_axes(plot);
  plot->replot(QCustomPlot::rpQueuedReplot);
  return drawn;
}

int draw_metric_against(QCustomPlot* plot, const Sweep& sweep, const QString& parameter) {
  plot->clearPlottables();
  plot->clearItems();
  const std::vector<Axis> axes = axes_of(sweep);
  const auto axis = std::find_if(axes.begin(), axes.end(), [&](const Axis& a) { return a.name == parameter; });
  if (axis == axes.end()) return 0;
  std::map<TrialState, QCPGraph*> graphs;
  int drawn = 0;
  for (const TrialRecord& t : sweep.trials) {
    const double v = trial_value(sweep, t);
    if (!std::isfinite(v) || !t.settings.contains(parameter.toStdString())) continue;
    const nlohmann::json& value = t.settings[parameter.toStdString()];
    const double x = axis->categorical
                         ? double(std::find(axis->categories.begin(), axis->categories.end(), category(value)) -
                                  axis->categories.begin())
                         : value.get<double>();
    QCPGraph*& g = graphs[t.state];
    if (!g) {
      g = plot->addGraph();
      g->setLineStyle(QCPGraph::lsNone);
      const bool finished = t.state == TrialState::Finished;
      g->setScatterStyle(QCPScatterStyle(finished ? QCPScatterStyle::ssDisc : QCPScatterStyle::ssCircle,
                                         finished ? QColor(33, 145, 140) : QColor(150, 150, 150), 8));
      g->setName(QString::fromStdString(trial_state_name(t.state)));
    }
    g->addData(x, 100 * v);
    ++drawn;
  }
  if (axis->categorical) {
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (std::size_t c = 0; c < axis->categories.size(); ++c)
      ticker->addTick(double(c), QString::fromStdString(axis->categories[c]));
    plot->xAxis->setTicker(ticker);
    plot->xAxis->setScaleType(QCPAxis::stLinear);
    plot->xAxis->setRange(-0.5, double(axis->categories.size()) - 0.5);
  } else if (axis->logarithmic) {
    plot->xAxis->setScaleType(QCPAxis::stLogarithmic);
    if (axis->values.empty()) {
      plot->xAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    } else {
      // A grid: a tick at each of its values (the log ticker crowds a range
      // of less than two decades with unreadable labels).
      QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
      for (double v : axis->values) ticker->addTick(v, number_text(v));
      plot->xAxis->setTicker(ticker);
    }
    plot->xAxis->setRange(axis->low / 1.5, axis->high * 1.5);
  } else {
    plot->xAxis->setScaleType(QCPAxis::stLinear);
    plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    const double pad = (axis->high - axis->low) * 0.1 + 1e-12;
    plot->xAxis->setRange(axis->low - pad, axis->high + pad);
  }
  plot->xAxis->setLabel(parameter + (axis->logarithmic ? " (log scale)" : ""));
  plot->yAxis->setLabel(QString::fromStdString(sweep.variant + " " + metric_name(sweep)) + " (%)");
  plot->yAxis->rescale();
  plot->yAxis->scaleRange(1.15);
  plot->legend->setVisible(graphs.size() > 1);
  style_axes(plot);
  plot->replot(QCustomPlot::rpQueuedReplot);
  return drawn;
}

int draw_trial_losses(QCustomPlot* plot, const TrialCurves& curves, const QString& variant) {
  plot->clearPlottables();
  plot->clearItems();
  int drawn = 0;
  for (const TrialCurve& c : curves.curves) {
    QCPGraph* g = plot->addGraph();
    QVector<double> x, y;
    for (std::size_t k = 0; k < c.iterations.size(); ++k) {
      if (!std::isfinite(c.losses[k])) continue;
      x << double(c.iterations[k]);
      y << c.losses[k];
    }
    g->setData(x, y, true);
    g->setPen(QPen(variant_colour(drawn), 1.6));
    g->setName(QObject::tr("trial %1: %2").arg(c.trial).arg(QString::fromStdString(c.settings)));
    ++drawn;
  }
  if (drawn == 0) {
    auto* text = new QCPItemText(plot);
    text->position->setType(QCPItemPosition::ptAxisRectRatio);
    text->position->setCoords(0.5, 0.5);
    text->setText(QObject::tr("No trial has recorded a loss yet."));
  }
  plot->xAxis->setLabel(QObject::tr("iteration"));
  plot->yAxis->setLabel(QObject::tr("%1 training loss").arg(variant));
  plot->rescaleAxes();
  plot->yAxis->scaleRange(1.1);
  if (plot->xAxis->range().size() <= 0) plot->xAxis->setRange(0, 1);
  plot->plotLayout()->setAutoMargins(QCP::msAll);
  plot->legend->setVisible(drawn > 0);
  plot->legend->setBrush(QColor(255, 255, 255, 210));
  plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
  style_axes(plot);
  plot->replot(QCustomPlot::rpQueuedReplot);
  return drawn;
}

}  // namespace alexnet::ui
