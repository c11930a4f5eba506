#include "inspect_view.h"

#include <QComboBox>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPainter>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QTimer>
#include <QSpinBox>
#include <QThread>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <qcustomplot.h>

#include "analysis/test_images.h"
#include "export/picture_input.h"
#include "run_history.h"
#include "background_job.h"
#include "export/onnx_runner.h"
#include "inspect_pictures.h"
#include "thumbnail_image.h"

namespace alexnet::ui {

namespace {

constexpr int kStripImages = 48;
constexpr int kStripSide = 56;
constexpr int kTopClasses = 5;
// A variant's column: its maps and bars as wide as this where there is room,
// narrower down to the least before the columns wrap onto another row.
constexpr int kMapGridWidth = 280;
constexpr int kLeastMapGridWidth = 150;

}  // namespace

VariantColumns variant_columns(int variants, int available_width, int spacing) {
  VariantColumns c;
  if (variants <= 0) return c;
  const int fits = std::max(1, (available_width + spacing) / (kLeastMapGridWidth + spacing));
  c.per_row = std::min(variants, fits);
  c.width = std::clamp((available_width - spacing * (c.per_row - 1)) / c.per_row, kLeastMapGridWidth, kMapGridWidth);
  return c;
}

InspectView::InspectView(QWidget* parent) : QWidget(parent) {
  class_filter_ = new QComboBox();
  class_filter_->setObjectName("inspectClassFilter");
  first_ = new QSpinBox();
  first_->setObjectName("inspectFirst");
  first_->setRange(0, 0);
  first_->setPrefix(tr("from #"));
  first_->setSingleStep(kStripImages);
  auto* open_file = new QPushButton(tr("Open picture file…"));
  open_file->setObjectName("inspectOpenFile");
  layer_ = new QComboBox();
  layer_->setObjectName("inspectLayer");
  weights_ = new QComboBox();
  weights_->setObjectName("inspectWeights");
  weights_->addItem(tr("last weights"), int(Weights::Last));
  weights_->addItem(tr("best weights (by validation accuracy)"), int(Weights::Best));
  strip_ = new QListWidget();
  strip_->setObjectName("inspectStrip");
  strip_->setViewMode(QListView::IconMode);
  strip_->setFlow(QListView::LeftToRight);
  strip_->setWrapping(false);
  strip_->setMovement(QListView::Static);
  strip_->setIconSize(QSize(kStripSide, kStripSide));
  strip_->setGridSize(QSize(kStripSide + 56, kStripSide + 40));  // "#1234" and "T-shirt/top" below
  strip_->setWordWrap(true);
  strip_->setFixedHeight(kStripSide + 64);
  strip_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOn);
  picture_ = new QLabel();
  picture_->setObjectName("inspectPicture");
  picture_->setFixedSize(160, 160);
  picture_->setAlignment(Qt::AlignCenter);
  picture_->setFrameShape(QFrame::StyledPanel);
  status_ =
      new QLabel(tr("Open a finished or stopped run: pick a test image below, or open any picture, and "
                    "see what every variant predicts and what its conv layers make of it."));
  status_->setObjectName("inspectStatus");
  status_->setWordWrap(true);

  auto* controls = new QHBoxLayout();
  controls->addWidget(new QLabel(tr("Test images of")));
  controls->addWidget(class_filter_);
  controls->addWidget(first_);
  controls->addStretch(1);
  controls->addWidget(open_file);
  controls->addWidget(new QLabel(tr("Feature maps of")));
  controls->addWidget(layer_);
  controls->addWidget(weights_);

  auto* columns_widget = new QWidget();
  columns_ = new QGridLayout(columns_widget);
  columns_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  scroll_ = new QScrollArea();
  scroll_->setObjectName("inspectScroll");
  scroll_->setWidget(columns_widget);
  scroll_->setWidgetResizable(true);
  // The columns fit the width (they shrink, then wrap): every variant is seen without scrolling sideways.
  scroll_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  redraw_timer_ = new QTimer(this);
  redraw_timer_->setSingleShot(true);
  redraw_timer_->setInterval(60);
  connect(redraw_timer_, &QTimer::timeout, this, [this] {
    if (!last_.variants.empty() && columnLayout().width != drawn_width_) draw();
  });

  auto* body = new QHBoxLayout();
  auto* left = new QVBoxLayout();
  left->addWidget(new QLabel(tr("What the network sees")));
  left->addWidget(picture_);
  left->addStretch(1);
  body->addLayout(left);
  body->addWidget(scroll_, 1);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(controls);
  layout->addWidget(strip_);
  layout->addWidget(status_);
  layout->addLayout(body, 1);

