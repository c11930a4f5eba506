#include "loss_view.h"

#include "picture_file.h"

#include <QCheckBox>
#include <QComboBox>
#include <QGridLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSlider>
#include <QTimer>
#include <QToolTip>
#include <QVBoxLayout>
#include <cmath>
#include <qcustomplot.h>

namespace alexnet::ui {

std::vector<double> smooth(const std::vector<double>& values, double weight) {
  std::vector<double> out;
  double ema = 0, correction = 1;
  for (double v : values) {
    ema = weight * ema + (1 - weight) * v;
    correction *= weight;
    out.push_back(weight > 0 ? ema / (1 - correction) : v);
  }
  return out;
}

// Every point inside the plot with room around it, x from 0 where a run
// starts: autoscaling on a run's first record would otherwise give x a
// window of a few iterations around it and clip the highest point at the edge.
void fit_loss_axes(QCustomPlot* plot, bool log_y) {
  bool any = false;
  QCPRange keys, values;
  for (int i = 0; i < plot->graphCount(); ++i) {
    bool found_keys = false, found_values = false;
    if (plot->graph(i)->valueAxis() != plot->yAxis) continue;  // accuracy on the right-hand axis
    const QCPRange k = plot->graph(i)->getKeyRange(found_keys);
    const QCPRange v = plot->graph(i)->getValueRange(found_values, log_y ? QCP::sdPositive : QCP::sdBoth);
    if (!found_keys || !found_values) continue;
    if (!any) {
      keys = k;
      values = v;
      any = true;
    } else {
      keys.expand(k);
      values.expand(v);
    }
  }
  if (!any) {
    plot->xAxis->setRange(0, 1);
    plot->yAxis->setRange(log_y ? QCPRange(0.1, 10) : QCPRange(0, 1));
    return;
  }
  plot->xAxis->setRange(std::min(0.0, keys.lower), keys.upper > 0 ? keys.upper * 1.04 : 1);
  if (log_y) {
    plot->yAxis->setRange(values.lower / 1.2, values.upper * 1.2);
  } else {
    plot->yAxis->setRange(std::min(0.0, values.lower), values.upper > 0 ? values.upper * 1.08 : 1);
  }
}

LossView::LossView(RunHistory* history, QWidget* parent) : ExportableView(parent), history_(history) {
  progress_timer_ = new QTimer(this);
  progress_timer_->setSingleShot(true);
  progress_timer_->setInterval(200);
  connect(progress_timer_, &QTimer::timeout, this, &LossView::drawProgress);
  auto* layout = new QVBoxLayout(this);
  auto* controls = new QHBoxLayout();
  controls->addWidget(new QLabel(tr("Smoothing")));
  smoothing_ = new QSlider(Qt::Horizontal);
  smoothing_->setObjectName("smoothing");
  smoothing_->setRange(0, 99);
  smoothing_->setValue(60);
  smoothing_->setMaximumWidth(200);
  controls->addWidget(smoothing_);
  log_scale_ = new QCheckBox(tr("Log scale"));
  log_scale_->setObjectName("logScale");
  controls->addWidget(log_scale_);
  controls->addWidget(new QLabel(tr("x axis")));
  x_axis_ = new QComboBox();
  x_axis_->setObjectName("xAxis");
  x_axis_->addItems({tr("Iterations"), tr("Wall time (s)")});
  controls->addWidget(x_axis_);
  controls->addWidget(new QLabel(tr("Validation")));
  validation_ = new QComboBox();
  validation_->setObjectName("validationShown");
  validation_->addItems({tr("None"), tr("Loss"), tr("Accuracy")});
  validation_->setCurrentIndex(int(ValidationShown::Loss));
  validation_->setToolTip(
      tr("The held-out validation images (never trained on), measured at every probe: "
         "dashed curves, loss on the loss axis or accuracy on a right-hand axis"));
  controls->addWidget(validation_);
  controls->addStretch();
  auto* export_button = new QPushButton(tr("Export…"));
  controls->addWidget(export_button);
  layout->addLayout(controls);

  plot_ = new QCustomPlot();
  plot_->setObjectName("lossPlot");
  plot_->setMinimumHeight(250);
  plot_->legend->setVisible(false);  // shown once there is a curve to name
  plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
  plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  layout->addWidget(plot_, 1);

  progress_grid_ = new QGridLayout();
  layout->addLayout(progress_grid_);

  connect(smoothing_, &QSlider::valueChanged, this, &LossView::rebuild);
  connect(log_scale_, &QCheckBox::toggled, this, &LossView::rebuild);
  connect(x_axis_, qOverload<int>(&QComboBox::currentIndexChanged), this, &LossView::rebuild);
  connect(validation_, qOverload<int>(&QComboBox::currentIndexChanged), this, &LossView::rebuild);
  connect(export_button, &QPushButton::clicked, this, [this] { askAndExport(0); });
  connect(plot_, &QCustomPlot::mouseMove, this, &LossView::onMouseMove);
  connect(history_, &RunHistory::changed, this, [this] {
    for (QProgressBar* b : bars_) b->deleteLater();
    for (QLabel* l : rates_) l->deleteLater();
    bars_.clear();
    rates_.clear();
    rebuild();
  });
  connect(history_, &RunHistory::recordAdded, this, &LossView::rebuild);
  connect(history_, &RunHistory::findingsChanged, this, &LossView::rebuild);
  connect(history_, &RunHistory::probeAdded, this, [this] {
    if (validation_->currentIndex() != int(ValidationShown::None)) rebuild();
  });
  rebuild();
}

void LossView::addValidationCurves(bool wall, bool accuracy) {
  for (const QString& variant : history_->variants()) {
    QVector<double> x, y;
    auto add = [&](double key, double loss, double correct) {
      const double value = accuracy ? 100 * correct : loss;
      if (!std::isfinite(value)) return;
      x << key;
      y << value;
    };
    if (wall) {  // probes carry no time: the records they fell on do
      for (const RecordPoint& p : history_->records(variant)) {
        add(p.elapsed_seconds, p.validation_loss, p.validation_accuracy);
      }
    } else {
      for (const ProbeResult* p : history_->probes(variant)) {
        add(double(p->iteration), p->validation_loss, p->validation_accuracy);
      }
    }
    if (x.isEmpty()) continue;
    QCPGraph* g = plot_->addGraph(plot_->xAxis, accuracy ? plot_->yAxis2 : plot_->yAxis);
    g->setName(variant + tr(" validation"));
    g->setPen(QPen(history_->colour(variant), 2, Qt::DashLine));
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
    g->setData(x, y, true);
    g->setProperty("validation", accuracy ? "accuracy" : "loss");
  }
}

void LossView::setSmoothing(double weight) { smoothing_->setValue(int(std::lround(weight * 100))); }

void LossView::rebuild() {
  plot_->clearGraphs();
  const bool wall = x_axis_->currentIndex() == 1;
  const double weight = smoothing_->value() / 100.0;
  for (const QString& variant : history_->variants()) {
    const auto records = history_->records(variant);
    QVector<double> x, y;
    for (const RecordPoint& p : records) {
      x << (wall ? p.elapsed_seconds : double(p.iteration));
      y << p.train_loss;
    }
    const QColor colour = history_->colour(variant);
    if (weight > 0) {
      QCPGraph* raw = plot_->addGraph();
      QColor faint = colour;
      faint.setAlpha(60);
      raw->setPen(QPen(faint, 1));
      raw->setData(x, y, true);
      raw->removeFromLegend();
      raw->setProperty("raw", true);
    }
    const std::vector<double> smoothed = smooth(std::vector<double>(y.begin(), y.end()), weight);
    QCPGraph* g = plot_->addGraph();
    g->setName(variant);
    g->setPen(QPen(colour, 2.5));
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, records.size() < 60 ? 5 : 0));
    g->setData(x, QVector<double>(smoothed.begin(), smoothed.end()), true);
  }
  const int shown = validation_->currentIndex();
  if (shown != int(ValidationShown::None)) addValidationCurves(wall, shown == int(ValidationShown::Accuracy));
  const bool right_axis = shown == int(ValidationShown::Accuracy);
  plot_->yAxis2->setVisible(right_axis);
  plot_->yAxis2->setLabel(tr("validation accuracy (%)"));
  plot_->yAxis2->setRange(0, 100);
  plot_->xAxis->setLabel(wall ? tr("training time of the variant (s)") : tr("iteration"));
  plot_->yAxis->setLabel(shown == int(ValidationShown::Loss) && plot_->graphCount() > 0
                             ? tr("loss (cross-entropy): training solid, validation dashed")
                             : tr("training loss (cross-entropy)"));
  if (log_scale_->isChecked()) {
    plot_->yAxis->setScaleType(QCPAxis::stLogarithmic);
    plot_->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
  } else {
    plot_->yAxis->setScaleType(QCPAxis::stLinear);
    plot_->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
  }
  fit_loss_axes(plot_, log_scale_->isChecked());
  plot_->clearItems();
  if (!wall) markFindings();
  QFont font = plot_->font();
  font.setPointSize(11);
  plot_->legend->setFont(font);
  plot_->legend->setVisible(plot_->legend->itemCount() > 0);  // no empty box before the first record
  plot_->xAxis->setLabelFont(font);
  plot_->yAxis->setLabelFont(font);
  plot_->yAxis2->setLabelFont(font);
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

