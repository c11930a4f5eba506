#include "activation_view.h"

#include "picture_file.h"
#include "plot_style.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <qcustomplot.h>

namespace alexnet::ui {

HistogramSpan histogram_span(const std::vector<double>& probe_iterations, double run_end) {
  HistogramSpan span;
  if (probe_iterations.empty()) return span;
  span.begin = std::min(0.0, probe_iterations.front());
  span.end = std::max(probe_iterations.back(), run_end);
  if (span.end <= span.begin) span.end = span.begin + 1;  // a single probe: one iteration wide
  // One cell per iteration where that is few enough, else a fixed count:
  // fine enough that a probe's column starts within a pixel or two of it.
  span.cells = int(std::clamp(span.end - span.begin, 1.0, 1200.0));
  return span;
}

double ActivationView::records_end(const QString& variant) const {
  const auto records = history_->records(variant);
  return records.empty() ? 0.0 : double(records.back().iteration);
}

ActivationView::ActivationView(RunHistory* history, QWidget* parent) : ExportableView(parent), history_(history) {
  auto* layout = new QVBoxLayout(this);
  auto* controls = new QHBoxLayout();
  controls->addWidget(new QLabel(tr("Variant")));
  variant_ = new QComboBox();
  variant_->setObjectName("activationVariant");
  controls->addWidget(variant_);
  controls->addWidget(new QLabel(tr("Layer")));
  layer_ = new QComboBox();
  layer_->setObjectName("activationLayer");
  controls->addWidget(layer_);
  which_ = new QComboBox();
  which_->setObjectName("histogramKind");
  which_->addItems({tr("activation"), tr("pre-activation"), tr("weights")});
  controls->addWidget(which_);
  controls->addStretch();
  auto* export_histogram = new QPushButton(tr("Export histogram…"));
  auto* export_fractions = new QPushButton(tr("Export dead units…"));
  controls->addWidget(export_histogram);
  controls->addWidget(export_fractions);
  layout->addLayout(controls);

  auto* splitter = new QSplitter(Qt::Vertical);
  histogram_plot_ = new QCustomPlot();
  histogram_plot_->setObjectName("histogramPlot");
  map_ = new QCPColorMap(histogram_plot_->xAxis, histogram_plot_->yAxis);
  scale_ = new QCPColorScale(histogram_plot_);
  histogram_plot_->plotLayout()->addElement(0, 1, scale_);
  scale_->setType(QCPAxis::atRight);
  scale_->axis()->setLabel(tr("log10(1 + count)"));
  map_->setColorScale(scale_);
  map_->setGradient(viridis());
  map_->setInterpolate(false);
  auto* margins = new QCPMarginGroup(histogram_plot_);
  histogram_plot_->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
  scale_->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
  histogram_plot_->xAxis->setLabel(tr("iteration"));
  style_axes(histogram_plot_);
  waiting_ = new QCPItemText(histogram_plot_);
  waiting_->setObjectName("histogramWaiting");
  waiting_->position->setType(QCPItemPosition::ptAxisRectRatio);
  waiting_->position->setCoords(0.5, 0.5);
  waiting_->setText(
      tr("Histograms appear at the first probe of the run (runs made before weight histograms "
         "have none of weights)."));
  splitter->addWidget(histogram_plot_);

  fraction_plot_ = new QCustomPlot();
  fraction_plot_->setObjectName("fractionPlot");
  fraction_plot_->legend->setVisible(false);  // shown once there is a curve to name
  fraction_plot_->xAxis->setLabel(tr("iteration"));
  fraction_plot_->yAxis->setRange(0, 1.02);
  style_axes(fraction_plot_);
  splitter->addWidget(fraction_plot_);
  layout->addWidget(splitter, 1);
  note_ = new QLabel();
  note_->setWordWrap(true);
  layout->addWidget(note_);

  connect(variant_, &QComboBox::currentTextChanged, this, [this] {
    refillSelectors();
    redraw();
  });
  connect(layer_, &QComboBox::currentTextChanged, this, &ActivationView::redraw);
  connect(which_, &QComboBox::currentTextChanged, this, [this] {
    refillSelectors();  // weights also cover the classifier, which has no activation
    redraw();
  });
  connect(export_histogram, &QPushButton::clicked, this,
          [this] { askAndExport(2 * std::max(0, variant_->currentIndex())); });
  connect(export_fractions, &QPushButton::clicked, this,
          [this] { askAndExport(2 * std::max(0, variant_->currentIndex()) + 1); });
  connect(history_, &RunHistory::changed, this, [this] {
    refillSelectors();
    redraw();
  });
  connect(history_, &RunHistory::findingsChanged, this, &ActivationView::redraw);
  connect(history_, &RunHistory::probeAdded, this, [this](const QString& variant) {
    if (layer_->count() == 0) refillSelectors();
    if (variant == variant_->currentText()) redraw();
  });
  refillSelectors();
  redraw();  // the empty state: a sentence, not an empty map
}

void ActivationView::refillSelectors() {
  const QSignalBlocker b1(variant_), b2(layer_);
  const QString variant = variant_->currentText(), layer = layer_->currentText();
  variant_->clear();
  variant_->addItems(history_->variants());
  if (history_->variants().contains(variant)) variant_->setCurrentText(variant);
  layer_->clear();
  const auto probes = history_->probes(variant_->currentText());
  if (!probes.empty()) {
    if (which_->currentIndex() == 2) {
      for (const WeightHistogram& w : probes.back()->weights) layer_->addItem(QString::fromStdString(w.layer));
    } else {
      for (const LayerProbe& l : probes.front()->layers) layer_->addItem(QString::fromStdString(l.name));
    }
  }
  // The report's Figure 3 shows the second FC layer.
  const QString preferred = layer.isEmpty() ? "fc7" : layer;
  if (layer_->findText(preferred) >= 0) layer_->setCurrentText(preferred);
  else if (layer_->count() > 0) layer_->setCurrentIndex(layer_->count() - 1);
}

void ActivationView::select(const QString& variant, const QString& layer) {
  variant_->setCurrentText(variant);
  if (!layer.isEmpty()) layer_->setCurrentText(layer);
  redraw();
}

void ActivationView::redraw() {
  const QString variant = variant_->currentText();
  const QString layer = layer_->currentText();
  const bool pre = which_->currentIndex() == 1;
  const bool weights = which_->currentIndex() == 2;
  const auto probes = history_->probes(variant);
  // Histogram over time.
  std::vector<const Histogram*> columns;
  std::vector<double> iterations;
  QString activation;
  for (const ProbeResult* p : probes) {
    if (weights) {
      for (const WeightHistogram& w : p->weights) {
        if (QString::fromStdString(w.layer) != layer) continue;
        columns.push_back(&w.weights);
        iterations.push_back(double(p->iteration));
      }
    }
    for (const LayerProbe& l : p->layers) {
      if (!weights && QString::fromStdString(l.name) == layer) {
        columns.push_back(pre ? &l.pre_activation : &l.activation);
        iterations.push_back(double(p->iteration));
      }
    }
    activation = QString::fromStdString(p->activation);
  }
  // The iterations both plots span (records_end copies the variant's records: once a redraw).
  const HistogramSpan span = histogram_span(iterations, records_end(variant));
  map_->setVisible(!columns.empty());
  scale_->setVisible(!columns.empty());
  waiting_->setVisible(columns.empty());
  histogram_plot_->xAxis->setVisible(!columns.empty());
  histogram_plot_->yAxis->setVisible(!columns.empty());
  if (!columns.empty()) {
    const Histogram& first = *columns.front();
    const int bins = int(first.counts.size());
    // Only the occupied part of the fixed bins (they leave room for growth), plus
    // one empty bin either side. The map holds exactly what the axes show, so no
    // cell lies outside them: SVG output has no clipping to hide it.
    int lowest = bins, highest = -1;
    for (const Histogram* h : columns) {
      for (int y = 0; y < int(h->counts.size()); ++y) {
        if (h->counts[std::size_t(y)] > 0) {
          lowest = std::min(lowest, y);
          highest = std::max(highest, y);
        }
      }
    }
    const int r0 = highest >= 0 ? std::max(0, lowest - 1) : 0;
    const int r1 = highest >= 0 ? std::min(bins - 1, highest + 1) : bins - 1;
    const double dy = (first.edges.back() - first.edges.front()) / bins;
    // x spans the run, from its first probe to where it has got to (its last
    // probe, or a later record while it trains): a probe's histogram holds
    // until the next probe. Probes need not be evenly spaced (the last one of
    // a run, a resumed run), so the map's cells are finer than the probes,
    // each showing the latest probe at or before it.
    const int cells = span.cells;
    map_->data()->setSize(cells, r1 - r0 + 1);
    map_->data()->setRange(QCPRange(span.begin + span.cell_width() / 2, span.end - span.cell_width() / 2),
                           QCPRange(first.edges[std::size_t(r0)] + dy / 2, first.edges[std::size_t(r1)] + dy / 2));
    std::size_t column = 0;
    for (int x = 0; x < cells; ++x) {
      const double at = span.begin + (x + 0.5) * span.cell_width();
      while (column + 1 < iterations.size() && iterations[column + 1] <= at) ++column;
      const Histogram& h = *columns[column];
      for (int y = r0; y <= r1; ++y) {
        const auto count = std::size_t(y) < h.counts.size() ? h.counts[std::size_t(y)] : 0;
        map_->data()->setCell(x, y - r0, std::log10(1.0 + double(count)));
      }
    }
    map_->rescaleDataRange(true);
    histogram_plot_->yAxis->setRange(first.edges[std::size_t(r0)], first.edges[std::size_t(r1) + 1]);
    histogram_plot_->xAxis->setRange(span.begin, span.end);
  } else {
    map_->data()->clear();
  }
  histogram_plot_->yAxis->setLabel(columns.empty() ? QString()
                                                   : QString("%1 %2 of %3")
                                                         .arg(layer,
                                                              weights ? tr("weights")
                                                              : pre   ? tr("pre-activation")
                                                                      : tr("activation"),
                                                              variant));
  histogram_plot_->replot(QCustomPlot::rpQueuedReplot);

  // Fractions of every layer over time.
  fraction_plot_->clearGraphs();
  const bool tanh = activation == "tanh";
  if (!probes.empty()) {
    const auto& layers = probes.front()->layers;
    for (std::size_t k = 0; k < layers.size(); ++k) {
      const QColor colour = QColor::fromHsvF(0.62 * double(k) / std::max<std::size_t>(1, layers.size() - 1), 0.85, 0.8);
      QVector<double> x, dead, nearly;
      for (const ProbeResult* p : probes) {
        if (k >= p->layers.size()) continue;
        x << double(p->iteration);
        dead << (tanh ? p->layers[k].saturated_fraction : p->layers[k].dead_fraction);
        nearly << p->layers[k].nearly_dead_fraction;
      }
      QCPGraph* g = fraction_plot_->addGraph();
      g->setName(QString::fromStdString(layers[k].name) + (tanh ? tr(" saturated") : tr(" dead")));
      g->setPen(QPen(colour, 2.5));
      g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
      g->setData(x, dead, true);
      if (!tanh) {
        QCPGraph* n = fraction_plot_->addGraph();
        n->setName(QString::fromStdString(layers[k].name) + tr(" nearly dead"));
        n->setPen(QPen(colour, 1.5, Qt::DashLine));
        n->setData(x, nearly, true);
      }
    }
  }
  // The findings about this variant's layers: a shaded span in the layer's colour, labelled.
  fraction_plot_->clearItems();
  if (!probes.empty()) {
    const auto& layers = probes.front()->layers;
    int row = 0;
    for (const Finding& f : history_->findings()) {
      if (QString::fromStdString(f.variant) != variant || f.layer.empty()) continue;
      if (f.kind != "dead_layer" && f.kind != "saturated_layer") continue;
      std::size_t k = 0;
      while (k < layers.size() && layers[k].name != f.layer) ++k;
      QColor colour = QColor::fromHsvF(0.62 * double(k) / std::max<std::size_t>(1, layers.size() - 1), 0.85, 0.8);
      auto* band = new QCPItemRect(fraction_plot_);
      band->topLeft->setTypeX(QCPItemPosition::ptPlotCoords);
      band->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
      band->bottomRight->setTypeX(QCPItemPosition::ptPlotCoords);
      band->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
      band->topLeft->setCoords(double(f.first_iteration), 0);
      band->bottomRight->setCoords(double(f.last_iteration), 1);
      band->setPen(Qt::NoPen);
      colour.setAlpha(f.severity == Severity::Problem ? 40 : 25);
      band->setBrush(colour);
      band->setProperty("finding", QString::fromStdString(f.kind));
      auto* label = new QCPItemText(fraction_plot_);
      label->position->setTypeX(QCPItemPosition::ptPlotCoords);
      label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
      label->position->setCoords(double(f.first_iteration), 0.1 + 0.07 * (row++ % 5));  // below a fully dead line
      label->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
      colour.setAlpha(255);
      label->setColor(colour.darker(130));
      label->setText(QString::fromStdString(f.layer) + (f.kind == "dead_layer" ? tr(": dead") : tr(": saturated")));
      label->setProperty("finding", QString::fromStdString(f.kind));
    }
  }
  fraction_plot_->xAxis->rescale();
  if (!iterations.empty())
    fraction_plot_->xAxis->setRange(span.begin, span.end);  // the same run as the histogram above
  fraction_plot_->yAxis->setRange(0, 1.02);
  fraction_plot_->yAxis->setLabel(tanh ? tr("fraction of units saturated (|tanh| > 0.99 always)")
                                       : tr("fraction of units dead / nearly dead"));
  fraction_plot_->legend->setVisible(fraction_plot_->graphCount() > 0);
  fraction_plot_->replot(QCustomPlot::rpQueuedReplot);
  note_->setText(tanh ? tr("Saturated: |tanh| > 0.99 for every probe image and position.")
                      : tr("Dead: pre-activation ≤ 0 for every probe image and position. Nearly dead (dashed): "
                           "active, but for under 1% of them."));
}

QStringList ActivationView::exportNames() const {
  QStringList names;
  for (const QString& v : history_->variants()) names << "activations-" + v << "dead-units-" + v;
  return names;
}

bool ActivationView::exportPicture(int index, const QString& path, QSize size, double scale) {
  const QStringList variants = history_->variants();
  if (index < 0 || index / 2 >= variants.size()) return false;
  if (variant_->currentText() != variants[index / 2]) variant_->setCurrentText(variants[index / 2]);
  redraw();
  QCustomPlot* plot = index % 2 == 0 ? histogram_plot_ : fraction_plot_;
  const QString what = index % 2 == 1                ? tr("Dead units")
                       : which_->currentIndex() == 2 ? tr("Weight histograms")
                       : which_->currentIndex() == 1 ? tr("Pre-activation histograms")
                                                     : tr("Activation histograms");
  return save_plot(plot, path, size, scale, tr("%1 — %2 — %3").arg(what, variants[index / 2], history_->runName()));
}

}  // namespace alexnet::ui