  connect(strip_, &QListWidget::itemClicked, this,
          [this](QListWidgetItem* item) { inspectTest(item->data(Qt::UserRole).toLongLong()); });
  connect(class_filter_, qOverload<int>(&QComboBox::currentIndexChanged), this, &InspectView::fillStrip);
  connect(first_, qOverload<int>(&QSpinBox::valueChanged), this, &InspectView::fillStrip);
  connect(open_file, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open a picture to inspect"), QString(),
                                                      tr("Pictures (*.png *.jpg *.jpeg *.bmp *.gif *.webp *.pgm "
                                                         "*.ppm *.pnm *.tif *.tiff);;All files (*)"));
    if (!path.isEmpty()) inspectFile(path);
  });
  connect(layer_, &QComboBox::currentTextChanged, this, &InspectView::draw);
  // Other weights: the models load again, and the picture shown is inspected with them.
  connect(weights_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
    if (job_) job_->wait();
    classifier_.reset();
    if (!shown_) return;
    const Request again = *shown_;  // submit() replaces shown_
    submit(again);
  });
  connect(this, &InspectView::failed, status_, &QLabel::setText);
}

InspectView::~InspectView() {
  if (job_) job_->wait();  // a job holds the models; it ends within a second
}

void InspectView::setRun(const QString& dir, const ExperimentConfig& config, const QStringList& class_names) {
  if (job_) job_->wait();
  dir_ = dir;
  config_ = config;
  class_names_ = class_names;
  classifier_.reset();
  images_.reset();
  images_problem_.clear();
  pending_.reset();
  strip_filled_ = false;
  last_ = {};
  strip_->clear();
  clearColumns();
  picture_->clear();
  const QSignalBlocker block(class_filter_);
  class_filter_->clear();
  class_filter_->addItem(tr("every class"), -1);
  for (int c = 0; c < class_names.size(); ++c) class_filter_->addItem(class_names[c], c);
  status_->setText(dir.isEmpty()
                       ? tr("Inspect looks inside a trained run: the run being trained opens here when it ends, "
                            "or open a finished or stopped one (File ▸ Open run…, or the Runs tab).")
                       : tr("Pick a test image or open a picture; the run's models load from its last checkpoint."));
}

void InspectView::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  // The first look at a run: its models and test images load, and the first test image is shown.
  if (!dir_.isEmpty() && !classifier_ && !job_ && last_.variants.empty()) inspectTest(0);
}

void InspectView::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  redraw_timer_->start();  // once the resizing settles
}

VariantColumns InspectView::columnLayout() const {
  const QMargins m = columns_->contentsMargins();
  const int spacing = std::max(0, columns_->horizontalSpacing());
  const int available = scroll_->viewport()->width() - m.left() - m.right() -
                        scroll_->verticalScrollBar()->sizeHint().width();  // room for it when the rows overflow
  return variant_columns(int(last_.variants.size()), available, spacing);
}

void InspectView::setWeights(Weights weights) { weights_->setCurrentIndex(weights == Weights::Best ? 1 : 0); }

Weights InspectView::weights() const { return weights_->currentIndex() == 1 ? Weights::Best : Weights::Last; }

void InspectView::inspectTest(qint64 index) { submit({index, {}}); }
void InspectView::inspectFile(const QString& path) { submit({-1, path}); }

QString InspectView::message() const { return status_->text(); }

QString InspectView::className(int c) const {
  return c >= 0 && c < class_names_.size() ? class_names_[c] : QString::number(c);
}

