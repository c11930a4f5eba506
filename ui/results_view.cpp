#include "results_view.h"

#include <QFontMetrics>

#include "picture_file.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <cmath>
#include <qcustomplot.h>

namespace alexnet::ui {

namespace {
const QStringList kColumns = {"variant",      "test loss",  "test accuracy", "validation accuracy",
                              "best weights", "iterations", "time (s)",      "parameters",
                              "note"};
constexpr int kNoteColumn = 8;

// "iteration 2,300: 91.3 % validation (90.9 % test)", or a dash where the run kept none.
QString best_weights(const VariantResult& r) {
  if (r.best_iteration < 0) return QStringLiteral("—");
  QString text = QObject::tr("iteration %1: %2 % validation")
                     .arg(QLocale().toString(qlonglong(r.best_iteration)))
                     .arg(100.0 * r.best_validation_accuracy, 0, 'f', 2);
  if (std::isfinite(r.best_test_accuracy))
    text += QObject::tr(" (%1 % test)").arg(100.0 * r.best_test_accuracy, 0, 'f', 2);
  return text;
}
}  // namespace

ResultsTableModel::ResultsTableModel(RunHistory* history, QObject* parent)
    : QAbstractTableModel(parent), history_(history) {
  auto reset = [this] {
    beginResetModel();
    endResetModel();
  };
  connect(history_, &RunHistory::changed, this, reset);
  connect(history_, &RunHistory::resultsChanged, this, reset);
}

int ResultsTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : int(history_->results().size());
}

int ResultsTableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : int(kColumns.size());
}

QVariant ResultsTableModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || std::size_t(index.row()) >= history_->results().size()) return {};
  const VariantResult& r = history_->results()[std::size_t(index.row())];
  if (role == Qt::TextAlignmentRole) {
    return index.column() == 0 || index.column() == kNoteColumn ? int(Qt::AlignLeft | Qt::AlignVCenter)
                                                                : int(Qt::AlignRight | Qt::AlignVCenter);
  }
  if (role == Qt::ForegroundRole && index.column() == 0) return history_->colour(QString::fromStdString(r.variant));
  if (role != Qt::DisplayRole) return {};
  switch (index.column()) {
    case 0:
      return QString::fromStdString(r.variant);
    case 1:
      return std::isfinite(r.test_loss) ? QString::number(r.test_loss, 'f', 4) : QString("—");
    case 2:
      return QString::number(100.0 * r.test_accuracy, 'f', 2) + " %";
    case 3:
      return std::isfinite(r.validation_accuracy) ? QString::number(100.0 * r.validation_accuracy, 'f', 2) + " %"
                                                  : QString("—");
    case 4:
      return best_weights(r);
    case 5:
      return QLocale().toString(qlonglong(r.iterations));
    case 6:
      return QString::number(r.seconds, 'f', 1);
    case 7:
      return QLocale().toString(qlonglong(r.parameters));
    case kNoteColumn:
      return QString::fromStdString(r.note);
  }
  return {};
}

QVariant ResultsTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (role == Qt::DisplayRole && orientation == Qt::Horizontal) return kColumns.value(section);
  return {};
}

ResultsView::ResultsView(RunHistory* history, QWidget* parent) : ExportableView(parent), history_(history) {
  auto* layout = new QVBoxLayout(this);
  auto* splitter = new QSplitter(Qt::Vertical);
  model_ = new ResultsTableModel(history_, this);
  table_ = new QTableView();
  table_->setObjectName("resultsTable");
  table_->setModel(model_);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->verticalHeader()->hide();
  splitter->addWidget(table_);
  auto* lower = new QWidget();
  auto* lower_layout = new QVBoxLayout(lower);
  confusion_ = new QCustomPlot();
  confusion_->setObjectName("confusionPlot");
  lower_layout->addWidget(confusion_, 1);
  auto* export_button = new QPushButton(tr("Export confusion matrix…"));
  auto* row = new QHBoxLayout();
  row->addStretch();
  row->addWidget(export_button);
  lower_layout->addLayout(row);
  splitter->addWidget(lower);
  splitter->setStretchFactor(1, 3);
  layout->addWidget(splitter);

  confusion_->setToolTip(tr("Click a cell to see its images"));
  connect(confusion_, &QCustomPlot::mousePress, this, [this](QMouseEvent* event) {
    const int row = std::max(0, table_->currentIndex().row());
    if (std::size_t(row) >= history_->results().size()) return;
    const int n = int(history_->results()[std::size_t(row)].confusion.size());
    if (n == 0 || !confusion_->axisRect()->rect().contains(event->pos())) return;
    const int predicted =
        int(std::lround(confusion_->axisRect()->axis(QCPAxis::atBottom)->pixelToCoord(event->pos().x())));
    const int row_from_bottom =
        int(std::lround(confusion_->axisRect()->axis(QCPAxis::atLeft)->pixelToCoord(event->pos().y())));
    activateCell(n - 1 - row_from_bottom, predicted);
  });
  connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& current) { showConfusion(current.row()); });
  connect(model_, &QAbstractItemModel::modelReset, this, [this] {
    table_->resizeColumnsToContents();
    if (model_->rowCount() > 0) table_->selectRow(0);
    showConfusion(model_->rowCount() > 0 ? 0 : -1);
  });
  connect(export_button, &QPushButton::clicked, this,
          [this] { askAndExport(std::max(0, table_->currentIndex().row())); });
  showConfusion(-1);
}

