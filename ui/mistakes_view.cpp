#include "mistakes_view.h"

#include <algorithm>

#include <QApplication>
#include <QComboBox>
#include <QHBoxLayout>
#include <QImage>
#include <QLabel>
#include <QListWidget>
#include <QPixmap>
#include <QThread>
#include <QVBoxLayout>

#include "run/run_store.h"
#include "background_job.h"
#include "thumbnail_image.h"

namespace alexnet::ui {

namespace {

// Thumbnails are drawn at least this large, in whole pixels per pixel.
constexpr int kThumbnailSide = 84;
// More would take long to draw and nobody looks at them one by one.
constexpr int kMostShown = 400;

}  // namespace

void order_predictions(std::vector<const Prediction*>& predictions, MistakeOrder order, std::size_t keep) {
  keep = std::min(keep, predictions.size());
  if (order == MistakeOrder::MostConfidentFirst) {
    // Ties in test-set order, so the gallery is the same every time.
    std::partial_sort(predictions.begin(), predictions.begin() + std::ptrdiff_t(keep), predictions.end(),
                      [](const Prediction* a, const Prediction* b) {
                        return a->confidence != b->confidence ? a->confidence > b->confidence : a->index < b->index;
                      });
  }
  predictions.resize(keep);
}

MistakesView::MistakesView(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  auto* controls = new QHBoxLayout();
  variant_ = new QComboBox();
  variant_->setObjectName("mistakesVariant");
  truth_ = new QComboBox();
  truth_->setObjectName("mistakesTruth");
  predicted_ = new QComboBox();
  predicted_->setObjectName("mistakesPredicted");
  controls->addWidget(new QLabel(tr("Variant")));
  controls->addWidget(variant_);
  controls->addWidget(new QLabel(tr("True class")));
  controls->addWidget(truth_);
  controls->addWidget(new QLabel(tr("Predicted")));
  controls->addWidget(predicted_);
  order_ = new QComboBox();
  order_->setObjectName("mistakesOrder");
  // The confident mistakes first: those say most about what a variant learnt wrong.
  order_->addItem(tr("most confident first"), int(MistakeOrder::MostConfidentFirst));
  order_->addItem(tr("test-set order"), int(MistakeOrder::TestSetOrder));
  controls->addWidget(new QLabel(tr("Order")));
  controls->addWidget(order_);
  weights_ = new QComboBox();
  weights_->setObjectName("mistakesWeights");
  weights_->addItem(tr("last weights"), int(Weights::Last));
  weights_->addItem(tr("best weights (by validation accuracy)"), int(Weights::Best));
  weights_->setToolTip(tr("The best weights' test predictions are kept by runs trained with --early-stop"));
  controls->addWidget(weights_);
  controls->addStretch();
  layout->addLayout(controls);
  status_ = new QLabel(tr("Open a run that has been evaluated: its test images that a variant got wrong appear here."));
  status_->setObjectName("mistakesStatus");
  status_->setWordWrap(true);
  layout->addWidget(status_);
  gallery_ = new QListWidget();
  gallery_->setObjectName("mistakesGallery");
  gallery_->setViewMode(QListView::IconMode);
  gallery_->setResizeMode(QListView::Adjust);
  gallery_->setMovement(QListView::Static);
  gallery_->setIconSize(QSize(kThumbnailSide, kThumbnailSide));
  // Room for "T-shirt/top", "→ Pullover" and the probability, a line each.
  gallery_->setGridSize(QSize(kThumbnailSide + 40, kThumbnailSide + 62));
  gallery_->setWordWrap(true);
  gallery_->setUniformItemSizes(false);  // each caption laid out in full
  layout->addWidget(gallery_, 1);
  for (QComboBox* box : {variant_, truth_, predicted_, order_, weights_}) {
    connect(box, qOverload<int>(&QComboBox::currentIndexChanged), this, &MistakesView::refresh);
  }
  gallery_->setToolTip(tr("Click a picture to look inside the variants with it (Inspect)"));
  connect(gallery_, &QListWidget::itemClicked, this,
          [this](QListWidgetItem* item) { emit imageClicked(item->data(Qt::UserRole).toLongLong()); });
}

MistakesView::~MistakesView() {
  if (loader_) loader_->wait();  // loading cannot be interrupted; it takes seconds at most
}

// The data set loads on a thread of its own (seconds for a large set); the
// gallery fills when it is there.
void MistakesView::loadImages() {
  if (loader_) return;
  auto loaded = std::make_shared<std::shared_ptr<TestImageSource>>();
  auto failure = std::make_shared<QString>();
  const ExperimentConfig config = config_;
  const QString dir = dir_;
  loader_ = run_off_gui_thread(
      this,
      [config, loaded, failure] {
        try {
          *loaded = std::make_shared<TestImageSource>(config);
        } catch (const std::exception& e) {
          *failure = QString::fromUtf8(e.what());
        }
      },
      [this, loaded, failure, dir] {
        loader_ = nullptr;
        if (dir != dir_) return;  // another run was opened meanwhile
        if (!failure->isEmpty()) {
          status_->setText(tr("The test images cannot be shown: %1").arg(*failure));
          return;
        }
        images_ = *loaded;
        refresh();
      });
}

void MistakesView::setRun(const QString& dir, const ExperimentConfig& config, const QStringList& class_names) {
  dir_ = dir;
  config_ = config;
  class_names_ = class_names;
  predictions_.clear();
  images_.reset();
  const QSignalBlocker b1(variant_), b2(truth_), b3(predicted_);
  variant_->clear();
  for (const VariantSpec& v : config.variants) variant_->addItem(QString::fromStdString(v.name));
  for (QComboBox* box : {truth_, predicted_}) {
    box->clear();
    box->addItem(tr("any"), -1);
    for (int c = 0; c < class_names.size(); ++c) box->addItem(class_names[c], c);
  }
  gallery_->clear();
  status_->setText(tr("Choose a variant and classes; clicking a cell of the confusion matrix shows its images."));
}

void MistakesView::setWeights(Weights weights) { weights_->setCurrentIndex(weights_->findData(int(weights))); }

const std::vector<Prediction>* MistakesView::predictionsOf(const QString& variant) {
  const Weights weights = Weights(weights_->currentData().toInt());
  const auto key = std::make_pair(variant, int(weights));
  const auto it = predictions_.find(key);
  if (it != predictions_.end()) return &it->second;
  try {
    return &(predictions_[key] = read_predictions(dir_.toStdString(), variant.toStdString(),
                                                  static_cast<int>(class_names_.size()), weights));
  } catch (const StoreError& e) {
    status_->setText(QString::fromUtf8(e.what()));
    return nullptr;
  }
}

void MistakesView::showCell(const QString& variant, int truth, int predicted) {
  {
    const QSignalBlocker b1(variant_), b2(truth_), b3(predicted_);
    variant_->setCurrentText(variant);
    truth_->setCurrentIndex(truth_->findData(truth));
    predicted_->setCurrentIndex(predicted_->findData(predicted));
  }
  refresh();
}

int MistakesView::shownCount() const { return gallery_->count(); }

void MistakesView::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  if (gallery_->count() == 0 && matching_ == 0 && !dir_.isEmpty()) refresh();
}