void InspectView::submit(const Request& request) {
  if (dir_.isEmpty()) {
    emit failed(tr("Open a run first: Inspect runs its trained variants."));
    return;
  }
  if (job_) {
    pending_ = std::make_unique<Request>(request);  // only the latest counts
    return;
  }
  auto classifier = std::make_shared<std::shared_ptr<RunClassifier>>(classifier_);
  auto images = std::make_shared<std::shared_ptr<TestImageSource>>(images_);
  auto images_problem = std::make_shared<QString>(images_problem_);
  auto result = std::make_shared<InspectedPicture>();
  auto error = std::make_shared<QString>();
  const QString dir = dir_;
  const ExperimentConfig config = config_;
  const Weights weights = this->weights();
  shown_ = std::make_unique<Request>(request);
  if (!*classifier)
    status_->setText(weights == Weights::Best
                         ? tr("Loading the best weights of %1's variants from its last checkpoint…").arg(dir)
                         : tr("Loading the models of %1 from its last checkpoint…").arg(dir));
  const auto work = [=] {
    try {
      if (!*classifier) {
        *classifier = std::make_shared<RunClassifier>(dir.toStdString(), std::vector<std::string>{}, weights);
        // One pass on a blank picture sets up libtorch's kernels, so the first
        // picture a user picks is as quick as the ones after it.
        const int s = (*classifier)->transform().input_size;
        for (std::size_t v = 0; v < (*classifier)->variants().size(); ++v) {
          (void)(*classifier)->inspect(v, std::vector<float>(std::size_t(3) * s * s, 0.0f));
        }
      }
      if (!*images && images_problem->isEmpty()) {
        try {
          *images = std::make_shared<TestImageSource>(config);
        } catch (const std::exception& e) {
          *images_problem = QString::fromUtf8(e.what());  // a picture file can still be inspected
        }
      }
      RunClassifier& model = **classifier;
      QElapsedTimer timer;
      timer.start();
      std::vector<float> input;
      if (request.file.isEmpty()) {
        if (!*images) throw std::runtime_error(images_problem->toStdString());
        input = (*images)->network_input(request.test_index, model.transform());
        if (input.empty()) throw std::runtime_error("there is no test image " + std::to_string(request.test_index));
        result->what = QObject::tr("test image %1").arg(request.test_index);
        result->truth = (*images)->label(request.test_index);
      } else {
        input = prepare_picture_file(request.file.toStdString(), model.transform());
        result->what = request.file;
      }
      for (std::size_t v = 0; v < model.variants().size(); ++v) {
        Inspection inspection = model.inspect(v, input);
        std::vector<std::pair<int, double>> top;
        for (const ClassScore& c : top_classes(inspection.logits.data(), model.class_names(), kTopClasses)) {
          top.push_back({c.index, c.probability});
        }
        result->variants.push_back({QString::fromStdString(model.variants()[v]), std::move(top),
                                    std::move(inspection.maps), qint64(model.iteration_of(v))});
      }
      result->milliseconds = double(timer.nsecsElapsed()) / 1e6;
      result->seen = seen_picture(input, model.transform());
    } catch (const std::exception& e) {
      *error = QString::fromUtf8(e.what());
    }
  };
  job_ = run_off_gui_thread(this, work, [=] {
    job_ = nullptr;
    if (dir == dir_) {  // else another run was opened meanwhile: this answer is not for it
      // Models loaded with weights since switched are not kept.
      classifier_ = *classifier && (*classifier)->weights() == this->weights() ? *classifier : nullptr;
      images_ = *images;
      images_problem_ = *images_problem;
      if (!strip_filled_) fillStrip();
      if (!error->isEmpty()) {
        emit failed(
            tr("Cannot inspect %1: %2")
                .arg(request.file.isEmpty() ? tr("test image %1").arg(request.test_index) : request.file, *error));
      } else {
        last_ = std::move(*result);
        draw();
        emit inspected();
      }
    }
    if (pending_) {
      const Request next = *pending_;
      pending_.reset();
      submit(next);
    }
  });
}

void InspectView::fillStrip() {
  strip_->clear();
  if (!images_) {
    if (!images_problem_.isEmpty()) {
      strip_->addItem(
          tr("The test images cannot be shown: %1. A picture file can still be opened.").arg(images_problem_));
    }
    return;
  }
  strip_filled_ = true;
  const qint64 count = images_->size();
  {
    const QSignalBlocker block(first_);
    first_->setRange(0, int(std::max<qint64>(0, count - 1)));
  }
  const int wanted = class_filter_->currentData().toInt();
  int shown = 0;
  for (qint64 i = first_->value(); i < count && shown < kStripImages; ++i) {
    const int label = images_->label(i);
    if (wanted >= 0 && label != wanted) continue;
    auto* item = new QListWidgetItem(QIcon(QPixmap::fromImage(thumbnail_image(images_->thumbnail(i), kStripSide))),
                                     QString("#%1\n%2").arg(i).arg(className(label)));
    item->setData(Qt::UserRole, i);
    item->setToolTip(tr("test image %1, class %2: click to inspect").arg(i).arg(className(label)));
    strip_->addItem(item);
    ++shown;
  }
}

void InspectView::clearColumns() {
  while (QLayoutItem* item = columns_->takeAt(0)) {
    delete item->widget();
    delete item;
  }
  bars_.clear();
  map_labels_.clear();
}

void InspectView::showLayer(const QString& layer) { layer_->setCurrentText(layer); }