void ResultsView::showConfusion(int row) {
  confusion_->clearPlottables();
  confusion_->clearItems();
  confusion_->plotLayout()->clear();
  auto* rect = new QCPAxisRect(confusion_);
  confusion_->plotLayout()->addElement(0, 0, rect);
  if (row < 0 || std::size_t(row) >= history_->results().size()) {
    // Nothing to show yet: a sentence, not empty axes.
    for (QCPAxis* axis : rect->axes()) axis->setVisible(false);
    auto* waiting = new QCPItemText(confusion_);
    waiting->setObjectName("confusionWaiting");
    waiting->position->setType(QCPItemPosition::ptAxisRectRatio);
    waiting->position->setAxisRect(rect);
    waiting->position->setCoords(0.5, 0.5);
    waiting->setText(tr("The confusion matrix appears when the run has been evaluated on the test set."));
    confusion_->replot();
    return;
  }
  const VariantResult& r = history_->results()[std::size_t(row)];
  const int n = int(r.confusion.size());
  QStringList names = history_->classNames();
  while (names.size() < n) names << QString::number(names.size());
  auto* map = new QCPColorMap(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
  map->data()->setSize(n, n);
  map->data()->setRange(QCPRange(0, n - 1), QCPRange(0, n - 1));
  map->setGradient(QCPColorGradient::gpCold);
  map->setInterpolate(false);
  QFont font = confusion_->font();
  font.setPointSize(n > 12 ? 7 : 9);
  for (int t = 0; t < n; ++t) {
    std::int64_t row_total = 0;
    for (auto c : r.confusion[std::size_t(t)]) row_total += c;
    for (int p = 0; p < n; ++p) {
      const auto count = r.confusion[std::size_t(t)][std::size_t(p)];
      const double share = row_total ? double(count) / double(row_total) : 0;
      // True class top to bottom, as a confusion matrix is read.
      map->data()->setCell(p, n - 1 - t, share);
      if (n <= 20) {
        auto* label = new QCPItemText(confusion_);
        label->setClipAxisRect(rect);
        label->position->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        label->position->setCoords(p, n - 1 - t);
        label->setText(QString::number(count));
        label->setFont(font);
        label->setColor(share > 0.6 ? Qt::black : Qt::white);  // gpCold runs black -> blue -> white
      }
    }
  }
  map->setDataRange(QCPRange(0, 1));
  auto* x_ticks = new QCPAxisTickerText;
  auto* y_ticks = new QCPAxisTickerText;
  for (int i = 0; i < n; ++i) {
    x_ticks->addTick(i, names[i]);
    y_ticks->addTick(n - 1 - i, names[i]);
  }
  QCPAxis* x = rect->axis(QCPAxis::atBottom);
  QCPAxis* y = rect->axis(QCPAxis::atLeft);
  x->setTicker(QSharedPointer<QCPAxisTicker>(x_ticks));
  y->setTicker(QSharedPointer<QCPAxisTicker>(y_ticks));
  x->setTickLabelRotation(n > 6 ? 35 : 0);
  if (n > 6) {
    // A slanted label reaches right of its tick: room for the last one, which would be dropped otherwise.
    const int last = QFontMetrics(x->tickLabelFont()).horizontalAdvance(names[n - 1]);
    rect->setMinimumMargins(QMargins(0, 0, int(last * 0.82) + 8, 0));  // cos 35°
  }
  x->setSubTicks(false);
  y->setSubTicks(false);
  x->setLabel(tr("predicted class"));
  y->setLabel(tr("true class — %1, %2 % correct")
                  .arg(QString::fromStdString(r.variant))
                  .arg(100.0 * r.test_accuracy, 0, 'f', 2));
  x->setRange(-0.5, n - 0.5);
  y->setRange(-0.5, n - 0.5);
  confusion_->replot(QCustomPlot::rpQueuedReplot);
}

void ResultsView::activateCell(int truth, int predicted) {
  const int row = std::max(0, table_->currentIndex().row());
  if (std::size_t(row) >= history_->results().size()) return;
  const VariantResult& r = history_->results()[std::size_t(row)];
  const int n = int(r.confusion.size());
  if (truth < 0 || truth >= n || predicted < 0 || predicted >= n) return;
  emit cellActivated(QString::fromStdString(r.variant), truth, predicted);
}

QStringList ResultsView::exportNames() const {
  QStringList names;
  for (const VariantResult& r : history_->results()) names << "confusion-" + QString::fromStdString(r.variant);
  return names;
}

bool ResultsView::exportPicture(int index, const QString& path, QSize size, double scale) {
  if (index < 0 || std::size_t(index) >= history_->results().size()) return false;
  showConfusion(index);
  const QString title =
      tr("Confusion matrix — %1 — %2")
          .arg(QString::fromStdString(history_->results()[std::size_t(index)].variant), history_->runName());
  const bool ok = save_plot(confusion_, path, QSize(size.height(), size.height()), scale, title);  // square
  showConfusion(std::max(0, table_->currentIndex().row()));
  return ok;
}

}  // namespace alexnet::ui