void LossView::markFindings() {
  int row = 0;  // labels of overlapping spans stacked downwards
  for (const Finding& f : history_->findings()) {
    if (f.severity == Severity::Info || !f.layer.empty() || f.variant.empty()) continue;
    const QString variant = QString::fromStdString(f.variant);
    QColor colour = history_->colour(variant);
    colour.setAlpha(f.severity == Severity::Problem ? 45 : 28);
    auto* span = new QCPItemRect(plot_);
    span->setClipToAxisRect(true);
    span->topLeft->setTypeX(QCPItemPosition::ptPlotCoords);
    span->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
    span->bottomRight->setTypeX(QCPItemPosition::ptPlotCoords);
    span->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
    // A finding at one iteration (a NaN) still gets a visible band.
    const double width = std::max(1.0, 0.004 * plot_->xAxis->range().size());
    span->topLeft->setCoords(double(f.first_iteration) - (f.first_iteration == f.last_iteration ? width : 0), 0);
    span->bottomRight->setCoords(double(f.last_iteration) + (f.first_iteration == f.last_iteration ? width : 0), 1);
    span->setPen(Qt::NoPen);
    span->setBrush(colour);
    span->setProperty("finding", QString::fromStdString(f.kind));
    auto* label = new QCPItemText(plot_);
    label->setClipToAxisRect(true);
    label->position->setTypeX(QCPItemPosition::ptPlotCoords);
    label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
    label->position->setCoords(double(f.first_iteration), 0.02 + 0.06 * (row++ % 6));
    label->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    label->setPadding(QMargins(4, 1, 4, 1));
    QColor text = history_->colour(variant);
    label->setColor(text.darker(130));
    label->setText(variant + ": " + QString::fromStdString(f.kind).replace('_', ' '));
    label->setProperty("finding", QString::fromStdString(f.kind));
  }
}