void InspectView::draw() {
  clearColumns();
  if (last_.variants.empty()) return;
  {
    const QString kept = layer_->currentText();
    const QSignalBlocker block(layer_);
    layer_->clear();
    for (const FeatureMaps& m : last_.variants.front().maps) layer_->addItem(QString::fromStdString(m.layer));
    layer_->setCurrentIndex(std::max(0, layer_->findText(kept)));
  }
  const std::string layer = layer_->currentText().toStdString();
  picture_->setPixmap(QPixmap::fromImage(
      last_.seen.scaled(picture_->size() - QSize(8, 8), Qt::KeepAspectRatio, Qt::FastTransformation)));
  QString what = last_.what;
  if (last_.truth >= 0) what += tr(" (true class: %1)").arg(className(last_.truth));
  QString from = tr("from the checkpoint of iteration %1").arg(classifier_ ? classifier_->iteration() : 0);
  if (classifier_ && classifier_->weights() == Weights::Best) {
    QStringList each;
    for (const InspectedVariant& iv : last_.variants) each << tr("%1 at %2").arg(iv.variant).arg(iv.iteration);
    from = tr("with the best weights by validation accuracy (%1)").arg(each.join(", "));
  }
  status_->setText(tr("%1 · %2 in %3 ms, %4")
                       .arg(what)
                       .arg(last_.variants.size() == 1 ? tr("1 variant") : tr("%1 variants").arg(last_.variants.size()))
                       .arg(last_.milliseconds, 0, 'f', 0)
                       .arg(from));
  const VariantColumns layout = columnLayout();
  const int column_width = layout.width;
  drawn_width_ = layout.width;
  for (std::size_t v = 0; v < last_.variants.size(); ++v) {
    const InspectedVariant& iv = last_.variants[v];
    const int column = int(v) % layout.per_row;
    const int row = 4 * (int(v) / layout.per_row);  // title, bars, caption, maps
    const int colour = int(v);
    const auto& [best, p] = iv.top.front();
    auto* title = new QLabel(tr("<b>%1</b>: %2, %3 %").arg(iv.variant, className(best)).arg(100 * p, 0, 'f', 1));
    if (last_.truth >= 0) {
      title->setText(title->text() + (best == last_.truth ? tr(" ✓") : tr(" ✗")));
    }
    title->setWordWrap(true);
    title->setMaximumWidth(column_width);
    columns_->addWidget(title, row, column);

    auto* plot = new QCustomPlot();
    plot->setObjectName("inspectBars_" + iv.variant);
    plot->setFixedSize(column_width, 190);
    auto* bars = new QCPBars(plot->yAxis, plot->xAxis);  // horizontal: the classes on the vertical axis
    bars->setBrush(variant_colour(colour));
    bars->setPen(Qt::NoPen);
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    QVector<double> keys, values;
    for (std::size_t i = 0; i < iv.top.size(); ++i) {
      const double key = double(iv.top.size() - i);  // the most probable at the top
      keys << key;
      values << 100 * iv.top[i].second;
      QString name = className(iv.top[i].first);
      if (iv.top[i].first == last_.truth) name += " ✓";
      ticker->addTick(key, name);
    }
    bars->setData(keys, values, true);
    plot->yAxis->setTicker(ticker);
    plot->yAxis->setRange(0.4, double(iv.top.size()) + 0.6);
    plot->xAxis->setRange(0, 100);
    plot->xAxis->setLabel(tr("probability (%)"));
    plot->replot();
    columns_->addWidget(plot, row + 1, column);
    bars_.push_back(plot);

    auto* maps = new QLabel();
    maps->setObjectName("inspectMaps_" + iv.variant);
    maps->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    QString caption = tr("no layer %1").arg(QString::fromStdString(layer));
    for (const FeatureMaps& m : iv.maps) {
      if (m.layer != layer) continue;
      int flat = 0;
      maps->setPixmap(QPixmap::fromImage(feature_map_grid(m, column_width, &flat)));
      caption = tr("%1: %2 maps of %3 × %4; %5 the same everywhere (black)")
                    .arg(QString::fromStdString(m.layer))
                    .arg(m.channels)
                    .arg(m.height)
                    .arg(m.width)
                    .arg(flat);
    }
    auto* caption_label = new QLabel(caption);
    caption_label->setWordWrap(true);  // the column is as wide as its grid, not as its caption
    caption_label->setMaximumWidth(column_width);
    columns_->addWidget(caption_label, row + 2, column);
    columns_->addWidget(maps, row + 3, column);
    map_labels_.push_back(maps);
  }
}

}  // namespace alexnet::ui
