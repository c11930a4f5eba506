#include "compare_view.h"

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include "compare_plot.h"
#include "picture_file.h"

namespace alexnet::ui {

namespace {

QStandardItem* cell(const QString& text, const QVariant& sort_key, bool number = false) {
  auto* item = new QStandardItem(text);
  item->setData(sort_key, Qt::UserRole);
  item->setEditable(false);
  if (number) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  return item;
}

QCustomPlot* new_plot() {
  auto* plot = new QCustomPlot();
  plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  plot->setMinimumHeight(220);
  return plot;
}

}  // namespace

CompareView::CompareView(QWidget* parent) : ExportableView(parent) {
  heading_ = new QLabel(tr("Select two or more runs in the Runs view and press Compare."));
  heading_->setObjectName("compareHeading");
  heading_->setWordWrap(true);

  loss_plot_ = new_plot();
  loss_plot_->setObjectName("compareLossPlot");
  dead_plot_ = new_plot();
  dead_plot_->setObjectName("compareDeadPlot");
  dead_variant_ = new QComboBox();
  dead_variant_->setObjectName("compareDeadVariant");
  dead_layer_ = new QComboBox();
  dead_layer_->setObjectName("compareDeadLayer");

  results_ = new QStandardItemModel(this);
  results_->setSortRole(Qt::UserRole);
  results_table_ = new QTableView();
  results_table_->setObjectName("compareResults");
  results_table_->setModel(results_);
  results_table_->setSortingEnabled(true);
  results_table_->verticalHeader()->hide();
  results_table_->horizontalHeader()->setStretchLastSection(true);
  differences_ = new QListWidget();
  differences_->setObjectName("compareDifferences");

  auto* export_loss = new QPushButton(tr("Export…"));
  auto* export_dead = new QPushButton(tr("Export…"));
  connect(export_loss, &QPushButton::clicked, this, [this] { askAndExport(0); });
  connect(export_dead, &QPushButton::clicked, this, [this] { askAndExport(1); });

  auto* loss_box = new QWidget();
  auto* loss_layout = new QVBoxLayout(loss_box);
  loss_layout->setContentsMargins(0, 0, 0, 0);
  auto* loss_bar = new QHBoxLayout();
  loss_bar->addWidget(new QLabel(tr("<b>Training loss</b> — colour: variant, line style: run")), 1);
  loss_bar->addWidget(export_loss);
  loss_layout->addLayout(loss_bar);
  loss_layout->addWidget(loss_plot_, 1);

  auto* dead_box = new QWidget();
  auto* dead_layout = new QVBoxLayout(dead_box);
  dead_layout->setContentsMargins(0, 0, 0, 0);
  auto* dead_bar = new QHBoxLayout();
  dead_bar->addWidget(new QLabel(tr("<b>Dead units</b> of")));
  dead_bar->addWidget(dead_variant_);
  dead_bar->addWidget(dead_layer_);
  dead_bar->addStretch(1);
  dead_bar->addWidget(export_dead);
  dead_layout->addLayout(dead_bar);
  dead_layout->addWidget(dead_plot_, 1);

  auto* results_box = new QWidget();
  auto* results_layout = new QVBoxLayout(results_box);
  results_layout->setContentsMargins(0, 0, 0, 0);
  results_layout->addWidget(new QLabel(tr("<b>Test results</b>, a row per run and variant")));
  results_layout->addWidget(results_table_, 1);

  auto* differences_box = new QWidget();
  auto* differences_layout = new QVBoxLayout(differences_box);
  differences_layout->setContentsMargins(0, 0, 0, 0);
  differences_layout->addWidget(new QLabel(tr("<b>What differs</b> between the runs")));
  differences_layout->addWidget(differences_, 1);

  auto* plots = new QSplitter(Qt::Horizontal);
  plots->addWidget(loss_box);
  plots->addWidget(dead_box);
  plots->setStretchFactor(0, 3);
  plots->setStretchFactor(1, 2);
  auto* tables = new QSplitter(Qt::Horizontal);
  tables->addWidget(results_box);
  tables->addWidget(differences_box);
  tables->setStretchFactor(0, 3);
  tables->setStretchFactor(1, 2);
  auto* rows = new QSplitter(Qt::Vertical);
  rows->addWidget(plots);
  rows->addWidget(tables);
  rows->setStretchFactor(0, 3);
  rows->setStretchFactor(1, 2);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(heading_);
  layout->addWidget(rows, 1);

  connect(dead_variant_, &QComboBox::currentTextChanged, this, [this] {
    fillLayers();
    drawDeadUnits();
  });
  connect(dead_layer_, &QComboBox::currentTextChanged, this, &CompareView::drawDeadUnits);
  draw_compared_losses(loss_plot_, comparison_);
  draw_compared_dead_units(dead_plot_, comparison_, "", "");
}

bool CompareView::compare(const QStringList& dirs, QString* error) {
  Comparison c;
  try {
    std::vector<std::string> paths;
    for (const QString& d : dirs) paths.push_back(d.toStdString());
    c = compare_runs(paths);
    read_compared_probes(c);
  } catch (const std::exception& e) {
    if (error) *error = QString::fromUtf8(e.what());
    return false;
  }
  comparison_ = std::move(c);
  QString heading = tr("Comparing %1").arg(compared_names(comparison_));
  if (comparison_.different_data) {
    heading += tr(" — <b>the runs trained on different data sets, so their accuracies are not comparable</b>");
  }
  heading_->setText(heading);
  draw_compared_losses(loss_plot_, comparison_);
  loss_plot_->replot();
  fillResults();
  differences_->clear();
  for (const std::string& d : comparison_.differences) differences_->addItem(QString::fromStdString(d));
  if (comparison_.differences.empty()) differences_->addItem(tr("(the runs have the same settings)"));
  const QSignalBlocker block(dead_variant_);
  dead_variant_->clear();
  for (const std::string& v : comparison_.variants) dead_variant_->addItem(QString::fromStdString(v));
  fillLayers();
  drawDeadUnits();
  return true;
}

void CompareView::fillResults() {
  results_->clear();
  results_->setHorizontalHeaderLabels(
      {tr("Run"), tr("Variant"), tr("Data"), tr("Test loss"), tr("Test accuracy"), tr("Iterations"), tr("Seconds")});
  for (const ComparisonRow& r : comparison_rows(comparison_)) {
    const QString run = QString::fromStdString(r.run);
    const QString variant = QString::fromStdString(r.variant);
    QList<QStandardItem*> row{cell(run, run), cell(variant, variant),
                              cell(QString::fromStdString(r.data), QString::fromStdString(r.data))};
    if (r.evaluated) {
      row << cell(QString::number(r.test_loss, 'f', 4), r.test_loss, true)
          << cell(QStringLiteral("%1 %").arg(100 * r.test_accuracy, 0, 'f', 2), r.test_accuracy, true)
          << cell(QString::number(r.iterations), qlonglong(r.iterations), true)
          << cell(QString::number(r.seconds, 'f', 1), r.seconds, true);
    } else {
      row << cell("-", -1.0, true) << cell(tr("not evaluated"), -1.0, true) << cell("-", -1, true)
          << cell("-", -1.0, true);
    }
    results_->appendRow(row);
  }
  results_table_->resizeColumnsToContents();
}

void CompareView::fillLayers() {
  const QString kept = dead_layer_->currentText();
  const QSignalBlocker block(dead_layer_);
  dead_layer_->clear();
  const std::string variant = dead_variant_->currentText().toStdString();
  QString deadliest;  // shown first: the layer where a run lost the most units
  double most = -1;
  for (const ComparedRun& r : comparison_.runs) {
    for (const ProbeResult& p : r.run.probes) {
      if (p.variant != variant) continue;
      for (const LayerProbe& l : p.layers) {
        const QString name = QString::fromStdString(l.name);
        if (dead_layer_->findText(name) < 0) dead_layer_->addItem(name);
        if (l.dead_fraction > most) most = l.dead_fraction, deadliest = name;
      }
    }
  }
  dead_layer_->setCurrentText(dead_layer_->findText(kept) >= 0 ? kept : deadliest);
}

void CompareView::showDeadUnits(const QString& variant, const QString& layer) {
  dead_variant_->setCurrentText(variant);
  dead_layer_->setCurrentText(layer);
  drawDeadUnits();
}

void CompareView::drawDeadUnits() {
  draw_compared_dead_units(dead_plot_, comparison_, dead_variant_->currentText().toStdString(),
                           dead_layer_->currentText().toStdString());
  dead_plot_->replot();
}

bool CompareView::exportPicture(int index, const QString& path, QSize size, double scale) {
  const QString runs = compared_names(comparison_);
  if (index == 0) return save_plot(loss_plot_, path, size, scale, tr("Training loss — %1").arg(runs));
  if (index == 1) {
    return save_plot(
        dead_plot_, path, size, scale,
        tr("Dead units of %1 in %2 — %3").arg(dead_layer_->currentText(), dead_variant_->currentText(), runs));
  }
  return false;
}

}  // namespace alexnet::ui
