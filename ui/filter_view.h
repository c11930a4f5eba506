// The first-layer filters of every variant side by side, as grids of RGB
// tiles, with a slider back through earlier probes.
#pragma once

#include "exportable_view.h"
#include "run_history.h"

class QLabel;
class QSlider;

namespace alexnet::ui {

class FilterCanvas;

class FilterView : public ExportableView {
  Q_OBJECT
 public:
  FilterView(RunHistory* history, QWidget* parent = nullptr);

  QStringList exportNames() const override { return {"filters"}; }
  bool exportPicture(int index, const QString& path, QSize size, double scale) override;

  // Draws the grids of the selected probe into `area`.
  void paintGrids(QPainter& painter, const QRect& area) const;
  std::int64_t shownIteration() const;

 private:
  void refresh();

  RunHistory* history_;
  QSlider* slider_;
  QLabel* caption_;
  FilterCanvas* canvas_;
  bool follow_latest_ = true;
};

QImage filter_grid_image(const FilterGrid& grid);

}  // namespace alexnet::ui