void LossView::onMouseMove(QMouseEvent* event) {
  double best = 12;  // pixels
  QString text;
  for (int i = 0; i < plot_->graphCount(); ++i) {
    QCPGraph* g = plot_->graph(i);
    if (g->property("raw").toBool()) continue;
    for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) {
      const QPointF p = g->coordsToPixels(it->key, it->value);
      const double d = std::hypot(p.x() - event->pos().x(), p.y() - event->pos().y());
      if (d < best) {
        best = d;
        const bool accuracy = g->property("validation").toString() == "accuracy";
        text = QString("%1\n%2 %3\n%4 %5")
                   .arg(g->name(), plot_->xAxis->label())
                   .arg(it->key)
                   .arg(accuracy ? tr("accuracy (%)") : tr("loss"))
                   .arg(it->value, 0, 'f', accuracy ? 2 : 4);
      }
    }
  }
  if (text.isEmpty()) QToolTip::hideText();
  else QToolTip::showText(event->globalPosition().toPoint(), text, plot_);
}

// Progress arrives every iteration; repainting labels that often would take
// the cores training needs, so updates are kept and drawn five times a second.
void LossView::showProgress(const ProgressUpdate& u) {
  pending_[QString::fromStdString(u.variant)] = u;
  if (!progress_timer_->isActive()) progress_timer_->start();
}

void LossView::drawProgress() {
  for (auto it = pending_.cbegin(); it != pending_.cend(); ++it) {
    const QString& name = it.key();
    const ProgressUpdate& u = it.value();
    if (!bars_.contains(name)) {
      const int row = int(bars_.size());
      auto* label = new QLabel(name);
      auto* bar = new QProgressBar();
      bar->setObjectName("progress-" + name);
      auto* rate = new QLabel();
      progress_grid_->addWidget(label, row, 0);
      progress_grid_->addWidget(bar, row, 1);
      progress_grid_->addWidget(rate, row, 2);
      bars_[name] = bar;
      rates_[name] = rate;
    }
    bars_[name]->setMaximum(int(u.total));
    bars_[name]->setValue(int(u.iteration));
    const long eta = std::lround(u.eta_seconds);
    rates_[name]->setText(tr("%1 img/s · ETA %2:%3 · loss %4")
                              .arg(u.images_per_second, 0, 'f', 0)
                              .arg(eta / 60)
                              .arg(eta % 60, 2, 10, QChar('0'))
                              .arg(u.loss, 0, 'f', 3));
  }
  pending_.clear();
}

bool LossView::exportPicture(int, const QString& path, QSize size, double scale) {
  rebuild();
  return save_plot(plot_, path, size, scale, tr("Training loss — %1").arg(history_->runName()));
}

}  // namespace alexnet::ui
