#include "filter_view.h"

#include "picture_file.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QPushButton>
#include <QSlider>
#include <QVBoxLayout>

namespace alexnet::ui {

QImage filter_grid_image(const FilterGrid& grid) {
  QImage image(grid.width, grid.height, QImage::Format_RGB888);
  for (int y = 0; y < grid.height; ++y) {
    memcpy(image.scanLine(y), grid.rgb.data() + std::size_t(y) * grid.width * 3, std::size_t(grid.width) * 3);
  }
  return image;
}

class FilterCanvas : public QWidget {
 public:
  explicit FilterCanvas(FilterView* view) : QWidget(view), view_(view) { setMinimumSize(300, 200); }

 protected:
  void paintEvent(QPaintEvent*) override {
    QPainter painter(this);
    painter.fillRect(rect(), palette().window());
    view_->paintGrids(painter, rect());
  }

 private:
  FilterView* view_;
};

FilterView::FilterView(RunHistory* history, QWidget* parent) : ExportableView(parent), history_(history) {
  auto* layout = new QVBoxLayout(this);
  auto* controls = new QHBoxLayout();
  controls->addWidget(new QLabel(tr("Probe")));
  slider_ = new QSlider(Qt::Horizontal);
  slider_->setObjectName("probeSlider");
  controls->addWidget(slider_, 1);
  auto* export_button = new QPushButton(tr("Export…"));
  controls->addWidget(export_button);
  layout->addLayout(controls);
  canvas_ = new FilterCanvas(this);
  layout->addWidget(canvas_, 1);
  caption_ = new QLabel();
  caption_->setWordWrap(true);
  layout->addWidget(caption_);

  connect(slider_, &QSlider::valueChanged, this, [this](int value) {
    follow_latest_ = value == slider_->maximum();
    refresh();
  });
  connect(export_button, &QPushButton::clicked, this, [this] { askAndExport(0); });
  connect(history_, &RunHistory::changed, this, [this] {
    follow_latest_ = true;
    refresh();
  });
  connect(history_, &RunHistory::probeAdded, this, &FilterView::refresh);
  refresh();
}

void FilterView::refresh() {
  const auto iterations = history_->probeIterations();
  const QSignalBlocker block(slider_);
  slider_->setRange(0, std::max(0, int(iterations.size()) - 1));
  if (follow_latest_) slider_->setValue(slider_->maximum());
  QString normalisation;
  for (const QString& v : history_->variants()) {
    for (const ProbeResult* p : history_->probes(v)) {
      if (!p->filters.normalisation.empty()) normalisation = QString::fromStdString(p->filters.normalisation);
    }
  }
  caption_->setText(iterations.empty() ? tr("No probe yet.")
                                       : tr("Iteration %1 (probe %2 of %3). Colours: %4.")
                                             .arg(shownIteration())
                                             .arg(slider_->value() + 1)
                                             .arg(iterations.size())
                                             .arg(normalisation));
  canvas_->update();
}

std::int64_t FilterView::shownIteration() const {
  const auto iterations = history_->probeIterations();
  if (iterations.empty()) return 0;
  return iterations[std::size_t(std::clamp(slider_->value(), 0, int(iterations.size()) - 1))];
}

void FilterView::paintGrids(QPainter& painter, const QRect& area) const {
  const QStringList variants = history_->variants();
  if (variants.isEmpty()) return;
  const std::int64_t iteration = shownIteration();
  const int n = int(variants.size());
  const int gap = 12;
  const int cell = (area.width() - gap * (n + 1)) / n;
  QFont title = painter.font();
  // Large enough to read on a slide, small enough that "variant · iteration N" fits its column.
  title.setPointSizeF(std::clamp(std::min(area.height() / 40.0, cell / 22.0), 8.0, 20.0));
  title.setBold(true);
  painter.setFont(title);
  const int title_height = QFontMetrics(title).height() + 6;
  for (int i = 0; i < n; ++i) {
    const QRect column(area.left() + gap + i * (cell + gap), area.top() + gap, cell, area.height() - 2 * gap);
    painter.setPen(history_->colour(variants[i]));
    painter.drawText(QRect(column.left(), column.top(), column.width(), title_height), Qt::AlignCenter,
                     QString("%1 · iteration %2").arg(variants[i]).arg(iteration));
    // The probe at or before the shown iteration (a diverged variant stops probing).
    const ProbeResult* shown = nullptr;
    for (const ProbeResult* p : history_->probes(variants[i])) {
      if (p->iteration <= iteration) shown = p;
    }
    if (!shown || shown->filters.rgb.empty()) continue;
    const QImage image = filter_grid_image(shown->filters);
    QRect target(column.left(), column.top() + title_height, column.width(), column.height() - title_height);
    const QSize fitted = image.size().scaled(target.size(), Qt::KeepAspectRatio);
    target =
        QRect(target.left() + (target.width() - fitted.width()) / 2, target.top(), fitted.width(), fitted.height());
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);  // each weight a crisp square
    painter.drawImage(target, image);
  }
}

bool FilterView::exportPicture(int, const QString& path, QSize size, double scale) {
  return save_painting(path, size, scale, [&](QPainter& painter) {
    const QRect area(QPoint(0, 0), size);
    const int caption_height = 40;
    painter.fillRect(area, Qt::white);
    paintGrids(painter, area.adjusted(0, 0, 0, -caption_height));
    QFont font = painter.font();
    font.setPointSizeF(10);
    painter.setFont(font);
    painter.setPen(Qt::black);
    painter.drawText(area.adjusted(12, size.height() - caption_height, -12, 0),
                     Qt::AlignLeft | Qt::AlignVCenter | Qt::TextWordWrap,
                     tr("First-layer filters — %1. %2").arg(history_->runName(), caption_->text()));
  });
}

}  // namespace alexnet::ui
