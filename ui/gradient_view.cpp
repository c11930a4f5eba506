#include "gradient_view.h"

#include "picture_file.h"
#include "plot_style.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <qcustomplot.h>

namespace alexnet::ui {

namespace {

// log10 of the update ratio on a fixed scale, so runs compare at a glance:
// healthy steps are about 1e-3 of the weights (the middle of the scale).
constexpr double kRatioFloor = -6, kRatioCeiling = 0;
constexpr double kNormSpan = 8;  // decades of gradient norm shown below the largest

bool about_gradients(const Finding& f) {
  return f.kind == "vanishing_gradient" || f.kind == "exploding_gradient" || f.kind == "lr_too_high" ||
         f.kind == "lr_too_low";
}

}  // namespace

GradientView::GradientView(RunHistory* history, QWidget* parent) : ExportableView(parent), history_(history) {
  auto* layout = new QVBoxLayout(this);
  auto* controls = new QHBoxLayout();
  controls->addWidget(new QLabel(tr("Variant")));
  variant_ = new QComboBox();
  variant_->setObjectName("gradientVariant");
  controls->addWidget(variant_);
  quantity_ = new QComboBox();
  quantity_->setObjectName("gradientQuantity");
  quantity_->addItems({tr("update ratio ‖ΔW‖ / ‖W‖"), tr("gradient norm ‖∂loss/∂W‖")});
  controls->addWidget(quantity_);
  controls->addStretch();
  auto* export_button = new QPushButton(tr("Export depth profile…"));
  controls->addWidget(export_button);
  layout->addLayout(controls);

  plot_ = new QCustomPlot();
  plot_->setObjectName("depthProfilePlot");
  map_ = new QCPColorMap(plot_->xAxis, plot_->yAxis);
  scale_ = new QCPColorScale(plot_);
  plot_->plotLayout()->addElement(0, 1, scale_);
  scale_->setType(QCPAxis::atRight);
  map_->setColorScale(scale_);
  QCPColorGradient gradient = viridis();
  gradient.setNanHandling(QCPColorGradient::nhLowestColor);  // a zero gradient is as low as it gets
  map_->setGradient(gradient);
  map_->setInterpolate(false);
  auto* margins = new QCPMarginGroup(plot_);
  plot_->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
  scale_->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
  plot_->xAxis->setLabel(tr("iteration"));
  plot_->yAxis->setLabel(tr("layer (input at the bottom)"));
  style_axes(plot_);
  layout->addWidget(plot_, 1);
  note_ = new QLabel();
  note_->setObjectName("gradientNote");
  note_->setWordWrap(true);
  layout->addWidget(note_);

  connect(variant_, &QComboBox::currentTextChanged, this, &GradientView::redraw);
  connect(quantity_, &QComboBox::currentIndexChanged, this, &GradientView::redraw);
  connect(export_button, &QPushButton::clicked, this, [this] { askAndExport(std::max(0, variant_->currentIndex())); });
  connect(history_, &RunHistory::changed, this, [this] {
    refillVariants();
    redraw();
  });
  connect(history_, &RunHistory::findingsChanged, this, &GradientView::redraw);
  connect(history_, &RunHistory::gradientsAdded, this, [this](const QString& variant) {
    if (variant_->findText(variant) < 0) refillVariants();
    if (variant == variant_->currentText()) redraw();
  });
  refillVariants();
  redraw();
}

void GradientView::refillVariants() {
  const QSignalBlocker block(variant_);
  const QString current = variant_->currentText();
  variant_->clear();
  variant_->addItems(history_->variants());
  if (variant_->findText(current) >= 0) variant_->setCurrentText(current);
}

void GradientView::select(const QString& variant) {
  if (variant_->findText(variant) >= 0) variant_->setCurrentText(variant);
}

void GradientView::redraw() {
  const QString variant = variant_->currentText();
  const auto records = history_->gradients(variant);
  const bool ratio = quantity_->currentIndex() == 0;
  layers_.clear();
  columns_ = int(records.size());
  if (!records.empty()) {
    for (const LayerGradient& l : records.back()->layers) layers_ << QString::fromStdString(l.layer);
  }
  map_->data()->clear();
  plot_->clearItems();
  auto* waiting = new QCPItemText(plot_);  // made anew at each redraw: clearItems takes every item
  waiting->position->setType(QCPItemPosition::ptAxisRectRatio);
  waiting->position->setCoords(0.5, 0.5);
  waiting->setText(
      tr("The gradient instruments measure the last step before every record (runs made before them have none)."));
  waiting->setVisible(records.empty() || layers_.isEmpty());
  scale_->axis()->setLabel(ratio ? tr("log10(‖ΔW‖ / ‖W‖) of one step") : tr("log10 gradient norm"));
  if (records.empty() || layers_.isEmpty()) {
    note_->setText(variant.isEmpty() ? QString() : tr("No gradient measurements of %1 yet.").arg(variant));
    plot_->replot(QCustomPlot::rpQueuedReplot);
    return;
  }
  const int rows = int(layers_.size());
  const double first = double(records.front()->iteration), last = double(records.back()->iteration);
  map_->data()->setSize(columns_, rows);
  map_->data()->setRange(QCPRange(first, columns_ > 1 ? last : first + 1), QCPRange(0, std::max(1, rows - 1)));
  double top = -1e300;
  for (int x = 0; x < columns_; ++x) {
    const auto& layers = records[std::size_t(x)]->layers;
    for (int y = 0; y < rows && y < int(layers.size()); ++y) {
      const double v = ratio ? layers[std::size_t(y)].update_ratio : layers[std::size_t(y)].gradient_norm;
      const double logged = v > 0 && std::isfinite(v) ? std::log10(v) : std::nan("");
      map_->data()->setCell(x, y, logged);
      if (std::isfinite(logged)) top = std::max(top, logged);
    }
  }
  if (ratio) {
    map_->setDataRange(QCPRange(kRatioFloor, kRatioCeiling));
  } else {
    const double ceiling = top > -1e300 ? std::ceil(top) : 1;
    map_->setDataRange(QCPRange(ceiling - kNormSpan, ceiling));
  }
  const double half = columns_ > 1 ? (last - first) / (columns_ - 1) / 2 : 0.5;
  plot_->xAxis->setRange(first - half, last + half);
  plot_->yAxis->setRange(-0.5, rows - 0.5);
  QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
  for (int y = 0; y < rows; ++y) ticker->addTick(y, layers_[y]);
  plot_->yAxis->setTicker(ticker);
  markFindings(variant, half);
  note_->setText(ratio
                     ? tr("Each column is the last training step before a record. A healthy step moves a layer's "
                          "weights by about 0.1 % (10^-3, the middle of the scale); a dark band at the bottom means "
                          "the layers near the input hardly learn, the whole picture bright or dark a learning rate "
                          "too high or too low.")
                     : tr("Each column is the last training step before a record: the gradient norm of every "
                          "layer's weights. Gradients that vanish on their way to the input darken the bottom rows."));
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

void GradientView::markFindings(const QString& variant, double half_column) {
  int row = 0;
  for (const Finding& f : history_->findings()) {
    if (QString::fromStdString(f.variant) != variant || !about_gradients(f)) continue;
    // The rows it concerns: up to the deepest vanishing layer, the one exploding, or all for the rate.
    const int layer = int(layers_.indexOf(QString::fromStdString(f.layer)));
    int from = 0, to = int(layers_.size()) - 1;
    if (f.kind == "vanishing_gradient" && layer >= 0) to = layer;
    if (f.kind == "exploding_gradient" && layer >= 0) from = to = layer;
    auto* box = new QCPItemRect(plot_);
    box->setProperty("finding", QString::fromStdString(f.kind));
    // Around the columns of its first and last measurements.
    box->topLeft->setCoords(double(f.first_iteration) - half_column, to + 0.45);
    box->bottomRight->setCoords(double(f.last_iteration) + half_column, from - 0.45);
    const QColor colour = f.severity == Severity::Problem ? QColor(230, 40, 40) : QColor(255, 150, 0);
    box->setPen(QPen(colour, 2));
    box->setBrush(Qt::NoBrush);
    auto* label = new QCPItemText(plot_);
    label->setProperty("finding", QString::fromStdString(f.kind));
    label->position->setCoords(double(f.first_iteration) - half_column, to + 0.45 - 0.3 * (row++ % 3));
    label->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    label->setColor(Qt::white);
    label->setBrush(QColor(0, 0, 0, 140));
    label->setText(" " + QString::fromStdString(f.kind).replace('_', ' ') + " ");
  }
}

QStringList GradientView::exportNames() const {
  QStringList names;
  for (const QString& v : history_->variants()) names << "gradients-" + v;
  return names;
}

bool GradientView::exportPicture(int index, const QString& path, QSize size, double scale) {
  const QStringList variants = history_->variants();
  if (index < 0 || index >= variants.size()) return false;
  if (variant_->currentText() != variants[index]) variant_->setCurrentText(variants[index]);
  redraw();
  const QString what = quantity_->currentIndex() == 0 ? tr("Update ratio by layer") : tr("Gradient norm by layer");
  return save_plot(plot_, path, size, scale, tr("%1 — %2 — %3").arg(what, variants[index], history_->runName()));
}

}  // namespace alexnet::ui