void MistakesView::refresh() {
  gallery_->clear();
  matching_ = 0;
  if (dir_.isEmpty() || variant_->currentIndex() < 0) return;
  const std::vector<Prediction>* predictions = predictionsOf(variant_->currentText());
  if (!predictions) return;
  const int truth = truth_->currentData().toInt(), predicted = predicted_->currentData().toInt();
  // One cell when both classes are chosen (the diagonal: the right answers); otherwise the mistakes.
  const bool cell = truth >= 0 && predicted >= 0;
  std::vector<const Prediction*> shown;
  for (const Prediction& p : *predictions) {
    if (!cell && p.truth == p.predicted) continue;
    if (truth >= 0 && p.truth != truth) continue;
    if (predicted >= 0 && p.predicted != predicted) continue;
    shown.push_back(&p);
  }
  matching_ = int(shown.size());
  const auto order = MistakeOrder(order_->currentData().toInt());
  order_predictions(shown, order, kMostShown);
  if (!images_ && !shown.empty()) {
    status_->setText(tr("Loading the test images of %1…").arg(QString::fromStdString(config_.data)));
    loadImages();
    return;
  }
  const auto name = [this](int c) { return c < class_names_.size() ? class_names_[c] : QString::number(c); };
  for (const Prediction* p : shown) {
    const QImage image = thumbnail_image(images_->thumbnail(p->index), kThumbnailSide);
    auto* item = new QListWidgetItem(
        QIcon(QPixmap::fromImage(image)),
        QString("%1\n→ %2\n%3 %").arg(name(p->truth), name(p->predicted)).arg(100.0 * p->confidence, 0, 'f', 0));
    item->setToolTip(tr("test image %1: true %2, predicted %3 with probability %4")
                         .arg(p->index)
                         .arg(name(p->truth), name(p->predicted))
                         .arg(p->confidence, 0, 'f', 3));
    item->setData(Qt::UserRole, qint64(p->index));
    gallery_->addItem(item);
  }
  status_->setText(
      tr("%1 test image(s) of %2%3%4")
          .arg(matching_)
          .arg(variant_->currentText() + (weights_->currentIndex() == 1 ? tr(" (best weights)") : QString()))
          .arg(cell ? tr(": true %1, predicted %2").arg(name(truth), name(predicted)) : tr(" got wrong"))
          .arg(matching_ <= kMostShown ? QString()
               : order == MistakeOrder::MostConfidentFirst
                   ? tr(" (the %1 most confident shown, most confident first)").arg(kMostShown)
                   : tr(" (the first %1 in test-set order shown)").arg(kMostShown)));
}

}  // namespace alexnet::ui
